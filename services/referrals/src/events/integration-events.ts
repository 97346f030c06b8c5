// What leaves the service. The area inbox gets the whole referral (henkilötunnus, names,
// concern: that area's own systems need them, and ACLs keep everyone else out). The domain
// topic gets ids, kind, status, area, deadlines and the pseudonym, nothing else.
import {
  deadlineAtRisk,
  deadlineMissed,
  inboxRecord,
  inboxTopic,
  REFERRAL_TOPIC,
  receiptIssued,
  referralSubmitted,
  responsibleAssigned,
  statusChanged,
} from "@silta/contracts/events";
import { PROTOBUF } from "@silta/events";
import type { OutboxEntry } from "@silta/postgres";
import type { ReferralEvent } from "../app/ports.ts";
import { deadlineKind, deadlineToProto, kind, milestone, notifierType, referralToProto, status } from "../proto-mapping.ts";

export function toOutboxEntries(e: ReferralEvent, source: string, areaName: (code: string) => string): OutboxEntry[] {
  const entry = (topic: string, type: string, aggregateId: string, data: Buffer): OutboxEntry => ({
    topic,
    aggregateId,
    event: { type, source, subject: aggregateId, contentType: PROTOBUF, data },
  });
  switch (e.type) {
    case "submitted": {
      const r = e.referral;
      const out = [
        entry(inboxTopic(r.areaCode).name, inboxRecord.type, r.referralId, inboxRecord.encode({ referral: referralToProto(r, areaName(r.areaCode)) })),
        entry(
          REFERRAL_TOPIC.name,
          referralSubmitted.type,
          r.referralId,
          referralSubmitted.encode({
            referralId: r.referralId,
            kind: kind.proto(r.kind),
            status: status.proto(r.status),
            areaCode: r.areaCode,
            subjectPseudonym: r.subjectPseudonym,
            submittedAt: r.receivedAt.toISOString(),
            deadlines: r.deadlines.map(deadlineToProto),
            notifierType: notifierType.proto(r.notifier.type),
            notifierOrganisationId: r.notifier.organisationId,
            urgentClaimed: r.urgentClaimed,
            policeNotified: r.policeNotified,
            linkedReferralIds: r.linkedReferralIds,
            referenceNumber: r.referenceNumber,
          }),
        ),
      ];
      if (r.notifier.organisationId) {
        out.push(
          entry(
            REFERRAL_TOPIC.name,
            receiptIssued.type,
            r.referralId,
            receiptIssued.encode({
              referralId: r.referralId,
              referenceNumber: r.referenceNumber,
              notifierOrganisationId: r.notifier.organisationId,
              areaCode: r.areaCode,
              areaName: areaName(r.areaCode),
              submittedAt: r.receivedAt.toISOString(),
              notifierPersonRef: r.history[0]?.actorUser ?? "",
            }),
          ),
        );
      }
      return out;
    }
    case "status_changed": {
      const r = e.referral;
      const at = r.history.at(-1)?.at ?? new Date();
      return [
        entry(
          REFERRAL_TOPIC.name,
          statusChanged.type,
          r.referralId,
          statusChanged.encode({
            referralId: r.referralId,
            areaCode: r.areaCode,
            status: status.proto(r.status),
            milestone: milestone.proto(e.milestone),
            at: at.toISOString(),
            urgent: r.urgent,
            referenceNumber: r.referenceNumber,
            responsibleWorkerRef: r.responsibleWorkerRef,
            responsibleTeamRef: r.responsibleTeamRef,
            // As on the receipt: a notifier with an organisation is told of the milestones.
            notifierOrganisationId: r.notifier.organisationId,
            notifierPersonRef: r.notifier.organisationId ? (r.history[0]?.actorUser ?? "") : "",
          }),
        ),
      ];
    }
    case "deadline_alert": {
      const c = e.alert === "missed" ? deadlineMissed : deadlineAtRisk;
      return [
        entry(
          REFERRAL_TOPIC.name,
          c.type,
          e.referral.referralId,
          c.encode({
            referralId: e.referral.referralId,
            areaCode: e.referral.areaCode,
            kind: deadlineKind.proto(e.deadline.kind),
            dueAt: e.deadline.dueAt.toISOString(),
            dueDate: e.deadline.dueDate,
            referenceNumber: e.referral.referenceNumber,
            responsibleWorkerRef: e.referral.responsibleWorkerRef,
            responsibleTeamRef: e.referral.responsibleTeamRef,
          }),
        ),
      ];
    }
    case "responsible_assigned": {
      const r = e.referral;
      return [
        entry(
          REFERRAL_TOPIC.name,
          responsibleAssigned.type,
          r.referralId,
          responsibleAssigned.encode({
            referralId: r.referralId,
            areaCode: r.areaCode,
            referenceNumber: r.referenceNumber,
            responsibleWorkerRef: r.responsibleWorkerRef,
            responsibleTeamRef: r.responsibleTeamRef,
            previousWorkerRef: e.previousWorkerRef,
            at: (r.history.at(-1)?.at ?? new Date()).toISOString(),
          }),
        ),
      ];
    }
  }
}
