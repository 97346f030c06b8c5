// The domain events this service turns into notifications: one subscription per event type, each
// running every trigger of that type (a submitted referral tells the intake desk, and the duty
// desk too when the notifier claims it urgent).
import { on, type Subscription } from "@silta/events";
import type { notify } from "../app/notify.ts";
import type { Trigger } from "../app/triggers.ts";

export function subscriptions(triggers: Trigger[], run: ReturnType<typeof notify>): Subscription<unknown>[] {
  const byType = new Map<string, Trigger[]>();
  for (const t of triggers) byType.set(t.event.type, [...(byType.get(t.event.type) ?? []), t]);
  return [...byType.values()].map((ts) =>
    on((ts[0] as Trigger).event, async (m, event) => {
      for (const t of ts) {
        const notice = t.notice(m);
        if (notice) await run(event.id, t, notice, event.time);
      }
    }),
  );
}
