// docs/asyncapi.yaml against the AsyncAPI parser (with its protobuf schema parser) and against the
// event contracts (@silta/contracts/events): every deployed topic is a channel carrying exactly
// its declared ce_types with their protobuf messages, every channel is a declared topic or its
// DLQ, and the payloads are what `make asyncapi` writes from proto/.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Parser } from "@asyncapi/parser";
import { ProtoBuffSchemaParser } from "@asyncapi/protobuf-schema-parser";
import { deployedTopics } from "@silta/contracts/events";
import { allAreaCodes } from "@silta/platform";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { PROTOBUF_SCHEMA_FORMAT, renderAsyncApi } from "./asyncapi-render.ts";
import { root } from "./chart-kit.ts";

const text = readFileSync(join(root, "docs", "asyncapi.yaml"), "utf8");
type Raw = {
  channels: Record<string, { address: string; messages?: Record<string, { $ref: string }> }>;
  components: { messages: Record<string, { name: string; payload: { schemaFormat: string; schema: string } }> };
};
const raw = parse(text) as Raw;
const topics = deployedTopics(allAreaCodes());
let parsed: Awaited<ReturnType<Parser["parse"]>>;

beforeAll(async () => {
  const parser = new Parser();
  parser.registerSchemaParser(ProtoBuffSchemaParser());
  parsed = await parser.parse(text);
});

/** The channel whose address names `topic` (`referrals.inbox.{area}.v1` names every area's inbox). */
const channelOf = (topic: string) =>
  Object.entries(raw.channels).find(([, c]) => new RegExp(`^${c.address.replaceAll(".", "\\.").replace(/\{\w+\}/g, "[^.]+")}$`).test(topic));
const messagesOf = (channel: Raw["channels"][string]) =>
  Object.values(channel.messages ?? {}).map((ref) => raw.components.messages[ref.$ref.split("/").at(-1) as string]);

describe("docs/asyncapi.yaml", () => {
  it("is valid for the AsyncAPI parser, protobuf payloads included (no error diagnostics)", () => {
    const errors = parsed.diagnostics.filter((d) => d.severity === 0).map((d) => `${d.path.join(".")}: ${d.message}`);
    expect(errors).toEqual([]);
    expect(parsed.document).toBeDefined();
  });

  it("has a channel for every deployed topic, carrying exactly its declared ce_types, and one for its DLQ", () => {
    for (const t of topics) {
      const channel = channelOf(t.name);
      expect(channel, `a channel for ${t.name}`).toBeDefined();
      if (!channel) continue;
      expect(
        messagesOf(channel[1])
          .map((m) => m?.name)
          .sort(),
        t.name,
      ).toEqual(t.events.map((e) => e.type).sort());
      expect(channelOf(t.dlq), `a channel for ${t.dlq}`).toBeDefined();
    }
  });

  it("has no channel that is not a declared topic or its DLQ", () => {
    const names = topics.flatMap((t) => [t.name, t.dlq]);
    for (const [key, c] of Object.entries(raw.channels)) {
      const pattern = new RegExp(`^${c.address.replaceAll(".", "\\.").replace(/\{\w+\}/g, "[^.]+")}$`);
      expect(
        names.some((n) => pattern.test(n)),
        `channel ${key} (${c.address})`,
      ).toBe(true);
    }
  });

  it("carries each event's protobuf message, the parser finding that message as the payload's root", () => {
    const events = new Map(topics.flatMap((t) => t.events.map((e) => [e.type, e])));
    const byName = new Map((parsed.document?.messages().all() ?? []).map((m) => [m.name(), m]));
    for (const [type, e] of events) {
      const raw_ = Object.values(raw.components.messages).find((m) => m.name === type);
      expect(raw_?.payload.schemaFormat, type).toBe(PROTOBUF_SCHEMA_FORMAT);
      const payload = byName.get(type)?.payload()?.json() as { title?: string; schema?: { title?: string } } | undefined;
      expect(payload?.schema?.title ?? payload?.title, type).toBe(e.message.split(".").at(-1));
    }
  });

  it("is what make asyncapi writes from the contracts and proto/ (not stale)", () => {
    expect(text).toBe(renderAsyncApi(text));
  });
});
