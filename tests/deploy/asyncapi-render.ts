// docs/asyncapi.yaml's messages from the event contracts: each message component whose `name` is
// a declared ce_type gets the contract's summary and its protobuf payload inline
// (packages/contracts/src/events/asyncapi.ts); the rest of the document is kept as written.
import { deployedTopics } from "@silta/contracts/events";
import { protoSchemaOf } from "@silta/contracts/events/asyncapi";
import { allAreaCodes } from "@silta/platform";
import { parseDocument, type YAMLMap } from "yaml";

export const PROTOBUF_SCHEMA_FORMAT = "application/vnd.google.protobuf;version=3";

export function renderAsyncApi(current: string): string {
  const doc = parseDocument(current);
  const events = new Map(deployedTopics(allAreaCodes()).flatMap((t) => t.events.map((e) => [e.type, e])));
  const messages = doc.getIn(["components", "messages"]) as YAMLMap;
  for (const item of messages.items) {
    const m = item.value as YAMLMap;
    const e = events.get(String(m.get("name")));
    if (!e) continue;
    m.set("summary", e.summary);
    const payload = doc.createNode({ schemaFormat: PROTOBUF_SCHEMA_FORMAT, schema: protoSchemaOf(e.message) });
    m.set("payload", payload);
  }
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}
