import { NoteRecorded } from "@silta/contracts/fixture/v1/fixture.ts";
import type { KafkaMessage } from "kafkajs";
import { describe, expect, it } from "vitest";
import { EventDecodeError, fromKafkaMessage, JSON_CONTENT, PROTOBUF, toKafkaMessage } from "../src/cloudevents.ts";
import { codec } from "../src/codec.ts";
import { validateTopicName } from "../src/topics.ts";

const noteRecorded = codec("fi.silta.note.recorded.v1", NoteRecorded);
const payload = { noteId: "n-1", subjectPseudonym: "p-1", organisationId: "o-1", recordedAt: "2026-11-23T10:00:00.000Z" };

function asReceived(m: ReturnType<typeof toKafkaMessage>): KafkaMessage {
  const headers = Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, Buffer.from(String(v))]));
  return { key: Buffer.from(String(m.key)), value: m.value as Buffer, headers, timestamp: "0", attributes: 0, offset: "0" } as KafkaMessage;
}

describe("CloudEvents 1.0 Kafka binding, binary mode", () => {
  it("writes ce_* headers and content-type, key = aggregate id, and reads them back", () => {
    const msg = toKafkaMessage(
      {
        id: "e-1",
        source: "/silta/fixture",
        type: noteRecorded.type,
        subject: "n-1",
        time: "2026-11-23T10:00:00.000Z",
        contentType: PROTOBUF,
        data: noteRecorded.encode(payload),
      },
      "agg-1",
    );
    expect(msg.key).toBe("agg-1");
    expect(msg.headers).toMatchObject({ ce_specversion: "1.0", ce_id: "e-1", ce_type: "fi.silta.note.recorded.v1", "content-type": "application/protobuf" });
    const ev = fromKafkaMessage(asReceived(msg));
    expect(ev).toMatchObject({ id: "e-1", source: "/silta/fixture", subject: "n-1", contentType: PROTOBUF });
    expect(noteRecorded.decode(ev.data, ev.contentType)).toEqual(payload);
  });

  it("accepts the proto3 JSON form of the same payload", () => {
    const data = noteRecorded.encode(payload, JSON_CONTENT);
    expect(JSON.parse(data.toString())).toEqual(payload);
    expect(noteRecorded.decode(data, JSON_CONTENT)).toEqual(payload);
  });

  it.each([
    ["missing headers", { ce_id: "x" }, "missing CloudEvents header(s): ce_source, ce_type, ce_specversion, content-type"],
    [
      "an unknown content type",
      { ce_specversion: "1.0", ce_id: "x", ce_source: "/s", ce_type: "t", "content-type": "text/plain" },
      'unsupported content-type "text/plain"',
    ],
    ["another spec version", { ce_specversion: "0.3", ce_id: "x", ce_source: "/s", ce_type: "t", "content-type": PROTOBUF }, "unsupported ce_specversion 0.3"],
  ])("names what is wrong with %s", (_what, headers, reason) => {
    const m = asReceived({ key: "k", value: Buffer.from("x"), headers });
    expect(() => fromKafkaMessage(m)).toThrow(EventDecodeError);
    expect(() => fromKafkaMessage(m)).toThrow(reason);
  });

  it("rejects payloads that do not decode, with a reason", () => {
    expect(() => noteRecorded.decode(Buffer.from("{not json"), JSON_CONTENT)).toThrow("value is not valid JSON");
    expect(() => noteRecorded.decode(Buffer.from("[1,2]"), JSON_CONTENT)).toThrow("JSON value is not an object");
    expect(() => noteRecorded.decode(Buffer.from([0x0a, 0xff, 0xff, 0xff]), PROTOBUF)).toThrow(/not a valid protobuf/);
  });

  it("enforces <domain>.<entity>.v<major> topic names", () => {
    expect(() => validateTopicName("referrals.referral.v1")).not.toThrow();
    expect(() => validateTopicName("referrals.inbox.13.v1")).not.toThrow();
    expect(() => validateTopicName("Referrals")).toThrow(/does not follow/);
    expect(() => validateTopicName("referrals.referral")).toThrow(/does not follow/);
  });
});
