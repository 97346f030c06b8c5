// `make asyncapi`: writes the message payloads and summaries of docs/asyncapi.yaml from the event
// contracts (@silta/contracts/events) and proto/; the channels' prose stays as written. A test
// (tests/deploy/asyncapi.test.ts) fails when the file is stale or the AsyncAPI parser refuses it.
import { readFileSync, writeFileSync } from "node:fs";
import { renderAsyncApi } from "../tests/deploy/asyncapi-render.ts";

const path = new URL("../docs/asyncapi.yaml", import.meta.url);
writeFileSync(path, renderAsyncApi(readFileSync(path, "utf8")));
console.log(`wrote ${path.pathname}`);
