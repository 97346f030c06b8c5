// What the use cases need from the world: the store (PostgreSQL, outbox in the same transaction),
// the consent service and the link tokens of the family's invitations.
import type { BusyBlock } from "@silta/calendar";
import type { AgreedAction, Meeting, Outcome, Participant } from "../domain/meeting.ts";

export type MeetingEventType =
  | "scheduled"
  | "rescheduled"
  | "cancelled"
  | "participant_invited"
  | "participant_not_invited"
  | "participant_withdrawn"
  | "participant_answered"
  | "held";

export interface MeetingEvent {
  type: MeetingEventType;
  meeting: Meeting;
  participant?: Participant;
  /** The occurrence concerned (RECURRENCE-ID, epoch ms). */
  recurrenceId?: number;
  reason?: string;
  outcome?: Outcome;
}

export interface Actor {
  ref: string;
  organisationId: string;
}

export interface MeetingTx {
  /** The meeting, locked for this transaction (its row): every change of one meeting in turn. */
  lock(meetingId: string): Promise<Meeting | undefined>;
  /** The meeting already made for this request key, or undefined after recording it for `meetingId`. */
  claimRequest(key: string, meetingId: string): Promise<string | undefined>;
  insert(m: Meeting): Promise<void>;
  /** Writes the meeting row, its participants and its occurrences as they are now. */
  save(m: Meeting): Promise<void>;
  /** Writes only these participants (and the meeting's sequence and time of change): an answer, a link, a withdrawal. */
  saveParticipants(m: Meeting, changed: Participant[]): Promise<void>;
  recordOutcome(m: Meeting, o: Outcome, actions: AgreedAction[], seriesRootId: string): Promise<void>;
  history(meetingId: string, action: string, actor: Actor, at: Date, detail?: string): Promise<void>;
  publish(events: MeetingEvent[]): Promise<void>;
}

export interface PersonBusy {
  organisationId: string;
  personRef: string;
}

export interface MeetingStore {
  transaction<T>(fn: (tx: MeetingTx) => Promise<T>): Promise<T>;
  get(meetingId: string): Promise<Meeting | undefined>;
  /** The meeting recorded for a request key. */
  requestAnswer(key: string): Promise<string | undefined>;
  /** The meeting a participant belongs to. */
  meetingOfParticipant(participantId: string): Promise<string | undefined>;
  /** Meetings the organisation organises or is invited to, from `from` on (by their last occurrence). */
  list(q: { organisationId: string; from: Date; limit: number; referralId?: string }): Promise<Meeting[]>;
  /** The ids of the open meetings about a child with an occurrence after `after`. */
  openMeetingsOf(subjectPseudonym: string, after: Date): Promise<string[]>;
  /** The first meeting of the series this one belongs to (splits point back). */
  seriesRoot(meetingId: string): Promise<string>;
  /** Agreed actions of the series, in the order agreed. */
  actionsOf(seriesRootId: string): Promise<AgreedAction[]>;
  replaceBusy(person: PersonBusy, from: Date, to: Date, blocks: BusyBlock[]): Promise<number>;
  busyOf(people: PersonBusy[], from: Date, to: Date): Promise<Map<string, BusyBlock[]>>;
  /** A specialist's booking as busy time (projection of consultations.booking.v1); undefined kind: gone. */
  projectBooking(bookingId: string, person: PersonBusy, start: Date, end: Date, kind: BusyBlock["kind"] | undefined): Promise<void>;
  /** For the metrics a manager asks for. */
  figures(now: Date): Promise<MeetingFigures>;
  /** A referral's submission fact (projection of referrals.referral.v1). */
  recordReferral(f: ReferralFact): Promise<void>;
  referralFact(referralId: string): Promise<ReferralFact | undefined>;
}

export interface ReferralFact {
  referralId: string;
  submittedAt: Date;
  /** YYYY-MM-DD (Europe/Helsinki). */
  assessmentDueDate?: string;
}

export interface MeetingFigures {
  /** Outcomes recorded of systemic weekly meetings, and of those with the family taking part. */
  systemicHeld: number;
  systemicWithFamily: number;
  /** Outcomes recorded of every kind, and of those where the child's view was heard. */
  outcomesRecorded: number;
  childHeard: number;
  /** Invited participants of open meetings who have not answered. */
  answersPending: number;
  /** Median days from a referral's submission to its first multi-agency meeting, and over how many referrals. */
  referralToFirstMeetingDays: number | undefined;
  referralsWithMeeting: number;
}

export interface ConsentDecision {
  allowed: boolean;
  /** The consent service's deny reason (its enum name) when denied. */
  reason: string;
}

export interface ConsentChecker {
  /** May each organisation take part in a meeting about this child? Decisions in the given order. */
  meetingParticipation(subjectPseudonym: string, organisations: { id: string; type: string }[]): Promise<ConsentDecision[]>;
}

/** The longest span published at once, in days: publishing clips every block to it, so no block is longer. */
export const MAX_BLOCK_DAYS = 90;

export const personKey = (p: PersonBusy) => `${p.organisationId}/${p.personRef}`;
