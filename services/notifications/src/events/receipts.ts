// What leaves the service: a receipt for each change of a delivery on notifications.delivery.v1,
// keyed by the delivery. Ids and codes only: never an address, a title or a body.
import { deliveryDelivered, deliveryFailed, deliveryQueued, deliveryRead, deliverySent, NOTIFICATION_TOPIC } from "@silta/contracts/events";
import { Channel, DeliveryStatus } from "@silta/contracts/notifications/v1/notifications.ts";
import { PROTOBUF } from "@silta/events";
import type { OutboxEntry } from "@silta/postgres";
import type { Delivery } from "../app/ports.ts";

export const CHANNEL = { in_app: Channel.CHANNEL_IN_APP, email: Channel.CHANNEL_EMAIL, webhook: Channel.CHANNEL_WEBHOOK } as const;
export const STATUS = {
  queued: DeliveryStatus.DELIVERY_STATUS_QUEUED,
  sent: DeliveryStatus.DELIVERY_STATUS_SENT,
  delivered: DeliveryStatus.DELIVERY_STATUS_DELIVERED,
  failed: DeliveryStatus.DELIVERY_STATUS_FAILED,
  read: DeliveryStatus.DELIVERY_STATUS_READ,
} as const;
const CONTRACT = { queued: deliveryQueued, sent: deliverySent, delivered: deliveryDelivered, failed: deliveryFailed, read: deliveryRead } as const;

export function receipt(
  d: Pick<Delivery, "deliveryId" | "eventId" | "kind" | "channel" | "status" | "organisationId" | "recipientRef" | "attempts" | "mustDeliver">,
  at: Date,
  source: string,
  escalated = false,
): OutboxEntry {
  const c = CONTRACT[d.status];
  return {
    topic: NOTIFICATION_TOPIC.name,
    aggregateId: d.deliveryId,
    event: {
      type: c.type,
      source,
      subject: d.deliveryId,
      contentType: PROTOBUF,
      data: c.encode({
        deliveryId: d.deliveryId,
        eventId: d.eventId,
        kind: d.kind,
        channel: CHANNEL[d.channel],
        status: STATUS[d.status],
        organisationId: d.organisationId,
        recipientRef: d.recipientRef,
        attempts: d.attempts,
        mustDeliver: d.mustDeliver,
        at: at.toISOString(),
        escalated,
      }),
    },
  };
}
