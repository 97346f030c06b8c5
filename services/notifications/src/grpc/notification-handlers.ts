// gRPC adapter: decode → use case → encode.
import {
  Channel,
  DeliveryStatus,
  Language,
  type NotificationServiceServer,
  NotificationServiceService,
  type Delivery as PDelivery,
} from "@silta/contracts/notifications/v1/notifications.ts";
import { service } from "@silta/grpc";
import { invalidArgument } from "@silta/platform";
import type { directoryUseCases } from "../app/directory.ts";
import type { liveInbox } from "../app/live-inbox.ts";
import type { Delivery } from "../app/ports.ts";
import { CHANNEL, STATUS } from "../events/receipts.ts";

const LANGUAGE: Record<number, string> = { [Language.LANGUAGE_FI]: "fi", [Language.LANGUAGE_SV]: "sv", [Language.LANGUAGE_EN]: "en" };
const LANGUAGE_PROTO: Record<string, Language> = { fi: Language.LANGUAGE_FI, sv: Language.LANGUAGE_SV, en: Language.LANGUAGE_EN };
const CHANNEL_NAME: Record<number, string> = { [Channel.CHANNEL_IN_APP]: "in_app", [Channel.CHANNEL_EMAIL]: "email", [Channel.CHANNEL_WEBHOOK]: "webhook" };
const STATUS_NAME = Object.fromEntries(Object.entries(STATUS).map(([k, v]) => [v, k])) as Record<number, Delivery["status"]>;
const iso = (d: Date | undefined) => d?.toISOString() ?? "";

const itemToProto = (d: Delivery) => ({
  itemId: d.deliveryId,
  kind: d.kind,
  reference: d.reference,
  title: d.title,
  body: d.body,
  link: d.link,
  mustDeliver: d.mustDeliver,
  createdAt: iso(d.createdAt),
  readAt: iso(d.readAt),
});
const deliveryToProto = (d: Delivery): PDelivery => ({
  deliveryId: d.deliveryId,
  eventId: d.eventId,
  kind: d.kind,
  channel: CHANNEL[d.channel],
  recipientRef: d.recipientRef,
  status: STATUS[d.status],
  attempts: d.attempts,
  nextAttemptAt: iso(d.nextAttemptAt),
  lastError: d.lastError,
  mustDeliver: d.mustDeliver,
  createdAt: iso(d.createdAt),
});

export function notificationHandlers(uc: ReturnType<typeof directoryUseCases>, watch: ReturnType<typeof liveInbox>) {
  return service<NotificationServiceServer>(NotificationServiceService, {
    async putPerson(req, ctx) {
      const p = req.person;
      const person = await uc.putPerson(
        {
          personRef: p?.personRef ?? "",
          language: LANGUAGE[p?.language ?? 0] ?? "",
          email: p?.email ?? "",
          channels: (p?.channels ?? []).map((c) => CHANNEL_NAME[c] ?? `unknown(${c})`),
        },
        ctx.requireIdentity(),
      );
      return {
        person: {
          personRef: person.personRef,
          language: LANGUAGE_PROTO[person.language] ?? Language.LANGUAGE_UNSPECIFIED,
          email: person.email,
          channels: person.channels.map((c) => CHANNEL[c]),
          organisationId: person.organisationId,
        },
      };
    },
    async putGroup(req, ctx) {
      const g = await uc.putGroup({ groupRef: req.group?.groupRef ?? "", memberRefs: req.group?.memberRefs ?? [] }, ctx.requireIdentity());
      return { group: g };
    },
    async registerWebhook(req, ctx) {
      const w = await uc.registerWebhook({ url: req.url }, ctx.requireIdentity());
      return { webhook: { webhookId: w.webhookId, url: w.url, organisationId: w.organisationId, createdAt: iso(w.createdAt) }, secret: w.secret };
    },
    async listInbox(req, ctx) {
      const r = await uc.inbox({ unreadOnly: req.unreadOnly, limit: req.limit }, ctx.requireIdentity());
      return { items: r.items.map(itemToProto), unread: r.unread };
    },
    async markRead(req, ctx) {
      return { item: itemToProto(await uc.markRead(req.itemId, ctx.requireIdentity())) };
    },
    watchInbox(req, ctx, send) {
      return watch(req.afterItemId, ctx.requireIdentity(), (u) => send({ ...(u.item ? { item: itemToProto(u.item) } : {}), unread: u.unread }), ctx.signal);
    },
    async listDeliveries(req, ctx) {
      const status = req.status === DeliveryStatus.DELIVERY_STATUS_UNSPECIFIED ? undefined : STATUS_NAME[req.status];
      if (req.status !== DeliveryStatus.DELIVERY_STATUS_UNSPECIFIED && !status)
        throw invalidArgument("SILTA_NOTIFICATION_INVALID", [{ field: "status", reason: "a known delivery status" }]);
      return { deliveries: (await uc.deliveries({ status, limit: req.limit }, ctx.requireIdentity())).map(deliveryToProto) };
    },
    async setPreference(req, ctx) {
      const p = req.preference;
      const rule = await uc.setPreference(
        {
          kind: p?.kind ?? "",
          channel: CHANNEL_NAME[p?.channel ?? 0] ?? "",
          enabled: p?.enabled ?? false,
          organisationLevel: p?.organisationLevel ?? false,
          locked: p?.locked ?? false,
        },
        ctx.requireIdentity(),
      );
      return {
        preference: {
          kind: rule.kind === "*" ? "" : rule.kind,
          channel: CHANNEL[rule.channel],
          enabled: rule.enabled,
          organisationLevel: p?.organisationLevel ?? false,
          locked: rule.locked,
        },
      };
    },
    async setQuietHours(req, ctx) {
      const q = await uc.setQuietHours({ zone: req.timeZone, windows: req.windows }, ctx.requireIdentity());
      return { timeZone: q.zone, windows: q.windows };
    },
    async replayDelivery(req, ctx) {
      return { delivery: deliveryToProto(await uc.replay(req.deliveryId, ctx.requireIdentity())) };
    },
  });
}
