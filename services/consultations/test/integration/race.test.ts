// The races, against the real servers with two service replicas on one database: many
// confirmations of one time, many takers of a training session's seats. The guarantees are the
// database's (the exclusion constraint, the conditional seat update), so the replicas do not
// need to know of each other.
import { type Booking, BookingStatus, ConsultationServiceClient } from "@silta/contracts/consultations/v1/consultations.ts";
import { unary } from "@silta/grpc";
import type { SiltaError } from "@silta/platform";
import { captureLogs, createTestDatabase, type TestDatabase, uniqueName } from "@silta/testing";
import { type ConsentUnderTest, type ConsultationsUnderTest, startConsent, startConsultations } from "@silta/tests/chain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consultation, kuopioWorker, registerSpecialist, testClock } from "../support/fixtures.ts";

const logs = captureLogs("consultations-race", "warn");
const clock = testClock("2027-01-04T06:00:00Z");
let consentDb: TestDatabase;
let db: TestDatabase;
let consent: ConsentUnderTest;
const replicas: ConsultationsUnderTest[] = [];
/** Four channels to each replica. */
let channels: ConsultationServiceClient[];

beforeAll(async () => {
  [consentDb, db] = await Promise.all([createTestDatabase("race_consent"), createTestDatabase("race_consult")]);
  consent = await startConsent(consentDb.url, logs.logger);
  for (let i = 0; i < 2; i++) replicas.push(await startConsultations(db.url, consent.grpcPort, logs.logger, {}, { clock }));
  channels = replicas.flatMap((r) => Array.from({ length: 4 }, () => r.client(ConsultationServiceClient)));
});
afterAll(async () => {
  for (const r of replicas) await r.stop();
  await consent?.stop();
  await Promise.all([db?.drop(), consentDb?.drop()]);
});

/** Each call's outcome: "ok" or its Silta code (a gRPC status without one is kept as it came). */
async function outcomes<T>(calls: (() => Promise<T>)[]): Promise<{ ok: T[]; codes: Map<string, number> }> {
  const ok: T[] = [];
  const codes = new Map<string, number>();
  await Promise.all(
    calls.map((call) =>
      call().then(
        (r) => void ok.push(r),
        (e: SiltaError) => void codes.set(e.code, (codes.get(e.code) ?? 0) + 1),
      ),
    ),
  );
  return { ok, codes };
}

describe("concurrent confirmations, two replicas, eight channels", () => {
  it("confirms exactly 1 of 500 confirmations of the same time; the other 499 get a clean ALREADY_EXISTS, none a 5xx or a hang", async () => {
    const c0 = channels[0] as ConsultationServiceClient;
    const { specialist } = await registerSpecialist(c0);
    const start = "2027-01-12T10:00:00+02:00";
    const { ok, codes } = await outcomes(
      Array.from({ length: 500 }, (_, i) => () => {
        const c = channels[i % channels.length] as ConsultationServiceClient;
        return unary(c, c.book, consultation({ specialistId: specialist.specialistId, start }), {
          identity: { ...kuopioWorker, subject: `msw-${i}` },
          deadlineMs: 50_000,
        });
      }),
    );
    expect(ok).toHaveLength(1);
    expect(ok[0]?.bookings[0]?.status).toBe(BookingStatus.BOOKING_STATUS_CONFIRMED);
    expect(Object.fromEntries(codes)).toEqual({ SILTA_CONSULTATION_SLOT_TAKEN: 499 });
    const rows = await replicas[0]?.pool.query("SELECT status, count(*)::int AS n FROM bookings WHERE specialist_id = $1 GROUP BY status", [
      specialist.specialistId,
    ]);
    expect(rows?.rows).toEqual([{ status: "confirmed", n: 1 }]);
  });

  it("holds exactly 1 of 200 holds of the same time across the replicas", async () => {
    const c0 = channels[0] as ConsultationServiceClient;
    const { specialist } = await registerSpecialist(c0);
    const { ok, codes } = await outcomes(
      Array.from({ length: 200 }, (_, i) => () => {
        const c = channels[i % channels.length] as ConsultationServiceClient;
        return unary(
          c,
          c.holdSlot,
          {
            requestId: uniqueName("h"),
            specialistId: specialist.specialistId,
            skill: "",
            language: "",
            start: "2027-01-13T10:00:00+02:00",
            kind: 1,
            lengthMinutes: 60,
          },
          { identity: { ...kuopioWorker, subject: `msw-${i}` }, deadlineMs: 50_000 },
        );
      }),
    );
    expect(ok).toHaveLength(1);
    expect(Object.fromEntries(codes)).toEqual({ SILTA_CONSULTATION_SLOT_TAKEN: 199 });
  });
});

describe("seats of a training session", () => {
  async function session(capacity: number): Promise<Booking> {
    const c0 = channels[0] as ConsultationServiceClient;
    const { specialist, person } = await registerSpecialist(c0, { rules: { minimumNoticeMinutes: 0 } });
    const { booking } = await unary(
      c0,
      c0.openTrainingSession,
      {
        requestId: uniqueName("t"),
        specialistId: specialist.specialistId,
        start: "2027-01-14T12:00:00+02:00",
        lengthMinutes: 120,
        capacity,
        topic: "Systemic practice refresher",
        location: "Kuopio, Sairaalakatu 1",
        videoLink: "",
      },
      { identity: person },
    );
    return booking as Booking;
  }
  const takers = (sessionId: string, n: number, from = 0) =>
    Array.from({ length: n }, (_, i) => () => {
      const c = channels[i % channels.length] as ConsultationServiceClient;
      return unary(
        c,
        c.takeSeat,
        { bookingId: sessionId, requestId: uniqueName("s") },
        { identity: { ...kuopioWorker, subject: `worker-${from + i}` }, deadlineMs: 50_000 },
      );
    });

  it("seats exactly 10 of 200 concurrent takers of a 10-seat session; the rest are told it is full", async () => {
    const s = await session(10);
    const { ok, codes } = await outcomes(takers(s.bookingId, 200));
    expect(ok).toHaveLength(10);
    expect(Object.fromEntries(codes)).toEqual({ SILTA_CONSULTATION_SESSION_FULL: 190 });
    const row = await replicas[1]?.pool.query(
      "SELECT seats_taken, (SELECT count(*)::int FROM training_seats WHERE booking_id = $1) AS seats FROM bookings WHERE booking_id = $1",
      [s.bookingId],
    );
    expect(row?.rows[0]).toEqual({ seats_taken: 10, seats: 10 });
  });

  it("counts seats right when several take the last seats at once (regression: count-then-insert overbooked)", async () => {
    const s = await session(3);
    await outcomes(takers(s.bookingId, 1, 1000));
    const { ok, codes } = await outcomes(takers(s.bookingId, 3, 2000));
    expect(ok).toHaveLength(2);
    expect(Object.fromEntries(codes)).toEqual({ SILTA_CONSULTATION_SESSION_FULL: 1 });
    const row = await replicas[0]?.pool.query(
      "SELECT seats_taken, (SELECT count(*)::int FROM training_seats WHERE booking_id = $1) AS seats FROM bookings WHERE booking_id = $1",
      [s.bookingId],
    );
    expect(row?.rows[0]).toEqual({ seats_taken: 3, seats: 3 });
  });
});
