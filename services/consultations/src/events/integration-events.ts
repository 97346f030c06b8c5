// What leaves the service: each booking change on consultations.booking.v1, keyed by the
// specialist (one calendar's changes in order). Ids, kinds, times, organisations and opaque person
// references only: never the child's pseudonym, never the topic text.
import type { BookingEvent as PBookingEvent } from "@silta/contracts/consultations/v1/consultations.ts";
import {
  bookingCancelled,
  bookingCompleted,
  bookingConfirmed,
  bookingNoShow,
  bookingRequested,
  bookingRescheduled,
  CONSULTATION_TOPIC,
  waitlistOffered,
} from "@silta/contracts/events";
import { PROTOBUF } from "@silta/events";
import type { OutboxEntry } from "@silta/postgres";
import type { BookingEvent, BookingEventType } from "../app/ports.ts";
import { kind, status } from "../proto-mapping.ts";

const CONTRACT = {
  requested: bookingRequested,
  confirmed: bookingConfirmed,
  rescheduled: bookingRescheduled,
  cancelled: bookingCancelled,
  completed: bookingCompleted,
  no_show: bookingNoShow,
  waitlist_offered: waitlistOffered,
} satisfies Record<BookingEventType, { type: string }>;

export function toOutboxEntry(e: BookingEvent, source: string, areaCode: string): OutboxEntry {
  const b = e.booking;
  const c = CONTRACT[e.type];
  const data: PBookingEvent = {
    bookingId: b.bookingId,
    kind: kind.proto(b.kind),
    status: status.proto(b.status),
    specialistId: b.specialistId,
    specialistRef: e.specialist.personRef,
    specialistOrganisationId: e.specialist.organisationId,
    requesterRef: b.requesterRef,
    requesterOrganisationId: b.requesterOrganisationId,
    responsibleWorkerRef: b.responsibleWorkerRef,
    areaCode,
    municipalityCode: b.municipalityCode,
    start: b.startsAt.toISOString(),
    end: b.endsAt.toISOString(),
    seriesId: b.seriesId ?? "",
    rescheduledFrom: b.rescheduledFrom ?? "",
    reason: e.reason ?? "",
    sequence: b.sequence,
  };
  return {
    topic: CONSULTATION_TOPIC.name,
    aggregateId: b.specialistId,
    event: { type: c.type, source, subject: b.bookingId, contentType: PROTOBUF, data: c.encode(data) },
  };
}
