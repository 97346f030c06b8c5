// The meetings service's topic: each meeting change with ids, kinds, times, organisations and
// opaque references (a family participant by role only). Never a contact detail, a child's
// identity (not even the pseudonym), a note or a name.
import { MeetingEvent } from "../gen/silta/meetings/v1/meetings.ts";
import { event, topic } from "./contract.ts";

const meeting = (what: string, summary: string) => event(`fi.silta.meeting.${what}.v1`, MeetingEvent, "silta.meetings.v1.MeetingEvent", summary);

export const meetingScheduled = meeting("scheduled", "A meeting (or a series) was scheduled, proposed or booked.");
export const meetingRescheduled = meeting("rescheduled", "A meeting, a series or one occurrence moved (or one occurrence was cancelled).");
export const meetingCancelled = meeting("cancelled", "A meeting or a whole series was cancelled.");
export const participantInvited = meeting("participant-invited", "A participant was invited (staff by organisation and role, family by role).");
export const participantNotInvited = meeting(
  "participant-not-invited",
  "An organisation was not invited: the family's consent does not allow it (the reason code).",
);
export const participantWithdrawn = meeting(
  "participant-withdrawn",
  "An invitation was withdrawn from the occurrences still to come: a consent was revoked or expired (the reason code).",
);
export const participantAnswered = meeting("participant-answered", "A participant answered: accepted, declined, tentative or none of the times suit.");
export const meetingHeld = meeting(
  "held",
  "The organiser recorded a meeting held (or a no-show): whether the family and the child took part, how the child was heard.",
);

export const MEETING_TOPIC = topic({
  name: "meetings.meeting.v1",
  partitions: 3,
  producer: "meetings",
  consumers: ["notifications"],
  key: "the meeting id (every change of one meeting in order)",
  events: [
    meetingScheduled,
    meetingRescheduled,
    meetingCancelled,
    participantInvited,
    participantNotInvited,
    participantWithdrawn,
    participantAnswered,
    meetingHeld,
  ],
  description:
    "Multi-agency meetings scheduled, moved, cancelled and held, and their participants' invitations and answers: ids, codes, opaque references; no contact details, child identity or notes.",
});
