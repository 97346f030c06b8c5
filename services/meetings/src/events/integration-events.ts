// What leaves the service: each meeting change on meetings.meeting.v1, keyed by the meeting. Ids,
// kinds, times, organisations and opaque references only (a family participant by role): never a
// contact detail, the child's identity or pseudonym, a note or a name.
import {
  MEETING_TOPIC,
  meetingCancelled,
  meetingHeld,
  meetingRescheduled,
  meetingScheduled,
  participantAnswered,
  participantInvited,
  participantNotInvited,
  participantWithdrawn,
} from "@silta/contracts/events";
import type { MeetingEvent as PMeetingEvent } from "@silta/contracts/meetings/v1/meetings.ts";
import { PROTOBUF } from "@silta/events";
import type { OutboxEntry } from "@silta/postgres";
import type { MeetingEvent, MeetingEventType } from "../app/ports.ts";
import { answer, childHeard, familyRole, kind, status } from "../proto-mapping.ts";

const CONTRACT = {
  scheduled: meetingScheduled,
  rescheduled: meetingRescheduled,
  cancelled: meetingCancelled,
  participant_invited: participantInvited,
  participant_not_invited: participantNotInvited,
  participant_withdrawn: participantWithdrawn,
  participant_answered: participantAnswered,
  held: meetingHeld,
} satisfies Record<MeetingEventType, { type: string }>;

export function toOutboxEntry(e: MeetingEvent, source: string, areaCode: string): OutboxEntry {
  const m = e.meeting;
  const p = e.participant;
  const first = m.occurrences.find((o) => o.recurrenceId === e.recurrenceId) ?? m.occurrences[0];
  const data: PMeetingEvent = {
    meetingId: m.meetingId,
    kind: kind.proto(m.kind),
    status: status.proto(m.status),
    areaCode,
    organiserOrganisationId: m.organiserOrganisationId,
    organiserRef: m.organiserRef,
    referralId: m.referralId ?? "",
    start: first ? new Date(first.start).toISOString() : "",
    end: first ? new Date(first.end).toISOString() : "",
    recurrenceId: e.recurrenceId === undefined ? "" : new Date(e.recurrenceId).toISOString(),
    participantId: p?.participantId ?? "",
    participantOrganisationId: p?.organisationId ?? "",
    participantRef: p?.personRef ?? "",
    familyRole: familyRole.proto(p?.familyRole),
    answer: p ? answer.proto(p.answer) : 0,
    reason: e.reason ?? "",
    sequence: m.sequence,
    familyTookPart: e.outcome?.familyTookPart ?? false,
    childTookPart: e.outcome?.childTookPart ?? false,
    childHeard: childHeard.proto(e.outcome?.childHeard),
    // A move or a cancellation is for everyone still invited (the organiser's own staff included).
    attendees:
      e.type === "rescheduled" || e.type === "cancelled"
        ? m.participants
            .filter((x) => x.invitation === "invited")
            .map((x) =>
              x.kind === "family"
                ? { participantId: x.participantId, organisationId: "", personRef: "", familyRole: familyRole.proto(x.familyRole) }
                : { participantId: x.participantId, organisationId: x.organisationId, personRef: x.personRef, familyRole: familyRole.proto(undefined) },
            )
        : [],
  };
  const c = CONTRACT[e.type];
  return {
    topic: MEETING_TOPIC.name,
    aggregateId: m.meetingId,
    event: { type: c.type, source, subject: m.meetingId, contentType: PROTOBUF, data: c.encode(data) },
  };
}
