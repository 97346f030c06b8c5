// CloudEvents 1.0, Kafka protocol binding, binary content mode: the attributes travel as
// `ce_*` headers, the data is the record value, `content-type` says how it is encoded.
// https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/bindings/kafka-protocol-binding.md
import { randomUUID } from "node:crypto";
import type { IHeaders, KafkaMessage, Message } from "kafkajs";

export const PROTOBUF = "application/protobuf";
export const JSON_CONTENT = "application/json";
export type ContentType = typeof PROTOBUF | typeof JSON_CONTENT;

export interface CloudEvent {
  id: string;
  /** URI-reference of the producing party/service, e.g. `/silta/referrals/13`. */
  source: string;
  /** `fi.silta.<entity>.<past-verb>.v<major>` */
  type: string;
  /** Opaque id of the thing the event is about (never personal data). */
  subject?: string;
  /** RFC 3339 */
  time: string;
  contentType: ContentType;
  data: Buffer;
}

export function newEventId(): string {
  return randomUUID();
}

/** The record: key = aggregate id (per-aggregate order), CloudEvents headers, data as value. */
export function toKafkaMessage(event: CloudEvent, key: string, extraHeaders: Record<string, string> = {}): Message {
  const headers: IHeaders = {
    ce_specversion: "1.0",
    ce_id: event.id,
    ce_source: event.source,
    ce_type: event.type,
    ce_time: event.time,
    "content-type": event.contentType,
    ...extraHeaders,
  };
  if (event.subject) headers.ce_subject = event.subject;
  return { key, value: event.data, headers };
}

export class EventDecodeError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "EventDecodeError";
  }
}

export function headerString(headers: IHeaders | undefined, name: string): string | undefined {
  const v = headers?.[name];
  if (v === undefined || v === null) return undefined;
  const first = Array.isArray(v) ? v[0] : v;
  return first === undefined ? undefined : Buffer.isBuffer(first) ? first.toString("utf8") : String(first);
}

/** Reads a record as a CloudEvent; EventDecodeError names what is missing or wrong. */
export function fromKafkaMessage(message: KafkaMessage): CloudEvent {
  const h = message.headers;
  const missing = ["ce_id", "ce_source", "ce_type", "ce_specversion", "content-type"].filter((n) => !headerString(h, n));
  if (missing.length > 0) throw new EventDecodeError(`missing CloudEvents header(s): ${missing.join(", ")}`);
  const specversion = headerString(h, "ce_specversion");
  if (specversion !== "1.0") throw new EventDecodeError(`unsupported ce_specversion ${specversion}`);
  const contentType = (headerString(h, "content-type") ?? "").split(";")[0]?.trim().toLowerCase();
  if (contentType !== PROTOBUF && contentType !== JSON_CONTENT) {
    throw new EventDecodeError(`unsupported content-type "${contentType}" (expected ${PROTOBUF} or ${JSON_CONTENT})`);
  }
  if (!message.value) throw new EventDecodeError("record has no value");
  const time = headerString(h, "ce_time") ?? new Date(Number(message.timestamp)).toISOString();
  if (Number.isNaN(Date.parse(time))) throw new EventDecodeError("ce_time is not an RFC 3339 time");
  const subject = headerString(h, "ce_subject");
  return {
    id: headerString(h, "ce_id") as string,
    source: headerString(h, "ce_source") as string,
    type: headerString(h, "ce_type") as string,
    ...(subject ? { subject } : {}),
    time,
    contentType,
    data: message.value,
  };
}
