import type { Clock, ReferralSettings, ReferralStore } from "./ports.ts";

/**
 * Emits `deadline_at_risk` (when a deadline is within the configured lead) and `deadline_missed`
 * once each per referral and deadline: the claim row and the event commit together, and a
 * unique key makes a second claim (another replica, a rerun) a no-op.
 */
export function watchDeadlines(deps: { store: ReferralStore; clock: Clock; settings: Pick<ReferralSettings, "atRiskLeadHours"> }) {
  return async (): Promise<{ atRisk: number; missed: number }> => {
    const now = deps.clock.now();
    const counts = { atRisk: 0, missed: 0 };
    for (const alert of ["missed", "at_risk"] as const) {
      const until = alert === "missed" ? now : new Date(now.getTime() + deps.settings.atRiskLeadHours * 3_600_000);
      const due = await deps.store.deadlinesDueBefore(until, alert, 500);
      for (const d of due) {
        const emitted = await deps.store.transaction(async (tx) => {
          if (!(await tx.claimAlert(d.referral.referralId, d.deadline.kind, alert))) return false;
          await tx.emit({ type: "deadline_alert", referral: d.referral, deadline: d.deadline, alert });
          return true;
        });
        if (emitted) counts[alert === "missed" ? "missed" : "atRisk"] += 1;
      }
    }
    return counts;
  };
}
