// Domain ⇄ protobuf for the meetings API and its events.

import type { BusyKind } from "@silta/calendar";
import { OrganisationType as POrgType } from "@silta/contracts/common/v1/common.ts";
import {
  Answer as PAnswer,
  BusyKind as PBusyKind,
  ChildHeard as PChildHeard,
  EditScope as PEditScope,
  FamilyRole as PFamilyRole,
  InvitationStatus as PInvitation,
  type Meeting as PMeeting,
  MeetingKind as PMeetingKind,
  MeetingStatus as PMeetingStatus,
  type Occurrence as POccurrence,
  type Participant as PParticipant,
} from "@silta/contracts/meetings/v1/meetings.ts";
import { enumTable } from "@silta/grpc";
import type { ReferralFact } from "./app/ports.ts";
import type {
  AgreedAction,
  Answer,
  ChildHeard,
  FamilyRole,
  Invitation,
  Meeting,
  MeetingKind,
  MeetingStatus,
  Occurrence,
  Participant,
} from "./domain/meeting.ts";

export const kind = enumTable<PMeetingKind, MeetingKind>([
  [PMeetingKind.MEETING_KIND_SYSTEMIC_WEEKLY, "systemic_weekly"],
  [PMeetingKind.MEETING_KIND_SERVICE_NEED_ASSESSMENT, "service_need_assessment"],
  [PMeetingKind.MEETING_KIND_NETWORK, "network"],
  [PMeetingKind.MEETING_KIND_SCHOOL_SUPPORT, "school_support"],
]);
export const status = enumTable<PMeetingStatus, MeetingStatus>([
  [PMeetingStatus.MEETING_STATUS_PROPOSED, "proposed"],
  [PMeetingStatus.MEETING_STATUS_BOOKED, "booked"],
  [PMeetingStatus.MEETING_STATUS_FULFILLED, "fulfilled"],
  [PMeetingStatus.MEETING_STATUS_CANCELLED, "cancelled"],
  [PMeetingStatus.MEETING_STATUS_NO_SHOW, "no_show"],
]);
export const familyRole = enumTable<PFamilyRole, FamilyRole>([
  [PFamilyRole.FAMILY_ROLE_GUARDIAN, "guardian"],
  [PFamilyRole.FAMILY_ROLE_CHILD, "child"],
  [PFamilyRole.FAMILY_ROLE_NAMED_BY_FAMILY, "named_by_family"],
]);
export const answer = enumTable<PAnswer, Answer>([
  [PAnswer.ANSWER_PENDING, "pending"],
  [PAnswer.ANSWER_ACCEPTED, "accepted"],
  [PAnswer.ANSWER_DECLINED, "declined"],
  [PAnswer.ANSWER_TENTATIVE, "tentative"],
  [PAnswer.ANSWER_NONE_SUIT, "none_suit"],
]);
export const invitation = enumTable<PInvitation, Invitation>([
  [PInvitation.INVITATION_STATUS_INVITED, "invited"],
  [PInvitation.INVITATION_STATUS_NOT_INVITED, "not_invited"],
  [PInvitation.INVITATION_STATUS_WITHDRAWN, "withdrawn"],
]);
export const busyKind = enumTable<PBusyKind, BusyKind>([
  [PBusyKind.BUSY_KIND_BUSY, "busy"],
  [PBusyKind.BUSY_KIND_TENTATIVE, "tentative"],
  [PBusyKind.BUSY_KIND_UNAVAILABLE, "unavailable"],
]);
export const scope = enumTable<PEditScope, "this" | "this_and_following" | "all">([
  [PEditScope.EDIT_SCOPE_THIS, "this"],
  [PEditScope.EDIT_SCOPE_THIS_AND_FOLLOWING, "this_and_following"],
  [PEditScope.EDIT_SCOPE_ALL, "all"],
]);
export const childHeard = enumTable<PChildHeard, ChildHeard>([
  [PChildHeard.CHILD_HEARD_PRESENT, "present"],
  [PChildHeard.CHILD_HEARD_IN_WRITING, "in_writing"],
  [PChildHeard.CHILD_HEARD_THROUGH_REPRESENTATIVE, "through_representative"],
  [PChildHeard.CHILD_HEARD_NOT_HEARD, "not_heard"],
]);
export const organisationType = enumTable<POrgType, string>([
  [POrgType.ORGANISATION_TYPE_MUNICIPALITY, "municipality"],
  [POrgType.ORGANISATION_TYPE_WELLBEING_AREA, "wellbeing_area"],
  [POrgType.ORGANISATION_TYPE_NGO, "ngo"],
  [POrgType.ORGANISATION_TYPE_HEALTH, "health"],
  [POrgType.ORGANISATION_TYPE_EXPERT_CENTRE, "expert_centre"],
]);

const iso = (t: Date | number | undefined) => (t === undefined ? "" : new Date(t).toISOString());

export const occurrenceToProto = (o: Occurrence): POccurrence => ({
  recurrenceId: iso(o.recurrenceId),
  start: iso(o.start),
  end: iso(o.end),
  cancelled: o.cancelled,
});

/** A participant as the API answers it: never a family participant's contact details. */
export const participantToProto = (p: Participant): PParticipant => ({
  participantId: p.participantId,
  organisationId: p.organisationId,
  organisationType: p.kind === "staff" ? organisationType.proto(p.organisationType) : 0,
  role: p.role,
  personRef: p.personRef,
  familyRole: familyRole.proto(p.familyRole),
  required: p.required,
  invitation: invitation.proto(p.invitation),
  invitationReason: p.invitationReason,
  answer: answer.proto(p.answer),
  answerNote: p.answerNote,
  language: p.language,
  interpreterLanguage: p.interpreterLanguage,
});

export const actionToProto = (a: AgreedAction) => ({
  title: a.title,
  ownerOrganisationId: a.ownerOrganisationId,
  dueDate: a.dueDate,
  agreedAt: iso(a.agreedAt),
});

export function meetingToProto(m: Meeting, openActions: AgreedAction[] = [], referral?: ReferralFact): PMeeting {
  return {
    meetingId: m.meetingId,
    kind: kind.proto(m.kind),
    status: status.proto(m.status),
    title: titleFor(m),
    reference: m.reference,
    referralId: m.referralId ?? "",
    organiserOrganisationId: m.organiserOrganisationId,
    organiserRef: m.organiserRef,
    start: iso(m.startsAt),
    end: iso(m.startsAt.getTime() + m.lengthMinutes * 60_000),
    recurrence: m.recurrence,
    icalUid: m.icalUid,
    sequence: m.sequence,
    location: m.location,
    videoLink: m.videoLink,
    participants: m.participants.map(participantToProto),
    occurrences: m.occurrences.map(occurrenceToProto),
    outcomes: m.outcomes.map((o) => ({
      recurrenceId: iso(o.recurrenceId),
      attended: o.attended,
      familyTookPart: o.familyTookPart,
      childTookPart: o.childTookPart,
      childHeard: childHeard.proto(o.childHeard),
      childNotHeardReason: o.childNotHeardReason,
      actions: openActions.filter((a) => a.agreedAt === o.recurrenceId).map(actionToProto),
      recordedAt: iso(o.recordedAt),
      recordedBy: o.recordedBy,
    })),
    openActions: openActions.map(actionToProto),
    continuesMeetingId: m.continuesMeetingId ?? "",
    continuedByMeetingId: m.continuedByMeetingId ?? "",
    answerBy: iso(m.answerBy),
    createdAt: iso(m.createdAt),
    updatedAt: iso(m.updatedAt),
    referralSubmittedAt: iso(referral?.submittedAt),
    referralAssessmentDueDate: referral?.assessmentDueDate ?? "",
  };
}

import { titleOf } from "./domain/meeting.ts";

const titleFor = (m: Meeting) => titleOf(m.kind, m.reference);
