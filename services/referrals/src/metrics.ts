// What a manager asks: referrals by area and kind, decisions within 7 working days, time to
// decision, open assessments nearing their 3 months; and what became of each education event.
import type { Meter } from "@opentelemetry/api";
import type { Pool } from "@silta/postgres";
import type { Clock } from "./app/ports.ts";
import type { submitReferral } from "./app/submit-referral.ts";
import type { transitionReferral } from "./app/transition-referral.ts";

export function referralMetrics(m: Meter, pool: Pool, clock: Clock) {
  const submitted = m.createCounter("silta_referrals_submitted", { description: "referrals submitted, by area and kind (rate by day in PromQL)" });
  const decisions = m.createCounter("silta_referrals_decisions", { description: "decisions, by area and whether within the 7-working-day deadline" });
  const timeToDecision = m.createHistogram("silta_referrals_time_to_decision_days", {
    description: "calendar days from receipt to decision",
    unit: "d",
    advice: { explicitBucketBoundaries: [1, 2, 3, 5, 7, 9, 11, 14, 21, 30] },
  });
  const educationOutcomes = m.createCounter("silta_referrals_education_events", {
    description: "education events: attached, dropped_no_case or dropped_no_consent (neither stored), or duplicate",
  });
  m.createObservableGauge("silta_referrals_open_assessments_near_deadline", { description: "started assessments due within 14 days, by area" }).addCallback(
    async (r) => {
      const q = await pool.query<{ area_code: string; n: number }>(
        `SELECT r.area_code, count(*)::int AS n FROM referral_deadlines d JOIN referrals r USING (referral_id)
        WHERE d.kind = 'assessment_completion' AND d.met_at IS NULL AND r.status = 'assessment_started' AND d.due_at < now() + interval '14 days' GROUP BY r.area_code`,
      );
      for (const row of q.rows) r.observe(row.n, { area: row.area_code });
    },
  );
  return {
    educationOutcomes,
    /** The use case, counting what it submitted. */
    counted(submit: ReturnType<typeof submitReferral>): ReturnType<typeof submitReferral> {
      return async (...a) => {
        const receipt = await submit(...a);
        submitted.add(1, { area: receipt.areaCode, kind: a[0].kind ?? "unknown" });
        return receipt;
      };
    },
    /** The use case, recording each decision's timeliness. */
    timed(transition: ReturnType<typeof transitionReferral>): ReturnType<typeof transitionReferral> {
      return async (...a) => {
        const r = await transition(...a);
        if (a[1].type === "decide") {
          const d = r.deadlines.find((x) => x.kind === "decision");
          decisions.add(1, { area: r.areaCode, within_deadline: String(!!d?.metAt && d.metAt <= d.dueAt) });
          timeToDecision.record((clock.now().getTime() - r.receivedAt.getTime()) / 86_400_000, { area: r.areaCode });
        }
        return r;
      };
    },
  };
}
