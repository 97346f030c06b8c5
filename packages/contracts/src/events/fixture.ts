// The kit's conformance fixture (not deployed): its one topic, named per test file.
import { codec } from "@silta/events";
import { NoteRecorded } from "../gen/silta/fixture/v1/fixture.ts";
import { topic } from "./contract.ts";

export const noteRecorded = codec("fi.silta.note.recorded.v1", NoteRecorded);

export const NOTE_TOPIC = topic({
  name: "fixture.note.v1",
  partitions: 3,
  producer: "fixture",
  consumers: ["fixture"],
  key: "the subject's pseudonym",
  events: [noteRecorded],
  description: "Notes recorded by the conformance fixture.",
});
