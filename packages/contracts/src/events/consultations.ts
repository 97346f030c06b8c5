// The consultations service's topic: each booking change with ids, kinds, times, organisations
// and the opaque person references of the specialist, the requester and the responsible worker
// (meetings builds specialists' busy times from them; notifications finds its recipients). Never
// the child's identity (not even the pseudonym) and never the topic text.
import { BookingEvent } from "../gen/silta/consultations/v1/consultations.ts";
import { event, topic } from "./contract.ts";

const booking = (what: string, summary: string) => event(`fi.silta.consultation.${what}.v1`, BookingEvent, "silta.consultations.v1.BookingEvent", summary);

export const bookingRequested = booking("requested", "A time was held while the requester fills in the form.");
export const bookingConfirmed = booking("confirmed", "A booking was confirmed (each occurrence of a series, each seat of a training).");
export const bookingRescheduled = booking("rescheduled", "A booking moved: the new booking, naming the one it replaced.");
export const bookingCancelled = booking("cancelled", "A booking was cancelled, with who and why.");
export const bookingCompleted = booking("completed", "The specialist marked a booking held.");
export const bookingNoShow = booking("no-show", "The specialist marked a booking a no-show.");
export const waitlistOffered = booking("waitlist-offered", "A freed time was offered to the first waiting request as a timed hold.");

export const CONSULTATION_TOPIC = topic({
  name: "consultations.booking.v1",
  partitions: 3,
  producer: "consultations",
  consumers: ["meetings", "notifications"],
  key: "the specialist id (every change of one specialist's calendar in order)",
  events: [bookingRequested, bookingConfirmed, bookingRescheduled, bookingCancelled, bookingCompleted, bookingNoShow, waitlistOffered],
  description:
    "Booking changes of the paired-worker model's specialists: ids, kinds, times, organisations, opaque person references; no child identity, no topic text.",
});
