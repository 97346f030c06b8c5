// A person's inbox, live: the unread count at once; the items after the one a reconnecting page
// saw last; then each item created for them and each change of the count, on whichever replica it
// happened (the feed). Subscribed before anything is read, so nothing created meanwhile is missed;
// an item already sent is not sent again on this stream. Ends when the caller goes away.
import { type Identity, invalidArgument } from "@silta/platform";
import type { Delivery, InboxChange, InboxFeed, NotificationStore } from "./ports.ts";

export interface InboxUpdate {
  item?: Delivery;
  unread: number;
}

/** How many missed items a reconnecting page gets at most (the rest it lists). */
export const CATCH_UP_LIMIT = 200;

export function liveInbox(deps: { store: NotificationStore; feed: InboxFeed }) {
  const { store, feed } = deps;
  return async (afterItemId: string, caller: Identity, send: (u: InboxUpdate) => void, signal: AbortSignal): Promise<void> => {
    const org = caller.organisationId;
    const me = caller.subject;
    const pending: (InboxChange | "resync")[] = [];
    let wake: (() => void) | undefined;
    const unsubscribe = await feed.subscribe(org, me, (c) => {
      pending.push(c);
      wake?.();
    });
    // One listener for the stream's life (not one per wait): the caller leaving wakes the loop.
    const onAbort = () => wake?.();
    signal.addEventListener("abort", onAbort, { once: true });
    const sent = new Set<string>();
    let cursor = afterItemId;
    const push = async (items: Delivery[]) => {
      const fresh = items.filter((i) => !sent.has(i.deliveryId));
      if (fresh.length === 0) return;
      const unread = await store.unread(org, me);
      for (const item of fresh) {
        sent.add(item.deliveryId);
        cursor = item.deliveryId;
        send({ item, unread });
      }
    };
    try {
      if (afterItemId) {
        const missed = await store.inboxAfter(org, me, afterItemId, CATCH_UP_LIMIT);
        if (!missed) throw invalidArgument("SILTA_NOTIFICATION_INVALID", [{ field: "after_item_id", reason: "one of your own items" }]);
        send({ unread: await store.unread(org, me) });
        await push(missed);
      } else {
        // What a resync reads after: the newest item there is now ("" when there is none).
        cursor = (await store.inbox(org, me, false, 1)).items[0]?.deliveryId ?? "";
        send({ unread: await store.unread(org, me) });
      }
      while (!signal.aborted) {
        if (pending.length === 0) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            if (signal.aborted) resolve();
          });
          wake = undefined;
          continue;
        }
        const batch = pending.splice(0);
        if (batch.includes("resync")) {
          // The feed's connection was lost: what came since the last item sent or seen at the start
          // (everything, if the inbox was empty then), and the count again.
          const missed = cursor ? await store.inboxAfter(org, me, cursor, CATCH_UP_LIMIT) : (await store.inbox(org, me, false, CATCH_UP_LIMIT)).items.reverse();
          await push(missed ?? []);
          send({ unread: await store.unread(org, me) });
          continue;
        }
        const created = batch.flatMap((c) => (c !== "resync" && "created" in c ? [c.created] : []));
        if (created.length > 0) await push(await store.inboxItems(org, me, created));
        if (batch.some((c) => c !== "resync" && "read" in c)) send({ unread: await store.unread(org, me) });
      }
    } finally {
      signal.removeEventListener("abort", onAbort);
      unsubscribe();
    }
  };
}
