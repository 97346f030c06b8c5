// Traces an operator can read: the spans of one referral submission (over gRPC, as the gateway calls), read
// from an in-process exporter, show where the request spent its time — the PostgreSQL
// statements under the referrals service's gRPC server span — and no attribute of any span
// carries a henkilötunnus, a child's name, the concern or an SQL parameter value. A service
// started with telemetry-start has pg and ioredis patched, and a Redis span names only the command.
//
// The instrumentations patch pg and ioredis as they are imported, so this file registers the
// loader hook and the instrumentations (the same ones telemetry-start registers in a service)
// before anything that imports them: everything else is imported dynamically, after.
import { register } from "node:module";
import type { ReadableSpan } from "@opentelemetry/sdk-trace";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

register("@opentelemetry/instrumentation/hook.mjs", import.meta.url, { data: { include: ["pg", "pg-pool", "ioredis"] } });
const { registerInstrumentations } = await import("@opentelemetry/instrumentation");
const { siltaInstrumentations } = await import("@silta/platform/instrumentations");
registerInstrumentations({ instrumentations: siltaInstrumentations() });
const testing = await import("@silta/testing");
const { containsHetu } = await import("@silta/platform");
const { startConsent, startReferrals, referralSubmission, CONCERN, NAME } = await import("../support/chain.ts");
const { ReferralServiceClient, SubmitReferralRequest } = await import("@silta/contracts/referrals/v1/referrals.ts");
const { unary } = await import("@silta/grpc");

const spans = testing.installTestTracing();
const logs = testing.captureLogs("tracing");
let consentDb: Awaited<ReturnType<typeof testing.createTestDatabase>>;
let referralsDb: Awaited<ReturnType<typeof testing.createTestDatabase>>;
let consent: Awaited<ReturnType<typeof startConsent>>;
let referrals: Awaited<ReturnType<typeof startReferrals>>;

beforeAll(async () => {
  [consentDb, referralsDb] = await Promise.all([testing.createTestDatabase("trace_consent"), testing.createTestDatabase("trace_referrals")]);
  consent = await startConsent(consentDb.url, logs.logger);
  referrals = await startReferrals(referralsDb.url, consent.grpcPort, logs.logger, { SILTA_PSEUDONYM_KEY: Buffer.alloc(32, 6).toString("base64") });
});
afterAll(async () => {
  await referrals?.stop();
  await consent?.stop();
  await Promise.all([consentDb?.drop(), referralsDb?.drop()]);
});

const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;
/** Whether `ancestor` is on the path from `span` up to its trace's root. */
function under(span: ReadableSpan, ancestor: ReadableSpan, byId: Map<string, ReadableSpan>): boolean {
  for (let p = parentOf(span); p; p = byId.get(p) ? parentOf(byId.get(p) as ReadableSpan) : undefined) if (p === ancestor.spanContext().spanId) return true;
  return false;
}

describe("the spans of one referral submission", () => {
  it("show the PostgreSQL statements under the gRPC server span, parameterised, and no personal data anywhere", async () => {
    spans.reset();
    // The gateway's submission, in proto3 JSON as a municipal system sends it, called over gRPC as the gateway does.
    const body = referralSubmission();
    const hetu = (body.child as { hetu: string }).hetu;
    const client = referrals.client(ReferralServiceClient);
    const { receipt } = await unary(client, client.submitReferral, SubmitReferralRequest.fromJSON(body), { identity: testing.callers.teacher });
    expect(receipt?.referenceNumber).toMatch(/^LS-13-/);
    const isServer = (s: ReadableSpan) => s.name === "silta.referrals.v1.ReferralService/SubmitReferral";
    await testing.waitFor(() => spans.getFinishedSpans().some(isServer), { what: "the call's server span" });

    const all = spans.getFinishedSpans();
    const root = all.find(isServer) as ReadableSpan;
    const trace = all.filter((s) => s.spanContext().traceId === root.spanContext().traceId);
    const byId = new Map(trace.map((s) => [s.spanContext().spanId, s]));
    const server = trace.find((s) => s.name === "silta.referrals.v1.ReferralService/SubmitReferral");
    expect(server, "the referrals service's gRPC server span in the request's trace").toBeDefined();
    if (!server) return;

    // The submission's statements, each a child (or deeper) of the server span, parameterised.
    const statements = trace.filter((s) => s.attributes["db.system"] === "postgresql" || s.attributes["db.system.name"] === "postgresql");
    const ofSubmit = statements.filter((s) => under(s, server, byId));
    expect(ofSubmit.length).toBeGreaterThanOrEqual(1);
    const text = (s: ReadableSpan) => String(s.attributes["db.statement"] ?? s.attributes["db.query.text"] ?? "");
    expect(ofSubmit.some((s) => /INSERT INTO referrals|referral_reference_|silta_outbox/i.test(text(s)))).toBe(true);
    expect(ofSubmit.every((s) => s.attributes["db.postgresql.values"] === undefined)).toBe(true);

    // Nothing personal in any attribute of any span of the trace (names included).
    for (const s of trace) {
      const dump = `${s.name} ${JSON.stringify(s.attributes)} ${JSON.stringify(s.events)}`;
      expect(containsHetu(dump), s.name).toBe(false);
      expect(dump).not.toContain(hetu);
      expect(dump).not.toContain(NAME);
      expect(dump).not.toContain(CONCERN);
      expect(dump).not.toContain(body.requestId as string);
    }
  });
});

describe("a service started with telemetry-start", () => {
  it("has pg and ioredis patched before it imports them, and a Redis span would name the command only, never a key", async () => {
    const { spawnSync } = await import("node:child_process");
    const { fileURLToPath } = await import("node:url");
    const probe = `const pg = (await import("pg")).default; const { Redis } = await import("ioredis");
      console.log(JSON.stringify({ pg: pg.Client.prototype.query.__wrapped === true, redis: Redis.prototype.sendCommand.__wrapped === true }));`;
    const r = spawnSync(process.execPath, ["--import", "@silta/platform/telemetry-start", "--input-type=module", "-e", probe], {
      cwd: fileURLToPath(new URL("../../packages/platform/", import.meta.url)),
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim().split("\n").at(-1) ?? "{}")).toEqual({ pg: true, redis: true });
    const redis = siltaInstrumentations().find((i) => i.instrumentationName.includes("ioredis")) as unknown as {
      getConfig(): { dbStatementSerializer(cmd: string, args: unknown[]): string; requireParentSpan: boolean };
    };
    expect(redis.getConfig().dbStatementSerializer("set", ["silta:intake:seen:297/16:kuopio-education:e-1", "1", "EX", 600])).toBe("set");
    expect(redis.getConfig().requireParentSpan).toBe(true);
  });
});
