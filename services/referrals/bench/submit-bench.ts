// `make bench` (referrals): SubmitReferral over gRPC → the record on the area's inbox topic, at a
// steady 50/s and 200/s (open loop), each sustained for BENCH_REFERRAL_SECONDS (default 60) after
// a 5 s warm-up at the same rate.
// Latency is measured end to end: from the start of the call to the record's arrival at a
// consumer of `referrals.inbox.13.v1` (gRPC, transaction with the outbox, relay, Kafka acks=-1,
// consumer fetch). The real consent and referrals services run in child processes.
import { readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { credentials } from "@grpc/grpc-js";
import { inboxTopic } from "@silta/contracts/events";
import { ReferralServiceClient } from "@silta/contracts/referrals/v1/referrals.ts";
import { proveCallsOf, unary } from "@silta/grpc";
import type { Identity } from "@silta/platform";
import {
  cpuNow,
  cpuPerCall,
  createTestDatabase,
  forkService,
  percentile,
  pidsOf,
  replaceSection,
  runRate,
  testEnv,
  testIdentities,
  uniqueName,
} from "@silta/testing";
import { Kafka, logLevel } from "kafkajs";
import pg from "pg";
import { benchSubmission } from "./submission.ts";

const SECONDS = Number(process.env.BENCH_REFERRAL_SECONDS ?? 60);
const RATES = (process.env.BENCH_REFERRAL_RATES ?? "50,200").split(",").map(Number);
const WARMUP_SECONDS = 5;
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const teacher: Identity = {
  subject: "bench",
  organisationId: "kuopio-school-12",
  organisationType: "municipality",
  roles: ["teacher"],
  areaCodes: [],
  municipalityCodes: ["297"],
};

const start = forkService;

const [db, consentDb] = await Promise.all([createTestDatabase("bench_referrals"), createTestDatabase("bench_referrals_consent")]);
const brokers = testEnv.kafkaBrokers.join(",");
const ids = await testIdentities();
// The bench's own topics (the services prefix every topic with it), apart from any test run's.
const prefix = `${uniqueName("bench").replace("_", "-")}.`;
const consent = await start(
  here("../../consent/src/main.ts"),
  { SILTA_GRPC_PORT: "50161", SILTA_DATABASE_URL: consentDb.url, SILTA_KAFKA_BROKERS: brokers, SILTA_KAFKA_TOPIC_PREFIX: prefix, ...ids.env() },
  9193,
);
const referrals = await start(
  here("../src/main.ts"),
  {
    SILTA_GRPC_PORT: "50162",
    SILTA_DATABASE_URL: db.url,
    SILTA_KAFKA_BROKERS: brokers,
    SILTA_KAFKA_TOPIC_PREFIX: prefix,
    SILTA_CONSENT_ADDRESS: "127.0.0.1:50161",
    SILTA_AREA_CODE: "13",
    SILTA_PSEUDONYM_KEY: Buffer.alloc(32, 3).toString("base64"),
    ...ids.env("referrals"),
  },
  9194,
  process.env.BENCH_PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [],
);

const arrived = new Map<string, number>();
const kafka = new Kafka({ clientId: "bench", brokers: testEnv.kafkaBrokers, logLevel: logLevel.NOTHING });
const consumer = kafka.consumer({ groupId: uniqueName("bench-inbox"), sessionTimeout: 6000, heartbeatInterval: 1000, maxWaitTimeInMs: 100 });
await consumer.connect();
await consumer.subscribe({ topic: prefix + inboxTopic("13").name, fromBeginning: false });
const joined = new Promise<void>((r) => consumer.on(consumer.events.GROUP_JOIN, () => r()));
await consumer.run({ eachMessage: async ({ message }) => void arrived.set(message.key?.toString() ?? "", performance.now()) });
await joined;
await new Promise((r) => setTimeout(r, 1000));

const client = proveCallsOf(new ReferralServiceClient("127.0.0.1:50162", credentials.createInsecure()), {
  prover: ids.prover.gateway,
  audience: "silta-referrals",
});
const submit = (i: number) => unary(client, client.submitReferral, benchSubmission(`b${i}`), { identity: teacher, deadlineMs: 10_000 });

const rows: string[] = [];
const parts: Record<string, () => number[]> = {
  "referrals service": () => [referrals.pid as number],
  "consent service": () => [consent.pid as number],
  PostgreSQL: pidsOf("postgres"),
  Kafka: pidsOf("kafka.Kafka"),
};
const cpu: Record<number, Record<string, number>> = {};
async function checkpoint() {
  const admin = new pg.Client({ connectionString: testEnv.postgresAdminUrl });
  await admin.connect();
  await admin.query("CHECKPOINT");
  await admin.end();
}
try {
  for (const rate of RATES) {
    // Each rate starts from the same state: the dirty pages of what ran before (e.g. the consent
    // bench's audit rows) written out now, not by a checkpoint in the middle of this run.
    await checkpoint();
    // Warm-up at the measured rate, not measured: JIT, and the connection pools grown to the load.
    await runRate({ ratePerSecond: rate, durationMs: WARMUP_SECONDS * 1000 }, submit);
    const sent = new Map<string, number>();
    const calls: number[] = [];
    const before = cpuNow(parts);
    // Both latencies from when the call was due (the open loop's schedule), not when it started.
    const run = await runRate({ ratePerSecond: rate, durationMs: SECONDS * 1000 }, async (i, due) => {
      const { receipt } = await submit(i);
      calls.push(performance.now() - due);
      sent.set(receipt?.referralId ?? "", due);
    });
    cpu[rate] = cpuPerCall(before, cpuNow(parts), run.started);
    calls.sort((x, y) => x - y);
    const deadline = performance.now() + 30_000;
    while ([...sent.keys()].some((k) => !arrived.has(k)) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const lat = [...sent]
      .filter(([k]) => arrived.has(k))
      .map(([k, t]) => (arrived.get(k) as number) - t)
      .sort((x, y) => x - y);
    const missing = sent.size - lat.length;
    rows.push(
      `| ${rate}/s × ${SECONDS} s | ${run.started} | ${run.errors} | ${missing} | ${(run.started / run.seconds).toFixed(1)} | ${percentile(lat, 0.5).toFixed(1)} | ${percentile(lat, 0.99).toFixed(1)} | ${(lat.at(-1) ?? Number.NaN).toFixed(1)} | ${percentile(calls, 0.5).toFixed(1)} | ${percentile(calls, 0.99).toFixed(1)} |`,
    );
    console.log(rows.at(-1));
  }
  const body = `### referrals: submit → record on the area inbox

Command: \`make bench\` (\`node services/referrals/bench/submit-bench.ts\`; \`BENCH_REFERRAL_SECONDS\`, default 60), ${new Date().toISOString().slice(0, 16)}Z, ${cpus().length} cores, Node ${process.version}.
Open loop at a steady rate, after a PostgreSQL \`CHECKPOINT\` and ${WARMUP_SECONDS} s at that rate to warm up (not measured); latency from the time each \`SubmitReferral\` was due in the schedule (not when it started: a lagging generator cannot hide its own delay) to the record's arrival at a consumer of \`referrals.inbox.13.v1\`
(validation, pseudonymisation; one read, then the referral + deadlines + history + 3 outbox rows in one atomic statement; relay, Kafka \`acks=-1\`, consumer fetch).
The consent and referrals services, PostgreSQL and Kafka share the machine with the load generator. The national average is about 0.01/s.

| rate | submitted | errors | never arrived | achieved/s | p50 ms | p99 ms | max ms | call p50 ms | call p99 ms |
|---|---|---|---|---|---|---|---|---|---|
${rows.join("\n")}

Where the CPU of one submission goes (ms; /proc at 10 ms resolution; the load generator includes the inbox consumer):

| part | ${RATES.map((r) => `${r}/s`).join(" | ")} |
|---|${RATES.map(() => "---").join("|")}|
${Object.keys(cpu[RATES[0] as number] ?? {})
  .map((k) => `| ${k} | ${RATES.map((r) => (cpu[r]?.[k] ?? 0).toFixed(2)).join(" | ")} |`)
  .join("\n")}
| all | ${RATES.map((r) =>
    Object.values(cpu[r] ?? {})
      .reduce((a, b) => a + b, 0)
      .toFixed(2),
  ).join(" | ")} |

Goal: p99 < 100 ms at 200/s.
`;
  const path = here("../../../docs/benchmarks.md");
  writeFileSync(path, replaceSection(readFileSync(path, "utf8"), "referrals-submit", body));
  console.log(body);
} finally {
  client.close();
  await consumer.disconnect();
  referrals.kill("SIGTERM");
  consent.kill("SIGTERM");
  await Promise.all([referrals, consent].map((c) => new Promise((r) => (c.exitCode === null ? c.once("exit", r) : r(null)))));
  await Promise.all([db.drop(), consentDb.drop()]);
}
