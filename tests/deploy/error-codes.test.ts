// The error-code table (packages/platform/src/error-codes.ts) against the code: every SILTA_*
// code the services, the kit and the gateway use is declared, every declared code is used, and
// docs/errors.md is the table rendered (`make errors` writes it).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { ERROR_CODES, renderErrorCodes } from "@silta/platform";
import { describe, expect, it } from "vitest";
import { root } from "./chart-kit.ts";

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (name === "node_modules" || name === "gen" || name === "test") return [];
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith(".ts") ? [p] : [];
  });
}

const sources = [...tsFiles(join(root, "services")), ...tsFiles(join(root, "packages")), ...tsFiles(join(root, "tests", "conformance", "fixture"))]
  .filter((f) => !f.endsWith("error-codes.ts"))
  .map((f) => ({ file: relative(root, f), text: readFileSync(f, "utf8") }));

// Configuration variables are SILTA_* too: an object key (a config shape, an env block) or read from process.env.
const variables = new Set(
  sources.flatMap(({ text }) => [...text.matchAll(/\b(SILTA_[A-Z0-9_]+)\??\s*:|process\.env\.(SILTA_[A-Z0-9_]+)/g)].map((m) => m[1] ?? m[2])),
);
const used = new Map<string, string>();
for (const { file, text } of sources) {
  for (const m of text.matchAll(/["'`](SILTA_[A-Z0-9_]+)["'`]/g)) {
    const code = m[1] as string;
    if (!variables.has(code) && !used.has(code)) used.set(code, file);
  }
}

describe("the error-code table", () => {
  it("declares every SILTA_* code the code uses", () => {
    const undeclared = [...used].filter(([code]) => !Object.hasOwn(ERROR_CODES, code)).map(([code, file]) => `${code} (${file})`);
    expect(undeclared).toEqual([]);
  });

  it("declares no code nothing uses", () => {
    expect(Object.keys(ERROR_CODES).filter((code) => !used.has(code))).toEqual([]);
  });

  it("is what docs/errors.md says (make errors writes it)", () => {
    expect(readFileSync(join(root, "docs", "errors.md"), "utf8")).toBe(renderErrorCodes());
  });

  it("gives every code a meaning and a status", () => {
    const doc = renderErrorCodes();
    for (const code of Object.keys(ERROR_CODES)) expect(doc).toMatch(new RegExp(`\\| \`${code}\` \\| [A-Z_—]+ \\| \\d{3} \\| [^|]+ \\| [^|]+`));
  });
});
