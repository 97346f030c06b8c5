// What triggers what: each domain event type to the kind of message, whether it must be delivered,
// and who must be told. Events name people and organisations only by opaque references; the
// directory turns those into languages, channels and addresses at the moment of notifying.

import { type BookingEvent, BookingKind } from "@silta/contracts/consultations/v1/consultations.ts";
import {
  bookingCancelled,
  bookingConfirmed,
  bookingRescheduled,
  consentExpired,
  consentRevoked,
  deadlineAtRisk,
  deadlineMissed,
  type EventContract,
  meetingCancelled,
  meetingRescheduled,
  participantAnswered,
  participantInvited,
  participantWithdrawn,
  receiptIssued,
  referralSubmitted,
  responsibleAssigned,
  statusChanged,
  type TopicContract,
} from "@silta/contracts/events";
import { FamilyRole, type MeetingEvent, MeetingKind } from "@silta/contracts/meetings/v1/meetings.ts";
import { DeadlineKind, Milestone } from "@silta/contracts/referrals/v1/referrals.ts";
import type { MessageVariables } from "../domain/messages.ts";

export type Recipient =
  /** A person of a known organisation (e.g. the notifier, by the `sub` of their token); `calendar`: their own .ics, attached to their e-mail. */
  | { to: "person"; organisationId: string; personRef: string; calendar?: string }
  /** A person of the area named on an event by reference only (the responsible worker). */
  | { to: "area_person"; personRef: string }
  /** A group address of the area (its intake desk, duty desk, or a team). */
  | { to: "area_group"; groupRef: string }
  /** A group address of another organisation (its consent contacts). */
  | { to: "organisation_group"; organisationId: string; groupRef: string }
  /** An organisation's webhooks. */
  | { to: "webhooks"; organisationId: string }
  /** A family member invited to a meeting: their address and language are read from the meetings service at sending. */
  | { to: "family"; meetingId: string; participantId: string; role: string };

export interface Notice {
  areaCode: string;
  reference: string;
  /** Where the message's link leads (under SILTA_NOTIFICATIONS_LINK_BASE). */
  linkPath: string;
  vars: MessageVariables;
  /** The instant the message is about (a meeting's start), shown as {when} in the recipient's language. */
  at?: string;
  /** The iCalendar invitation its e-mails carry, read at sending: `booking/<id>` (consultations) or `meeting/<id>/<participant>` (meetings, per recipient). */
  calendar?: string;
  recipients: Recipient[];
}

export interface Trigger<T = unknown> {
  event: EventContract<T>;
  kind: string;
  /** Declared here only: bypasses opt-outs and quiet hours (never a channel's validity); escalates when it fails. */
  mustDeliver: boolean;
  /** Not urgent: its e-mails are gathered into one daily digest per person and Helsinki day (the inbox gets each at once). */
  digest?: boolean;
  /** The notice, or undefined when this event does not call for one. */
  notice(m: T): Notice | undefined;
}

const trigger = <T>(t: Trigger<T>): Trigger => t as unknown as Trigger;
const DEADLINE: Record<number, string> = {
  [DeadlineKind.DEADLINE_KIND_URGENCY_ASSESSMENT]: "urgency_assessment",
  [DeadlineKind.DEADLINE_KIND_DECISION]: "decision",
  [DeadlineKind.DEADLINE_KIND_ASSESSMENT_COMPLETION]: "assessment_completion",
};
/** The responsible worker and team, or the intake desk when the referral has neither yet. */
const responsible = (worker: string, team: string, alsoIntake: boolean): Recipient[] => {
  const r: Recipient[] = [];
  if (worker) r.push({ to: "area_person", personRef: worker });
  if (team) r.push({ to: "area_group", groupRef: team });
  if (r.length === 0 || alsoIntake) r.push({ to: "area_group", groupRef: "intake_desk" });
  return r;
};

const MEETING_KIND: Record<number, string> = {
  [MeetingKind.MEETING_KIND_SYSTEMIC_WEEKLY]: "systemic_weekly",
  [MeetingKind.MEETING_KIND_SERVICE_NEED_ASSESSMENT]: "service_need_assessment",
  [MeetingKind.MEETING_KIND_NETWORK]: "network",
  [MeetingKind.MEETING_KIND_SCHOOL_SUPPORT]: "school_support",
};
const FAMILY_ROLE: Record<number, string> = {
  [FamilyRole.FAMILY_ROLE_GUARDIAN]: "guardian",
  [FamilyRole.FAMILY_ROLE_CHILD]: "child",
  [FamilyRole.FAMILY_ROLE_NAMED_BY_FAMILY]: "named_by_family",
};
/** A meeting's reference in messages: coded, never a name. */
export const meetingReference = (meetingId: string) => `M-${meetingId.slice(0, 8)}`;
const aboutMeeting = (m: MeetingEvent, recipients: Recipient[]): Notice => ({
  areaCode: m.areaCode,
  reference: meetingReference(m.meetingId),
  linkPath: `/meetings/${m.meetingId}`,
  vars: { reference: meetingReference(m.meetingId), meeting: MEETING_KIND[m.kind] ?? "other", role: FAMILY_ROLE[m.familyRole] ?? "other" },
  at: m.start,
  recipients,
});

const BOOKING_KIND: Record<number, string> = {
  [BookingKind.BOOKING_KIND_CONSULTATION]: "consultation",
  [BookingKind.BOOKING_KIND_MENTORING]: "mentoring",
  [BookingKind.BOOKING_KIND_CO_WORK]: "co_work",
  [BookingKind.BOOKING_KIND_TRAINING]: "training",
};
/** A booking's reference in messages: coded, never a name. */
export const bookingReference = (bookingId: string) => `K-${bookingId.slice(0, 8)}`;
/** A booking told to its specialist and its requester (each a person of their organisation). */
const aboutBooking = (b: BookingEvent): Notice | undefined => {
  const recipients: Recipient[] = [];
  if (b.specialistRef) recipients.push({ to: "person", organisationId: b.specialistOrganisationId, personRef: b.specialistRef });
  if (b.requesterRef) recipients.push({ to: "person", organisationId: b.requesterOrganisationId, personRef: b.requesterRef });
  if (recipients.length === 0) return undefined;
  return {
    areaCode: b.areaCode,
    reference: bookingReference(b.bookingId),
    linkPath: `/consultations/bookings/${b.bookingId}`,
    vars: { reference: bookingReference(b.bookingId), meeting: BOOKING_KIND[b.kind] ?? "other" },
    ...(b.start ? { at: b.start } : {}),
    calendar: `booking/${b.bookingId}`,
    recipients,
  };
};

const MILESTONE: Record<number, string> = {
  [Milestone.MILESTONE_RECEIVED_BY_AREA]: "received_by_area",
  [Milestone.MILESTONE_URGENCY_ASSESSED]: "urgency_assessed",
  [Milestone.MILESTONE_DECISION_MADE]: "decision_made",
  [Milestone.MILESTONE_CLOSED]: "closed",
};

/** A consent's reference in messages: coded, never the subject. */
export const consentReference = (consentId: string) => `S-${consentId.slice(0, 8)}`;
/** A consent that no longer covers its recipients: each organisation's consent contacts and webhooks are told. */
const consentEnded = (c: { consentId: string; areaCode: string; recipientOrganisationIds: string[] }): Notice | undefined =>
  c.recipientOrganisationIds.length === 0
    ? undefined
    : {
        areaCode: c.areaCode,
        reference: consentReference(c.consentId),
        linkPath: `/consents/${c.consentId}`,
        vars: { reference: consentReference(c.consentId) },
        recipients: c.recipientOrganisationIds.flatMap((organisationId): Recipient[] => [
          { to: "organisation_group", organisationId, groupRef: "consent_contacts" },
          { to: "webhooks", organisationId },
        ]),
      };

/** A moved or cancelled meeting: its invited staff (persons named), or its invited family members. */
const meetingChanged = (family: boolean) => (m: MeetingEvent) => {
  const recipients: Recipient[] = m.attendees.flatMap((a): Recipient[] => {
    const isFamily = a.familyRole !== FamilyRole.FAMILY_ROLE_UNSPECIFIED;
    if (family !== isFamily) return [];
    if (isFamily) return [{ to: "family", meetingId: m.meetingId, participantId: a.participantId, role: FAMILY_ROLE[a.familyRole] ?? "other" }];
    return a.personRef
      ? [{ to: "person", organisationId: a.organisationId, personRef: a.personRef, calendar: `meeting/${m.meetingId}/${a.participantId}` }]
      : [];
  });
  return recipients.length === 0 ? undefined : aboutMeeting(m, recipients);
};

export const TRIGGERS: Trigger[] = [
  trigger({
    event: statusChanged,
    kind: "referral_milestone",
    mustDeliver: false,
    // A professional notifier follows their notification by its milestones, never its outcome.
    notice: (m) =>
      MILESTONE[m.milestone] && m.notifierOrganisationId
        ? {
            areaCode: m.areaCode,
            reference: m.referenceNumber,
            linkPath: `/referral-statuses/${m.referenceNumber}`,
            vars: { reference: m.referenceNumber, milestone: MILESTONE[m.milestone] },
            recipients: [
              ...(m.notifierPersonRef ? [{ to: "person" as const, organisationId: m.notifierOrganisationId, personRef: m.notifierPersonRef }] : []),
              { to: "webhooks", organisationId: m.notifierOrganisationId },
            ],
          }
        : undefined,
  }),
  trigger({ event: consentRevoked, kind: "consent_revoked", mustDeliver: false, notice: consentEnded }),
  trigger({ event: consentExpired, kind: "consent_expired", mustDeliver: false, notice: consentEnded }),
  trigger({ event: meetingRescheduled, kind: "meeting_rescheduled", mustDeliver: false, notice: meetingChanged(false) }),
  trigger({ event: meetingCancelled, kind: "meeting_cancelled", mustDeliver: false, notice: meetingChanged(false) }),
  trigger({ event: meetingRescheduled, kind: "family_meeting_rescheduled", mustDeliver: true, notice: meetingChanged(true) }),
  trigger({ event: meetingCancelled, kind: "family_meeting_cancelled", mustDeliver: true, notice: meetingChanged(true) }),
  trigger({ event: bookingConfirmed, kind: "booking_confirmed", mustDeliver: false, notice: aboutBooking }),
  trigger({ event: bookingRescheduled, kind: "booking_rescheduled", mustDeliver: false, notice: aboutBooking }),
  trigger({ event: bookingCancelled, kind: "booking_cancelled", mustDeliver: false, notice: aboutBooking }),
  trigger({
    event: participantInvited,
    kind: "meeting_invitation",
    mustDeliver: false,
    notice: (m) =>
      m.familyRole === FamilyRole.FAMILY_ROLE_UNSPECIFIED && m.participantRef
        ? aboutMeeting(m, [
            { to: "person", organisationId: m.participantOrganisationId, personRef: m.participantRef, calendar: `meeting/${m.meetingId}/${m.participantId}` },
          ])
        : undefined,
  }),
  trigger({
    event: participantInvited,
    kind: "family_meeting_invitation",
    mustDeliver: true,
    notice: (m) =>
      m.familyRole !== FamilyRole.FAMILY_ROLE_UNSPECIFIED
        ? aboutMeeting(m, [{ to: "family", meetingId: m.meetingId, participantId: m.participantId, role: FAMILY_ROLE[m.familyRole] ?? "other" }])
        : undefined,
  }),
  trigger({
    event: participantAnswered,
    kind: "meeting_answered",
    mustDeliver: false,
    digest: true,
    notice: (m) => (m.organiserRef ? aboutMeeting(m, [{ to: "person", organisationId: m.organiserOrganisationId, personRef: m.organiserRef }]) : undefined),
  }),
  trigger({
    event: participantWithdrawn,
    kind: "meeting_participant_withdrawn",
    mustDeliver: false,
    digest: true,
    notice: (m) => (m.organiserRef ? aboutMeeting(m, [{ to: "person", organisationId: m.organiserOrganisationId, personRef: m.organiserRef }]) : undefined),
  }),
  trigger({
    event: referralSubmitted,
    kind: "referral_submitted",
    mustDeliver: false,
    notice: (m) => ({
      areaCode: m.areaCode,
      reference: m.referenceNumber,
      linkPath: `/referrals/${m.referralId}`,
      vars: { reference: m.referenceNumber },
      recipients: [{ to: "area_group", groupRef: "intake_desk" }],
    }),
  }),
  trigger({
    event: referralSubmitted,
    kind: "referral_urgent",
    mustDeliver: true,
    notice: (m) =>
      m.urgentClaimed
        ? {
            areaCode: m.areaCode,
            reference: m.referenceNumber,
            linkPath: `/referrals/${m.referralId}`,
            vars: { reference: m.referenceNumber },
            recipients: [{ to: "area_group", groupRef: "duty_desk" }],
          }
        : undefined,
  }),
  trigger({
    event: receiptIssued,
    kind: "referral_receipt",
    mustDeliver: false,
    notice: (m) => ({
      areaCode: m.areaCode,
      reference: m.referenceNumber,
      linkPath: `/referral-statuses/${m.referenceNumber}`,
      vars: { reference: m.referenceNumber, area: m.areaName },
      recipients: [
        ...(m.notifierPersonRef ? [{ to: "person" as const, organisationId: m.notifierOrganisationId, personRef: m.notifierPersonRef }] : []),
        { to: "webhooks", organisationId: m.notifierOrganisationId },
      ],
    }),
  }),
  trigger({
    event: responsibleAssigned,
    kind: "responsible_assigned",
    mustDeliver: false,
    notice: (m) =>
      m.responsibleWorkerRef
        ? {
            areaCode: m.areaCode,
            reference: m.referenceNumber,
            linkPath: `/referrals/${m.referralId}`,
            vars: { reference: m.referenceNumber },
            recipients: [{ to: "area_person", personRef: m.responsibleWorkerRef }],
          }
        : undefined,
  }),
  trigger({
    event: deadlineAtRisk,
    kind: "deadline_at_risk",
    mustDeliver: false,
    notice: (m) => ({
      areaCode: m.areaCode,
      reference: m.referenceNumber,
      linkPath: `/referrals/${m.referralId}`,
      vars: { reference: m.referenceNumber, deadline: DEADLINE[m.kind] ?? "other" },
      recipients: responsible(m.responsibleWorkerRef, m.responsibleTeamRef, false),
    }),
  }),
  trigger({
    event: deadlineMissed,
    kind: "deadline_missed",
    mustDeliver: true,
    notice: (m) => ({
      areaCode: m.areaCode,
      reference: m.referenceNumber,
      linkPath: `/referrals/${m.referralId}`,
      vars: { reference: m.referenceNumber, deadline: DEADLINE[m.kind] ?? "other" },
      recipients: responsible(m.responsibleWorkerRef, m.responsibleTeamRef, true),
    }),
  }),
];

/** Why a trigger table cannot run against these topics (empty: it can): an event type no consumed topic carries. */
export function triggerProblems(triggers: Trigger[], topics: TopicContract[]): string[] {
  const known = new Set(topics.flatMap((t) => t.events.map((e) => e.type)));
  return triggers.filter((t) => !known.has(t.event.type)).map((t) => `trigger ${t.kind}: unknown event type ${t.event.type}`);
}
