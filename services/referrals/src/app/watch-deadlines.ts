import type { Clock, ReferralSettings, ReferralStore } from "./ports.ts";

/**
 * Emits `deadline_at_risk` (when no more than the configured lead remains, at most half the
 * deadline's span: see `deadlinesForAlert`) and `deadline_missed` once each per referral and
 * deadline: the claims and their events commit together, and a unique key leaves out what
 * another replica or an earlier run claimed. A batch is one claim statement and one outbox
 * write, so a backlog (after downtime, or after a burst of submissions) costs a few round trips,
 * not several per alert.
 */
export function watchDeadlines(deps: {
  store: ReferralStore;
  clock: Clock;
  settings: Pick<ReferralSettings, "atRiskLeadHours">;
  /** Due deadlines read, claimed and announced per transaction (default 500). */
  batchSize?: number;
}) {
  const batch = deps.batchSize ?? 500;
  return async (): Promise<{ atRisk: number; missed: number }> => {
    const now = deps.clock.now();
    const counts = { atRisk: 0, missed: 0 };
    for (const alert of ["missed", "at_risk"] as const) {
      for (;;) {
        const due = await deps.store.deadlinesForAlert({ now, alert, leadHours: deps.settings.atRiskLeadHours }, batch);
        if (due.length === 0) break;
        const emitted = await deps.store.transaction(async (tx) => {
          const claimed = await tx.claimAlerts(
            due.map((d) => ({ referralId: d.referral.referralId, kind: d.deadline.kind })),
            alert,
          );
          const mine = due.filter((d) => claimed.has(`${d.referral.referralId}/${d.deadline.kind}`));
          await tx.emitAll(mine.map((d) => ({ type: "deadline_alert" as const, referral: d.referral, deadline: d.deadline, alert })));
          return mine.length;
        });
        counts[alert === "missed" ? "missed" : "atRisk"] += emitted;
        // A short batch was the whole backlog; a full one whose claims all went to another
        // replica would be read again, so stop there too (that replica is working through it).
        if (due.length < batch || emitted === 0) break;
      }
    }
    return counts;
  };
}
