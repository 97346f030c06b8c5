// What this service consumes, routed by ce_type:
// - consent.consent.v1: a revoked or expired consent names no recipients, so the child's open
//   meetings are checked again (CheckBatch) and those no longer allowed are withdrawn;
// - consultations.booking.v1: the specialists' bookings as busy times (a projection, not a call);
// - referrals.referral.v1: each referral's submission time and assessment deadline (a projection).
// Both are idempotent, so a redelivered event (or one read by another replica after a rebalance)
// changes nothing twice: the re-check withdraws only invitations still standing, under each
// meeting's row lock; the projection writes a booking's block by its id (events of one specialist
// arrive in order: the topic is keyed by the specialist).
import type { BusyKind } from "@silta/calendar";
import { BookingStatus } from "@silta/contracts/consultations/v1/consultations.ts";
import {
  bookingCancelled,
  bookingCompleted,
  bookingConfirmed,
  bookingNoShow,
  bookingRequested,
  bookingRescheduled,
  consentExpired,
  consentRevoked,
  referralSubmitted,
  waitlistOffered,
} from "@silta/contracts/events";
import { DeadlineKind } from "@silta/contracts/referrals/v1/referrals.ts";
import { on, type Subscription } from "@silta/events";
import type { MeetingStore } from "../app/ports.ts";

const BUSY: Partial<Record<number, BusyKind>> = {
  [BookingStatus.BOOKING_STATUS_HELD]: "tentative",
  [BookingStatus.BOOKING_STATUS_CONFIRMED]: "busy",
  [BookingStatus.BOOKING_STATUS_COMPLETED]: "busy",
  [BookingStatus.BOOKING_STATUS_NO_SHOW]: "busy",
};

export function subscriptions(deps: {
  store: MeetingStore;
  recheck: (subjectPseudonym: string, why: "revoked" | "expired") => Promise<number>;
}): Subscription<unknown>[] {
  const booking = on(bookingConfirmed, async (b) => {
    if (!b.specialistRef || !b.specialistOrganisationId || !b.start || !b.end) return;
    await deps.store.projectBooking(
      b.bookingId,
      { organisationId: b.specialistOrganisationId, personRef: b.specialistRef },
      new Date(b.start),
      new Date(b.end),
      BUSY[b.status],
    );
  });
  return [
    on(consentRevoked, async (m) => {
      await deps.recheck(m.subjectPseudonym, "revoked");
    }),
    on(consentExpired, async (m) => {
      await deps.recheck(m.subjectPseudonym, "expired");
    }),
    // A referral's submission: when, and its three-month assessment deadline (upserted by id).
    on(referralSubmitted, async (m) => {
      if (!m.referralId || !m.submittedAt) return;
      const due = m.deadlines.find((d) => d.kind === DeadlineKind.DEADLINE_KIND_ASSESSMENT_COMPLETION)?.dueDate;
      await deps.store.recordReferral({ referralId: m.referralId, submittedAt: new Date(m.submittedAt), ...(due ? { assessmentDueDate: due } : {}) });
    }),
    // Every booking change carries the booking as it now is: one handler for each type.
    ...[bookingRequested, bookingConfirmed, bookingRescheduled, bookingCancelled, bookingCompleted, bookingNoShow, waitlistOffered].map((codec) => ({
      ...booking,
      codec,
    })),
  ];
}
