// The required fields an integrator sees: a TypeScript client generated from docs/openapi.json by
// openapi-typescript type-checks a referral submission that carries what the proto marks
// `[(google.api.field_behavior) = REQUIRED]`, and refuses one missing a required field.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import openapiTS, { astToString } from "openapi-typescript";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { root } from "./chart-kit.ts";

const doc = JSON.parse(readFileSync(join(root, "docs", "openapi.json"), "utf8"));

/** Type-checks `source` beside the generated `api.ts`; the diagnostics as text. */
async function typecheck(source: string): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), "silta-openapi-client-"));
  writeFileSync(join(dir, "api.ts"), astToString(await openapiTS(doc)));
  writeFileSync(join(dir, "client.ts"), source);
  const program = ts.createProgram([join(dir, "client.ts")], {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    allowImportingTsExtensions: true,
  });
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

const header = `import type { paths } from "./api.ts";
type Submission = paths["/v1/referrals"]["post"]["requestBody"]["content"]["application/json"];
const notifier = { type: "NOTIFIER_TYPE_MANDATORY_PROFESSIONAL", organisationId: "kuopio-school-12", role: "teacher", email: "liisa@example.fi" } as const;
`;

describe("a TypeScript client generated from docs/openapi.json (openapi-typescript)", () => {
  it("lists required fields in the request bodies, from the proto's marks", () => {
    const body = doc.paths["/v1/referrals"].post.requestBody.content["application/json"].schema;
    expect(body.required).toEqual(["requestId", "kind", "notifier", "homeMunicipalityCode", "concern"]);
    expect(doc.paths["/v1/disclosure-checks"].post.requestBody.content["application/json"].schema.required).toEqual([
      "subjectPseudonym",
      "recipient",
      "purpose",
      "dataCategory",
    ]);
  });

  it("type-checks a referral submission that carries every required field", async () => {
    const problems = await typecheck(`${header}
export const ok: Submission = { requestId: "r-1", kind: "REFERRAL_KIND_CHILD_WELFARE_NOTIFICATION", notifier, homeMunicipalityCode: "297", concern: "Worried." };
`);
    expect(problems).toEqual([]);
  }, 60_000);

  it("does not type-check one missing a required field (the concern)", async () => {
    const problems = await typecheck(`${header}
export const missing: Submission = { requestId: "r-1", kind: "REFERRAL_KIND_CHILD_WELFARE_NOTIFICATION", notifier, homeMunicipalityCode: "297" };
`);
    expect(problems.join("\n")).toMatch(/Property 'concern' is missing/);
  }, 60_000);
});
