// The notifications service's topic: a receipt for each delivery's change (queued, sent,
// delivered, failed, read), ids and codes only: never an address, a title or a body.
import { DeliveryReceipt } from "../gen/silta/notifications/v1/notifications.ts";
import { event, topic } from "./contract.ts";

const receipt = (what: string, summary: string) =>
  event(`fi.silta.notification.${what}.v1`, DeliveryReceipt, "silta.notifications.v1.DeliveryReceipt", summary);

export const deliveryQueued = receipt("queued", "A delivery (event, recipient, channel) was created and waits for its attempt.");
export const deliverySent = receipt("sent", "An e-mail was accepted by the SMTP server.");
export const deliveryDelivered = receipt("delivered", "A webhook's endpoint answered 2xx, or an in-app item reached its inbox.");
export const deliveryFailed = receipt(
  "failed",
  "A delivery was refused permanently or its horizon ended (dead-lettered; a must-deliver one escalated to the duty desk).",
);
export const deliveryRead = receipt("read", "An in-app item was read by its person.");

export const NOTIFICATION_TOPIC = topic({
  name: "notifications.delivery.v1",
  partitions: 3,
  producer: "notifications",
  consumers: [],
  key: "the delivery id",
  events: [deliveryQueued, deliverySent, deliveryDelivered, deliveryFailed, deliveryRead],
  description: "Delivery receipts (queued, sent, delivered, failed, read): ids and codes only.",
});
