// `make bench` (consultations): two figures, each next to a bare baseline measured in the same run.
// 1. Booking (Book over gRPC: every rule, the specialist's row lock, the insert under the exclusion
//    constraint, the history row and the outbox event) at concurrency 50, next to the same INSERT
//    under the exclusion constraint issued directly from a pg client at concurrency 50.
// 2. Slot listing for "any of 20 specialists with this skill, 4 weeks", one call at a time, next
//    to the bare SQL that reads the same rows (the specialists and the bookings holding time).
// The consent and consultations services run in child processes; CPU per operation from /proc.
import { randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { credentials } from "@grpc/grpc-js";
import { helsinkiDate, instantAt, nthWorkingDayAfter } from "@silta/calendar";
import { BookingKind, ConsultationServiceClient } from "@silta/contracts/consultations/v1/consultations.ts";
import { bookingConfirmed, CONSULTATION_TOPIC } from "@silta/contracts/events";
import { PROTOBUF } from "@silta/events";
import { proveCallsOf, unary } from "@silta/grpc";
import type { Identity } from "@silta/platform";
import { outboxInsert } from "@silta/postgres";
import { cpuNow, cpuPerCall, createTestDatabase, forkService, pidsOf, replaceSection, runLoad, testEnv, testIdentities, uniqueName } from "@silta/testing";
import { registerSpecialist } from "@silta/tests/chain";
import pg from "pg";

const SECONDS = Number(process.env.BENCH_CONSULTATION_SECONDS ?? 10);
const CONCURRENCY = 50;
const LISTINGS = Number(process.env.BENCH_CONSULTATION_LISTINGS ?? 200);
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const coordinator: Identity = {
  subject: "bench-coord",
  organisationId: "pohjois-savo-hyvinvointialue",
  organisationType: "wellbeing_area",
  roles: ["consultation_coordinator"],
  areaCodes: ["13"],
  municipalityCodes: [],
};
const worker: Identity = {
  subject: "bench-msw",
  organisationId: "kuopio-sosiaalityo",
  organisationType: "municipality",
  roles: ["social_worker"],
  areaCodes: [],
  municipalityCodes: ["297"],
};

const [db, consentDb] = await Promise.all([createTestDatabase("bench_consultations"), createTestDatabase("bench_consult_consent")]);
const brokers = testEnv.kafkaBrokers.join(",");
const ids = await testIdentities();
const prefix = `${uniqueName("bench").replace("_", "-")}.`;
const consent = await forkService(
  here("../../consent/src/main.ts"),
  { SILTA_GRPC_PORT: "50171", SILTA_DATABASE_URL: consentDb.url, SILTA_KAFKA_BROKERS: brokers, SILTA_KAFKA_TOPIC_PREFIX: prefix, ...ids.env() },
  9195,
);
const service = await forkService(
  here("../src/main.ts"),
  {
    SILTA_GRPC_PORT: "50173",
    SILTA_DATABASE_URL: db.url,
    SILTA_KAFKA_BROKERS: brokers,
    SILTA_KAFKA_TOPIC_PREFIX: prefix,
    SILTA_CONSENT_ADDRESS: "127.0.0.1:50171",
    SILTA_AREA_CODE: "13",
    SILTA_PSEUDONYM_KEY: Buffer.alloc(32, 3).toString("base64"),
    SILTA_DB_POOL_SIZE: "20",
    ...ids.env("consultations"),
  },
  9196,
  process.env.BENCH_PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [],
);
const client = proveCallsOf(new ConsultationServiceClient("127.0.0.1:50173", credentials.createInsecure()), {
  prover: ids.prover.gateway,
  audience: "silta-consultations",
});
const pool = new pg.Pool({ connectionString: db.url, max: 20 });

/** Registers `n` specialists of `skill` with the given weekly hours; their ids. */
async function specialists(n: number, skill: string, weekdays: number[], start: string, end: string): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const person: Identity = {
      ...coordinator,
      subject: uniqueName("spec"),
      organisationId: "pohjois-savo-erityispalvelut",
      roles: ["consultation_specialist"],
    };
    const { specialistId: id } = await registerSpecialist(client, {
      coordinator,
      person,
      skills: [skill],
      weekdays,
      start,
      end,
      worksOnHolidays: true,
      rules: { bufferAfterMinutes: 0, minimumNoticeMinutes: 0, bookingWindowDays: 365 },
    });
    out.push(id);
  }
  return out;
}

const parts = (extra: Record<string, () => number[]>) => ({ ...extra, PostgreSQL: pidsOf("postgres") });
const fmt = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : "–");
try {
  // --- 1. booking vs the bare insert -------------------------------------------------------
  // Round the clock, every day: 20 specialists × 96 quarter-hours a day, a distinct time per call.
  const everyDay = [1, 2, 3, 4, 5, 6, 7];
  const bookers = await specialists(20, "mental_health", everyDay, "00:00", "24:00");
  const spread = await specialists(CONCURRENCY, "substance_abuse", everyDay, "00:00", "24:00");
  const sqlSpread = await specialists(CONCURRENCY, "placed_children", everyDay, "00:00", "24:00");
  const bare = await specialists(20, "violence", everyDay, "00:00", "24:00");
  const writeSpread = await specialists(CONCURRENCY, "early_childhood", everyDay, "00:00", "24:00");
  const base = Date.parse(`${nthWorkingDayAfter(helsinkiDate(new Date()), 2, { evesOff: true })}T00:00:00Z`);
  const slot = (ids: string[], i: number) => ({
    specialistId: ids[i % ids.length] as string,
    start: new Date(base + Math.floor(i / ids.length) * 15 * 60_000),
  });
  let n = 0;
  const details = {
    kind: BookingKind.BOOKING_KIND_CONSULTATION,
    lengthMinutes: 15,
    responsibleWorkerRef: "sw-1",
    municipalityCode: "297",
    childHetu: "",
    topic: "",
    location: "Kuopio",
    videoLink: "",
    dataCategory: "",
  };
  const bookOn = (ids: string[]) => () => {
    const s = slot(ids, n++);
    return unary(
      client,
      client.book,
      { requestId: uniqueName("b"), specialistId: s.specialistId, skill: "", language: "", start: s.start.toISOString(), details, recurrence: "" },
      { identity: worker, deadlineMs: 20_000 },
    );
  };
  let m = 0;
  const insert = () => {
    const s = slot(bare, m++);
    const id = randomUUID();
    const end = new Date(s.start.getTime() + 15 * 60_000);
    return pool.query(
      `INSERT INTO bookings (booking_id, specialist_id, kind, status, starts_at, ends_at, occupied, requester_ref, requester_organisation_id, responsible_worker_ref, municipality_code, location, ical_uid, assigned_by)
       VALUES ($1, $2, 'consultation', 'confirmed', $3, $4, tstzrange($3, $4), 'bench-msw', 'kuopio-sosiaalityo', 'sw-1', '297', 'Kuopio', $5, 'fixed')`,
      [id, s.specialistId, s.start, end, `${id}@silta`],
    );
  };
  // The same SQL a booking issues, straight from a pg client: the sum of a booking's database
  // parts (its reads before the transaction, the request key, the specialist's lock, the read of
  // the week's bookings, the insert, history + last-booked + outbox in one statement), whose outbox
  // row the running service's relay then publishes like any other.
  let q = 0;
  const bookingSql = async () => {
    const s = slot(sqlSpread, q++);
    const id = randomUUID();
    const end = new Date(s.start.getTime() + 15 * 60_000);
    const key = `18:kuopio-sosiaalityo:${uniqueName("sql")}`;
    await pool.query("SELECT booking_ids FROM booking_requests WHERE request_key = $1", [key]);
    await pool.query("SELECT * FROM specialists WHERE specialist_id = $1", [s.specialistId]);
    await pool.query("SELECT * FROM fairness_settings");
    const c = await pool.connect();
    try {
      await c.query("BEGIN");
      await c.query("INSERT INTO booking_requests (request_key, booking_ids) VALUES ($1, $2) ON CONFLICT DO NOTHING", [key, [id]]);
      await c.query("SELECT * FROM specialists WHERE specialist_id = $1 FOR UPDATE", [s.specialistId]);
      await c.query(
        "SELECT *, lower(occupied) AS occupied_from, upper(occupied) AS occupied_to FROM bookings WHERE specialist_id = $1 AND occupied && tstzrange($2, $3) AND status IN ('held', 'confirmed') ORDER BY starts_at",
        [s.specialistId, new Date(s.start.getTime() - 8 * 86_400_000), new Date(s.start.getTime() + 8 * 86_400_000)],
      );
      await c.query(
        `INSERT INTO bookings (booking_id, specialist_id, kind, status, starts_at, ends_at, occupied, requester_ref, requester_organisation_id, responsible_worker_ref, municipality_code, location, ical_uid, assigned_by)
         VALUES ($1, $2, 'consultation', 'confirmed', $3, $4, tstzrange($3, $4), 'bench-msw', 'kuopio-sosiaalityo', 'sw-1', '297', 'Kuopio', $5, 'fixed') ON CONFLICT DO NOTHING`,
        [id, s.specialistId, s.start, end, `${id}@silta`],
      );
      const outbox = outboxInsert(
        [
          {
            topic: CONSULTATION_TOPIC.name,
            aggregateId: s.specialistId,
            event: { type: bookingConfirmed.type, source: "/silta/consultations/13", subject: id, contentType: PROTOBUF, data: Buffer.from(id) },
          },
        ],
        4,
      );
      await c.query(
        `WITH h AS (INSERT INTO booking_history (booking_id, action, actor_ref, actor_organisation_id, reason, at) VALUES ($1, 'confirmed', 'bench-msw', 'kuopio-sosiaalityo', '', $3)),
              m AS (UPDATE specialists SET last_booked_at = $3 WHERE specialist_id = $2)
         ${outbox.sql}`,
        [id, s.specialistId, new Date(), ...outbox.params],
      );
      await c.query("COMMIT");
    } catch (err) {
      await c.query("ROLLBACK");
      throw err;
    } finally {
      c.release();
    }
  };
  // A lower bound for any booking that writes what the issue asks atomically: its four writes (the
  // request key, the booking under the exclusion constraint, its history row, its outbox event) in
  // ONE statement, one round trip, no rules, no lock, no reads. If even this is far below half the
  // bare insert, the ≥ 0.5× goal is out of reach whatever the service does around its SQL.
  let w = 0;
  const writesOnly = () => {
    const s = slot(writeSpread, w++);
    const id = randomUUID();
    const end = new Date(s.start.getTime() + 15 * 60_000);
    const outbox = outboxInsert(
      [
        {
          topic: CONSULTATION_TOPIC.name,
          aggregateId: s.specialistId,
          event: { type: bookingConfirmed.type, source: "/silta/consultations/13", subject: id, contentType: PROTOBUF, data: Buffer.from(id) },
        },
      ],
      8,
      "EXISTS (SELECT 1 FROM b)",
    );
    return pool.query(
      `WITH k AS (INSERT INTO booking_requests (request_key, booking_ids) VALUES ($6, ARRAY[$1::uuid]) ON CONFLICT DO NOTHING),
            b AS (INSERT INTO bookings (booking_id, specialist_id, kind, status, starts_at, ends_at, occupied, requester_ref, requester_organisation_id, responsible_worker_ref, municipality_code, location, ical_uid, assigned_by)
                  VALUES ($1, $2, 'consultation', 'confirmed', $3, $4, tstzrange($3, $4), 'bench-msw', 'kuopio-sosiaalityo', 'sw-1', '297', 'Kuopio', $5, 'fixed') ON CONFLICT DO NOTHING RETURNING booking_id),
            h AS (INSERT INTO booking_history (booking_id, action, actor_ref, actor_organisation_id, reason, at) SELECT booking_id, 'confirmed', 'bench-msw', 'kuopio-sosiaalityo', '', $7 FROM b)
       ${outbox.sql}`,
      [id, s.specialistId, s.start, end, `${id}@silta`, `18:kuopio-sosiaalityo:${uniqueName("w")}`, new Date(), ...outbox.params],
    );
  };
  const measure = async (name: string, fn: () => Promise<unknown>, cpuParts: Record<string, () => number[]>) => {
    // CPU over the measured calls only: read when the warm-up is over.
    let before = cpuNow(parts(cpuParts));
    const onMeasuring = () => {
      before = cpuNow(parts(cpuParts));
    };
    const r = await runLoad({ concurrency: CONCURRENCY, durationMs: SECONDS * 1000, warmupMs: 2000, onMeasuring }, fn);
    const cpu = cpuPerCall(before, cpuNow(parts(cpuParts)), r.calls + r.errors);
    console.log(name, r, cpu);
    return { r, cpu };
  };
  const bareRun = await measure("bare insert", insert, {});
  const bookRun = await measure("Book", bookOn(bookers), { "consultations service": () => [service.pid as number] });
  n = 0;
  const spreadRun = await measure("Book, one specialist per caller", bookOn(spread), { "consultations service": () => [service.pid as number] });
  const sqlRun = await measure("the same SQL directly", bookingSql, {});
  const writesRun = await measure("the writes in one statement", writesOnly, {});
  const bareAgain = await measure("bare insert (again)", insert, {});
  const bareRate = (bareRun.r.perSecond + bareAgain.r.perSecond) / 2;

  // --- 2. slot listing vs the bare read ----------------------------------------------------
  // 20 specialists of one skill, weekdays 09:00–15:00, every fourth hour-slot booked.
  const listed = await specialists(20, "systemic_practice", [1, 2, 3, 4, 5], "09:00", "15:00");
  const from = nthWorkingDayAfter(helsinkiDate(new Date()), 3, { evesOff: true });
  const to = new Date(Date.parse(from) + 27 * 86_400_000).toISOString().slice(0, 10);
  let k = 0;
  for (let day = 0; day < 28; day++) {
    const date = new Date(Date.parse(from) + day * 86_400_000).toISOString().slice(0, 10);
    for (const id of listed) {
      const start = new Date(instantAt(date, ["09:00", "13:00"][k++ % 2] as string, "Europe/Helsinki"));
      await unary(
        client,
        client.book,
        {
          requestId: uniqueName("l"),
          specialistId: id,
          skill: "",
          language: "",
          start: start.toISOString(),
          details: { ...details, lengthMinutes: 60 },
          recurrence: "",
        },
        { identity: worker },
      ).catch(() => undefined);
    }
  }
  const listAs = (groupBySpecialist: boolean) => () =>
    unary(
      client,
      client.listSlots,
      {
        specialistId: "",
        skill: "systemic_practice",
        language: "",
        kind: 1,
        lengthMinutes: 60,
        fromDate: from,
        toDate: to,
        withReasons: false,
        municipalityCode: "",
        groupBySpecialist,
      },
      { identity: worker, deadlineMs: 20_000 },
    );
  const rangeFrom = new Date(Date.parse(from) - 8 * 86_400_000);
  const rangeTo = new Date(Date.parse(to) + 9 * 86_400_000);
  const read = async () => {
    const s = await pool.query("SELECT * FROM specialists WHERE $1 = ANY(skills) ORDER BY specialist_id", ["systemic_practice"]);
    await pool.query(
      "SELECT *, lower(occupied) AS occupied_from, upper(occupied) AS occupied_to FROM bookings WHERE specialist_id = ANY($1::uuid[]) AND occupied && tstzrange($2, $3) AND (status = 'confirmed' OR (status = 'held' AND expires_at > $4))",
      [s.rows.map((r) => r.specialist_id), rangeFrom, rangeTo, new Date()],
    );
  };
  // The listing's own statements issued directly: only the columns it uses, instants as numbers.
  const readAsListing = async () => {
    const s = await pool.query("SELECT * FROM specialists WHERE $1 = ANY(skills) ORDER BY specialist_id", ["systemic_practice"]);
    await pool.query(
      `SELECT specialist_id, priority, (extract(epoch FROM starts_at) * 1000)::float8 AS s, (extract(epoch FROM ends_at) * 1000)::float8 AS e,
              (extract(epoch FROM lower(occupied)) * 1000)::float8 AS of, (extract(epoch FROM upper(occupied)) * 1000)::float8 AS ot
         FROM bookings WHERE specialist_id = ANY($1::uuid[]) AND occupied && tstzrange($2, $3) AND (status = 'confirmed' OR (status = 'held' AND expires_at > $4))`,
      [s.rows.map((r) => r.specialist_id), rangeFrom, rangeTo, new Date()],
    );
  };
  const sequential = async (name: string, fn: () => Promise<unknown>, cpuParts: Record<string, () => number[]>) => {
    for (let i = 0; i < 20; i++) await fn();
    const before = cpuNow(parts(cpuParts));
    const times: number[] = [];
    for (let i = 0; i < LISTINGS; i++) {
      const t = performance.now();
      await fn();
      times.push(performance.now() - t);
    }
    const cpu = cpuPerCall(before, cpuNow(parts(cpuParts)), LISTINGS);
    times.sort((a, b) => a - b);
    console.log(name, times[Math.floor(LISTINGS / 2)], cpu);
    return { p50: times[Math.floor(LISTINGS / 2)] as number, p99: times[Math.floor(LISTINGS * 0.99)] as number, cpu };
  };
  // Fresh statistics, as autovacuum would have them by now: the bookings table has grown by the
  // bare inserts above, and a stale estimate picks a sequential scan for both reads.
  await pool.query("ANALYZE bookings");
  const slotsSeen = (await listAs(false)()).slots.length;
  const bareRead = await sequential("bare read", read, {});
  const ownRead = await sequential("the listing's SQL directly", readAsListing, {});
  const listing = await sequential("ListSlots", listAs(false), { "consultations service": () => [service.pid as number] });
  const grouped = await sequential("ListSlots grouped", listAs(true), { "consultations service": () => [service.pid as number] });

  const cpuRow = (name: string, c: Record<string, number>) =>
    `| ${name} | ${Object.entries(c)
      .map(([p, v]) => `${p} ${fmt(v, 2)}`)
      .join(", ")} |`;
  const body = `### consultations: booking and slot listing

Command: \`make bench\` (\`node services/consultations/bench/booking-bench.ts\`; \`BENCH_CONSULTATION_SECONDS\`, default 10), ${new Date().toISOString().slice(0, 16)}Z, ${cpus().length} cores, Node ${process.version}.
The consent and consultations services, PostgreSQL and the load generator share the machine. Each booking is a distinct 15-minute time of one of 20 specialists (no conflicts: this measures the path, the races are tested in \`make test\`).

**Booking at concurrency ${CONCURRENCY}** (closed loop, ${SECONDS} s each after 2 s warm-up; the bare insert before and after the service's run):

| what | calls | errors | per s | p50 ms | p99 ms |
|---|---|---|---|---|---|
| bare INSERT under the exclusion constraint (pg, 20 connections) | ${bareRun.r.calls} | ${bareRun.r.errors} | ${fmt(bareRun.r.perSecond)} | ${fmt(bareRun.r.p50Ms, 2)} | ${fmt(bareRun.r.p99Ms, 2)} |
| \`Book\` over gRPC (rules under the specialist's lock, insert, history, outbox), 20 specialists: 2.5 callers queue on each one's lock | ${bookRun.r.calls} | ${bookRun.r.errors} | ${fmt(bookRun.r.perSecond)} | ${fmt(bookRun.r.p50Ms, 2)} | ${fmt(bookRun.r.p99Ms, 2)} |
| \`Book\`, ${CONCURRENCY} specialists: no caller waits for another's lock | ${spreadRun.r.calls} | ${spreadRun.r.errors} | ${fmt(spreadRun.r.perSecond)} | ${fmt(spreadRun.r.p50Ms, 2)} | ${fmt(spreadRun.r.p99Ms, 2)} |
| the same SQL a booking issues, directly from pg (reads, request key, lock, the week's bookings, insert, history + outbox), ${CONCURRENCY} specialists | ${sqlRun.r.calls} | ${sqlRun.r.errors} | ${fmt(sqlRun.r.perSecond)} | ${fmt(sqlRun.r.p50Ms, 2)} | ${fmt(sqlRun.r.p99Ms, 2)} |
| a booking's four writes (request key, booking, history, outbox) in one statement, directly from pg: a lower bound (no rules, no lock, no reads) | ${writesRun.r.calls} | ${writesRun.r.errors} | ${fmt(writesRun.r.perSecond)} | ${fmt(writesRun.r.p50Ms, 2)} | ${fmt(writesRun.r.p99Ms, 2)} |
| bare INSERT again | ${bareAgain.r.calls} | ${bareAgain.r.errors} | ${fmt(bareAgain.r.perSecond)} | ${fmt(bareAgain.r.p50Ms, 2)} | ${fmt(bareAgain.r.p99Ms, 2)} |

**Booking throughput / bare insert throughput: ${fmt(bookRun.r.perSecond / bareRate, 2)}× (20 specialists), ${fmt(spreadRun.r.perSecond / bareRate, 2)}× (${CONCURRENCY} specialists)** (goal ≥ 0.5×). Against the sum of its database parts (the same SQL directly): **${fmt(spreadRun.r.perSecond / sqlRun.r.perSecond, 2)}×** — what the service adds (gRPC, proof, rules, mapping) on top of its SQL. The lower bound (its four writes in one statement, nothing else) reaches **${fmt(writesRun.r.perSecond / bareRate, 2)}×** of the bare insert: ${writesRun.r.perSecond / bareRate < 0.5 ? "the ≥ 0.5× goal cannot be met by any booking that writes its request key, history and event with it" : "the goal is not ruled out by the writes alone"}.

CPU ms per operation:

| run | where |
|---|---|
${cpuRow("bare insert", bareRun.cpu)}
${cpuRow("Book (20 specialists)", bookRun.cpu)}
${cpuRow(`Book (${CONCURRENCY} specialists)`, spreadRun.cpu)}
${cpuRow("the same SQL directly", sqlRun.cpu)}
${cpuRow("the four writes in one statement", writesRun.cpu)}

**Slot listing, any of 20 specialists with one skill, 4 weeks** (${from} … ${to}, weekdays 09:00–15:00, two hours of each day booked; ${slotsSeen} slots answered), ${LISTINGS} calls one at a time after 20 unmeasured:

| what | p50 ms | p99 ms |
|---|---|---|
| bare read of the same rows (specialists of the skill, bookings holding time in the range) | ${fmt(bareRead.p50, 2)} | ${fmt(bareRead.p99, 2)} |
| the listing's own statements issued directly (the bookings' instants as numbers, only the columns it uses) | ${fmt(ownRead.p50, 2)} | ${fmt(ownRead.p99, 2)} |
| \`ListSlots\` over gRPC (one \`Slot\` per time) | ${fmt(listing.p50, 2)} | ${fmt(listing.p99, 2)} |
| \`ListSlots\` with \`groupBySpecialist\` (each specialist's start times) | ${fmt(grouped.p50, 2)} | ${fmt(grouped.p99, 2)} |

**Listing / bare read (p50): ${fmt(listing.p50 / bareRead.p50, 2)}× one slot per time, ${fmt(grouped.p50 / bareRead.p50, 2)}× grouped** (goal ≤ 2×). Against the listing's own statements issued directly: ${fmt(listing.p50 / ownRead.p50, 2)}× and ${fmt(grouped.p50 / ownRead.p50, 2)}×.

| run | CPU ms per call |
|---|---|
${cpuRow("bare read", bareRead.cpu)}
${cpuRow("the listing's SQL directly", ownRead.cpu)}
${cpuRow("ListSlots", listing.cpu)}
${cpuRow("ListSlots grouped", grouped.cpu)}
`;
  const path = here("../../../docs/benchmarks.md");
  writeFileSync(path, replaceSection(readFileSync(path, "utf8"), "consultations", body));
  console.log(body);
} finally {
  client.close();
  await pool.end();
  service.kill("SIGTERM");
  consent.kill("SIGTERM");
  await Promise.all([service, consent].map((c) => new Promise((r) => (c.exitCode === null ? c.once("exit", r) : r(null)))));
  await Promise.all([db.drop(), consentDb.drop()]);
}
