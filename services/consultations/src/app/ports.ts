// What the consultation use cases need from the outside world.
import type { AssignedBy, Booking, BookingStatus, FairnessSettings } from "../domain/booking.ts";
import type { Specialist } from "../domain/specialist.ts";

export interface Clock {
  now(): Date;
}

export type BookingEventType = "requested" | "confirmed" | "rescheduled" | "cancelled" | "completed" | "no_show" | "waitlist_offered";

export interface BookingEvent {
  type: BookingEventType;
  booking: Booking;
  specialist: Pick<Specialist, "specialistId" | "personRef" | "organisationId">;
  reason?: string;
}

export interface WaitlistEntry {
  entryId: string;
  specialistId: string | undefined;
  skill: string | undefined;
  day: string;
  kind: Booking["kind"];
  lengthMinutes: number;
  requesterRef: string;
  requesterOrganisationId: string;
  createdAt: Date;
}

export interface ConsultationTx {
  /** Records a request key with its answer; false when the key was already there (a retry). */
  recordRequest(key: string, bookingIds: string[]): Promise<boolean>;
  /** The specialist, locked until the transaction ends: every booking of one specialist is decided one at a time. */
  lockSpecialist(id: string): Promise<Specialist | undefined>;
  /** Confirmed bookings and holds (expired ones too: the caller expires them) overlapping [from, to). */
  occupying(specialistId: string, from: Date, to: Date): Promise<Booking[]>;
  /** Minutes booked (held or confirmed) by non-priority municipalities in [from, to), except `excluding`. */
  othersBookedMinutes(specialistId: string, from: Date, to: Date, now: Date, excluding?: string): Promise<number>;
  /** Marks the expired holds that overlap [from, to) expired, so a new booking can take their time. */
  expireHolds(specialistId: string, from: Date, to: Date, now: Date): Promise<void>;
  /** Inserts a booking; "taken" (nothing written) when the exclusion constraint finds an overlap. */
  insertBooking(b: Booking): Promise<"ok" | "taken">;
  /** Marks a point to undo to (one candidate specialist's attempt). */
  savepoint(name: string): Promise<void>;
  rollbackTo(name: string): Promise<void>;
  lockBooking(id: string): Promise<Booking | undefined>;
  updateBooking(b: Booking): Promise<void>;
  addHistory(bookingId: string, action: string, actor: { ref: string; organisationId: string }, reason: string, at: Date): Promise<void>;
  /** Takes one seat: the session with it counted, "already" (this worker has one), or "full" (nothing written). */
  takeSeat(sessionId: string, worker: { ref: string; organisationId: string }, at: Date): Promise<Booking | "already" | "full">;
  /**
   * The history rows of newly taken bookings, the specialist's last-booked time and their events,
   * in one write; only under the specialist's lock (it orders the specialist's events).
   */
  recordTaken(
    specialistId: string,
    bookingIds: string[],
    action: string,
    actor: { ref: string; organisationId: string },
    at: Date,
    events: BookingEvent[],
  ): Promise<void>;
  /** The first waiting entry for a specialist (or a skill they have) on a day, locked; none: undefined. */
  firstWaiting(specialist: Specialist, day: string): Promise<WaitlistEntry | undefined>;
  markOffered(entryId: string, bookingId: string): Promise<void>;
  emit(events: BookingEvent[]): Promise<void>;
}

export interface ConsultationStore {
  transaction<T>(fn: (tx: ConsultationTx) => Promise<T>): Promise<T>;
  /** The answer recorded for a request key. */
  requestAnswer(key: string): Promise<string[] | undefined>;
  upsertSpecialist(s: Specialist): Promise<Specialist>;
  getSpecialist(id: string): Promise<Specialist | undefined>;
  listSpecialists(q: { skill?: string; language?: string }): Promise<Specialist[]>;
  saveAvailability(s: Specialist): Promise<void>;
  setFeedHash(specialistId: string, hash: string): Promise<void>;
  specialistByFeedHash(hash: string): Promise<Specialist | undefined>;
  fairness(): Promise<FairnessSettings>;
  setFairness(f: FairnessSettings): Promise<void>;
  /** Bookings per specialist starting from `since` on, upcoming ones included (the round robin's load). */
  recentBookings(specialistIds: string[], since: Date): Promise<Map<string, number>>;
  /** The times held (confirmed, or a live hold) by these specialists overlapping [from, to): a listing's input. */
  heldTimes(specialistIds: string[], from: Date, to: Date, now: Date): Promise<HeldTime[]>;
  getBooking(id: string): Promise<Booking | undefined>;
  getBookings(ids: string[]): Promise<Booking[]>;
  /** A worker's bookings: as requester, responsible worker, specialist, or seat holder. */
  bookingsOf(q: { ref: string; organisationId: string; from: Date; limit: number; areaWorker: boolean }): Promise<Booking[]>;
  /** Whether the worker holds a seat in the session. */
  hasSeat(sessionId: string, worker: { ref: string; organisationId: string }): Promise<boolean>;
  feedBookings(specialistId: string, from: Date): Promise<Booking[]>;
  joinWaitlist(e: WaitlistEntry, requestKey: string): Promise<{ entryId: string; position: number }>;
  /** Minutes confirmed per municipality (metrics: the share each municipality got). */
  minutesByMunicipality(since: Date): Promise<{ municipalityCode: string; priority: boolean; minutes: number }[]>;
}

/** What a listing needs of a booking holding time, as epoch milliseconds (the planner's unit). */
export interface HeldTime {
  specialistId: string;
  startsAt: number;
  endsAt: number;
  /** The time occupied, buffers included. */
  occupiedFrom: number;
  occupiedTo: number;
  priority: boolean;
}

export interface ConsentDecision {
  allowed: boolean;
  decisionId: string;
  /** The consent service's deny reason (its enum name) when denied. */
  reason: string;
}

export interface ConsentChecker {
  /** May the specialist's organisation work with this child in co-work, for this data category? Up to 50 organisations. */
  coWork(q: {
    subjectPseudonym: string;
    dataCategory: string;
    organisations: { id: string; type: "wellbeing_area" | "expert_centre" }[];
  }): Promise<ConsentDecision[]>;
}

export type { AssignedBy, BookingStatus };
