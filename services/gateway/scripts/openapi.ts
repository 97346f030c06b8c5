// `make openapi`: writes docs/openapi.json from the gateway's routes and schemas (the same
// document the gateway serves at /openapi.json; a test keeps the committed file in sync).
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { openApiDocument } from "../src/openapi/document.ts";

const path = fileURLToPath(new URL("../../../docs/openapi.json", import.meta.url));
writeFileSync(path, `${JSON.stringify(await openApiDocument(), null, 2)}\n`);
console.log(`wrote ${path}`);
