// The kit's conformance fixture (not deployed): its one topic, named per test file.
import { NoteRecorded } from "../gen/silta/fixture/v1/fixture.ts";
import { event, topic } from "./contract.ts";

export const noteRecorded = event(
  "fi.silta.note.recorded.v1",
  NoteRecorded,
  "silta.fixture.v1.NoteRecorded",
  "A note was recorded (the kit's conformance fixture).",
);

export const NOTE_TOPIC = topic({
  name: "fixture.note.v1",
  partitions: 3,
  producer: "fixture",
  consumers: ["fixture"],
  key: "the subject's pseudonym",
  events: [noteRecorded],
  description: "Notes recorded by the conformance fixture.",
});
