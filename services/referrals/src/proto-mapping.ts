// Domain words ⇄ proto enums and messages (gRPC adapter and events).
import {
  type Deadline as PDeadline,
  DeadlineKind as PDeadlineKind,
  DecisionOutcome as PDecisionOutcome,
  Milestone as PMilestone,
  NotifierType as PNotifierType,
  type Referral as PReferral,
  ReferralKind as PReferralKind,
  ReferralStatus as PReferralStatus,
} from "@silta/contracts/referrals/v1/referrals.ts";
import { enumTable } from "@silta/grpc";
import type { EducationEventRecord } from "./app/ports.ts";
import type { DeadlineKind } from "./domain/deadlines.ts";
import type { DeadlineState, DecisionOutcome, Milestone, NotifierType, Referral, ReferralKind, ReferralStatus } from "./domain/referral.ts";

export const kind = enumTable<PReferralKind, ReferralKind>([
  [PReferralKind.REFERRAL_KIND_CHILD_WELFARE_NOTIFICATION, "child_welfare_notification"],
  [PReferralKind.REFERRAL_KIND_ASSESSMENT_CONTACT, "assessment_contact"],
  [PReferralKind.REFERRAL_KIND_PRE_BIRTH_NOTIFICATION, "pre_birth_notification"],
  [PReferralKind.REFERRAL_KIND_MOVE_NOTIFICATION, "move_notification"],
]);
export const notifierType = enumTable<PNotifierType, NotifierType>([
  [PNotifierType.NOTIFIER_TYPE_MANDATORY_PROFESSIONAL, "mandatory_professional"],
  [PNotifierType.NOTIFIER_TYPE_OTHER_PROFESSIONAL, "other_professional"],
  [PNotifierType.NOTIFIER_TYPE_PRIVATE_PERSON, "private_person"],
  [PNotifierType.NOTIFIER_TYPE_ANONYMOUS_PRIVATE_PERSON, "anonymous_private_person"],
]);
export const status = enumTable<PReferralStatus, ReferralStatus>([
  [PReferralStatus.REFERRAL_STATUS_SUBMITTED, "submitted"],
  [PReferralStatus.REFERRAL_STATUS_RECEIVED, "received"],
  [PReferralStatus.REFERRAL_STATUS_URGENCY_ASSESSED, "urgency_assessed"],
  [PReferralStatus.REFERRAL_STATUS_ASSESSMENT_STARTED, "assessment_started"],
  [PReferralStatus.REFERRAL_STATUS_NO_FURTHER_ACTION, "no_further_action"],
  [PReferralStatus.REFERRAL_STATUS_REDIRECTED, "redirected"],
  [PReferralStatus.REFERRAL_STATUS_ASSESSMENT_COMPLETED, "assessment_completed"],
  [PReferralStatus.REFERRAL_STATUS_CLOSED, "closed"],
]);
export const outcome = enumTable<PDecisionOutcome, DecisionOutcome>([
  [PDecisionOutcome.DECISION_OUTCOME_START_ASSESSMENT, "start_assessment"],
  [PDecisionOutcome.DECISION_OUTCOME_NO_FURTHER_ACTION, "no_further_action"],
  [PDecisionOutcome.DECISION_OUTCOME_REDIRECT, "redirect"],
]);
export const deadlineKind = enumTable<PDeadlineKind, DeadlineKind>([
  [PDeadlineKind.DEADLINE_KIND_URGENCY_ASSESSMENT, "urgency_assessment"],
  [PDeadlineKind.DEADLINE_KIND_DECISION, "decision"],
  [PDeadlineKind.DEADLINE_KIND_ASSESSMENT_COMPLETION, "assessment_completion"],
]);
export const milestone = enumTable<PMilestone, Milestone>([
  [PMilestone.MILESTONE_RECEIVED_BY_AREA, "received_by_area"],
  [PMilestone.MILESTONE_URGENCY_ASSESSED, "urgency_assessed"],
  [PMilestone.MILESTONE_DECISION_MADE, "decision_made"],
  [PMilestone.MILESTONE_CLOSED, "closed"],
]);

const iso = (d: Date | undefined) => (d ? d.toISOString() : "");

export function deadlineToProto(d: DeadlineState): PDeadline {
  return {
    kind: deadlineKind.proto(d.kind) as PDeadlineKind,
    dueDate: d.dueDate,
    strictDueDate: d.strictDueDate ?? "",
    dueAt: iso(d.dueAt),
    metAt: iso(d.metAt),
    basis: d.basis,
  };
}

export function referralToProto(r: Referral, areaName: string, education: EducationEventRecord[] = []): PReferral {
  return {
    referralId: r.referralId,
    referenceNumber: r.referenceNumber,
    kind: kind.proto(r.kind) as PReferralKind,
    status: status.proto(r.status) as PReferralStatus,
    areaCode: r.areaCode,
    areaName,
    homeMunicipalityCode: r.homeMunicipalityCode,
    child: r.child,
    subjectPseudonym: r.subjectPseudonym,
    notifier: { ...r.notifier, type: notifierType.proto(r.notifier.type) as PNotifierType },
    concern: r.concern,
    urgentClaimed: r.urgentClaimed,
    urgent: r.urgent,
    policeNotified: r.policeNotified,
    receivedAt: iso(r.receivedAt),
    deadlines: r.deadlines.map(deadlineToProto),
    decision: outcome.proto(r.decision) as PDecisionOutcome,
    redirectedTo: r.redirectedTo,
    linkedReferralIds: r.linkedReferralIds,
    history: r.history.map((h) => ({
      action: h.action,
      status: status.proto(h.status) as PReferralStatus,
      actorUser: h.actorUser,
      actorOrganisation: h.actorOrganisation,
      at: iso(h.at),
    })),
    educationEvents: education.map((e) => ({ eventId: e.eventId, unitId: e.unitId, kind: e.kind, code: e.code, occurredOn: e.occurredOn })),
    movingToMunicipalityCode: r.movingToMunicipalityCode,
    transferredToReferralId: r.transferredTo ?? "",
    transferredFromReferralId: r.transferredFrom ?? "",
    responsibleWorkerRef: r.responsibleWorkerRef,
    responsibleTeamRef: r.responsibleTeamRef,
  };
}
