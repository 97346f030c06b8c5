// `make bench` (meetings): the common-slot search for 12 participants over 2 weeks with realistic
// calendars (about 4 busy blocks a working day each, some tentative or unavailable), one call at a
// time over gRPC, next to the bare SQL read of the same busy intervals (the statement the service
// issues, straight from a pg client) in the same run. Goal: ≤ 2× the bare read.
// Two meetings services run in child processes: one as deployed (it keeps the calendars a search
// read, with their versions, and reads only the versions while they stand), one keeping nothing
// (SILTA_MEETINGS_BUSY_CACHE_BLOCKS=0: every search reads every calendar, as after all twelve
// changed). CPU per call from /proc.

import { fork } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { credentials, Metadata, makeGenericClientConstructor } from "@grpc/grpc-js";
import { helsinkiDate, instantAt, isWorkingDay, nthWorkingDayAfter } from "@silta/calendar";
import { FindTimesResponse, MeetingServiceClient } from "@silta/contracts/meetings/v1/meetings.ts";
import { proveCallsOf, unary } from "@silta/grpc";
import type { Identity } from "@silta/platform";
import { epochMs } from "@silta/postgres";
import {
  cpuNow,
  cpuPerCall,
  createTestDatabase,
  echoDefinition,
  echoServerScript,
  forkService,
  pidsOf,
  replaceSection,
  testEnv,
  testIdentities,
  uniqueName,
} from "@silta/testing";
import pg from "pg";
import { BUSY_OF } from "../src/db/meeting-store.ts";

const CALLS = Number(process.env.BENCH_MEETINGS_CALLS ?? 1000);
// Unmeasured calls first: a few hundred, so the service's code is compiled by V8's optimising tier as in a running deployment.
const WARMUP = 200;
const PEOPLE = 12;
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const organiser: Identity = {
  subject: "bench-sw",
  organisationId: "pohjois-savo-lastensuojelu",
  organisationType: "wellbeing_area",
  roles: ["child_protection_worker"],
  areaCodes: ["13"],
  municipalityCodes: [],
};

const db = await createTestDatabase("bench_meetings");
const ids = await testIdentities();
const serviceEnv = (port: number, cacheBlocks: string) => ({
  SILTA_GRPC_PORT: String(port),
  SILTA_DATABASE_URL: db.url,
  SILTA_KAFKA_BROKERS: testEnv.kafkaBrokers.join(","),
  SILTA_KAFKA_TOPIC_PREFIX: `${uniqueName("bench").replace("_", "-")}.`,
  SILTA_REDIS_URL: testEnv.redisUrl,
  // FindTimes asks nobody: the consent service is not needed (the client connects lazily).
  SILTA_CONSENT_ADDRESS: "127.0.0.1:1",
  SILTA_AREA_CODE: "13",
  SILTA_PSEUDONYM_KEY: Buffer.alloc(32, 3).toString("base64"),
  SILTA_MEETINGS_LINK_SECRET: Buffer.alloc(32, 4).toString("base64"),
  SILTA_MEETINGS_BUSY_CACHE_BLOCKS: cacheBlocks,
  ...ids.env("meetings"),
});
const profile = process.env.BENCH_PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
const service = await forkService(here("../src/main.ts"), serviceEnv(50174, "200000"), 9197, profile);
const uncached = await forkService(here("../src/main.ts"), serviceEnv(50175, "0"), 9198, profile);
const clientOf = (port: number) =>
  proveCallsOf(new MeetingServiceClient(`127.0.0.1:${port}`, credentials.createInsecure()), { prover: ids.prover.gateway, audience: "silta-meetings" });
const client = clientOf(50174);
const uncachedClient = clientOf(50175);
const pool = new pg.Pool({ connectionString: db.url, max: 4 });
// The transport's own floor: a bare grpc-js echo (no proto, no kit, no proof checked) in a child process.
const echo = fork(echoServerScript, ["50192"], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
await new Promise<void>((r) => echo.once("message", () => r()));
const Echo = makeGenericClientConstructor(echoDefinition, "Echo");
const echoClient = new Echo("127.0.0.1:50192", credentials.createInsecure()) as unknown as {
  echo: (b: Buffer, md: Metadata, o: object, cb: (e: Error | null) => void) => void;
  close(): void;
};

// Two working weeks from next Monday-ish; each person's day: four blocks between 08:00 and 16:00
// (a seeded pseudo-random pattern, so runs compare), one in ten tentative, one in twenty unavailable.
const first = nthWorkingDayAfter(helsinkiDate(new Date()), 3, { evesOff: true });
const to = new Date(Date.parse(first) + 13 * 86_400_000).toISOString().slice(0, 10);
let seed = 7;
const rnd = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
const people = Array.from({ length: PEOPLE }, (_, i) => ({
  organisationId: i < 6 ? "pohjois-savo-lastensuojelu" : "kuopio-school-12",
  personRef: `bench-p${i}`,
}));
const rows: [string, string, Date, Date, string][] = [];
for (let d = 0; d < 14; d++) {
  const date = new Date(Date.parse(first) + d * 86_400_000).toISOString().slice(0, 10);
  if (!isWorkingDay(date, { evesOff: true })) continue;
  for (const p of people)
    for (let b = 0; b < 4; b++) {
      const startMin = 8 * 60 + b * 120 + Math.floor(rnd() * 4) * 15;
      const start = instantAt(date, `${String(Math.floor(startMin / 60)).padStart(2, "0")}:${String(startMin % 60).padStart(2, "0")}`, "Europe/Helsinki");
      const r = rnd();
      rows.push([
        p.organisationId,
        p.personRef,
        new Date(start),
        new Date(start + (30 + Math.floor(rnd() * 4) * 15) * 60_000),
        r < 0.1 ? "tentative" : r < 0.15 ? "unavailable" : "busy",
      ]);
    }
}
// Others' calendars in the same table (the index must find the 12 among many).
for (let i = 0; i < 400; i++)
  for (let d = 0; d < 14; d += 2) {
    const start = Date.parse(`${first}T07:00:00Z`) + d * 86_400_000 + Math.floor(rnd() * 8) * 3_600_000;
    rows.push(["other-org", `other-${i}`, new Date(start), new Date(start + 3_600_000), "busy"]);
  }
await pool.query(
  `INSERT INTO busy_blocks (organisation_id, person_ref, starts_at, ends_at, kind, source)
   SELECT * , 'published' FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::text[])`,
  [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2]), rows.map((r) => r[3]), rows.map((r) => r[4])],
);
await pool.query("ANALYZE busy_blocks");

const request = {
  participants: people.map((p, i) => ({ ...p, required: i < 6 })),
  fromDate: first,
  toDate: to,
  lengthMinutes: 60,
  familyWindows: [],
  stepMinutes: 30,
  limit: 0,
};
const find = () => unary(client, client.findTimes, request, { identity: organiser, deadlineMs: 20_000 });
const findUncached = () => unary(uncachedClient, uncachedClient.findTimes, request, { identity: organiser, deadlineMs: 20_000 });
// The range a search reads (the days around its dates), as the service computes it.
const from = new Date(Date.parse(`${first}T00:00:00Z`) - 86_400_000);
const until = new Date(Date.parse(`${to}T00:00:00Z`) + 2 * 86_400_000);
// The service's own statement straight from pg: with no version held (every calendar read, as the
// uncached service issues it) and with every current version held (only the versions read).
const own = (known: (string | null)[]) => () => pool.query(BUSY_OF, [people.map((p) => p.organisationId), people.map((p) => p.personRef), from, until, known]);
// The bare read of the same busy intervals (a row per block), straight from pg, with the same range.
const ms = epochMs;
const bare = () =>
  pool.query(
    `SELECT organisation_id, person_ref, ${ms("starts_at")} AS s, ${ms("ends_at")} AS e, kind FROM busy_blocks
      WHERE (organisation_id, person_ref) IN (SELECT * FROM unnest($1::text[], $2::text[])) AND starts_at < $4 AND ends_at > $3`,
    [people.map((p) => p.organisationId), people.map((p) => p.personRef), from, until],
  );

const parts = (extra: Record<string, () => number[]>) => ({ ...extra, PostgreSQL: pidsOf("postgres") });
const sequential = async (name: string, fn: () => Promise<unknown>, cpuParts: Record<string, () => number[]>) => {
  for (let i = 0; i < WARMUP; i++) await fn();
  const before = cpuNow(parts(cpuParts));
  const times: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  const cpu = cpuPerCall(before, cpuNow(parts(cpuParts)), CALLS);
  times.sort((a, b) => a - b);
  console.log(name, times[Math.floor(CALLS / 2)], cpu);
  return { p50: times[Math.floor(CALLS / 2)] as number, p99: times[Math.floor(CALLS * 0.99)] as number, cpu };
};
const fmt = (n: number, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : "–");
const cpuRow = (name: string, c: Record<string, number>) =>
  `| ${name} | ${Object.entries(c)
    .map(([p, v]) => `${p} ${fmt(v)}`)
    .join(", ")} |`;
try {
  const answer = await find();
  // The answer's own bytes, there and back, over the bare echo.
  const answerBytes = Buffer.from(FindTimesResponse.encode(answer).finish());
  const echoOnce = () =>
    new Promise<void>((resolve, reject) => echoClient.echo(answerBytes, new Metadata(), { deadline: Date.now() + 5000 }, (e) => (e ? reject(e) : resolve())));
  const read = (await bare()).rowCount ?? 0;
  const versions = (await own(people.map(() => null))()).rows.sort((a, b) => a.i - b.i).map((x) => x.v as string);
  const bareRun = await sequential("bare read", bare, {});
  const ownCold = await sequential("the service's statement, nothing held", own(people.map(() => null)), {});
  const ownWarm = await sequential("the service's statement, every version held", own(versions), {});
  const echoRun = await sequential("bare echo", echoOnce, { "echo server": () => [echo.pid as number] });
  const findRun = await sequential("FindTimes", find, { "meetings service": () => [service.pid as number] });
  const coldRun = await sequential("FindTimes, nothing held", findUncached, { "meetings service": () => [uncached.pid as number] });
  const bareAgain = await sequential("bare read (again)", bare, {});
  const bareP50 = (bareRun.p50 + bareAgain.p50) / 2;
  const body = `### meetings: common-slot search

Command: \`make bench\` (\`node services/meetings/bench/find-times-bench.ts\`; \`BENCH_MEETINGS_CALLS\`, default 1000), ${new Date().toISOString().slice(0, 16)}Z, ${cpus().length} cores, Node ${process.version}.
${PEOPLE} participants (6 required, 6 optional) over two weeks (${first} … ${to}), about four busy blocks of 30–75 minutes each working day each (one in ten tentative, one in twenty unavailable), ${read} blocks of theirs among ${rows.length} in the table; a 60-minute meeting, 30-minute steps, working hours 08:00–16:00 Helsinki. The answer: ${answer.offered.length} offered times, ${answer.excluded.length} refused stretches with why. ${CALLS} calls one at a time after ${WARMUP} unmeasured; the bare read before and after.

Each search reads every participant's calendar version (moved by a trigger in the transaction of any change to their busy blocks) and, in the same statement, the blocks of those whose version differs from what the replica holds. Two services run: one as deployed (\`SILTA_MEETINGS_BUSY_CACHE_BLOCKS\` 200000), where the calendars stand between calls, as while an organiser tries lengths and windows for one team; and one holding nothing (\`0\`), which reads all twelve calendars on every call, as after every one of them changed.

| what | p50 ms | p99 ms |
|---|---|---|
| bare read of the same busy intervals (a row per block), straight from pg | ${fmt(bareRun.p50)} | ${fmt(bareRun.p99)} |
| the service's statement, nothing held (a row per person, the blocks as one JSON array), straight from pg | ${fmt(ownCold.p50)} | ${fmt(ownCold.p99)} |
| the service's statement, every version held (versions only), straight from pg | ${fmt(ownWarm.p50)} | ${fmt(ownWarm.p99)} |
| bare grpc-js echo of the answer's ${answerBytes.length} bytes (there and back; no proto, no kit, no proof) | ${fmt(echoRun.p50)} | ${fmt(echoRun.p99)} |
| \`FindTimes\` over gRPC, calendars unchanged since the last search (versions read, blocks held) | ${fmt(findRun.p50)} | ${fmt(findRun.p99)} |
| \`FindTimes\` over gRPC, nothing held (every calendar read) | ${fmt(coldRun.p50)} | ${fmt(coldRun.p99)} |
| bare read again | ${fmt(bareAgain.p50)} | ${fmt(bareAgain.p99)} |

**FindTimes / bare read (p50): ${fmt(findRun.p50 / bareP50)}×** with the calendars unchanged (goal ≤ 2×); **${fmt(coldRun.p50 / bareP50)}×** with every calendar read. Against the sum of its bare parts (its own statement and the echo): ${fmt(findRun.p50 / (ownWarm.p50 + echoRun.p50))}× and ${fmt(coldRun.p50 / (ownCold.p50 + echoRun.p50))}× — what the service adds (proof, search, proto, its pool) on top of a read and a round trip.

| run | CPU ms per call |
|---|---|
${cpuRow("bare read", bareRun.cpu)}
${cpuRow("the service's statement, nothing held", ownCold.cpu)}
${cpuRow("the service's statement, every version held", ownWarm.cpu)}
${cpuRow("bare echo", echoRun.cpu)}
${cpuRow("FindTimes, calendars unchanged", findRun.cpu)}
${cpuRow("FindTimes, nothing held", coldRun.cpu)}
`;
  const path = here("../../../docs/benchmarks.md");
  writeFileSync(path, replaceSection(readFileSync(path, "utf8"), "meetings", body));
  console.log(body);
} finally {
  client.close();
  uncachedClient.close();
  echoClient.close();
  echo.kill("SIGTERM");
  await pool.end();
  for (const s of [service, uncached]) {
    s.kill("SIGTERM");
    await new Promise((r) => (s.exitCode === null ? s.once("exit", r) : r(null)));
  }
  await db.drop();
}
