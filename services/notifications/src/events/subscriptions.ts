// The domain events this service turns into notifications: one subscription per event type, each
// running every trigger of that type (a submitted referral tells the intake desk, and the duty
// desk too when the notifier claims it urgent). A consumer that is behind takes a partition's
// events of one type a batch at a time: the directory read and the deliveries written once for all.
import { on, type Subscription } from "@silta/events";
import type { NoticeJob, notifyMany } from "../app/notify.ts";
import type { Trigger } from "../app/triggers.ts";

export function subscriptions(triggers: Trigger[], run: ReturnType<typeof notifyMany>): Subscription<unknown>[] {
  const byType = new Map<string, Trigger[]>();
  for (const t of triggers) byType.set(t.event.type, [...(byType.get(t.event.type) ?? []), t]);
  return [...byType.values()].map((ts) => {
    const jobsOf = (m: unknown, event: { id: string; time?: string }): NoticeJob[] =>
      ts.flatMap((trigger) => {
        const notice = trigger.notice(m);
        return notice ? [{ eventId: event.id, trigger, notice, ...(event.time ? { eventTime: event.time } : {}) }] : [];
      });
    return {
      ...on((ts[0] as Trigger).event, async (m, event) => {
        await run(jobsOf(m, event));
      }),
      handleMany: async (records) => {
        await run(records.flatMap((r) => jobsOf(r.message, r.event)));
      },
    };
  });
}
