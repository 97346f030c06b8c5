// Domain ⇄ protobuf for the consultations API and its events.
import {
  type Booking as PBooking,
  BookingKind as PBookingKind,
  BookingStatus as PBookingStatus,
  SpecialistOrganisationType as POrgType,
  type Specialist as PSpecialist,
} from "@silta/contracts/consultations/v1/consultations.ts";
import { enumTable } from "@silta/grpc";
import type { Booking, BookingKind, BookingStatus } from "./domain/booking.ts";
import type { Specialist } from "./domain/specialist.ts";

export const kind = enumTable<PBookingKind, BookingKind>([
  [PBookingKind.BOOKING_KIND_CONSULTATION, "consultation"],
  [PBookingKind.BOOKING_KIND_MENTORING, "mentoring"],
  [PBookingKind.BOOKING_KIND_TRAINING, "training"],
  [PBookingKind.BOOKING_KIND_CO_WORK, "co_work"],
]);
export const status = enumTable<PBookingStatus, BookingStatus>([
  [PBookingStatus.BOOKING_STATUS_HELD, "held"],
  [PBookingStatus.BOOKING_STATUS_CONFIRMED, "confirmed"],
  [PBookingStatus.BOOKING_STATUS_CANCELLED, "cancelled"],
  [PBookingStatus.BOOKING_STATUS_RESCHEDULED, "rescheduled"],
  [PBookingStatus.BOOKING_STATUS_COMPLETED, "completed"],
  [PBookingStatus.BOOKING_STATUS_NO_SHOW, "no_show"],
  [PBookingStatus.BOOKING_STATUS_EXPIRED, "expired"],
]);
export const organisationType = enumTable<POrgType, Specialist["organisationType"]>([
  [POrgType.SPECIALIST_ORGANISATION_TYPE_WELLBEING_AREA, "wellbeing_area"],
  [POrgType.SPECIALIST_ORGANISATION_TYPE_EXPERT_CENTRE, "expert_centre"],
]);

const iso = (d: Date | undefined) => d?.toISOString() ?? "";

export function bookingToProto(b: Booking): PBooking {
  return {
    bookingId: b.bookingId,
    kind: kind.proto(b.kind),
    status: status.proto(b.status),
    specialistId: b.specialistId,
    start: b.startsAt.toISOString(),
    end: b.endsAt.toISOString(),
    expiresAt: b.status === "held" ? iso(b.expiresAt) : "",
    requesterRef: b.requesterRef,
    requesterOrganisationId: b.requesterOrganisationId,
    responsibleWorkerRef: b.responsibleWorkerRef,
    municipalityCode: b.municipalityCode,
    subjectPseudonym: b.subjectPseudonym ?? "",
    consentDecisionId: b.consentDecisionId ?? "",
    topic: b.topic ?? "",
    location: b.location,
    videoLink: b.videoLink,
    seriesId: b.seriesId ?? "",
    capacity: b.capacity,
    seatsTaken: b.seatsTaken,
    rescheduledTo: b.rescheduledTo ?? "",
    rescheduledFrom: b.rescheduledFrom ?? "",
    cancelledBy: b.cancelledBy ?? "",
    cancelReason: b.cancelReason ?? "",
    assignedBy: b.assignedBy,
    sequence: b.sequence,
  };
}

export function specialistToProto(s: Specialist): PSpecialist {
  return {
    specialistId: s.specialistId,
    personRef: s.personRef,
    organisationId: s.organisationId,
    organisationType: organisationType.proto(s.organisationType),
    displayName: s.displayName,
    skills: s.skills,
    languages: s.languages,
    municipalityCodes: s.municipalityCodes,
    weight: s.weight,
    timeZone: s.timeZone,
    schedules: s.schedules.map((x) => ({ rules: x.rules, validFrom: x.validFrom ?? "", validUntil: x.validUntil ?? "" })),
    overrides: s.overrides.map((o) =>
      o.kind === "off" ? { date: o.date, dayOff: true, start: "", end: "" } : { date: o.date, dayOff: false, start: o.start, end: o.end },
    ),
    worksOnHolidays: s.worksOnHolidays,
    rules: {
      bufferBeforeMinutes: s.rules.bufferBeforeMin,
      bufferAfterMinutes: s.rules.bufferAfterMin,
      minimumNoticeMinutes: s.rules.minNoticeMin,
      bookingWindowDays: s.rules.windowDays,
      capPerDay: s.rules.capPerDay,
      capPerWeek: s.rules.capPerWeek,
    },
    outOfOffice: s.outOfOffice.map((o) => ({ from: o.from.toISOString(), until: o.until.toISOString(), standInSpecialistId: o.standIn })),
  };
}
