// Fault drills on the running system (gateway → referrals → consent, PostgreSQL, Kafka), each on
// servers of its own so that no other test file is disturbed: a private PostgreSQL cluster the
// test stops and starts, and a TCP proxy in front of the broker's fault-drill listener that the
// test cuts. They run in the suite's serial phase (scripts/run-tests.mjs), after the parallel one.
// What a client may see: 2xx, 503 with Retry-After, or 429 — never a 500, a hang or a reset — and
// every 2xx has its rows and its events; nothing is dead-lettered by an outage.
import { randomBytes } from "node:crypto";
import { captureLogs, createTestDatabase, faultProxy, freshHetu, privatePostgres, readTopicUntil, testEnv, uniqueName, waitFor } from "@silta/testing";
import { Kafka, type KafkaMessage, logLevel } from "kafkajs";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { type Chain, educationEvent, http, personas, referralSubmission, startChain } from "../support/chain.ts";

const logs = captureLogs("outages", "warn");
const FAULT_PORT = Number(process.env.SILTA_KAFKA_FAULT_PORT ?? 9096);
const PROXIED_PORT = Number(process.env.SILTA_KAFKA_PROXIED_PORT ?? 9095);

interface Answer {
  status: number;
  retryAfter: string | null;
  text: string;
  started: number;
  ms: number;
}

/**
 * Calls `request` from `workers` loops, 20 ms apart, until `untilMs` has passed, or (a function)
 * while it says so, for at most a minute: bounded, it stops by itself.
 */
async function load(workers: number, untilMs: number | (() => boolean), request: (i: number) => Promise<Answer>): Promise<Answer[]> {
  const answers: Answer[] = [];
  let n = 0;
  const end = Date.now() + (typeof untilMs === "number" ? untilMs : 60_000);
  const going = () => Date.now() < end && (typeof untilMs === "number" || untilMs());
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (going()) {
        answers.push(await request(n++));
        await new Promise((r) => setTimeout(r, 20));
      }
    }),
  );
  return answers;
}

async function timed(base: string, method: string, path: string, token: string, body: unknown): Promise<Answer> {
  const started = Date.now();
  const r = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(20_000),
  }).catch((e: Error) => ({ status: -1, headers: new Headers(), text: async () => String(e) }));
  return { status: r.status, retryAfter: r.headers.get("retry-after"), text: await r.text(), started, ms: Date.now() - started };
}

function expectOnlyActionableAnswers(answers: Answer[]) {
  for (const a of answers) {
    expect([200, 201, 429, 503], `${a.status} ${a.text.slice(0, 200)}`).toContain(a.status);
    if (a.status === 503 || a.status === 429) expect(a.retryAfter, a.text).toMatch(/^\d+$/);
    // No host, no port, no driver message in what a client reads.
    expect(a.text).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|:\d{4,5}\b/);
  }
}

const cleanups: (() => Promise<void> | void)[] = [];

/** The chain on databases of its own on the shared PostgreSQL; stopped and dropped after the file. */
async function chainOnTheSharedServer(name: string, options: Partial<Parameters<typeof startChain>[0]> = {}) {
  const [consentDb, referralsDb] = await Promise.all([createTestDatabase(`${name}_consent`), createTestDatabase(`${name}_referrals`)]);
  cleanups.push(
    () => consentDb.drop(),
    () => referralsDb.drop(),
  );
  const chain = await startChain({
    consentDbUrl: consentDb.url,
    referralsDbUrl: referralsDb.url,
    logger: logs.logger,
    consumerGroup: uniqueName(name),
    ...options,
  });
  cleanups.push(() => chain.stop());
  return { chain, referralsDbUrl: referralsDb.url };
}
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe("PostgreSQL goes down and comes back", () => {
  it("answers every submission 201 or 503 with Retry-After, and every 201 has its referral and its published events", async () => {
    const cluster = await privatePostgres();
    cleanups.push(() => cluster.dispose());
    const suffix = randomBytes(4).toString("hex");
    for (const db of [`consent_${suffix}`, `referrals_${suffix}`]) cluster.createDatabase(db);
    const chain: Chain = await startChain({
      consentDbUrl: cluster.url(`consent_${suffix}`),
      referralsDbUrl: cluster.url(`referrals_${suffix}`),
      logger: logs.logger,
      consumerGroup: uniqueName("outage-pg"),
    });
    cleanups.push(() => chain.stop());
    const token = await chain.token(personas.teacher);
    const prefix = uniqueName("pg");
    // The load goes on 4 s after PostgreSQL is back, however long its start took (a busy machine's
    // start once left less than that of a fixed 9 s, and the "served again" check saw no 201).
    const loadStarted = Date.now();
    let restartedAt = Number.POSITIVE_INFINITY;
    const loadDone = load(
      6,
      () => Date.now() < Math.max(loadStarted + 9000, restartedAt + 4000),
      (i) => timed(chain.baseUrl, "POST", "/v1/referrals", token, referralSubmission({ requestId: `${prefix}-${i}` })),
    );
    await new Promise((r) => setTimeout(r, 1500));
    cluster.stop();
    await new Promise((r) => setTimeout(r, 1000));
    // Readiness says so at once: a probe learns it in under a second, naming the dependency.
    const probeStarted = Date.now();
    const probe = await fetch(`http://127.0.0.1:${chain.referrals.adminPort}/readyz`);
    const probeMs = Date.now() - probeStarted;
    const probeBody = (await probe.json()) as { checks: Record<string, string> };
    await new Promise((r) => setTimeout(r, 2000));
    cluster.start();
    restartedAt = Date.now();
    const answers = await loadDone;

    expect({ status: probe.status, postgres: probeBody.checks.postgres }).toEqual({ status: 503, postgres: "failing" });
    expect(probeMs).toBeLessThan(1000);
    expectOnlyActionableAnswers(answers);
    const ok = answers.filter((a) => a.status === 201);
    const unavailable = answers.filter((a) => a.status === 503);
    expect(unavailable.length, `the outage was seen (answers: ${[...new Set(answers.map((a) => a.status))].join(", ")})`).toBeGreaterThan(0);
    expect(JSON.parse(unavailable[0]?.text ?? "{}")).toMatchObject({ status: 503, code: "SILTA_DEPENDENCY_UNAVAILABLE" });
    // Served again after the restart.
    expect(
      ok.some((a) => a.started > restartedAt),
      `a 201 for a submission sent after the restart (answers since: ${answers.filter((a) => a.started > restartedAt).map((a) => a.status)})`,
    ).toBe(true);

    const db = new pg.Client({ connectionString: cluster.url(`referrals_${suffix}`) });
    await db.connect();
    cleanups.push(() => db.end());
    const ids = ok.map((a) => (JSON.parse(a.text) as { receipt: { referralId: string } }).receipt.referralId);
    const rows = await db.query("SELECT count(*)::int AS n FROM referrals WHERE referral_id = ANY($1::uuid[])", [ids]);
    expect(rows.rows[0].n).toBe(ids.length);
    await waitFor(
      async () => (await db.query("SELECT count(*)::int AS n FROM silta_outbox WHERE aggregate_id = ANY($1) AND published_at IS NULL", [ids])).rows[0].n === 0,
      { what: "every event of every 201 published", timeoutMs: 30_000 },
    );
    const events = await db.query(
      "SELECT count(DISTINCT aggregate_id)::int AS n, count(*) FILTER (WHERE dead_at IS NOT NULL)::int AS dead FROM silta_outbox WHERE aggregate_id = ANY($1)",
      [ids],
    );
    expect(events.rows[0]).toEqual({ n: ids.length, dead: 0 });
  }, 120_000);
});

describe("Kafka becomes unreachable and comes back", () => {
  it("keeps taking referrals (their events wait, readiness says degraded), answers the intake 503 within 10 s, and loses and dead-letters nothing", async () => {
    const proxy = await faultProxy(FAULT_PORT, PROXIED_PORT);
    cleanups.push(() => proxy.close());
    const { chain, referralsDbUrl } = await chainOnTheSharedServer("outage_kafka", {
      kafkaBrokers: [`127.0.0.1:${FAULT_PORT}`],
      referralsEnv: { SILTA_OUTBOX_DEGRADED_AFTER_MS: "1500" },
      gatewayEnv: { SILTA_INTAKE_DEADLINE_MS: "4000", SILTA_RATE_LIMIT_PER_MINUTE: "100000" },
    });
    const teacher = await chain.token(personas.teacher);
    const publisher = await chain.token(personas.publisher);
    const prefix = uniqueName("kafka");

    proxy.cut();
    const referrals = load(3, 6000, (i) => timed(chain.baseUrl, "POST", "/v1/referrals", teacher, referralSubmission({ requestId: `${prefix}-${i}` })));
    const intake = timed(chain.baseUrl, "POST", "/v1/education-events", publisher, { events: [educationEvent(`${prefix}-cut`, freshHetu())] });
    await new Promise((r) => setTimeout(r, 2500));
    const readyz = await fetch(`http://127.0.0.1:${chain.referrals.adminPort}/readyz`);
    const during = { status: readyz.status, body: (await readyz.json()) as { checks: Record<string, string> } };
    const cutAnswers = [...(await referrals), await intake];
    proxy.restore();
    const after = await load(2, 3000, (i) =>
      timed(chain.baseUrl, "POST", "/v1/education-events", publisher, { events: [educationEvent(`${prefix}-after-${i}`, freshHetu())] }),
    );

    expectOnlyActionableAnswers([...cutAnswers, ...after]);
    // Referrals need only PostgreSQL: all taken; their events wait in the outbox.
    const submitted = cutAnswers.slice(0, -1);
    expect(submitted.length).toBeGreaterThan(0);
    expect(submitted.map((a) => a.status)).toEqual(submitted.map(() => 201));
    expect(during).toMatchObject({ status: 200, body: { checks: { postgres: "ok", "event-publishing": "degraded" } } });
    // The intake cannot store its events without Kafka: a 503 with Retry-After, in under 10 s.
    const cutIntake = cutAnswers.at(-1) as Answer;
    expect(cutIntake.status).toBe(503);
    expect(cutIntake.ms).toBeLessThan(10_000);
    expect(after.some((a) => a.status === 200)).toBe(true);

    const db = new pg.Client({ connectionString: referralsDbUrl });
    await db.connect();
    cleanups.push(() => db.end());
    await waitFor(async () => (await db.query("SELECT count(*)::int AS n FROM silta_outbox WHERE published_at IS NULL")).rows[0].n === 0, {
      what: "the outbox drained after the outage",
      timeoutMs: 45_000,
    });
    const outbox = await db.query(
      "SELECT count(*) FILTER (WHERE dead_at IS NOT NULL)::int AS dead, coalesce(max(attempts), 0)::int AS attempts FROM silta_outbox",
    );
    expect(outbox.rows[0]).toEqual({ dead: 0, attempts: 0 });
    // Every accepted education event is on the topic.
    const accepted = after.filter((a) => a.status === 200).flatMap((a) => (JSON.parse(a.text) as { results: { eventId: string; status: string }[] }).results);
    const ids = new Set(accepted.filter((r) => r.status === "accepted").map((r) => `297/16:kuopio-education:${r.eventId}`));
    const kafka = new Kafka({ clientId: "outage-test", brokers: testEnv.kafkaBrokers, logLevel: logLevel.NOTHING });
    const mine = (seen: KafkaMessage[]) => seen.filter((m) => ids.has(m.headers?.ce_id?.toString() ?? ""));
    const seen = await readTopicUntil(
      kafka,
      chain.educationTopic,
      (s) => new Set(mine(s).map((m) => m.headers?.ce_id?.toString())).size >= ids.size,
      "every accepted event",
    );
    expect(new Set(mine(seen).map((m) => m.headers?.ce_id?.toString())).size).toBe(ids.size);
  }, 150_000);
});

describe("an upstream service restarts", () => {
  it("answers 503 naming the service while it is down, and serves again within two seconds of its return", async () => {
    const { chain } = await chainOnTheSharedServer("outage_upstream");
    const token = await chain.token(personas.worker13);
    const list = () => http(chain.baseUrl, "GET", "/v1/referrals?areaCode=13", { token });
    expect((await list()).status).toBe(200);
    const bringBack = await chain.stopReferrals();
    const down = await list();
    expect(down.status).toBe(503);
    expect(down.headers.get("retry-after")).toBe("5");
    expect(down.body).toMatchObject({ code: "SILTA_GATEWAY_UPSTREAM_UNAVAILABLE", detail: "the referrals service is not reachable; retry shortly" });
    // Down for a while: the client's reconnect backoff has grown.
    await new Promise((r) => setTimeout(r, 4000));
    await bringBack();
    const back = Date.now();
    await waitFor(async () => (await list()).status === 200, { what: "the gateway to reach referrals again", timeoutMs: 10_000, intervalMs: 50 });
    expect(Date.now() - back).toBeLessThan(2000);
  }, 90_000);
});
