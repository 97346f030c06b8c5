// Fuzzing every route of the gateway's own /openapi.json with fast-check, through the real
// services: malformed JSON, wrong types, huge strings, unicode, missing and unknown fields,
// odd path parameters. Whatever comes in, the answer is never a 5xx, never hangs, and an error
// is a problem document without internals.
import { captureLogs, createTestDatabase, type TestDatabase, uniqueName } from "@silta/testing";
import { type Chain, personas, startChain } from "@silta/tests/chain";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const logs = captureLogs("gateway-fuzz", "warn");
const RUNS = 40;
let consentDb: TestDatabase;
let referralsDb: TestDatabase;
let chain: Chain;
let handlerToken = "";
let publisherToken = "";

interface Operation {
  method: string;
  path: string;
  parameters?: { in: string; name: string }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}
interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  enum?: string[];
  $ref?: string;
}
let operations: Operation[] = [];
let components: Record<string, Schema> = {};

beforeAll(async () => {
  [consentDb, referralsDb] = await Promise.all([createTestDatabase("gwf_consent"), createTestDatabase("gwf_referrals")]);
  chain = await startChain({
    consentDbUrl: consentDb.url,
    referralsDbUrl: referralsDb.url,
    logger: logs.logger,
    consumerGroup: uniqueName("gwf-referrals"),
    gatewayEnv: { SILTA_RATE_LIMIT_PER_MINUTE: "1000000", SILTA_LOG_LEVEL: "warn" },
  });
  // Tokens that pass every route's role gate, so the fuzzed input reaches the handlers and services.
  // Organisations of their own: rate-limit counters are per organisation in the shared Redis.
  handlerToken = await chain.token({
    ...personas.worker13,
    org_id: uniqueName("fuzz-area"),
    roles: ["child_protection_worker", "child_protection_manager", "auditor", "data_protection_officer", "manager"],
  });
  publisherToken = await chain.token({ ...personas.publisher, org_id: uniqueName("fuzz-municipality") });
  const doc = (await (await fetch(`${chain.baseUrl}/openapi.json`)).json()) as {
    paths: Record<string, Record<string, Omit<Operation, "method" | "path">>>;
    components: { schemas: Record<string, Schema> };
  };
  components = doc.components.schemas;
  operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ ...op, method: method.toUpperCase(), path })));
});
afterAll(async () => {
  await chain?.stop();
  await Promise.all([consentDb?.drop(), referralsDb?.drop()]);
});

const resolve = (s: Schema): Schema => (s.$ref ? (components[s.$ref.replace("#/components/schemas/", "")] ?? {}) : s);
const nasty = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme", maxLength: 50 }),
  fc.constantFrom("", " ", "\u0000", "💥🧒", "'; DROP TABLE referrals; --", "../../etc/passwd", "131052-308T", "%00", "\u202e", "null"),
  fc.string({ minLength: 5000, maxLength: 20_000 }),
);
const anyValue: fc.Arbitrary<unknown> = fc.oneof(fc.jsonValue({ maxDepth: 3 }), nasty, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));

/** A value for a schema: mostly plausible, often wrong (types, enums, sizes). */
function valueFor(schema: Schema, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(schema);
  if (depth > 3) return anyValue;
  if (s.enum) return fc.oneof(fc.constantFrom(...s.enum), nasty, fc.integer());
  if (s.type === "object" && s.properties) return objectFor(s, depth + 1);
  if (s.type === "array") return fc.oneof(fc.array(valueFor(s.items ?? {}, depth + 1), { maxLength: 5 }), anyValue);
  if (s.type === "boolean") return fc.oneof(fc.boolean(), anyValue);
  if (s.type === "integer") return fc.oneof(fc.integer(), fc.bigInt().map(String), anyValue);
  return fc.oneof(nasty, anyValue);
}

function objectFor(schema: Schema, depth = 0): fc.Arbitrary<Record<string, unknown>> {
  const props = resolve(schema).properties ?? {};
  const known = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, valueFor(v, depth)]));
  return fc
    .tuple(fc.record(known, { requiredKeys: [] }), fc.option(fc.dictionary(fc.string({ maxLength: 20 }), anyValue, { maxKeys: 2 }), { nil: undefined }))
    .map(([a, extra]) => ({ ...a, ...extra }));
}

function bodyFor(op: Operation): fc.Arbitrary<string | undefined> {
  const schema = op.requestBody?.content["application/json"]?.schema;
  if (!schema) return fc.constant(undefined);
  return fc.oneof(
    { weight: 6, arbitrary: objectFor(schema).map((o) => JSON.stringify(o)) },
    { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) }, // not JSON at all
    { weight: 1, arbitrary: objectFor(schema).map((o) => JSON.stringify(o).slice(0, -1)) }, // cut off
  );
}

const segment = fc.oneof(
  fc.uuid().map(String),
  nasty.map((s) => s.slice(0, 300)),
  fc.constantFrom("LS-13-2026-000001", "..", "%2F"),
);

describe("fuzzing every route of /openapi.json", () => {
  it("finds the routes to fuzz", () => {
    expect(operations.length).toBeGreaterThanOrEqual(18);
  });

  it("answers anything with a non-5xx status, quickly, and errors as problem documents without internals", async () => {
    let sent = 0;
    for (const op of operations) {
      const token = op.path === "/v1/education-events" ? publisherToken : handlerToken;
      const queryNames = (op.parameters ?? []).filter((p) => p.in === "query").map((p) => p.name);
      const query = fc
        .tuple(
          fc.record(Object.fromEntries(queryNames.map((n) => [n, anyValue])), { requiredKeys: [] }),
          fc.dictionary(fc.string({ maxLength: 10 }), nasty, { maxKeys: 1 }),
        )
        .map(([a, b]) => ({ ...a, ...b }));
      await fc.assert(
        fc.asyncProperty(fc.array(segment, { minLength: 2, maxLength: 2 }), bodyFor(op), query, async ([p1, p2], body, q) => {
          let i = 0;
          const path = op.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(String(i++ === 0 ? p1 : p2)));
          const qs = new URLSearchParams(Object.entries(q).map(([k, v]): [string, string] => [k, typeof v === "string" ? v : JSON.stringify(v)])).toString();
          const res = await fetch(`${chain.baseUrl}${path}${qs ? `?${qs}` : ""}`, {
            method: op.method,
            headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
            ...(body !== undefined ? { body } : {}),
            signal: AbortSignal.timeout(5_000),
          });
          const text = await res.text();
          sent++;
          const where = `${op.method} ${path} → ${res.status}: ${text.slice(0, 300)}`;
          expect(res.status, where).toBeLessThan(500);
          if (res.status >= 400) {
            expect(res.headers.get("content-type"), where).toContain("application/problem+json");
            const problem = JSON.parse(text);
            expect(problem, where).toMatchObject({ status: res.status, title: expect.any(String), code: expect.stringMatching(/^SILTA_/) });
            expect(text, where).not.toMatch(/\bat [\w.<>]+ \(|node_modules|\.ts:\d+/);
          }
        }),
        { numRuns: RUNS, endOnFailure: true, seed: Number(process.env.SILTA_FUZZ_SEED ?? Date.now() % 1_000_000) },
      );
    }
    expect(sent).toBe(operations.length * RUNS);
  }, 300_000);
});
