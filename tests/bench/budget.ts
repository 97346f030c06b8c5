// `make bench` (the CPU budget, issue #17): for each hot path, the CPU one operation costs the
// whole system (each service, PostgreSQL, Kafka, Redis, the load generator), next to the sum of
// its bare parts measured in the same run:
//   - a bare fastify route (the same method and body, a child process of its own);
//   - a bare grpc-js echo, called as many times as the services made unary calls;
//   - the same SQL statements issued directly: every statement the services sent while the path
//     ran (tests/bench/record.mjs, preloaded into each service, writes them down with their
//     parameters), sent again by this process to a copy of each service's database that the
//     bench keeps in step with it;
//   - the same Redis commands, sent again the same way;
//   - a bare produce of as many records as the path put on its topics, and a bare consume of as
//     many as its consumers read.
// The bare parts run together, in the path's own rhythm over as long as its window took (the
// statements and commands each at the time the service sent it), so that neither side gains
// from being packed tighter than the other.
// The measurement: CPU from /proc over the measured window only (after a warm-up of the same
// load; PostgreSQL's exited backends stay counted through the postmaster's cutime); the system's
// idle CPU per second, measured before each window, is taken off both sides; each path's window
// is followed by its bare parts, path after path, for BUDGET_ROUNDS rounds, and the median of the
// rounds' ratios is reported. The six services run as processes of their own (tests/drills/system.ts).
import { type ChildProcess, fork } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { credentials, Metadata, makeGenericClientConstructor } from "@grpc/grpc-js";
import { REFERRAL_TOPIC, referralSubmitted } from "@silta/contracts/events";
import { createKafka, headerString } from "@silta/events";
import { createLogger } from "@silta/platform";
import { cpuNow, echoDefinition, echoServerScript, pidsOf, replaceSection, testEnv, uniqueName, waitFor } from "@silta/testing";
import type { KafkaMessage } from "kafkajs";
import pg from "pg";
import { SERVICES, type ServiceName, startSystem } from "../drills/system.ts";
import { personas } from "../support/personas.ts";
import {
  type Answer,
  bookingBody,
  checkBody,
  educationEvents,
  findTimesBody,
  letters,
  referralBody,
  seedBusyTimes,
  seedConsentedChild,
  seedFreeTimes,
  seedReferrals,
  systemApi,
} from "../support/system-load.ts";
import { type Recording, RedisReplayer, SqlReplayer, until } from "./replay.ts";

const ROUNDS = Number(process.env.BUDGET_ROUNDS ?? 3);
const WINDOW_MS = Number(process.env.BUDGET_SECONDS ?? 4) * 1000;
const WARMUP_MS = 1500;
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const recordDir = mkdtempSync(join(tmpdir(), "silta-budget-"));
const DB_SERVICES = ["consent", "referrals", "consultations", "meetings", "notifications"] as const;

// The consent service limits checks about one child by one organisation to a few a minute (a
// privacy guard); the bench asks about one child thousands of times, so the limit is lifted here.
const system = await startSystem({ execArgv: ["--import", here("./record.mjs")], env: { consent: { SILTA_CONSENT_CHECKS_PER_MINUTE: "100000000" } } });
const kafka = createKafka({ brokers: testEnv.kafkaBrokers, clientId: "budget", logger: createLogger({ service: "budget", level: "error" }) });
const admin = kafka.admin();
await admin.connect();
const children: ChildProcess[] = [];
const forkReady = async (script: string, args: string[]): Promise<{ child: ChildProcess; message: unknown }> => {
  const child = fork(script, args, { stdio: ["ignore", "ignore", "inherit", "ipc"], env: { ...process.env, PORT: "0" } });
  children.push(child);
  const message = await new Promise((r) => child.once("message", r));
  return { child, message };
};
const bare = await forkReady(here("./bare-route.ts"), []);
const barePort = (bare.message as { port: number }).port;
const echoPort = 40000 + Math.floor(Math.random() * 20000);
const echo = await forkReady(echoServerScript, [String(echoPort)]);

// ------------------------------------------------------------------ CPU readings
const servicePids = Object.fromEntries(SERVICES.map((s) => [s, () => [system.pid(s)]])) as Record<ServiceName, () => number[]>;
const infra = { PostgreSQL: pidsOf("postgres"), Kafka: pidsOf("kafka.Kafka"), Redis: pidsOf("redis-server") };
const PARTS = { ...servicePids, ...infra, "bare route": () => [bare.child.pid ?? 0], "bare echo": () => [echo.child.pid ?? 0] };
type Cpu = Record<string, number>;
const read = (): Cpu => cpuNow(PARTS);
const diff = (a: Cpu, b: Cpu): Cpu => Object.fromEntries(Object.keys(b).map((k) => [k, (b[k] ?? 0) - (a[k] ?? 0)]));
const sum = (c: Cpu, keys?: string[]) => (keys ?? Object.keys(c)).reduce((n, k) => n + (c[k] ?? 0), 0);

/** CPU ms per second of each part while nothing is asked of the system. */
async function idle(ms = 3000): Promise<Cpu> {
  const a = read();
  const t = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  const d = diff(a, read());
  const s = (performance.now() - t) / 1000;
  return Object.fromEntries(Object.entries(d).map(([k, v]) => [k, v / s]));
}
/** Measures `fn` (resolving when its work is done): CPU by part, less each part's idle rate for as long as it took. */
async function measured(idleRate: Cpu, parts: string[], fn: () => Promise<void>): Promise<{ cpu: Cpu; seconds: number }> {
  const a = read();
  const t = performance.now();
  await fn();
  const seconds = (performance.now() - t) / 1000;
  const d = diff(a, read());
  const cpu: Cpu = {};
  for (const p of parts) cpu[p] = (d[p] ?? 0) - (p === "load generator" ? 0 : (idleRate[p] ?? 0) * seconds);
  return { cpu, seconds };
}

// ------------------------------------------------------------------ recording and the databases' copies
/** Ends the services' current recording segment and starts the next; returns what each service sent in it. */
async function mark(): Promise<Record<ServiceName, Recording>> {
  const out = {} as Record<ServiceName, Recording>;
  await Promise.all(
    SERVICES.map(async (s) => {
      const file = join(recordDir, `${s}-${uniqueName("r")}.json`);
      await system.send(s, { record: "mark", file });
      out[s] = JSON.parse(readFileSync(file, "utf8")) as Recording;
    }),
  );
  return out;
}

const copies = {} as Record<(typeof DB_SERVICES)[number], { url: string; sql: SqlReplayer }>;
const redisReplayer = new RedisReplayer(testEnv.redisUrl);
/**
 * Copies each service's database (CREATE DATABASE … TEMPLATE needs it without connections: all
 * six are stopped for it and started again) and turns the recorders on: from here every
 * statement is sent again to the copy in order, so the copy stays in step with the original.
 */
async function copyDatabases(): Promise<void> {
  for (const s of [...SERVICES].reverse()) await system.kill(s);
  const adminDb = new pg.Client({ connectionString: testEnv.postgresAdminUrl });
  await adminDb.connect();
  for (const s of DB_SERVICES) {
    const name = `${new URL(system.db[s].url).pathname.slice(1)}_copy`;
    await adminDb.query(`CREATE DATABASE ${name} TEMPLATE ${new URL(system.db[s].url).pathname.slice(1)}`);
    const url = new URL(system.db[s].url);
    url.pathname = `/${name}`;
    copies[s] = { url: url.toString(), sql: new SqlReplayer(url.toString()) };
  }
  await adminDb.end();
  for (const s of SERVICES) await system.start(s);
  for (const s of SERVICES) await system.send(s, { record: "on" });
}
async function dropCopies(): Promise<void> {
  const adminDb = new pg.Client({ connectionString: testEnv.postgresAdminUrl });
  await adminDb.connect();
  for (const s of DB_SERVICES) {
    await copies[s]?.sql.close();
    await adminDb.query(`DROP DATABASE IF EXISTS ${new URL(copies[s]?.url ?? "postgres://x/none").pathname.slice(1)} WITH (FORCE)`).catch(() => undefined);
  }
  await adminDb.end();
}
/** Sends a segment's statements to the copies (unmeasured: a warm-up, or the time between windows). */
async function catchUp(rec: Record<ServiceName, Recording>): Promise<void> {
  await Promise.all(DB_SERVICES.map((s) => copies[s].sql.replay(rec[s].sql)));
}

// ------------------------------------------------------------------ Kafka counts
async function topicsOfRun(): Promise<string[]> {
  return (await admin.listTopics()).filter((t) => t.startsWith(system.topicPrefix));
}
async function produced(): Promise<number> {
  let n = 0;
  for (const t of await topicsOfRun()) for (const p of await admin.fetchTopicOffsets(t)) n += Number(p.high);
  return n;
}
async function consumed(groups: string[]): Promise<number> {
  const topics = await topicsOfRun();
  let n = 0;
  for (const groupId of groups) for (const t of await admin.fetchOffsets({ groupId, topics })) for (const p of t.partitions) n += Math.max(0, Number(p.offset));
  return n;
}
const GROUPS = ["silta-consent", "silta-referrals", "silta-consultations", "silta-meetings", "silta-notifications"];
/**
 * Whether every service's consumer group has read every record on the run's topics it reads (a
 * group with no offset on a topic does not read it): a path's window lasts until all the work its
 * operations caused downstream is done, so none of it spills into the next window.
 */
async function caughtUp(): Promise<boolean> {
  const topics = await topicsOfRun();
  const ends = new Map<string, Map<number, number>>();
  for (const t of topics) ends.set(t, new Map((await admin.fetchTopicOffsets(t)).map((p) => [p.partition, Number(p.high)])));
  for (const groupId of GROUPS)
    for (const t of await admin.fetchOffsets({ groupId, topics })) {
      if (t.partitions.every((p) => Number(p.offset) < 0)) continue;
      for (const p of t.partitions) if (Math.max(0, Number(p.offset)) < (ends.get(t.topic)?.get(p.partition) ?? 0)) return false;
    }
  return true;
}
const settleAll = async (path: Path) => {
  await path.settle?.();
  await waitFor(caughtUp, { what: `every consumer caught up after ${path.name}`, timeoutMs: 120_000, intervalMs: 200 });
};

// ------------------------------------------------------------------ the load
const { tokens, call: api, must: mustOk } = await systemApi(system);
const must = async (p: Promise<Answer>, want: number, what: string) => {
  const r = await p;
  if (r.status !== want) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.json).slice(0, 300)}`);
  return r.json;
};
let seq = 0;
/** `concurrency` loops calling `op` until `ms` is up; resolves with the number done (errors throw). */
async function closedLoop(ms: number, concurrency: number, op: () => Promise<number>): Promise<number> {
  const end = performance.now() + ms;
  let n = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const done = await op();
        n += done;
      }
    }),
  );
  return n;
}

interface Path {
  name: string;
  unit: string;
  goal: number;
  concurrency: number;
  /** The bare route's method and a body like the path's. */
  route: { method: "GET" | "POST"; body?: unknown; perOp: number };
  /** One operation (or a batch of them): resolves with how many it did. */
  op(): Promise<number>;
  /** For paths that end in a consumer: resolves once every operation started so far has arrived. */
  settle?(): Promise<unknown>;
}

// ------------------------------------------------------------------ seeding (before the copies are made)
process.stderr.write("budget: seeding\n");
const refs = await seedReferrals(mustOk, 50);
const subjectPseudonym = await seedConsentedChild(mustOk);
// Specialists with working hours, and the distinct 15-minute times the booking path takes in turn.
const freeTimes = await seedFreeTimes(mustOk, { prefix: "budget-spec", specialists: 24, organisationId: personas.specialist13.org_id });
// Busy times of the slot search's participants.
await seedBusyTimes(mustOk);
// The intake desk (the notification path tells it of each referral).
await must(api("POST", "/v1/notifications/groups", "admin13", { group: { groupRef: "intake_desk", memberRefs: [personas.worker13.sub] } }), 200, "intake desk");

process.stderr.write(`budget: ${freeTimes.length} free times seeded\n`);
// The area inbox's consumer (the submission path ends when its record arrives there).
const inboxArrived = new Set<string>();
const inboxConsumer = kafka.consumer({ groupId: uniqueName("budget-inbox") });
await inboxConsumer.connect();
await inboxConsumer.subscribe({ topic: `${system.topicPrefix}referrals.inbox.13.v1`, fromBeginning: true });
await inboxConsumer.run({ eachMessage: async ({ message }) => void inboxArrived.add(message.key?.toString() ?? "") });
// One ReferralSubmitted record as the referrals service wrote it: the notification path produces copies.
const submittedRecord: KafkaMessage = await new Promise((resolve) => {
  const c = kafka.consumer({ groupId: uniqueName("budget-sample") });
  void c.connect().then(async () => {
    await c.subscribe({ topic: system.topicPrefix + REFERRAL_TOPIC.name, fromBeginning: true });
    await c.run({
      eachMessage: async ({ message }) => {
        if (headerString(message.headers, "ce_type") === referralSubmitted.type) {
          resolve(message);
          void c.disconnect();
        }
      },
    });
  });
});
const producer = kafka.producer({ idempotent: true });
await producer.connect();
const notificationsDb = new pg.Pool({ connectionString: system.db.notifications.url, max: 1 });
const deliveries = async () => Number((await notificationsDb.query("SELECT count(*)::int AS n FROM deliveries")).rows[0].n);

// ------------------------------------------------------------------ the paths
let submittedSoFar = 0;
let copiesProduced = 0;
let freeIndex = 0;
const eventBatch = () => educationEvents(100, "budget");
const check = checkBody(subjectPseudonym);
const findBody = findTimesBody();
const PATHS: Path[] = [
  {
    name: "authenticated GET (GET /v1/referral-statuses/{ref})",
    unit: "call",
    goal: 1.5,
    concurrency: 16,
    route: { method: "GET", perOp: 1 },
    op: async () => {
      await must(api("GET", `/v1/referral-statuses/${refs[seq++ % refs.length]}`, "teacher"), 200, "status");
      return 1;
    },
  },
  {
    name: "consent Check (POST /v1/disclosure-checks)",
    unit: "check",
    goal: 1.5,
    concurrency: 16,
    route: { method: "POST", body: check, perOp: 1 },
    op: async () => {
      await must(api("POST", "/v1/disclosure-checks", "teacher", check), 200, "check");
      return 1;
    },
  },
  {
    name: "referral submit → area inbox (POST /v1/referrals until its record reaches a consumer of referrals.inbox.13.v1)",
    unit: "referral",
    goal: 1.5,
    concurrency: 8,
    route: { method: "POST", body: referralBody("budget"), perOp: 1 },
    op: async () => {
      await must(api("POST", "/v1/referrals", "teacher", referralBody("budget")), 201, "submit");
      submittedSoFar++;
      return 1;
    },
    settle: () => waitFor(() => inboxArrived.size >= submittedSoFar + 50, { what: "every submission on the area inbox", timeoutMs: 60_000 }),
  },
  {
    name: "an intake event (POST /v1/education-events, batches of 100)",
    unit: "event",
    goal: 1.5,
    concurrency: 1,
    route: { method: "POST", body: { events: eventBatch() }, perOp: 0.01 },
    op: async () => {
      const b = (await must(api("POST", "/v1/education-events", "publisher", { events: eventBatch() }), 200, "intake")) as { accepted: number };
      return b.accepted;
    },
  },
  {
    name: "booking confirmation (POST /v1/consultations/bookings, a free time)",
    unit: "booking",
    goal: 1.5,
    concurrency: 8,
    route: {
      method: "POST",
      body: bookingBody({ specialistId: "00000000-0000-4000-8000-000000000000", start: "2026-12-14T08:00:00Z" }, "budget-book-abcdef", "sw-1"),
      perOp: 1,
    },
    op: async () => {
      const t = freeTimes[freeIndex++];
      if (!t) throw new Error("the seeded free times ran out (more specialists, or fewer rounds)");
      await must(api("POST", "/v1/consultations/bookings", "worker13", bookingBody(t, `budget-book-${letters(++seq)}`, "sw-1")), 201, "booking");
      return 1;
    },
  },
  {
    name: "slot search (POST /v1/meetings/find-times, 3 people, 2 weeks)",
    unit: "search",
    goal: 2,
    concurrency: 8,
    route: { method: "POST", body: findBody, perOp: 1 },
    op: async () => {
      await must(api("POST", "/v1/meetings/find-times", "worker13", findBody), 200, "find-times");
      return 1;
    },
  },
  {
    name: "one notification sent (a ReferralSubmitted record consumed, the intake desk's in-app item stored)",
    unit: "notification",
    goal: 1.5,
    concurrency: 4,
    route: { method: "POST", body: undefined, perOp: 0 },
    op: async () => {
      const messages = Array.from({ length: 10 }, () => ({
        key: uniqueName("k"),
        value: submittedRecord.value,
        headers: { ...submittedRecord.headers, ce_id: uniqueName("budget-copy") },
      }));
      await producer.send({ topic: system.topicPrefix + REFERRAL_TOPIC.name, acks: -1, messages });
      copiesProduced += 10;
      return 10;
    },
  },
];
let deliveriesBase = 0;
const notificationPath = PATHS[6] as Path;
notificationPath.settle = () =>
  waitFor(async () => (await deliveries()) >= deliveriesBase + copiesProduced, { what: "every copy's delivery stored", timeoutMs: 60_000 });

// ------------------------------------------------------------------ the bare parts
const Echo = makeGenericClientConstructor(echoDefinition, "Echo");
const echoClient = new Echo(`127.0.0.1:${echoPort}`, credentials.createInsecure()) as unknown as {
  echo: (b: Buffer, md: Metadata, o: object, cb: (e: Error | null) => void) => void;
};
const echoPayload = Buffer.alloc(400, 7);
const bareTopic = `bench-${uniqueName("budget").slice(-10)}.bare.v1`;
await admin.createTopics({ topics: [{ topic: bareTopic, numPartitions: 6 }] });
const sampleValue = Buffer.alloc(Math.max(200, submittedRecord.value?.length ?? 400), 1);
const sampleHeaders = { ...submittedRecord.headers };
const bareRoute = (method: string, body: unknown) => async () => {
  const r = await fetch(`http://127.0.0.1:${barePort}/bare`, {
    method,
    ...(body === undefined ? {} : { headers: { "content-type": "application/json", authorization: `Bearer ${tokens.teacher}` }, body: JSON.stringify(body) }),
  });
  await r.text();
};
const bareEcho = () =>
  new Promise<void>((resolve, reject) => echoClient.echo(echoPayload, new Metadata(), { deadline: Date.now() + 5000 }, (e) => (e ? reject(e) : resolve())));
// ------------------------------------------------------------------ the rounds
interface RoundResult {
  ops: number;
  subject: Cpu;
  bare: Record<string, number>;
  counts: {
    statements: number;
    redis: number;
    grpc: number;
    produced: number;
    consumed: number;
    sqlErrors: number;
    redisErrors: number;
    idleStatements: number;
    pacerMs: number;
  };
}
const results = new Map<string, RoundResult[]>();
const SUBJECT_PARTS = [...SERVICES, "PostgreSQL", "Kafka", "Redis", "load generator"];

async function subjectRun(
  path: Path,
  idleRate: Cpu,
): Promise<{ ops: number; cpu: Cpu; seconds: number; rec: Record<ServiceName, Recording>; produced: number; consumed: number }> {
  // Warm-up with the same load (recorded, and caught up on the copies, but not measured).
  await closedLoop(WARMUP_MS, path.concurrency, path.op);
  await settleAll(path);
  await catchUp(await mark());
  const p0 = await produced();
  const c0 = await consumed(GROUPS);
  let ops = 0;
  const m = await measured(idleRate, SUBJECT_PARTS, async () => {
    ops = await closedLoop(WINDOW_MS, path.concurrency, path.op);
    await settleAll(path);
  });
  const rec = await mark();
  return { ops, cpu: m.cpu, seconds: m.seconds, rec, produced: (await produced()) - p0, consumed: (await consumed(GROUPS)) - c0 };
}

/** Starts `n` calls of `fn` evenly over `ms` (an open loop at the path's own rate), then waits for all. */
async function paced(n: number, ms: number, fn: () => Promise<unknown>): Promise<void> {
  const start = performance.now();
  const calls: Promise<unknown>[] = [];
  for (let i = 0; i < n; i++) {
    await until(start, (i * ms) / Math.max(1, n));
    calls.push(fn());
  }
  await Promise.all(calls);
}

let lastPacerMs = 0;
const BARE_PARTS = ["bare route", "bare echo", "PostgreSQL", "Redis", "Kafka", "load generator"];
const BARE_COLUMNS = ["bare route (server)", "bare echo (server)", "PostgreSQL", "Redis", "Kafka", "load generator"];
/**
 * The path's bare parts, all at once and in the path's own rhythm over as long as its window took:
 * the bare route and the echo as many times as the path's operations and the services' served
 * calls, evenly spread; the same statements and Redis commands each at the time the services
 * sent it; as many records produced, evenly spread, and consumed as they arrive. So neither side
 * gains from being packed tighter than the other (a request that waits for a slow booking costs
 * the gateway a wake-up of its own; so does a bare request that arrives as seldom).
 */
async function bareRun(
  path: Path,
  s: Awaited<ReturnType<typeof subjectRun>>,
  idleRate: Cpu,
  idleSqlPerSecond: number,
): Promise<{ bare: Record<string, number>; sqlErrors: number; redisErrors: number }> {
  const ms = s.seconds * 1000;
  const routeCalls = Math.round(s.ops * path.route.perOp);
  const grpc = SERVICES.reduce((n, x) => n + s.rec[x].grpcCalls, 0);
  const redisRec = SERVICES.flatMap((x) => s.rec[x].redis.map((r) => ({ ...r, c: r.c + 1000 * SERVICES.indexOf(x) }))).sort((a, b) => a.at - b.at);
  const batch = path.name.startsWith("an intake") ? 100 : Math.max(1, Math.min(100, Math.round(s.produced / Math.max(1, s.ops))));
  const batches = Math.ceil(s.produced / batch);
  // Each consumer group reads every produced record: as many groups as the path's reads per record.
  const toConsume = s.consumed + (path.settle === undefined || path === notificationPath ? 0 : s.ops);
  const groups = s.produced > 0 ? Math.max(0, Math.round(toConsume / s.produced)) : 0;
  const readers = await Promise.all(Array.from({ length: groups }, () => bareReader(batches * batch)));

  const errors0 = DB_SERVICES.reduce((n, x) => n + copies[x].sql.errors, 0);
  const redisErrors0 = redisReplayer.errors;
  await Promise.all(DB_SERVICES.map((x) => copies[x].sql.prepare(s.rec[x].sql)));
  await redisReplayer.prepare(redisRec);
  const m = await measured(idleRate, BARE_PARTS, async () => {
    const start = performance.now();
    await Promise.all([
      paced(routeCalls, ms, bareRoute(path.route.method, path.route.body)),
      paced(grpc, ms, bareEcho),
      ...DB_SERVICES.map((x) => copies[x].sql.replay(s.rec[x].sql, { start })),
      redisReplayer.replay(redisRec, start),
      paced(batches, ms, () =>
        producer.send({
          topic: bareTopic,
          acks: -1,
          messages: Array.from({ length: batch }, () => ({ key: uniqueName("k"), value: sampleValue, headers: sampleHeaders })),
        }),
      ),
      // Bounded: a reader that missed records (it joined late) must not stall the bench.
      ...readers.map((r) => {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            process.stderr.write(`budget: a bare reader read fewer records than produced (${path.name}); its consume is undercounted\n`);
            resolve();
          }, ms + 15_000);
        });
        return Promise.race([r.done.then(() => clearTimeout(timer)), late]);
      }),
    ]);
  });
  await Promise.all(readers.map((r) => r.stop()));
  // The pacer's own CPU (its timers and wake-ups on the same schedule, sending nothing): the
  // bare parts do not need it, so it is taken off their load generator.
  const pacer = await measured(idleRate, ["load generator"], async () => {
    const start = performance.now();
    const follow = async (times: number[]) => {
      for (const t of times) await until(start, t);
    };
    await Promise.all([
      paced(routeCalls, ms, async () => {}),
      paced(grpc, ms, async () => {}),
      ...DB_SERVICES.map((x) => follow(s.rec[x].sql.map((q) => q.at))),
      follow(redisRec.map((r) => r.at)),
      paced(batches, ms, async () => {}),
    ]);
  });
  lastPacerMs = pacer.cpu["load generator"] ?? 0;
  const bare: Record<string, number> = {
    "bare route (server)": m.cpu["bare route"] ?? 0,
    "bare echo (server)": m.cpu["bare echo"] ?? 0,
    // Less what the services' pollers sent in a window this long (their CPU is off the subject too).
    PostgreSQL: (m.cpu.PostgreSQL ?? 0) - idleSqlPerSecond * s.seconds,
    Redis: m.cpu.Redis ?? 0,
    Kafka: m.cpu.Kafka ?? 0,
    "load generator": (m.cpu["load generator"] ?? 0) - lastPacerMs,
  };
  return {
    bare,
    sqlErrors: DB_SERVICES.reduce((n, x) => n + copies[x].sql.errors, 0) - errors0,
    redisErrors: redisReplayer.errors - redisErrors0,
  };
}

/** A consumer of the bare topic, joined before the measured window, done when it has read `n` records written from now on. */
async function bareReader(n: number): Promise<{ done: Promise<void>; stop: () => Promise<void> }> {
  const c = kafka.consumer({ groupId: uniqueName("budget-bare") });
  await c.connect();
  await c.subscribe({ topic: bareTopic, fromBeginning: false });
  const joined = new Promise<void>((r) => c.on(c.events.GROUP_JOIN, () => r()));
  let read = 0;
  let finish: () => void = () => {};
  const done = new Promise<void>((r) => {
    finish = r;
  });
  await c.run({
    eachBatch: async ({ batch: b, resolveOffset, heartbeat }) => {
      for (const m of b.messages) {
        resolveOffset(m.offset);
        if (++read >= n) finish();
      }
      await heartbeat();
    },
  });
  await joined;
  // Its partitions' positions are taken (latest) before anything is produced.
  await new Promise((r) => setTimeout(r, 500));
  if (n === 0) finish();
  return { done, stop: () => c.disconnect() };
}

process.stderr.write("budget: copying the databases\n");
await copyDatabases();
await catchUp(await mark());
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const path of PATHS) {
      process.stderr.write(`budget: round ${round + 1}, ${path.name}\n`);
      if (path === notificationPath) {
        deliveriesBase = await deliveries();
        copiesProduced = 0;
      }
      const idleRec0 = await mark();
      await catchUp(idleRec0);
      const idleRate = await idle();
      const idleRec = await mark();
      // What the pollers' statements of those idle seconds cost when sent again: taken off the bare SQL.
      const idleSql = await measured(idleRate, ["PostgreSQL", "load generator"], () => catchUp(idleRec));
      const idleSqlPerSecond = ((idleSql.cpu.PostgreSQL ?? 0) + (idleSql.cpu["load generator"] ?? 0)) / 3;
      const idleStatements = DB_SERVICES.reduce((n, x) => n + idleRec[x].sql.length, 0) / 3;
      // The path, then its bare parts from what its window recorded: subject and baseline
      // alternate, path by path and round by round.
      const s = await subjectRun(path, idleRate);
      const b = await bareRun(path, s, idleRate, idleSqlPerSecond);
      results.set(path.name, [
        ...(results.get(path.name) ?? []),
        {
          ops: s.ops,
          subject: s.cpu,
          bare: b.bare,
          counts: {
            statements: DB_SERVICES.reduce((n, x) => n + s.rec[x].sql.length, 0),
            redis: SERVICES.reduce((n, x) => n + s.rec[x].redis.length, 0),
            grpc: SERVICES.reduce((n, x) => n + s.rec[x].grpcCalls, 0),
            produced: s.produced,
            consumed: s.consumed,
            sqlErrors: b.sqlErrors,
            redisErrors: b.redisErrors,
            idleStatements,
            pacerMs: lastPacerMs,
          },
        },
      ]);
    }
  }
} finally {
  await inboxConsumer.disconnect().catch(() => undefined);
  await producer.disconnect().catch(() => undefined);
  await notificationsDb.end();
  await redisReplayer.close();
  await dropCopies();
  await admin.deleteTopics({ topics: [bareTopic] }).catch(() => undefined);
  await admin.disconnect();
  for (const c of children) c.kill("SIGTERM");
  await system.stop();
}

// ------------------------------------------------------------------ the table
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? (s[(s.length - 1) / 2] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};
const f = (x: number) => (Math.abs(x) >= 10 ? x.toFixed(1) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toFixed(3));
const rows: string[] = [];
const detail: string[] = [];
for (const path of PATHS) {
  const rs = results.get(path.name) ?? [];
  const per = (r: RoundResult) => ({
    subject: sum(r.subject) / r.ops,
    bare: sum(r.bare) / r.ops,
  });
  const ratios = rs.map((r) => per(r).subject / per(r).bare);
  const m = median(ratios);
  const subj = median(rs.map((r) => per(r).subject));
  const bareMs = median(rs.map((r) => per(r).bare));
  rows.push(
    `| ${path.name} | ${rs.map((r) => r.ops).join(", ")} | ${f(subj)} | ${f(bareMs)} | ${ratios.map((x) => `${x.toFixed(2)}×`).join(", ")} | **${m.toFixed(2)}×** | ≤ ${path.goal}× ${m <= path.goal ? "met" : "**not met**"} |`,
  );
  const byPart = (key: string) => median(rs.map((r) => (r.subject[key] ?? 0) / r.ops));
  const bareBy = (key: string) => median(rs.map((r) => (r.bare[key] ?? 0) / r.ops));
  const c = rs.at(-1)?.counts;
  detail.push(
    `| ${path.name.split(" (")[0]} | ${SUBJECT_PARTS.map((p) => f(byPart(p))).join(" | ")} | ${BARE_COLUMNS.map((p) => f(bareBy(p))).join(" | ")} | ${c ? `${(c.statements / (rs.at(-1)?.ops ?? 1)).toFixed(1)} SQL (${c.sqlErrors} failed again; ${c.idleStatements.toFixed(0)}/s while idle), ${(c.redis / (rs.at(-1)?.ops ?? 1)).toFixed(1)} Redis, ${(c.grpc / (rs.at(-1)?.ops ?? 1)).toFixed(1)} gRPC, ${(c.produced / (rs.at(-1)?.ops ?? 1)).toFixed(2)} produced, ${(c.consumed / (rs.at(-1)?.ops ?? 1)).toFixed(2)} consumed; the pacer's own ${f(c.pacerMs / (rs.at(-1)?.ops ?? 1))} ms taken off` : ""} |`,
  );
}
// The reading, from this run's figures: each path over its goal, by how much, and where its CPU went.
const reading: string[] = [];
for (const path of PATHS) {
  const rs = results.get(path.name) ?? [];
  const ratio = median(rs.map((r) => sum(r.subject) / r.ops / (sum(r.bare) / r.ops)));
  const over = median(rs.map((r) => (sum(r.subject) - sum(r.bare)) / r.ops));
  const top = SUBJECT_PARTS.map((p) => [p, median(rs.map((r) => (r.subject[p] ?? 0) / r.ops))] as const)
    .sort((x, y) => y[1] - x[1])
    .slice(0, 3)
    .map(([p, v]) => `${p} ${f(v)}`)
    .join(", ");
  const failedAgain = rs.reduce((n, r) => n + r.counts.sqlErrors, 0);
  reading.push(
    `- **${path.name.split(" (")[0]}**: ${ratio <= path.goal ? "within" : "over"} its goal (${ratio.toFixed(2)}× against ≤ ${path.goal}×), ${over >= 0 ? `${f(over)} ms more` : `${f(-over)} ms less`} than its bare parts per ${path.unit}; most of its CPU: ${top}.${failedAgain > 0 ? ` ${failedAgain} replayed statements failed (the copy had drifted), so its bare SQL is a little low.` : ""}`,
  );
}
const body = `### The CPU budget of each hot path against its bare parts

Command: \`make bench\` (\`node tests/bench/budget.ts\`; \`BUDGET_ROUNDS\`, default 3; \`BUDGET_SECONDS\`, default 4 per window), ${new Date().toISOString().slice(0, 16)}Z, ${cpus().length} cores, Node ${process.version}.
The six services run as processes of their own (tests/drills/system.ts) against the shared PostgreSQL, Kafka and Redis, all on the same cores as the load generator (this process, HTTP through the gateway).
CPU is read from /proc (10 ms ticks) over each measured window only, after ${WARMUP_MS / 1000} s of the same load; the system's idle CPU per second, measured just before, is taken off. Each round measures the path, then its bare parts from what that window recorded; the ratio is the median of the rounds'.
The bare parts run together in the path's own rhythm, over as long as its window took: the bare route (fastify, the path's method and body) and a bare grpc-js echo as many times as the path's operations and the services' served calls, evenly spread; the statements and Redis commands the services sent (recorded by \`tests/bench/record.mjs\`, preloaded into each service), each sent again by this process at the time the service sent it, to a copy of the service's database kept in step; as many records produced (evenly spread) and consumed as they arrive. Neither side gains from being packed tighter than the other. The pacer's own CPU (its timers on the same schedule, sending nothing), measured next, is taken off the bare side's load generator.

| path | operations per window | CPU ms per operation | bare parts, ms | ratio each round | median ratio | goal |
|---|---|---|---|---|---|---|
${rows.join("\n")}

Reading this run:

${reading.join("\n")}

A ratio below 1× means the path cost less than sending its parts one by one: the services batch what the bare parts send singly (the relay produces a round of outbox rows at once; a consumer reads many records a fetch).

Where it goes (ms per operation, medians of the rounds), the path's processes and then its bare parts' (the load generator's side of every bare part in its last column), and what the path did per operation in the last round:

| path | ${SUBJECT_PARTS.join(" | ")} | ${BARE_COLUMNS.map((c) => `bare: ${c}`).join(" | ")} | per operation |
|---|${SUBJECT_PARTS.map(() => "---").join("|")}|${BARE_COLUMNS.map(() => "---").join("|")}|---|
${detail.join("\n")}
`;
const docPath = fileURLToPath(new URL("../../docs/benchmarks.md", import.meta.url));
writeFileSync(docPath, replaceSection(readFileSync(docPath, "utf8"), "budget", body));
process.stdout.write(body);
process.exit(0);
