// municipal.education.v1: school and early-education events from municipal systems, through the
// gateway's intake, to the wellbeing area's referrals service.
import { EducationEventRecorded } from "../gen/silta/education/v1/education.ts";
import { event, topic } from "./contract.ts";

export const educationEventRecorded = event(
  "fi.silta.education-event.recorded.v1",
  EducationEventRecorded,
  "silta.education.v1.EducationEventRecorded",
  "An attendance, support, transition or incident event about a pupil.",
);

export const EDUCATION_TOPIC = topic({
  name: "municipal.education.v1",
  partitions: 6,
  retentionMs: 168 * 3_600_000,
  producer: "gateway",
  consumers: ["referrals"],
  key: "the pupil's id in the municipal system (every event of one pupil in order)",
  events: [educationEventRecorded],
  description: "School and early-education events (absences, support decisions, transitions, incidents), validated at the gateway's intake.",
});
