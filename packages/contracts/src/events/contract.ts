// What a topic is, as its producer promises it and its consumers rely on: name, partitions, what
// the record key is, which CloudEvents types travel on it with the protobuf message of each
// (their codecs), and its dead-letter topic. Declared once per domain in this folder; producers,
// consumers, the chart's KafkaTopic/KafkaUser objects and docs/asyncapi.yaml follow them.
import { codec, dlqOf, type EventCodec, type MessageFns, type TopicSpec } from "@silta/events";

/** A CloudEvents type bound to its protobuf message: the codec, and the message's full name (AsyncAPI, docs). */
export interface EventContract<T> extends EventCodec<T> {
  /** e.g. `silta.consent.v1.ConsentGranted` */
  message: string;
  /** One line: what happened. */
  summary: string;
}

export function event<T>(type: string, fns: MessageFns<T>, message: string, summary: string): EventContract<T> {
  return { ...codec(type, fns), message, summary };
}

/** An event contract of any message (what a topic lists: its type, message and how to read it). */
export type AnyCodec = Pick<EventContract<unknown>, "type" | "decode" | "message" | "summary">;

export interface TopicContract extends TopicSpec {
  /** The service that produces it (the only writer its ACLs allow). */
  producer: string;
  /** The Silta services that consume it (each may read it and write its DLQ). */
  consumers: string[];
  /** What the record key is (every record of one aggregate on one partition, in order). */
  key: string;
  /** The events that travel on it. */
  events: AnyCodec[];
  /** `<name>.dlq`: where a consumer puts what it cannot handle, with the reason. */
  dlq: string;
  /** One line for the AsyncAPI document and the chart's comments. */
  description: string;
}

export function topic(t: Omit<TopicContract, "dlq">): TopicContract {
  return { ...t, dlq: dlqOf(t.name) };
}

/** The same contract under another name (a configured name on a shared cluster, a test's own topic). */
export function renamed(t: TopicContract, name: string): TopicContract {
  return { ...t, name, dlq: dlqOf(name) };
}
