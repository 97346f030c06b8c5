// The consultations service against the real servers (PostgreSQL, Kafka, the consent service):
// the rules of a bookable time held at confirmation, the regressions named after what went wrong
// in other booking tools, co-work's consent, anonymity, fairness, invitations and the feed.
import { ConsentServiceClient, DataCategory, GiverRole, ObtainedBy, OrganisationType, Purpose } from "@silta/contracts/consent/v1/consent.ts";
import { BookingKind, BookingStatus, type ConsultationServiceClient } from "@silta/contracts/consultations/v1/consultations.ts";
import { CONSULTATION_TOPIC } from "@silta/contracts/events";
import { proveCallsOf, unary } from "@silta/grpc";
import { type Identity, pseudonymiserOf } from "@silta/platform";
import {
  captureLogs,
  createTestDatabase,
  freshHetu,
  readTopicUntil,
  sharedTestIdentities,
  type TestDatabase,
  testEnv,
  testTopic,
  uniqueName,
} from "@silta/testing";
import { type ConsentUnderTest, type ConsultationsUnderTest, PSEUDONYM_KEY, startConsent, startConsultations } from "@silta/tests/chain";
import ICAL from "ical.js";
import { Kafka } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  consultation,
  coordinator,
  fail,
  kuopioWorker,
  outsider,
  rautavaaraWorker,
  registerSpecialist,
  responsible,
  specialistPerson,
  testClock,
} from "../support/fixtures.ts";

const logs = captureLogs("consultations");
const clock = testClock("2027-01-04T06:00:00Z"); // Monday 08:00 in Helsinki
let consentDb: TestDatabase;
let db: TestDatabase;
let consent: ConsentUnderTest;
let service: ConsultationsUnderTest;
let c: ConsultationServiceClient;
/** Helsinki local time in winter (UTC+2) as an RFC 3339 instant. */
const winter = (date: string, time: string) => `${date}T${time}:00+02:00`;
const summer = (date: string, time: string) => `${date}T${time}:00+03:00`;

const rows = async () =>
  (
    await service.pool.query(
      "SELECT (SELECT count(*) FROM bookings)::int AS b, (SELECT count(*) FROM booking_requests)::int AS r, (SELECT count(*) FROM silta_outbox)::int AS o, (SELECT count(*) FROM specialists)::int AS s",
    )
  ).rows[0];

beforeAll(async () => {
  [consentDb, db] = await Promise.all([createTestDatabase("cons_consent"), createTestDatabase("consultations")]);
  consent = await startConsent(consentDb.url, logs.logger);
  service = await startConsultations(db.url, consent.grpcPort, logs.logger, {}, { clock });
  c = service.client((await import("@silta/contracts/consultations/v1/consultations.ts")).ConsultationServiceClient);
});
afterAll(async () => {
  await service?.stop();
  await consent?.stop();
  await Promise.all([db?.drop(), consentDb?.drop()]);
});

describe("the rules of a bookable time, checked again when a time is taken", () => {
  it("offers no time inside another booking's buffer, and refuses to confirm such a time though it was never offered (buffers bypassed)", async () => {
    const { specialist } = await registerSpecialist(c);
    const id = specialist.specialistId;
    await unary(c, c.book, consultation({ specialistId: id, start: winter("2027-01-12", "10:00") }), { identity: kuopioWorker });
    const { slots } = await unary(
      c,
      c.listSlots,
      {
        specialistId: id,
        skill: "",
        language: "",
        kind: 1,
        lengthMinutes: 60,
        fromDate: "2027-01-12",
        toDate: "2027-01-12",
        withReasons: true,
        municipalityCode: "",
        groupBySpecialist: false,
      },
      { identity: kuopioWorker },
    );
    const reasonAt = (t: string) => slots.find((s) => s.start === new Date(winter("2027-01-12", t)).toISOString())?.unavailableReason;
    expect(reasonAt("10:00")).toBe("taken");
    expect(reasonAt("11:00")).toBe("taken"); // inside the 15-minute after-buffer of 10:00–11:00
    expect(reasonAt("11:30")).toBe("");
    // The same answer grouped by specialist: the same times, in order, with the same reasons.
    const grouped = await unary(
      c,
      c.listSlots,
      {
        specialistId: id,
        skill: "",
        language: "",
        kind: 1,
        lengthMinutes: 60,
        fromDate: "2027-01-12",
        toDate: "2027-01-12",
        withReasons: true,
        municipalityCode: "",
        groupBySpecialist: true,
      },
      { identity: kuopioWorker },
    );
    expect(grouped.slots).toEqual([]);
    expect(grouped.bySpecialist).toEqual([{ specialistId: id, starts: slots.map((x) => x.start), unavailableReasons: slots.map((x) => x.unavailableReason) }]);
    const before = await rows();
    const e = await fail(unary(c, c.book, consultation({ specialistId: id, start: winter("2027-01-12", "11:05") }), { identity: kuopioWorker }));
    expect(e.code).toBe("SILTA_CONSULTATION_SLOT_TAKEN");
    expect(await rows()).toEqual(before);
  });

  it("holds a time, refuses to confirm it once the hold has expired (injected clock), and lets another take it", async () => {
    const { specialist } = await registerSpecialist(c);
    const id = specialist.specialistId;
    const { booking } = await unary(
      c,
      c.holdSlot,
      {
        requestId: uniqueName("h"),
        specialistId: id,
        skill: "",
        language: "",
        start: winter("2027-01-13", "09:00"),
        kind: BookingKind.BOOKING_KIND_CONSULTATION,
        lengthMinutes: 60,
      },
      { identity: kuopioWorker },
    );
    expect(booking?.status).toBe(BookingStatus.BOOKING_STATUS_HELD);
    const taken = await fail(unary(c, c.book, consultation({ specialistId: id, start: winter("2027-01-13", "09:00") }), { identity: rautavaaraWorker }));
    expect(taken.code).toBe("SILTA_CONSULTATION_SLOT_TAKEN");
    clock.set("2027-01-04T06:11:00Z"); // the hold (10 minutes) has expired
    try {
      const e = await fail(
        unary(c, c.confirmBooking, { bookingId: booking?.bookingId ?? "", details: consultation({ start: "" }).details }, { identity: kuopioWorker }),
      );
      expect(e.code).toBe("SILTA_CONSULTATION_HOLD_EXPIRED");
      const other = await unary(c, c.book, consultation({ specialistId: id, start: winter("2027-01-13", "09:00") }, "687"), { identity: rautavaaraWorker });
      expect(other.bookings[0]?.status).toBe(BookingStatus.BOOKING_STATUS_CONFIRMED);
    } finally {
      clock.set("2027-01-04T06:00:00Z");
    }
  });

  it("confirms a hold with the form's details, checking every rule again", async () => {
    const { specialist } = await registerSpecialist(c);
    const { booking } = await unary(
      c,
      c.holdSlot,
      {
        requestId: uniqueName("h"),
        specialistId: specialist.specialistId,
        skill: "",
        language: "",
        start: winter("2027-01-14", "13:00"),
        kind: BookingKind.BOOKING_KIND_CONSULTATION,
        lengthMinutes: 60,
      },
      { identity: kuopioWorker },
    );
    const confirmed = await unary(
      c,
      c.confirmBooking,
      { bookingId: booking?.bookingId ?? "", details: consultation({ start: "" }).details },
      { identity: kuopioWorker },
    );
    expect(confirmed.booking).toMatchObject({
      status: BookingStatus.BOOKING_STATUS_CONFIRMED,
      responsibleWorkerRef: responsible.subject,
      requesterRef: kuopioWorker.subject,
      municipalityCode: "297",
    });
    // Another organisation's worker cannot confirm or even see it.
    expect((await fail(unary(c, c.getBooking, { bookingId: booking?.bookingId ?? "" }, { identity: rautavaaraWorker }))).code).toBe(
      "SILTA_CONSULTATION_NOT_FOUND",
    );
  });

  it("counts the day cap in the specialist's Helsinki days: a booking at 00:30 on Tuesday (Monday 22:30 UTC) fills Tuesday, not Monday", async () => {
    const { specialist } = await registerSpecialist(c, {
      start: "00:00",
      end: "23:00",
      rules: { capPerDay: 1, minimumNoticeMinutes: 0, bufferAfterMinutes: 0 },
    });
    const id = specialist.specialistId;
    const night = await unary(c, c.book, consultation({ specialistId: id, start: winter("2027-01-19", "00:30") }), { identity: kuopioWorker });
    expect(night.bookings[0]?.start).toBe("2027-01-18T22:30:00.000Z");
    const tuesday = await fail(unary(c, c.book, consultation({ specialistId: id, start: winter("2027-01-19", "10:00") }), { identity: kuopioWorker }));
    expect(tuesday.code).toBe("SILTA_CONSULTATION_NOT_BOOKABLE");
    expect(tuesday.message).toContain("the day's cap");
    const monday = await unary(c, c.book, consultation({ specialistId: id, start: winter("2027-01-18", "10:00") }), { identity: kuopioWorker });
    expect(monday.bookings[0]?.status).toBe(BookingStatus.BOOKING_STATUS_CONFIRMED);
  });

  it("counts a series' own occurrences against the week's cap: three daily mentorings where two fit are refused whole", async () => {
    const { specialist } = await registerSpecialist(c, { rules: { capPerWeek: 2 } });
    const before = await rows();
    const e = await fail(
      unary(
        c,
        c.book,
        consultation({
          specialistId: specialist.specialistId,
          start: winter("2027-02-22", "10:00"),
          recurrence: "FREQ=DAILY;COUNT=3",
          details: { kind: BookingKind.BOOKING_KIND_MENTORING, topic: "" } as never,
        }),
        { identity: kuopioWorker },
      ),
    );
    expect(e.code).toBe("SILTA_CONSULTATION_NOT_BOOKABLE");
    expect(e.message).toContain("the week's cap");
    expect(await rows()).toEqual(before);
  });

  it("answers a retry with the same request id with the first answer, writing nothing more", async () => {
    const { specialist } = await registerSpecialist(c);
    const req = consultation({ specialistId: specialist.specialistId, start: winter("2027-01-15", "10:00") });
    const first = await unary(c, c.book, req, { identity: kuopioWorker });
    const before = await rows();
    const again = await unary(c, c.book, req, { identity: kuopioWorker });
    expect(again.bookings.map((b) => b.bookingId)).toEqual(first.bookings.map((b) => b.bookingId));
    expect(await rows()).toEqual(before);
  });
});

describe("assignment", () => {
  it("never books a round-robin host outside an override: the one with the day off is passed over though least recently booked", async () => {
    const skill = "early_childhood";
    const off = await registerSpecialist(c, { skills: [skill], overrides: [{ date: "2027-01-20", dayOff: true, start: "", end: "" }] });
    const on = await registerSpecialist(c, { skills: [skill] });
    // `on` was booked recently, `off` never: round robin would pick `off` first.
    await unary(c, c.book, consultation({ specialistId: on.specialist.specialistId, start: winter("2027-01-19", "09:00") }), { identity: kuopioWorker });
    const r = await unary(c, c.book, consultation({ skill, start: winter("2027-01-20", "10:00") }), { identity: kuopioWorker });
    expect(r.bookings[0]).toMatchObject({ specialistId: on.specialist.specialistId, assignedBy: "round_robin" });
    const other = await unary(c, c.book, consultation({ skill, start: winter("2027-01-21", "10:00") }), { identity: kuopioWorker });
    expect(other.bookings[0]?.specialistId).toBe(off.specialist.specialistId);
  });

  it("books every occurrence of a mentoring series with one host: none split when the first host is away one week", async () => {
    const skill = "disability";
    await registerSpecialist(c, { skills: [skill], overrides: [{ date: "2027-02-08", dayOff: true, start: "", end: "" }] });
    const there = await registerSpecialist(c, { skills: [skill], weight: 1 });
    await unary(c, c.book, consultation({ specialistId: there.specialist.specialistId, start: winter("2027-01-22", "09:00") }), { identity: kuopioWorker });
    const series = await unary(
      c,
      c.book,
      consultation({
        skill,
        start: winter("2027-01-25", "13:00"),
        recurrence: "FREQ=WEEKLY;INTERVAL=1;COUNT=4",
        details: { kind: BookingKind.BOOKING_KIND_MENTORING, topic: "" } as never,
      }),
      { identity: kuopioWorker },
    );
    expect(series.bookings).toHaveLength(4);
    expect(new Set(series.bookings.map((b) => b.specialistId))).toEqual(new Set([there.specialist.specialistId]));
    expect(new Set(series.bookings.map((b) => b.seriesId)).size).toBe(1);
    expect(series.bookings.map((b) => b.start)).toEqual([
      "2027-01-25T11:00:00.000Z",
      "2027-02-01T11:00:00.000Z",
      "2027-02-08T11:00:00.000Z",
      "2027-02-15T11:00:00.000Z",
    ]);
  });

  it("refuses a series no single host can take whole, writing nothing", async () => {
    const skill = "violence";
    await registerSpecialist(c, { skills: [skill], overrides: [{ date: "2027-02-09", dayOff: true, start: "", end: "" }] });
    await registerSpecialist(c, { skills: [skill], overrides: [{ date: "2027-02-16", dayOff: true, start: "", end: "" }] });
    const before = await rows();
    const e = await fail(
      unary(
        c,
        c.book,
        consultation({
          skill,
          start: winter("2027-02-02", "13:00"),
          recurrence: "FREQ=WEEKLY;COUNT=3",
          details: { kind: BookingKind.BOOKING_KIND_MENTORING, topic: "" } as never,
        }),
        { identity: kuopioWorker },
      ),
    );
    expect(e.code).toBe("SILTA_CONSULTATION_NO_SPECIALIST_FREE");
    expect(await rows()).toEqual(before); // not even the request key: a retry asks again
  });

  it("sends a booking for a specialist who is out of office to the stand-in they named", async () => {
    const partner = await registerSpecialist(c);
    const away = await registerSpecialist(c);
    await unary(
      c,
      c.setOutOfOffice,
      {
        specialistId: away.specialist.specialistId,
        outOfOffice: [{ from: "2027-01-25T00:00:00Z", until: "2027-01-30T00:00:00Z", standInSpecialistId: partner.specialist.specialistId }],
      },
      { identity: away.person },
    );
    const r = await unary(c, c.book, consultation({ specialistId: away.specialist.specialistId, start: winter("2027-01-26", "10:00") }), {
      identity: kuopioWorker,
    });
    expect(r.bookings[0]).toMatchObject({ specialistId: partner.specialist.specialistId, assignedBy: "stand_in" });
  });
});

describe("reschedule, cancel and the waitlist", () => {
  it("moves a booking in one transaction and refuses to reschedule it again through its old reference", async () => {
    const { specialist } = await registerSpecialist(c);
    const id = specialist.specialistId;
    const [b] = (await unary(c, c.book, consultation({ specialistId: id, start: winter("2027-01-27", "09:00") }), { identity: kuopioWorker })).bookings;
    const moved = await unary(
      c,
      c.rescheduleBooking,
      { bookingId: b?.bookingId ?? "", start: winter("2027-01-27", "13:00"), reason: "the family asked" },
      { identity: kuopioWorker },
    );
    expect(moved.booking).toMatchObject({ rescheduledFrom: b?.bookingId, sequence: 1, start: "2027-01-27T11:00:00.000Z" });
    const again = await fail(
      unary(c, c.rescheduleBooking, { bookingId: b?.bookingId ?? "", start: winter("2027-01-27", "14:00"), reason: "" }, { identity: kuopioWorker }),
    );
    expect(again.code).toBe("SILTA_CONSULTATION_WRONG_STATE");
    expect(again.message).toContain(moved.booking?.bookingId);
    // The old time is free, the new one taken.
    await unary(c, c.book, consultation({ specialistId: id, start: winter("2027-01-27", "09:00") }), { identity: rautavaaraWorker });
    expect((await fail(unary(c, c.book, consultation({ specialistId: id, start: winter("2027-01-27", "13:00") }), { identity: rautavaaraWorker }))).code).toBe(
      "SILTA_CONSULTATION_SLOT_TAKEN",
    );
  });

  it("offers a cancelled time to the first waiting request of that day as a timed hold, in order", async () => {
    const { specialist } = await registerSpecialist(c);
    const id = specialist.specialistId;
    const [b] = (await unary(c, c.book, consultation({ specialistId: id, start: winter("2027-01-28", "10:00") }), { identity: kuopioWorker })).bookings;
    const first = await unary(
      c,
      c.joinWaitlist,
      { requestId: uniqueName("w"), specialistId: id, skill: "", date: "2027-01-28", kind: 1, lengthMinutes: 60 },
      { identity: rautavaaraWorker },
    );
    const second = await unary(
      c,
      c.joinWaitlist,
      { requestId: uniqueName("w"), specialistId: id, skill: "", date: "2027-01-28", kind: 1, lengthMinutes: 60 },
      { identity: kuopioWorker },
    );
    expect([first.position, second.position]).toEqual([1, 2]);
    await unary(c, c.cancelBooking, { bookingId: b?.bookingId ?? "", reason: "illness" }, { identity: kuopioWorker });
    const offered = await service.pool.query(
      "SELECT requester_organisation_id, status, assigned_by, starts_at, expires_at FROM bookings WHERE specialist_id = $1 AND assigned_by = 'waitlist'",
      [id],
    );
    expect(offered.rows).toEqual([
      expect.objectContaining({
        requester_organisation_id: rautavaaraWorker.organisationId,
        status: "held",
        starts_at: new Date(winter("2027-01-28", "10:00")),
      }),
    ]);
  });
});

describe("co-work, consent and anonymity", () => {
  const coWork = (specialistId: string, hetu: string, start: string) =>
    consultation({
      specialistId,
      start,
      details: { kind: BookingKind.BOOKING_KIND_CO_WORK, childHetu: hetu, topic: "", dataCategory: "case_summary" } as never,
    });

  it("refuses co-work without the family's consent with the consent service's reason, writing nothing", async () => {
    const { specialist } = await registerSpecialist(c);
    const before = await rows();
    const e = await fail(unary(c, c.book, coWork(specialist.specialistId, freshHetu(), winter("2027-02-01", "10:00")), { identity: responsible }));
    expect(e.code).toBe("SILTA_CONSULTATION_CONSENT_DENIED");
    expect(e.message).toMatch(/consent service: \d/);
    expect(await rows()).toEqual(before);
  });

  it("confirms co-work with consent and keeps the decision's id as evidence; the child is only a pseudonym there and nowhere else", async () => {
    const { specialist } = await registerSpecialist(c, { person: specialistPerson(uniqueName("ec"), "ita-suomen-osaamiskeskus") });
    const hetu = freshHetu();
    const pseudonym = pseudonymiserOf({
      SILTA_PSEUDONYM_KEY: Buffer.from(PSEUDONYM_KEY, "base64"),
      SILTA_PSEUDONYM_KEY_VERSION: 0,
      SILTA_PSEUDONYM_PREVIOUS_KEY_VERSION: 0,
    }).pseudonymFor({ hetu, temporaryId: "", birthDate: "", givenNames: "", familyName: "" });
    const cc = consent.client(ConsentServiceClient);
    await unary(
      cc,
      cc.grantConsent,
      {
        subjectPseudonym: pseudonym,
        areaCode: "13",
        givenBy: [{ role: GiverRole.GIVER_ROLE_CUSTODIAN, personRef: "person-77" }],
        childViewRecorded: true,
        childBirthDate: "2015-03-14",
        recipients: [{ organisationId: "ita-suomen-osaamiskeskus", organisationType: OrganisationType.ORGANISATION_TYPE_EXPERT_CENTRE, roles: [] }],
        purposes: [Purpose.PURPOSE_PAIRED_WORK],
        dataCategories: [DataCategory.DATA_CATEGORY_CASE_SUMMARY],
        validFrom: "",
        validUntil: new Date(Date.now() + 365 * 86_400_000).toISOString(),
        obtainedBy: ObtainedBy.OBTAINED_BY_WRITTEN,
      },
      { identity: responsible },
    );
    const r = await unary(c, c.book, coWork(specialist.specialistId, hetu, winter("2027-02-02", "10:00")), { identity: responsible });
    const b = r.bookings[0];
    expect(b).toMatchObject({ status: BookingStatus.BOOKING_STATUS_CONFIRMED, subjectPseudonym: pseudonym });
    expect(b?.consentDecisionId).toMatch(/.+/);
    const stored = await service.pool.query("SELECT row_to_json(b)::text AS row FROM bookings b WHERE booking_id = $1", [b?.bookingId]);
    expect(stored.rows[0].row).toContain(pseudonym);
    expect(stored.rows[0].row).not.toContain(hetu);
  });

  it("lets a co-work hold be cancelled before its form (and its child) ever came", async () => {
    const { specialist } = await registerSpecialist(c);
    const { booking } = await unary(
      c,
      c.holdSlot,
      {
        requestId: uniqueName("h"),
        specialistId: specialist.specialistId,
        skill: "",
        language: "",
        start: winter("2027-02-04", "10:00"),
        kind: BookingKind.BOOKING_KIND_CO_WORK,
        lengthMinutes: 60,
      },
      { identity: responsible },
    );
    const cancelled = await unary(c, c.cancelBooking, { bookingId: booking?.bookingId ?? "", reason: "the family declined" }, { identity: responsible });
    expect(cancelled.booking).toMatchObject({ status: BookingStatus.BOOKING_STATUS_CANCELLED, subjectPseudonym: "", cancelledBy: responsible.subject });
  });

  it("stores no child identity at all for an anonymous consultation (tables and topic), and refuses a topic with a henkilötunnus", async () => {
    const { specialist } = await registerSpecialist(c);
    const hetu = freshHetu();
    const before = await rows();
    const e = await fail(
      unary(
        c,
        c.book,
        consultation({ specialistId: specialist.specialistId, start: winter("2027-02-03", "10:00"), details: { topic: `Child ${hetu} at risk` } as never }),
        { identity: kuopioWorker },
      ),
    );
    expect(e.code).toBe("SILTA_CONSULTATION_INVALID");
    expect(JSON.stringify(e)).not.toContain(hetu);
    expect(await rows()).toEqual(before);
    const topicText = "Anonymous question about a 14-year-old's school refusal";
    const r = await unary(
      c,
      c.book,
      consultation({ specialistId: specialist.specialistId, start: winter("2027-02-03", "10:00"), details: { topic: topicText } as never }),
      { identity: kuopioWorker },
    );
    const row = (await service.pool.query("SELECT subject_pseudonym, consent_decision_id FROM bookings WHERE booking_id = $1", [r.bookings[0]?.bookingId]))
      .rows[0];
    expect(row).toEqual({ subject_pseudonym: null, consent_decision_id: null });
    // The topic: every partition read to its end offset; no record carries the topic text or a pseudonym.
    const kafka = new Kafka({ clientId: "consultations-test", brokers: testEnv.kafkaBrokers, logLevel: 0 });
    const seen = await readTopicUntil(
      kafka,
      testTopic(CONSULTATION_TOPIC.name),
      (all) => all.some((m) => m.value?.toString("latin1").includes(r.bookings[0]?.bookingId ?? "-")),
      "the booking's event",
    );
    const bytes = seen.map((m) => m.value?.toString("latin1") ?? "").join("\n");
    expect(bytes).not.toContain(topicText);
    expect(bytes).not.toMatch(/ps\d*_[A-Za-z0-9_-]{10}/);
    expect(bytes).not.toContain(hetu);
  });
});

describe("fairness: the share reserved for municipalities without a specialist of their own", () => {
  it("with 40 % reserved and released 48 h before: Kuopio cannot take reserved minutes 49 h before the time, can 47 h before; Rautavaara can any time; the metrics show each one's share", async () => {
    // Monday–Friday 09:00–10:00: 300 minutes a week, 120 reserved, 180 open to Kuopio.
    const { specialist } = await registerSpecialist(c, { start: "09:00", end: "10:00", rules: { bufferAfterMinutes: 0, minimumNoticeMinutes: 0 } });
    const id = specialist.specialistId;
    await unary(c, c.setFairness, { reservedPercent: 40, releaseHours: 48, priorityMunicipalityCodes: ["687"] }, { identity: coordinator });
    try {
      for (const day of ["2027-03-01", "2027-03-02", "2027-03-03"])
        await unary(c, c.book, consultation({ specialistId: id, start: winter(day, "09:00") }), { identity: kuopioWorker });
      const slot = winter("2027-03-05", "09:00");
      clock.set(new Date(Date.parse(slot) - 49 * 3_600_000).toISOString());
      // Listing applies the same rule for the municipality asked for: not offered to Kuopio, offered to Rautavaara.
      const listed = async (municipalityCode: string) =>
        (
          await unary(
            c,
            c.listSlots,
            {
              specialistId: id,
              skill: "",
              language: "",
              kind: 1,
              lengthMinutes: 60,
              fromDate: "2027-03-05",
              toDate: "2027-03-05",
              withReasons: true,
              municipalityCode,
              groupBySpecialist: false,
            },
            { identity: kuopioWorker },
          )
        ).slots.find((x) => x.start === new Date(slot).toISOString())?.unavailableReason;
      expect(await listed("297")).toBe("reserved_share");
      expect(await listed("687")).toBe("");
      const early = await fail(unary(c, c.book, consultation({ specialistId: id, start: slot }), { identity: kuopioWorker }));
      expect(early.code).toBe("SILTA_CONSULTATION_NOT_BOOKABLE");
      expect(early.message).toContain("reserved for municipalities without a specialist");
      clock.set(new Date(Date.parse(slot) - 47 * 3_600_000).toISOString());
      expect(await listed("297")).toBe("");
      const late = await unary(c, c.book, consultation({ specialistId: id, start: slot }), { identity: kuopioWorker });
      expect(late.bookings[0]?.status).toBe(BookingStatus.BOOKING_STATUS_CONFIRMED);
      clock.set(new Date(Date.parse(winter("2027-03-04", "09:00")) - 100 * 3_600_000).toISOString());
      const small = await unary(c, c.book, consultation({ specialistId: id, start: winter("2027-03-04", "09:00") }, "687"), { identity: rautavaaraWorker });
      expect(small.bookings[0]?.status).toBe(BookingStatus.BOOKING_STATUS_CONFIRMED);
      // The metrics show the share each municipality got (Rautavaara's prioritised hour among them).
      const metrics = await (await fetch(`http://127.0.0.1:${service.adminPort}/metrics`)).text();
      expect(metrics).toMatch(/silta_consultations_booked_minutes_28d\w*\{[^}]*municipality="687"[^}]*prioritised="true"[^}]*\} 60\b/);
      const shares = [...metrics.matchAll(/silta_consultations_share_28d\w*\{[^}]*municipality="(\d{3})"[^}]*\} ([\d.e-]+)/g)].map((m) => Number(m[2]));
      expect(shares.length).toBeGreaterThanOrEqual(2);
      expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    } finally {
      clock.set("2027-01-04T06:00:00Z");
      await unary(c, c.setFairness, { reservedPercent: 0, releaseHours: 0, priorityMunicipalityCodes: [] }, { identity: coordinator });
    }
  });
});

describe("calendar invitations", () => {
  it("gives a moved booking the same UID with SEQUENCE raised, correct local times across the March change, and CANCEL for the old version (read back with ical.js)", async () => {
    clock.set("2027-03-20T08:00:00Z");
    try {
      const { specialist } = await registerSpecialist(c);
      const [b] = (
        await unary(c, c.book, consultation({ specialistId: specialist.specialistId, start: winter("2027-03-25", "10:00") }), { identity: kuopioWorker })
      ).bookings;
      const moved = (
        await unary(c, c.rescheduleBooking, { bookingId: b?.bookingId ?? "", start: summer("2027-03-30", "10:00"), reason: "" }, { identity: kuopioWorker })
      ).booking;
      const parse = (ics: string) => {
        const cal = new ICAL.Component(ICAL.parse(ics));
        const tz = cal.getFirstSubcomponent("vtimezone");
        if (tz) ICAL.TimezoneService.register(new ICAL.Timezone(tz));
        const e = new ICAL.Event(cal.getFirstSubcomponent("vevent") as ICAL.Component);
        return {
          method: cal.getFirstPropertyValue("method"),
          uid: e.uid,
          sequence: e.sequence,
          start: e.startDate.toJSDate().toISOString(),
          tz: e.startDate.zone?.tzid,
          summary: e.summary,
        };
      };
      const before = parse((await unary(c, c.getInvitation, { bookingId: b?.bookingId ?? "" }, { identity: kuopioWorker })).ics);
      const after = parse((await unary(c, c.getInvitation, { bookingId: moved?.bookingId ?? "" }, { identity: kuopioWorker })).ics);
      expect(before).toMatchObject({ method: "CANCEL", uid: `${b?.bookingId}@silta`, start: "2027-03-25T08:00:00.000Z", tz: "Europe/Helsinki" });
      expect(after).toMatchObject({ method: "REQUEST", uid: `${b?.bookingId}@silta`, sequence: 1, start: "2027-03-30T07:00:00.000Z", tz: "Europe/Helsinki" });
      expect(after.summary).not.toContain("Teenager");
    } finally {
      clock.set("2027-01-04T06:00:00Z");
    }
  });

  it("serves the specialist's feed at a secret URL as PUBLISH, and stops serving it once replaced", async () => {
    const { specialist, person } = await registerSpecialist(c);
    await unary(c, c.book, consultation({ specialistId: specialist.specialistId, start: winter("2027-01-29", "10:00") }), { identity: kuopioWorker });
    const { feedToken } = await unary(c, c.rotateFeed, { specialistId: specialist.specialistId }, { identity: person });
    const { ics } = await unary(c, c.readFeed, { feedToken });
    expect(ics).toContain("METHOD:PUBLISH");
    expect(ics).toContain("DTSTART;TZID=Europe/Helsinki:20270129T100000");
    expect(ics).not.toContain("Teenager");
    await unary(c, c.rotateFeed, { specialistId: specialist.specialistId }, { identity: person });
    expect((await fail(unary(c, c.readFeed, { feedToken }))).code).toBe("SILTA_CONSULTATION_FEED_INVALID");
  });
});

describe("bad input and forged identities", () => {
  it.each([
    ["an unknown skill", (id: string) => unary(c, c.listSpecialists, { skill: "astrology", language: "" }, { identity: kuopioWorker }).then(() => id), "skill"],
    [
      "overlapping schedule rules",
      (id: string) =>
        unary(
          c,
          c.setAvailability,
          {
            specialistId: id,
            timeZone: "Europe/Helsinki",
            schedules: [
              {
                rules: [
                  { weekday: 1, start: "09:00", end: "12:00" },
                  { weekday: 1, start: "11:00", end: "13:00" },
                ],
                validFrom: "",
                validUntil: "",
              },
            ],
            overrides: [],
            worksOnHolidays: false,
          },
          { identity: coordinator },
        ),
      "schedules[0].rules[1]",
    ],
    [
      "a range ending before it starts",
      (id: string) =>
        unary(
          c,
          c.listSlots,
          {
            specialistId: id,
            skill: "",
            language: "",
            kind: 1,
            lengthMinutes: 60,
            fromDate: "2027-01-20",
            toDate: "2027-01-19",
            withReasons: false,
            municipalityCode: "",
            groupBySpecialist: false,
          },
          { identity: kuopioWorker },
        ),
      "to_date",
    ],
    [
      "a time zone other than an IANA name",
      (id: string) =>
        unary(c, c.setAvailability, { specialistId: id, timeZone: "+02:00", schedules: [], overrides: [], worksOnHolidays: false }, { identity: coordinator }),
      "time_zone",
    ],
    [
      "a training session of capacity 0",
      (id: string) =>
        unary(
          c,
          c.openTrainingSession,
          {
            requestId: uniqueName("t"),
            specialistId: id,
            start: winter("2027-01-22", "12:00"),
            lengthMinutes: 60,
            capacity: 0,
            topic: "",
            location: "Kuopio",
            videoLink: "",
          },
          { identity: coordinator },
        ),
      "capacity",
    ],
    [
      "more date overrides than a calendar has days",
      (id: string) =>
        unary(
          c,
          c.setAvailability,
          {
            specialistId: id,
            timeZone: "Europe/Helsinki",
            schedules: [],
            overrides: Array.from({ length: 401 }, () => ({ date: "2027-01-01", dayOff: true, start: "", end: "" })),
            worksOnHolidays: false,
          },
          { identity: coordinator },
        ),
      "overrides",
    ],
    [
      "a training session with neither a place nor a video link",
      (id: string) =>
        unary(
          c,
          c.openTrainingSession,
          {
            requestId: uniqueName("t"),
            specialistId: id,
            start: winter("2027-01-22", "12:00"),
            lengthMinutes: 60,
            capacity: 5,
            topic: "",
            location: "",
            videoLink: "",
          },
          { identity: coordinator },
        ),
      "location",
    ],
  ])("refuses %s with INVALID_ARGUMENT naming the field, writing nothing", async (_name, call, field) => {
    const { specialist } = await registerSpecialist(c);
    const before = await rows();
    const e = await fail(call(specialist.specialistId));
    expect(e.code).toBe("SILTA_CONSULTATION_INVALID");
    expect(e.message).toContain(field);
    expect(await rows()).toEqual(before);
  });

  it.each([
    ["in the past", "2027-01-03T10:00:00+02:00", "PAST"],
    ["outside the booking window", "2027-06-01T10:00:00+03:00", "WINDOW"],
    ["on a public holiday (Epiphany)", "2027-01-06T10:00:00+02:00", "HOLIDAY"],
  ])("refuses a booking %s with FAILED_PRECONDITION naming the rule, no event", async (_name, start, rule) => {
    const { specialist } = await registerSpecialist(c);
    const before = await rows();
    const e = await fail(unary(c, c.book, consultation({ specialistId: specialist.specialistId, start }), { identity: kuopioWorker }));
    expect(e.code).toBe("SILTA_CONSULTATION_NOT_BOOKABLE");
    expect(JSON.stringify(e)).toContain(rule);
    expect(await rows()).toEqual(before);
  });

  it("answers another area's worker, a specialist of another person and a forged coordinator with 404 or 403, changing nothing", async () => {
    const { specialist } = await registerSpecialist(c);
    const [b] = (
      await unary(c, c.book, consultation({ specialistId: specialist.specialistId, start: winter("2027-01-25", "14:00") }), { identity: kuopioWorker })
    ).bookings;
    const before = await rows();
    expect((await fail(unary(c, c.getBooking, { bookingId: b?.bookingId ?? "" }, { identity: outsider }))).code).toBe("SILTA_CONSULTATION_NOT_FOUND");
    expect((await fail(unary(c, c.cancelBooking, { bookingId: b?.bookingId ?? "", reason: "" }, { identity: outsider }))).code).toBe(
      "SILTA_CONSULTATION_NOT_FOUND",
    );
    expect((await fail(unary(c, c.getInvitation, { bookingId: b?.bookingId ?? "" }, { identity: rautavaaraWorker }))).code).toBe(
      "SILTA_CONSULTATION_NOT_FOUND",
    );
    // The area's notifications service reads a booking's .ics (for its e-mails); another area's does not.
    const ids = await sharedTestIdentities();
    const n = proveCallsOf(service.client((await import("@silta/contracts/consultations/v1/consultations.ts")).ConsultationServiceClient), {
      prover: ids.prover.notifications,
      audience: "silta-consultations",
    });
    const notifications: Identity = {
      subject: "silta-notifications",
      organisationId: "silta-notifications-13",
      organisationType: "service",
      roles: [],
      areaCodes: ["13"],
      municipalityCodes: [],
    };
    expect((await unary(n, n.getInvitation, { bookingId: b?.bookingId ?? "" }, { identity: notifications })).ics).toContain("METHOD:REQUEST");
    expect(
      (
        await fail(
          unary(
            n,
            n.getInvitation,
            { bookingId: b?.bookingId ?? "" },
            { identity: { ...notifications, organisationId: "silta-notifications-03", areaCodes: ["03"] } },
          ),
        )
      ).code,
    ).toBe("SILTA_CONSULTATION_NOT_FOUND");
    expect((await fail(unary(n, n.getBooking, { bookingId: b?.bookingId ?? "" }, { identity: notifications }))).code).toBe("SILTA_CONSULTATION_NOT_FOUND");
    expect((await fail(unary(c, c.rotateFeed, { specialistId: specialist.specialistId }, { identity: specialistPerson("someone-else") }))).code).toBe(
      "SILTA_CONSULTATION_NOT_FOUND",
    );
    expect(
      (
        await fail(
          unary(c, c.setFairness, { reservedPercent: 90, releaseHours: 0, priorityMunicipalityCodes: [] }, { identity: { ...coordinator, areaCodes: ["03"] } }),
        )
      ).code,
    ).toBe("SILTA_CONSULTATION_FORBIDDEN");
    expect(
      (await fail(unary(c, c.book, consultation({ specialistId: specialist.specialistId, start: winter("2027-01-25", "12:00") }), { identity: outsider })))
        .code,
    ).toBe("SILTA_CONSULTATION_FORBIDDEN");
    expect(await rows()).toEqual(before);
  });
});
