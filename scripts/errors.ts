// `make errors`: writes docs/errors.md from the error-code table (packages/platform/src/error-codes.ts).
import { writeFileSync } from "node:fs";
import { renderErrorCodes } from "@silta/platform";

const path = new URL("../docs/errors.md", import.meta.url);
writeFileSync(path, renderErrorCodes());
console.log(`wrote ${path.pathname}`);
