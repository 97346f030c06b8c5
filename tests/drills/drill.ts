// A fault drill on the running system (tests/drills/system.ts): a steady mixed load through the
// gateway — teachers submitting referrals with idempotency keys, retrying the same key after a
// 503, a 429 or a broken connection as a well-behaved client does; a worker booking specialists'
// free times the same way; a municipal system posting education events; reads that reach each of
// the five services — while one part is failed and brought back. Then the reckoning over the whole
// run: every accepted referral stored once, published once (after ce_id dedupe) and told to the
// intake desk once; every accepted booking stored, published once and told to its specialist once;
// every accepted education event on its topic; nothing lost, nothing duplicated.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { bookingConfirmed, CONSULTATION_TOPIC, EDUCATION_TOPIC, REFERRAL_TOPIC, referralSubmitted } from "@silta/contracts/events";
import { createKafka, headerString } from "@silta/events";
import { createLogger, idempotencyKey } from "@silta/platform";
import { freshHetu, readTopicUntil, testEnv, waitFor } from "@silta/testing";
import pg from "pg";
import { bookingBody, type FreeTime, seedFreeTimes } from "../support/system-load.ts";
import type { RunningSystem, ServiceName } from "./system.ts";

// The drill's organisations are its own (a suffix per run): the gateway counts requests per
// organisation in the shared Redis, and a drill's thousands a minute must not use up the limit of
// the organisations other test files act as (a PostgreSQL drill after it once saw only 429s).
const RUN = Math.random().toString(36).slice(2, 8);
/** A number written with the letters a–j (request ids with no digits). */
const lettersOf = (n: number) => [...String(n)].map((d) => String.fromCharCode(97 + Number(d))).join("");
const RUN_LETTERS = lettersOf(Math.floor(Math.random() * 1e9));
let sequence = 0;
export const PERSONAS = {
  teacher: { sub: "teacher-7", org_id: `kuopio-school-drill-${RUN}`, org_type: "municipality", roles: ["teacher"], municipality_codes: ["297"] },
  worker13: { sub: "sw-1", org_id: `pohjois-savo-drill-${RUN}`, org_type: "wellbeing_area", roles: ["child_protection_worker"], area_codes: ["13"] },
  coordinator: {
    sub: "coord-1",
    org_id: `pohjois-savo-coord-drill-${RUN}`,
    org_type: "wellbeing_area",
    roles: ["consultation_coordinator"],
    area_codes: ["13"],
  },
  deskAdmin: { sub: "desk-admin-1", org_id: `pohjois-savo-drill-${RUN}`, org_type: "wellbeing_area", roles: ["notifications_admin"], area_codes: ["13"] },
  publisher: {
    sub: "wilma-sync",
    org_id: `kuopio-education-drill-${RUN}`,
    org_type: "municipality",
    roles: ["education_event_publisher"],
    municipality_codes: ["297"],
  },
};

/** What a drill breaks: a service (SIGKILL and a start) or a shared server (scripts/infra.sh fault …). */
export interface Fault {
  name: string;
  /** The route whose first 2xx after the fault counts as "serving again". */
  route: string;
  /** Injects the fault and brings the part back; resolves when it is ready again. */
  inject(system: RunningSystem): Promise<void>;
  /** Whether clients may see broken connections (only when the gateway itself is killed). */
  breaksConnections: boolean;
}

export const serviceKill = (service: ServiceName): Fault => ({
  name: service,
  route: service === "gateway" ? "GET /v1/referrals" : `GET ${(READS[service] as string).split("?")[0]}`,
  breaksConnections: service === "gateway",
  async inject(system) {
    await system.kill(service);
    await system.start(service);
  },
});

const infraScript = fileURLToPath(new URL("../../scripts/infra.sh", import.meta.url));
/** A fault of a shared server; `make drills` only (the other test files share these servers). */
export const infraFault = (kind: "kafka-kill" | "postgres-fast" | "postgres-immediate" | "redis-flush"): Fault => ({
  name: kind,
  route: kind === "kafka-kill" ? "POST /v1/education-events" : "POST /v1/referrals",
  breaksConnections: false,
  async inject() {
    await promisify(execFile)("bash", [infraScript, "fault", kind], { timeout: 180_000 });
  },
});

/** The read that reaches each service (through the gateway, as the worker). */
const READS: Record<Exclude<ServiceName, "gateway">, string> = {
  referrals: "/v1/referrals?areaCode=13&limit=5",
  consent: "/v1/consents?subjectPseudonym=ps_drill_nobody_0123456789",
  consultations: "/v1/consultations/specialists",
  meetings: "/v1/meetings",
  notifications: "/v1/notifications/inbox?limit=5",
};

export type Outcome = number | "connection";
export interface Sample {
  at: number;
  route: string;
  outcome: Outcome;
  /** How long the client waited for it. */
  ms: number;
  /** The start of an unexpected answer's body (its problem document says why). */
  text?: string;
}

export interface DrillResult {
  service: string;
  /** Submissions started, and accepted in this drill (201, perhaps after retries with the same key). */
  submitted: number;
  accepted: number;
  /** Answers while the service was down or restarting (from the kill to its readiness), by status. */
  duringFault: Record<string, number>;
  /** The longest a client waited for an answer sent while the part was down (no hang: a bound). */
  slowestDuringFaultMs: number;
  /** Answers anywhere in the drill that are none of 2xx, 503 (with Retry-After), 429 or a broken connection. */
  unexpected: string[];
  /** From the kill to the service's readiness, and to its first 2xx through the gateway. */
  readyMs: number;
  servingMs: number;
  /** The answers of the service's own route once it was ready again, by status. */
  afterReady: Record<string, number>;
  requests: number;
  /** Education events accepted (200: accepted or duplicate of an accepted one), by event id. */
  eventsAccepted: number;
  /** Bookings accepted in this drill (201, perhaps after retries with the same request id). */
  bookingsAccepted: number;
}

export interface Reckoning {
  accepted: number;
  stored: number;
  published: number;
  /** Records of one referral's submission under more than one ce_id: what a consumer's dedupe cannot hide. */
  visibleDuplicates: number;
  /** The same ce_id read more than once (at-least-once; consumers dedupe them). */
  redelivered: number;
  toldIntakeDesk: number;
  lost: string[];
  /** Education events accepted, on the topic (distinct ce_id), records beyond one per ce_id, and lost. */
  events: { accepted: number; onTopic: number; redelivered: number; lost: number };
  /**
   * Bookings accepted; stored (confirmed, in the consultations database) and rows beyond them;
   * published (a confirmation on consultations.booking.v1); told to the specialist (an in-app
   * delivery for its confirmation's ce_id); published under more than one ce_id; lost (not stored).
   */
  bookings: { accepted: number; stored: number; extraRows: number; published: number; toldSpecialist: number; visibleDuplicates: number; lost: number };
}

/** What the whole run accepted: referral keys → reference numbers, education events' ce_ids, booking request ids → booking ids. */
export interface Accepted {
  referrals: Map<string, string>;
  events: Set<string>;
  bookings: Map<string, string>;
}
export const newAccepted = (): Accepted => ({ referrals: new Map(), events: new Set(), bookings: new Map() });

/** Runs the load for `durationMs`, injecting `fault` after `killAtMs` (the part is brought back at once); bookings take `freeTimes` in turn. */
export async function drill(
  system: RunningSystem,
  fault: Fault,
  all: Accepted,
  o: { durationMs: number; killAtMs: number; workers: number; freeTimes: FreeTime[] },
): Promise<DrillResult> {
  const accepted = all.referrals;
  const tokens = {
    teacher: await system.token(PERSONAS.teacher),
    worker: await system.token(PERSONAS.worker13),
    publisher: await system.token(PERSONAS.publisher),
  };
  const acceptedBefore = accepted.size;
  const eventsBefore = all.events.size;
  const bookingsBefore = all.bookings.size;
  const samples: Sample[] = [];
  const t0 = Date.now();
  // The load goes on at least 2 s after the service is ready again (a slow restart lengthens it).
  let end = t0 + o.durationMs;
  let submitted = 0;
  let killedAt = Number.POSITIVE_INFINITY;
  let readyAt = Number.POSITIVE_INFINITY;

  const call = async (method: string, path: string, token: string, body?: unknown): Promise<{ outcome: Outcome; retryAfter: string | null; json: unknown }> => {
    const started = Date.now();
    try {
      const r = await fetch(system.baseUrl + path, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(15_000),
      });
      const text = await r.text();
      // A 503 must say when to retry; without Retry-After it counts as unexpected.
      const expected = (r.status >= 200 && r.status < 300) || r.status === 429 || (r.status === 503 && r.headers.get("retry-after") !== null);
      samples.push({
        at: Date.now(),
        ms: Date.now() - started,
        route: `${method} ${path.split("?")[0]}`,
        outcome: r.status,
        ...(expected ? {} : { text: text.slice(0, 300) }),
      });
      let json: unknown = {};
      try {
        json = JSON.parse(text);
      } catch {}
      return { outcome: r.status, retryAfter: r.headers.get("retry-after"), json };
    } catch {
      samples.push({ at: Date.now(), ms: Date.now() - started, route: `${method} ${path.split("?")[0]}`, outcome: "connection" });
      return { outcome: "connection", retryAfter: null, json: {} };
    }
  };

  // Until the service is back (however long that takes) and the time is up.
  const going = () => Date.now() < end || readyAt === Number.POSITIVE_INFINITY;
  const submitter = async () => {
    while (going()) {
      // Letters only: an id of random hex now and then holds what looks like a henkilötunnus, which
      // the service refuses to keep as a key (400), rightly.
      const requestId = `drill-${RUN_LETTERS}-${lettersOf(++sequence)}`;
      submitted++;
      const body = {
        requestId,
        kind: "REFERRAL_KIND_CHILD_WELFARE_NOTIFICATION",
        notifier: {
          type: "NOTIFIER_TYPE_MANDATORY_PROFESSIONAL",
          organisationId: PERSONAS.teacher.org_id,
          role: "teacher",
          name: "Drill Opettaja",
          email: "opettaja@kuopio.example",
        },
        child: { hetu: freshHetu(), givenNames: "Testi", familyName: "Drilli" },
        homeMunicipalityCode: "297",
        concern: "Drill concern.",
      };
      // The same idempotency key until it is accepted (or refused for good): a retry never files it twice.
      for (let attempt = 0; attempt < 200; attempt++) {
        const r = await call("POST", "/v1/referrals", tokens.teacher, body);
        if (r.outcome === 201) {
          accepted.set(requestId, (r.json as { receipt: { referenceNumber: string } }).receipt.referenceNumber);
          break;
        }
        if (typeof r.outcome === "number" && r.outcome !== 503 && r.outcome !== 429) break;
        await new Promise((x) => setTimeout(x, Math.min(1000, Number(r.retryAfter ?? 0) * 1000 || 100)));
      }
    }
  };
  const reader = async () => {
    for (let i = 0; going(); i++) {
      const paths = Object.values(READS);
      await call("GET", paths[i % paths.length] as string, tokens.worker);
      await new Promise((x) => setTimeout(x, 20));
    }
  };
  // A municipal system posting batches of 10 education events, retrying a batch with the same
  // event ids until it is answered 200 (each event then accepted, or a duplicate of one accepted).
  const publisher = async () => {
    while (going()) {
      const events = Array.from({ length: 10 }, () => {
        const eventId = `drill-${RUN_LETTERS}-${lettersOf(++sequence)}`;
        return {
          eventId,
          municipalityCode: "297",
          unitId: "school-297-1",
          pupilId: `pupil-${lettersOf(sequence)}`,
          pupilHetu: freshHetu(),
          level: "EDUCATION_LEVEL_BASIC_EDUCATION",
          occurredOn: "2026-11-30",
          attendance: { kind: "ABSENCE_KIND_RECURRING", absentDays: 6, periodStart: "2026-10-01", periodEnd: "2026-10-31" },
        };
      });
      for (let attempt = 0; attempt < 200; attempt++) {
        const r = await call("POST", "/v1/education-events", tokens.publisher, { events });
        if (r.outcome === 200) {
          for (const e of events) all.events.add(`297/${idempotencyKey(PERSONAS.publisher.org_id, e.eventId)}`);
          break;
        }
        if (typeof r.outcome === "number" && r.outcome !== 503 && r.outcome !== 429) break;
        await new Promise((x) => setTimeout(x, Math.min(1000, Number(r.retryAfter ?? 0) * 1000 || 100)));
      }
      await new Promise((x) => setTimeout(x, 50));
    }
  };
  // A worker booking specialists' free times one after another, each with its own request id,
  // retried with the same id until answered 201 (a retry never books twice).
  const booker = async () => {
    while (going()) {
      const t = o.freeTimes.shift();
      if (!t) throw new Error("the seeded free times ran out (seed more specialists)");
      const requestId = `drill-${RUN_LETTERS}-${lettersOf(++sequence)}`;
      for (let attempt = 0; attempt < 200; attempt++) {
        const r = await call("POST", "/v1/consultations/bookings", tokens.worker, bookingBody(t, requestId, PERSONAS.worker13.sub));
        if (r.outcome === 201) {
          all.bookings.set(requestId, ((r.json as { bookings: { bookingId: string }[] }).bookings[0] as { bookingId: string }).bookingId);
          break;
        }
        if (typeof r.outcome === "number" && r.outcome !== 503 && r.outcome !== 429) break;
        await new Promise((x) => setTimeout(x, Math.min(1000, Number(r.retryAfter ?? 0) * 1000 || 100)));
      }
      await new Promise((x) => setTimeout(x, 30));
    }
  };
  const faulting = (async () => {
    await new Promise((x) => setTimeout(x, o.killAtMs));
    killedAt = Date.now();
    await fault.inject(system);
    readyAt = Date.now();
    end = Math.max(end, readyAt + 2000);
  })();
  await Promise.all([...Array.from({ length: o.workers }, submitter), reader(), publisher(), booker(), faulting]);

  const route = fault.route;
  const served = samples.find((s) => s.at > killedAt && s.route === route && typeof s.outcome === "number" && s.outcome < 300 && s.at >= readyAt - 50);
  const afterReady: Record<string, number> = {};
  for (const x of samples.filter((y) => y.at > readyAt && y.route === route)) afterReady[String(x.outcome)] = (afterReady[String(x.outcome)] ?? 0) + 1;
  const duringFault: Record<string, number> = {};
  for (const s of samples.filter((x) => x.at >= killedAt && x.at <= readyAt + 500)) duringFault[String(s.outcome)] = (duringFault[String(s.outcome)] ?? 0) + 1;
  const unexpected = samples
    .filter((s) => s.text !== undefined || !(s.outcome === "connection" || (s.outcome >= 200 && s.outcome < 300) || s.outcome === 503 || s.outcome === 429))
    .map((s) => `${s.route} ${s.outcome}${s.text ? ` ${s.text}` : ""}`);
  // A killed gateway can only break connections; any other part's outage is answered by the gateway.
  if (!fault.breaksConnections) unexpected.push(...samples.filter((s) => s.outcome === "connection").map((s) => `${s.route} connection broken`));
  return {
    service: fault.name,
    submitted,
    accepted: accepted.size - acceptedBefore,
    duringFault,
    slowestDuringFaultMs: Math.max(0, ...samples.filter((x) => x.at >= killedAt && x.at - x.ms <= readyAt).map((x) => x.ms)),
    unexpected,
    afterReady,
    readyMs: readyAt - killedAt,
    servingMs: served ? served.at - killedAt : Number.NaN,
    requests: samples.length,
    eventsAccepted: all.events.size - eventsBefore,
    bookingsAccepted: all.bookings.size - bookingsBefore,
  };
}

/** Over the whole run: each accepted referral stored, published and told to the intake desk, exactly once. */
export async function reckon(system: RunningSystem, all: Accepted, timeoutMs = 60_000): Promise<Reckoning> {
  const accepted = all.referrals;
  const referrals = new pg.Pool({ connectionString: system.db.referrals.url, max: 1 });
  const notifications = new pg.Pool({ connectionString: system.db.notifications.url, max: 1 });
  const consultations = new pg.Pool({ connectionString: system.db.consultations.url, max: 1 });
  const kafka = createKafka({ brokers: testEnv.kafkaBrokers, clientId: "drill-reckoning", logger: createLogger({ service: "drill", level: "error" }) });
  try {
    const refs = [...accepted.values()];
    const stored = Number(
      (await referrals.query("SELECT count(DISTINCT reference_number)::int AS n FROM referrals WHERE reference_number = ANY($1::text[])", [refs])).rows[0].n,
    );
    // Every referral in the drill's database: one per key accepted, or a retry filed one twice.
    const storedRows = Number((await referrals.query("SELECT count(*)::int AS n FROM referrals")).rows[0].n);
    const ids = new Map<string, string>(
      (
        await referrals.query("SELECT referral_id::text AS id, reference_number AS ref FROM referrals WHERE reference_number = ANY($1::text[])", [refs])
      ).rows.map((r) => [r.id as string, r.ref as string]),
    );
    const topic = system.topicPrefix + REFERRAL_TOPIC.name;
    const records = await readTopicUntil(
      kafka,
      topic,
      (seen) => {
        const got = new Set(seen.filter((m) => headerString(m.headers, "ce_type") === referralSubmitted.type).map((m) => m.key?.toString() ?? ""));
        return [...ids.keys()].every((id) => got.has(id));
      },
      "every accepted referral's submitted event",
      timeoutMs,
    );
    const submittedEvents = records.filter((m) => headerString(m.headers, "ce_type") === referralSubmitted.type && ids.has(m.key?.toString() ?? ""));
    const ceIdsByReferral = new Map<string, Set<string>>();
    for (const m of submittedEvents) {
      const id = m.key?.toString() ?? "";
      ceIdsByReferral.set(id, (ceIdsByReferral.get(id) ?? new Set()).add(headerString(m.headers, "ce_id") ?? ""));
    }
    const told = async () =>
      Number(
        (await notifications.query("SELECT count(*)::int AS n FROM deliveries WHERE kind = 'referral_submitted' AND reference = ANY($1::text[])", [refs]))
          .rows[0].n,
      );
    await waitFor(async () => (await told()) >= refs.length, { what: "the intake desk told of every accepted referral", timeoutMs });
    const toldIntakeDesk = await told();
    const lost = refs.filter((r) => ![...ids.values()].includes(r));
    // Every accepted education event on the topic, under the ce_id the gateway gives it.
    const eventRecords =
      all.events.size === 0
        ? []
        : await readTopicUntil(
            kafka,
            system.topicPrefix + EDUCATION_TOPIC.name,
            (seen) => {
              const got = new Set(seen.map((m) => headerString(m.headers, "ce_id") ?? ""));
              return [...all.events].every((id) => got.has(id));
            },
            "every accepted education event",
            timeoutMs,
          ).catch(() => []);
    const eventIds = eventRecords.map((m) => headerString(m.headers, "ce_id") ?? "").filter((id) => all.events.has(id));
    const onTopic = new Set(eventIds).size;
    const bookings = await reckonBookings(system, all, kafka, consultations, notifications, timeoutMs);
    return {
      bookings,
      events: { accepted: all.events.size, onTopic, redelivered: eventIds.length - onTopic, lost: all.events.size - onTopic },
      accepted: refs.length,
      stored,
      published: ceIdsByReferral.size,
      visibleDuplicates: [...ceIdsByReferral.values()].filter((s) => s.size > 1).length + (storedRows - stored) + Math.max(0, toldIntakeDesk - refs.length),
      redelivered: submittedEvents.length - [...ceIdsByReferral.values()].reduce((n, s) => n + s.size, 0),
      toldIntakeDesk,
      lost,
    };
  } finally {
    await referrals.end();
    await notifications.end();
    await consultations.end();
  }
}

/** Each accepted booking stored, its confirmation published once, and its specialist told of that once. */
async function reckonBookings(
  system: RunningSystem,
  all: Accepted,
  kafka: ReturnType<typeof createKafka>,
  consultations: pg.Pool,
  notifications: pg.Pool,
  timeoutMs: number,
): Promise<Reckoning["bookings"]> {
  const ids = [...all.bookings.values()];
  const stored = Number(
    (await consultations.query("SELECT count(*)::int AS n FROM bookings WHERE booking_id = ANY($1::uuid[]) AND status = 'confirmed'", [ids])).rows[0].n,
  );
  // Every booking in the system's database: one per request id accepted, or a retry booked twice.
  const rows = Number((await consultations.query("SELECT count(*)::int AS n FROM bookings")).rows[0].n);
  const wanted = new Set(ids);
  const confirmations = (
    ids.length === 0
      ? []
      : await readTopicUntil(
          kafka,
          system.topicPrefix + CONSULTATION_TOPIC.name,
          (seen) => {
            const got = new Set(
              seen.filter((m) => headerString(m.headers, "ce_type") === bookingConfirmed.type).map((m) => headerString(m.headers, "ce_subject")),
            );
            return ids.every((id) => got.has(id));
          },
          "every accepted booking's confirmation",
          timeoutMs,
        ).catch(() => [])
  ).filter((m) => headerString(m.headers, "ce_type") === bookingConfirmed.type && wanted.has(headerString(m.headers, "ce_subject") ?? ""));
  const ceIds = new Map<string, Set<string>>();
  const bookingOf = new Map<string, string>();
  for (const m of confirmations) {
    const id = headerString(m.headers, "ce_subject") ?? "";
    const ce = headerString(m.headers, "ce_id") ?? "";
    ceIds.set(id, (ceIds.get(id) ?? new Set()).add(ce));
    bookingOf.set(ce, id);
  }
  // The specialist's in-app item for each confirmation (deliveries are keyed by the record's ce_id).
  const toldCeIds = async () =>
    (
      await notifications.query(
        "SELECT DISTINCT event_id FROM deliveries WHERE kind = 'booking_confirmed' AND channel = 'in_app' AND recipient_ref LIKE 'drill-spec-%' AND event_id = ANY($1::text[])",
        [[...bookingOf.keys()]],
      )
    ).rows.map((r) => r.event_id as string);
  await waitFor(async () => new Set((await toldCeIds()).map((ce) => bookingOf.get(ce))).size >= ceIds.size, {
    what: "every published booking told to its specialist",
    timeoutMs,
  }).catch(() => undefined);
  const told = await toldCeIds();
  return {
    accepted: ids.length,
    stored,
    extraRows: rows - stored,
    published: ceIds.size,
    toldSpecialist: new Set(told.map((ce) => bookingOf.get(ce))).size,
    visibleDuplicates: [...ceIds.values()].filter((s) => s.size > 1).length + Math.max(0, rows - stored),
    lost: ids.length - stored,
  };
}

/**
 * What the drills need before their load: the intake desk of area 13 (so each submission has a
 * delivery to count), and `specialists` specialists' free times for the bookings to take in turn.
 */
export async function prepareDrills(system: RunningSystem, o: { specialists: number }): Promise<FreeTime[]> {
  const tokens = {
    deskAdmin: await system.token(PERSONAS.deskAdmin),
    coordinator13: await system.token(PERSONAS.coordinator),
    worker13: await system.token(PERSONAS.worker13),
  };
  const must = async (method: string, path: string, who: keyof typeof tokens, body?: unknown): Promise<Record<string, unknown>> => {
    const r = await fetch(system.baseUrl + path, {
      method,
      headers: { authorization: `Bearer ${tokens[who]}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await r.text();
    if (r.status < 200 || r.status >= 300) throw new Error(`drill setup: ${method} ${path}: ${r.status} ${text.slice(0, 300)}`);
    return JSON.parse(text || "{}");
  };
  await must("POST", "/v1/notifications/groups", "deskAdmin", { group: { groupRef: "intake_desk", memberRefs: [PERSONAS.worker13.sub] } });
  return seedFreeTimes(must, { prefix: "drill-spec", specialists: o.specialists, organisationId: `pohjois-savo-erityispalvelut-drill-${RUN}` });
}
