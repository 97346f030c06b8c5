// The CPU cost of tracing: the referrals service's CPU per SubmitReferral with tracing off (no
// SDK) and on (telemetry-start: the SDK, the pg instrumentation, every span exported over
// OTLP/HTTP to a local collector stand-in that accepts and discards), measured in the same run,
// alternating off/on/off/on so drift on a shared machine falls on both. Writes the
// `tracing-cost` section of docs/benchmarks.md.
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { credentials } from "@grpc/grpc-js";
import { ReferralServiceClient } from "@silta/contracts/referrals/v1/referrals.ts";
import { proveCallsOf, unary } from "@silta/grpc";
import { callers, cpuNow, createTestDatabase, forkService, replaceSection, runLoad, testEnv, testIdentities, uniqueName } from "@silta/testing";
import { benchSubmission } from "./submission.ts";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const CALLS = Number(process.env.BENCH_TRACING_CALLS ?? "1500");
const ROUNDS = 2;

// A stand-in OTLP collector: takes every export, counts it, answers 200.
let exports = 0;
let exportedBytes = 0;
const collector = createServer((req, res) => {
  req.on("data", (c: Buffer) => {
    exportedBytes += c.length;
  });
  req.on("end", () => {
    exports += 1;
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
});
await new Promise<void>((r) => collector.listen(0, "127.0.0.1", r));
const collectorPort = (collector.address() as { port: number }).port;

const [db, consentDb] = await Promise.all([createTestDatabase("bench_tracing"), createTestDatabase("bench_tracing_consent")]);
const ids = await testIdentities();
const brokers = testEnv.kafkaBrokers.join(",");
const prefix = `${uniqueName("bench").replace("_", "-")}.`;
const consent = await forkService(
  here("../../consent/src/main.ts"),
  { SILTA_GRPC_PORT: "50181", SILTA_DATABASE_URL: consentDb.url, SILTA_KAFKA_BROKERS: brokers, SILTA_KAFKA_TOPIC_PREFIX: prefix, ...ids.env() },
  9187,
);

async function measure(tracing: boolean): Promise<number> {
  const env = {
    SILTA_GRPC_PORT: "50182",
    SILTA_DATABASE_URL: db.url,
    SILTA_KAFKA_BROKERS: brokers,
    SILTA_KAFKA_TOPIC_PREFIX: prefix,
    SILTA_CONSENT_ADDRESS: "127.0.0.1:50181",
    SILTA_AREA_CODE: "13",
    SILTA_PSEUDONYM_KEY: Buffer.alloc(32, 3).toString("base64"),
    ...ids.env("referrals"),
    ...(tracing ? { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${collectorPort}`, OTEL_SERVICE_NAME: "silta-referrals" } : {}),
  };
  const referrals = await forkService(here("../src/main.ts"), env, 9188, tracing ? ["--import", "@silta/platform/telemetry-start"] : []);
  const client = proveCallsOf(new ReferralServiceClient("127.0.0.1:50182", credentials.createInsecure()), {
    prover: ids.prover.gateway,
    audience: "silta-referrals",
  });
  const submit = () => unary(client, client.submitReferral, benchSubmission("t"), { identity: callers.teacher, deadlineMs: 10_000 });
  try {
    await submit().catch((e) => {
      throw new Error(`a submission failed: ${(e as Error).message}`);
    });
    await runLoad({ concurrency: 10, durationMs: 3000, warmupMs: 2000 }, submit);
    const parts = { referrals: () => [referrals.pid as number] };
    const before = cpuNow(parts);
    const run = await runLoad({ concurrency: 10, durationMs: 600_000, warmupMs: 0, maxCalls: CALLS }, submit);
    const after = cpuNow(parts);
    if (run.errors > 0) throw new Error(`${run.errors} submissions failed`);
    return ((after.referrals ?? 0) - (before.referrals ?? 0)) / run.calls;
  } finally {
    client.close();
    referrals.kill("SIGTERM");
    await new Promise((r) => (referrals.exitCode === null ? referrals.once("exit", r) : r(null)));
  }
}

try {
  const off: number[] = [];
  const on: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    off.push(await measure(false));
    on.push(await measure(true));
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  if (exports === 0) throw new Error("tracing on exported nothing: the measurement would not include the export");
  const body = `### Tracing: CPU per call with tracing on against off

Command: \`make bench\` (\`node services/referrals/bench/tracing-bench.ts\`; \`BENCH_TRACING_CALLS\`, default 1500), ${new Date().toISOString().slice(0, 16)}Z, ${cpus().length} cores, Node ${process.version}.
The referrals service's own CPU (/proc, 10 ms resolution) per \`SubmitReferral\`, ${CALLS} calls at 10 in flight after a warm-up, ${ROUNDS} rounds alternating off and on in the same run.
Off: no OpenTelemetry SDK (the kit's spans go to the no-op tracer). On: \`--import @silta/platform/telemetry-start\` (SDK, pg and ioredis instrumentations, batch export of every span over OTLP/HTTP to a local stand-in collector; ${exports} exports, ${(exportedBytes / 1024).toFixed(0)} KiB).

| tracing | CPU ms per call (each round) | mean | ratio |
|---|---|---|---|
| off | ${off.map((x) => x.toFixed(2)).join(", ")} | ${mean(off).toFixed(2)} | 1.00 |
| on | ${on.map((x) => x.toFixed(2)).join(", ")} | ${mean(on).toFixed(2)} | ${(mean(on) / mean(off)).toFixed(2)} |
`;
  const path = here("../../../docs/benchmarks.md");
  writeFileSync(path, replaceSection(readFileSync(path, "utf8"), "tracing-cost", body));
  console.log(body);
} finally {
  consent.kill("SIGTERM");
  await new Promise((r) => (consent.exitCode === null ? consent.once("exit", r) : r(null)));
  collector.close();
  await Promise.all([db.drop(), consentDb.drop()]);
}
