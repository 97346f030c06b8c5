// What a coordinator asks: which share of the specialists' booked minutes each municipality got
// in the last four weeks, and whether the municipalities without a specialist of their own got
// theirs (the reserved share's point). Counted by the database, labelled by municipality code.
import type { Meter } from "@opentelemetry/api";
import type { Clock, ConsultationStore } from "./app/ports.ts";

export function consultationMetrics(m: Meter, store: ConsultationStore, clock: Clock) {
  const minutes = m.createObservableGauge("silta_consultations_booked_minutes_28d", {
    description: "specialist minutes booked in the last 28 days, by municipality and whether it is prioritised (no specialist of its own)",
    unit: "min",
  });
  const share = m.createObservableGauge("silta_consultations_share_28d", {
    description: "the share (0–1) of specialist minutes booked in the last 28 days that each municipality got",
  });
  m.addBatchObservableCallback(
    async (r) => {
      const rows = await store.minutesByMunicipality(new Date(clock.now().getTime() - 28 * 86_400_000));
      const total = rows.reduce((a, x) => a + x.minutes, 0);
      for (const x of rows) {
        const labels = { municipality: x.municipalityCode, prioritised: String(x.priority) };
        r.observe(minutes, x.minutes, labels);
        r.observe(share, total === 0 ? 0 : x.minutes / total, labels);
      }
    },
    [minutes, share],
  );
}
