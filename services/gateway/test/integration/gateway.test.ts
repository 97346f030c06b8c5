// Through the real gateway → the real consent and referrals services → real PostgreSQL,
// Kafka and Redis: what a school, a wellbeing area and a municipal system see over HTTP.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { helsinkiDate, instantAt, nthWorkingDayAfter } from "@silta/calendar";
import { DataCategory, GiverRole, GrantConsentRequest, ObtainedBy, OrganisationType, Purpose } from "@silta/contracts/consent/v1/consent.ts";
import {
  captureLogs,
  createTestDatabase,
  freshHetu,
  installTestTracing,
  readTopicUntil,
  type TestDatabase,
  testEnv,
  uniqueName,
  waitFor,
} from "@silta/testing";
import { type Chain, CONCERN, educationEvent, http, NAME, type Persona, personas, startChain, referralSubmission as submission } from "@silta/tests/chain";
import { importJWK, SignJWT, UnsecuredJWT } from "jose";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newKeys } from "../../src/auth/dev-token.ts";
import { openApiDocument } from "../../src/openapi/document.ts";

installTestTracing();
const logs = captureLogs("gateway-test");
const kafka = new Kafka({ clientId: "gateway-test", brokers: testEnv.kafkaBrokers, logLevel: logLevel.NOTHING });
let consentDb: TestDatabase;
let referralsDb: TestDatabase;
let consultationsDb: TestDatabase;
let meetingsDb: TestDatabase;
let notificationsDb: TestDatabase;
let chain: Chain;
/** How far ahead of the wall clock the meetings service's clock runs (an outcome needs a begun meeting). */
let meetingsAhead = 0;
const tokens = {} as Record<Persona, string>;

beforeAll(async () => {
  [consentDb, referralsDb, consultationsDb, meetingsDb, notificationsDb] = await Promise.all([
    createTestDatabase("gw_consent"),
    createTestDatabase("gw_referrals"),
    createTestDatabase("gw_consultations"),
    createTestDatabase("gw_meetings"),
    createTestDatabase("gw_notifications"),
  ]);
  chain = await startChain({
    consentDbUrl: consentDb.url,
    referralsDbUrl: referralsDb.url,
    consultationsDbUrl: consultationsDb.url,
    meetingsDbUrl: meetingsDb.url,
    meetingsClock: { now: () => new Date(Date.now() + meetingsAhead) },
    notificationsDbUrl: notificationsDb.url,
    logger: logs.logger,
    consumerGroup: uniqueName("gw-referrals"),
  });
  for (const [name, claims] of Object.entries(personas)) tokens[name as Persona] = await chain.token(claims);
});
afterAll(async () => {
  await chain?.stop();
  await Promise.all([consentDb?.drop(), referralsDb?.drop(), consultationsDb?.drop(), meetingsDb?.drop(), notificationsDb?.drop()]);
});

const call = (method: string, path: string, who?: Persona, body?: unknown) =>
  http(chain.baseUrl, method, path, { ...(who ? { token: tokens[who] } : {}), body });

describe("a child welfare notification through the gateway", () => {
  it("a teacher submits it and reads back its status; the area's worker sees it; another area's worker and the teacher cannot", async () => {
    const submitted = await call("POST", "/v1/referrals", "teacher", submission());
    expect(submitted.status).toBe(201);
    const receipt = submitted.body.receipt as { referralId: string; referenceNumber: string; areaCode: string; areaName: string };
    expect(receipt).toMatchObject({ areaCode: "13", areaName: "Pohjois-Savon hyvinvointialue" });
    expect(JSON.stringify(submitted.body)).not.toContain(CONCERN);

    const status = await call("GET", `/v1/referral-statuses/${receipt.referenceNumber}`, "teacher");
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ referenceNumber: receipt.referenceNumber, areaCode: "13" });
    expect(JSON.stringify(status.body)).not.toContain(CONCERN);

    const seen = await call("GET", `/v1/referrals/${receipt.referralId}`, "worker13");
    expect(seen.status).toBe(200);
    expect(seen.body.referral).toMatchObject({ referralId: receipt.referralId, concern: CONCERN, status: "REFERRAL_STATUS_SUBMITTED" });

    const otherArea = await call("GET", `/v1/referrals/${receipt.referralId}`, "worker03");
    expect([403, 404]).toContain(otherArea.status);
    expect(JSON.stringify(otherArea.body)).not.toContain(CONCERN);
    const teacherReads = await call("GET", `/v1/referrals/${receipt.referralId}`, "teacher");
    expect(teacherReads.status).toBe(403);
    // Another organisation cannot read the notifier's status either.
    const ngoStatus = await call("GET", `/v1/referral-statuses/${receipt.referenceNumber}`, "ngo");
    expect([403, 404]).toContain(ngoStatus.status);
  });

  it("answers invalid fields as RFC 9457 problem details naming each field, and writes nothing", async () => {
    const before = (await chain.referrals.pool.query("SELECT count(*)::int AS n FROM referrals")).rows[0].n;
    const bad = await call("POST", "/v1/referrals", "teacher", submission({ homeMunicipalityCode: "999", child: { hetu: "131052-308X" } }));
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toContain("application/problem+json");
    expect(bad.body).toMatchObject({ type: expect.stringMatching(/^https:\/\//), title: "Invalid request", status: 400, code: "SILTA_REFERRAL_INVALID" });
    expect(bad.body.errors?.map((e) => e.field)).toEqual(expect.arrayContaining(["homeMunicipalityCode", "child.hetu"]));
    expect(JSON.stringify(bad.body)).not.toContain("131052-308X");
    const unknown = await call("POST", "/v1/referrals", "teacher", { ...submission(), colour: "red" });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([{ field: "colour", reason: expect.any(String) }]);
    const wrongType = await call("POST", "/v1/referrals", "teacher", { ...submission(), urgentClaimed: "very" });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.errors?.[0]?.field).toBe("urgentClaimed");
    const nul = await call("GET", "/v1/referral-statuses/%00", "teacher");
    expect(nul.status).toBe(400);
    expect(nul.body.errors).toEqual([{ field: "referenceNumber", reason: "must not contain a NUL character" }]);
    const nulBody = await call("POST", "/v1/referrals", "teacher", submission({ concern: "a\u0000b" }));
    expect(nulBody.status).toBe(400);
    expect(nulBody.body.errors?.[0]?.field).toBe("concern");
    const malformed = await http(chain.baseUrl, "POST", "/v1/referrals", { token: tokens.teacher, raw: '{"requestId": "x",' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe("SILTA_GATEWAY_MALFORMED_JSON");
    expect((await chain.referrals.pool.query("SELECT count(*)::int AS n FROM referrals")).rows[0].n).toBe(before);
  });

  it("refuses a private person's notification from a school's token, saying where such notifications come from", async () => {
    const before = (await chain.referrals.pool.query("SELECT count(*)::int AS n FROM referrals")).rows[0].n;
    const anonymous = await call("POST", "/v1/referrals", "teacher", submission({ notifier: { type: "NOTIFIER_TYPE_ANONYMOUS_PRIVATE_PERSON" } }));
    expect(anonymous.status).toBe(403);
    expect(anonymous.body).toMatchObject({ code: "SILTA_REFERRAL_PRIVATE_VIA_SERVICE", detail: expect.stringContaining("web form") });
    expect((await chain.referrals.pool.query("SELECT count(*)::int AS n FROM referrals")).rows[0].n).toBe(before);
  });

  it("accepts the original proto field names as well (proto3 JSON), and refuses a field given under both names", async () => {
    const camel = submission();
    const notifier = camel.notifier as Record<string, string>;
    const snake = {
      request_id: camel.requestId,
      kind: camel.kind,
      notifier: { ...notifier, organisation_id: notifier.organisationId, organisationId: undefined },
      child: camel.child,
      home_municipality_code: camel.homeMunicipalityCode,
      concern: camel.concern,
    };
    const submitted = await call("POST", "/v1/referrals", "teacher", JSON.parse(JSON.stringify(snake)));
    expect(submitted.status).toBe(201);
    const receipt = submitted.body.receipt as { referralId: string };
    const listed = await call("GET", "/v1/referrals?area_code=13", "worker13");
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).toContain(receipt.referralId);

    const twice = await call("POST", "/v1/referrals", "teacher", { ...submission(), request_id: "another" });
    expect(twice.status).toBe(400);
    expect(twice.body.errors).toEqual([{ field: "requestId", reason: "given twice: as requestId and as request_id" }]);
  });

  it("refuses a transition from the wrong state with 409 and the current state", async () => {
    const { body } = await call("POST", "/v1/referrals", "teacher", submission());
    const id = (body.receipt as { referralId: string }).referralId;
    const early = await call("POST", `/v1/referrals/${id}/decision`, "worker13", { outcome: "DECISION_OUTCOME_NO_FURTHER_ACTION" });
    expect(early.status).toBe(409);
    expect(JSON.stringify(early.body)).toContain("submitted");
    expect((await call("POST", `/v1/referrals/${id}/receive`, "worker13", {})).status).toBe(200);
  });

  it("answers 404 as a problem for a route that does not exist, and never shows a stack trace", async () => {
    const r = await call("GET", "/v1/nothing-here", "teacher");
    expect(r.status).toBe(404);
    expect(r.body).toMatchObject({ status: 404, code: "SILTA_GATEWAY_NO_SUCH_ROUTE" });
    expect(JSON.stringify(r.body)).not.toMatch(/at .*\.ts:\d+/);
  });
});

describe("authentication", () => {
  const claims = personas.teacher;
  const cases: [string, () => Promise<string | undefined>][] = [
    ["a missing token", async () => undefined],
    ["an expired token", () => chain.token(claims, { expiresIn: Math.floor(Date.now() / 1000) - 120 })],
    ["a token for another audience", () => chain.token(claims, { audience: "someone-else" })],
    ["a token from another issuer", () => chain.token(claims, { issuer: "https://evil.example" })],
    [
      "a tampered token",
      async () => {
        const [h, p, s] = (await chain.token(claims)).split(".");
        const payload = JSON.parse(Buffer.from(p as string, "base64url").toString());
        return [h, Buffer.from(JSON.stringify({ ...payload, roles: ["child_protection_manager"] })).toString("base64url"), s].join(".");
      },
    ],
    ["an unsigned token (alg: none)", async () => new UnsecuredJWT({ ...claims }).setIssuer("silta-dev").setAudience("silta").setExpirationTime("1h").encode()],
    [
      "a token signed by an unknown key (HS256 with a guessable secret)",
      async () =>
        new SignJWT({ ...claims })
          .setProtectedHeader({ alg: "HS256", kid: "test-key" })
          .setIssuer("silta-dev")
          .setAudience("silta")
          .setExpirationTime("1h")
          .sign(new TextEncoder().encode("x".repeat(32))),
    ],
    ["a token without the organisation claims", () => chain.token({ ...claims, org_type: "" } as never)],
  ];
  it.each(cases)("refuses %s with 401 and WWW-Authenticate", async (_what, make) => {
    const token = await make();
    const r = await http(chain.baseUrl, "GET", "/v1/referral-statuses/LS-13-2026-000001", token ? { token } : {});
    expect(r.status).toBe(401);
    expect(r.headers.get("www-authenticate")).toMatch(/^Bearer realm="silta"/);
    expect(r.body).toMatchObject({ status: 401, title: "Authentication required" });
  });

  const signed = (over: { iat?: number; exp?: number; kid?: string | null } = {}) => {
    const now = Math.floor(Date.now() / 1000);
    const header = over.kid === null ? { alg: "ES256" } : { alg: "ES256", kid: over.kid ?? "test-key" };
    return importJWK(chain.keys.privateJwk, "ES256").then((key) =>
      new SignJWT({ ...claims })
        .setProtectedHeader(header)
        .setIssuer("silta-dev")
        .setAudience("silta")
        .setIssuedAt(over.iat ?? now)
        .setExpirationTime(over.exp ?? now + 3600)
        .sign(key),
    );
  };
  // A reference number no test files: an accepted token gets 404, a refused one 401.
  const NONE = "/v1/referral-statuses/LS-13-2020-000001";
  const status = (token: string, headers: Record<string, string> = {}) =>
    http(chain.baseUrl, "GET", NONE, { headers: { authorization: `Bearer ${token}`, ...headers } });

  it("refuses a token living longer than 12 h or issued in the future, and accepts one within both", async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const token of [await signed({ exp: now + 10 * 365 * 86_400 }), await signed({ iat: now + 3600, exp: now + 7200 })]) {
      const r = await status(token);
      expect(r.status).toBe(401);
      expect(r.headers.get("www-authenticate")).toContain('error="invalid_token"');
    }
    expect((await status(await signed({ exp: now + 11 * 3600 }))).status).toBe(404);
  });

  it("takes the scheme case-insensitively, and refuses two Authorization headers", async () => {
    const token = await chain.token(claims);
    for (const scheme of ["bearer", "BEARER", "Bearer"]) {
      expect((await http(chain.baseUrl, "GET", NONE, { headers: { authorization: `${scheme} ${token}` } })).status).toBe(404);
    }
    // fetch folds repeated headers into one; a raw request sends two.
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(chain.baseUrl).port), "127.0.0.1", () =>
        socket.write(
          `GET /v1/referral-statuses/LS-13-2026-000001 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n\r\n`,
        ),
      );
      let text = "";
      socket.on("data", (d) => (text += d));
      socket.on("end", () => resolve(text));
      socket.on("error", reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 401/);
    expect(answer).toContain("send one Authorization header");
    expect(answer.toLowerCase()).toContain("www-authenticate: bearer");
  });

  it("refuses a token without a key id when the key set has several keys", async () => {
    const second = await newKeys("second-key");
    const dir = mkdtempSync(join(tmpdir(), "jwks-"));
    writeFileSync(join(dir, "jwks.json"), JSON.stringify({ keys: [...chain.keys.jwks.keys, ...second.jwks.keys] }));
    const two = await chain.anotherGateway({ SILTA_JWKS_URL: "", SILTA_JWKS_FILE: join(dir, "jwks.json") });
    try {
      const get = async (token: string) => (await http(`http://127.0.0.1:${two.httpPort}`, "GET", NONE, { token })).status;
      expect(await get(await signed({ kid: null }))).toBe(401);
      expect(await get(await signed())).toBe(404);
      // With a single key, a token without kid is still taken (that key is the only candidate).
      expect((await status(await signed({ kid: null }))).status).toBe(404);
    } finally {
      await two.stop();
    }
  });

  it("answers 431 for oversized headers with WWW-Authenticate too", async () => {
    const r = await fetch(`${chain.baseUrl}/v1/referral-statuses/LS-13-2026-000001`, { headers: { authorization: `Bearer ${"a".repeat(20_000)}.b.c` } });
    expect(r.status).toBe(431);
    expect(r.headers.get("www-authenticate")).toMatch(/^Bearer realm="silta"/);
  });

  it("limits requests without a valid token per client address before verifying any, the address taken from a trusted proxy", async () => {
    const guarded = await chain.anotherGateway({ SILTA_UNAUTHENTICATED_PER_MINUTE: "3", SILTA_TRUSTED_PROXIES: "127.0.0.1" });
    try {
      const base = `http://127.0.0.1:${guarded.httpPort}`;
      const from = (address: string, token?: string) =>
        http(base, "GET", NONE, { headers: { "x-forwarded-for": address, ...(token ? { authorization: `Bearer ${token}` } : {}) } });
      const attacker = `198.51.100.${Math.floor(Math.random() * 250) + 1}`;
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await from(attacker, "forged.token.x")).status);
      expect(statuses).toEqual([401, 401, 401, 429]);
      const refused = await from(attacker);
      expect(refused.status).toBe(429);
      expect(refused.headers.get("retry-after")).toBe("60");
      expect(refused.body.code).toBe("SILTA_GATEWAY_UNAUTHENTICATED_RATE_LIMITED");
      // Another client behind the same ingress is its own bucket; a valid token is never counted.
      expect((await from(`203.0.113.${Math.floor(Math.random() * 250) + 1}`, "forged.token.x")).status).toBe(401);
      expect((await from(`192.0.2.${Math.floor(Math.random() * 250) + 1}`, await chain.token(claims))).status).toBe(404);
    } finally {
      await guarded.stop();
    }
  });

  it("refuses a body with invalid UTF-8 with 400 naming the field, storing nothing", async () => {
    const valid = submission();
    const json = JSON.stringify({ ...valid, concern: "CONCERN_PLACEHOLDER" });
    const [head, tail] = json.split("CONCERN_PLACEHOLDER") as [string, string];
    const raw = Buffer.concat([Buffer.from(head, "utf8"), Buffer.from([0x6b, 0xc3, 0x28, 0xff]), Buffer.from(tail, "utf8")]);
    const r = await fetch(`${chain.baseUrl}/v1/referrals`, {
      method: "POST",
      headers: { authorization: `Bearer ${tokens.teacher}`, "content-type": "application/json" },
      body: raw,
    });
    expect(r.status).toBe(400);
    const problem = (await r.json()) as { code: string; errors: { field: string; reason: string }[] };
    expect(problem.code).toBe("SILTA_GATEWAY_INVALID_UTF8");
    expect(problem.errors).toEqual([{ field: "concern", reason: "is not valid UTF-8" }]);
    const stored = await chain.referrals.pool.query("SELECT count(*)::int AS n FROM referrals WHERE request_key LIKE $1", [`%${valid.requestId}`]);
    expect(stored.rows[0].n).toBe(0);
  });

  it("answers 403 to a valid token without the route's role", async () => {
    const r = await call("GET", "/v1/referrals?areaCode=13", "teacher");
    expect(r.status).toBe(403);
    expect(r.body.code).toBe("SILTA_AUTH_ROLE_REQUIRED");
  });
});

/** A consent of area 13 for the school, about `subjectPseudonym` (proto3 JSON). */
function consentFor(subjectPseudonym: string) {
  return GrantConsentRequest.toJSON({
    subjectPseudonym,
    areaCode: "13",
    givenBy: [{ role: GiverRole.GIVER_ROLE_CUSTODIAN, personRef: "person-1" }],
    childViewRecorded: true,
    childBirthDate: "2015-03-14",
    recipients: [{ organisationId: "kuopio-school-12", organisationType: OrganisationType.ORGANISATION_TYPE_MUNICIPALITY, roles: [] }],
    purposes: [Purpose.PURPOSE_SCHOOL_SUPPORT],
    dataCategories: [DataCategory.DATA_CATEGORY_EDUCATION_EVENTS],
    validFrom: "",
    validUntil: new Date(Date.now() + 365 * 86_400_000).toISOString(),
    obtainedBy: ObtainedBy.OBTAINED_BY_WRITTEN,
  }) as Record<string, unknown>;
}

describe("role × organisation, for every route", () => {
  const all = Object.keys(personas) as Persona[];
  let referralId = "";
  let referenceNumber = "";
  let consentId = "";
  const subject = "ps_gateway_matrix_subject";
  const grant = () => consentFor(subject);
  // Consultations: specialist13's calendar, times a week ahead, a fresh one for each booking.
  let specialistId = "";
  let sessionId = "";
  let bookingId = "";
  let feedToken = "";
  let nextSlot = 0;
  const day = nthWorkingDayAfter(helsinkiDate(new Date()), 7, { evesOff: true });
  const freshTime = () => {
    const n = nextSlot++;
    return new Date(
      instantAt(nthWorkingDayAfter(day, Math.floor(n / 20), { evesOff: true }), "08:00", "Europe/Helsinki") + (n % 20) * 20 * 60_000,
    ).toISOString();
  };
  const details = { kind: "BOOKING_KIND_CONSULTATION", lengthMinutes: 15, responsibleWorkerRef: "sw-1", municipalityCode: "297", location: "Kuopio" };
  const book = async () => {
    const b = await call("POST", "/v1/consultations/bookings", "worker13", { requestId: uniqueName("b"), specialistId, start: freshTime(), details });
    expect(b.status).toBe(201);
    return (b.body.bookings as { bookingId: string }[])[0]?.bookingId as string;
  };
  const hold = async () => {
    const h = await call("POST", "/v1/consultations/holds", "worker13", {
      requestId: uniqueName("h"),
      specialistId,
      start: freshTime(),
      kind: "BOOKING_KIND_CONSULTATION",
      lengthMinutes: 15,
    });
    expect(h.status).toBe(201);
    return (h.body.booking as { bookingId: string }).bookingId;
  };
  const availability = {
    timeZone: "Europe/Helsinki",
    schedules: [{ rules: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: "08:00", end: "16:00" })) }],
    rules: { bufferBeforeMinutes: 0, bufferAfterMinutes: 0, minimumNoticeMinutes: 0, bookingWindowDays: 90, capPerDay: 0, capPerWeek: 0 },
  };

  // Meetings: worker13's organisation organises, worker13 is invited (and may answer), a guardian by link.
  const aMeeting = async () => {
    const m = await call("POST", "/v1/meetings", "worker13", {
      requestId: uniqueName("m"),
      kind: "MEETING_KIND_NETWORK",
      childHetu: freshHetu(),
      start: new Date(Date.now() + 86_400_000).toISOString(),
      lengthMinutes: 60,
      staff: [
        {
          organisationId: personas.worker13.org_id,
          organisationType: "ORGANISATION_TYPE_WELLBEING_AREA",
          role: "child_protection_worker",
          personRef: personas.worker13.sub,
        },
      ],
      family: [{ role: "FAMILY_ROLE_GUARDIAN", email: "g@example.fi", required: true }],
      booked: true,
    });
    expect(m.status).toBe(201);
    const meeting = m.body.meeting as { meetingId: string; participants: { participantId: string; familyRole?: string }[] };
    return { meetingId: meeting.meetingId, guardian: meeting.participants.find((p) => p.familyRole === "FAMILY_ROLE_GUARDIAN")?.participantId as string };
  };
  let meeting = { meetingId: "", guardian: "" };
  let familyLink = "";
  let inboxItemId = "";
  let emailDeliveryId = "";

  beforeAll(async () => {
    meeting = await aMeeting();
    familyLink = (await call("POST", `/v1/meetings/${meeting.meetingId}/participants/${meeting.guardian}/link`, "worker13", {})).body.token as string;
    const reg = await call("POST", "/v1/consultations/specialists", "coordinator13", {
      personRef: personas.specialist13.sub,
      organisationId: personas.specialist13.org_id,
      organisationType: "SPECIALIST_ORGANISATION_TYPE_WELLBEING_AREA",
      skills: ["mental_health"],
      languages: ["fi"],
    });
    expect(reg.status).toBe(201);
    specialistId = (reg.body.specialist as { specialistId: string }).specialistId;
    expect((await call("POST", `/v1/consultations/specialists/${specialistId}/availability`, "specialist13", availability)).status).toBe(200);
    bookingId = await book();
    const t = await call("POST", "/v1/consultations/training-sessions", "specialist13", {
      requestId: uniqueName("t"),
      specialistId,
      start: freshTime(),
      lengthMinutes: 15,
      capacity: 20,
      location: "Kuopio",
    });
    sessionId = (t.body.booking as { bookingId: string }).bookingId;
    feedToken = ((await call("POST", `/v1/consultations/specialists/${specialistId}/feed`, "specialist13", {})).body as { feedToken: string }).feedToken;
    // The administrator's own person and the area's intake desk (them): the referral below reaches them in-app and by e-mail.
    expect(
      (
        await call("POST", "/v1/notifications/people", "admin13", {
          person: { personRef: "admin-1", language: "LANGUAGE_FI", email: "admin@kuopio.example", channels: ["CHANNEL_EMAIL"] },
        })
      ).status,
    ).toBe(200);
    expect((await call("POST", "/v1/notifications/groups", "admin13", { group: { groupRef: "intake_desk", memberRefs: ["admin-1"] } })).status).toBe(200);
    const s = await call("POST", "/v1/referrals", "teacher", submission());
    ({ referralId, referenceNumber } = s.body.receipt as { referralId: string; referenceNumber: string });
    const told = await waitFor(
      async () => {
        const r = await (chain.notifications as NonNullable<Chain["notifications"]>).pool.query(
          "SELECT delivery_id, channel FROM deliveries WHERE reference = $1 AND recipient_ref = 'admin-1'",
          [referenceNumber],
        );
        return r.rows.length === 2 ? r.rows : undefined;
      },
      { what: "the intake desk's item and e-mail" },
    );
    inboxItemId = told.find((d) => d.channel === "in_app")?.delivery_id;
    emailDeliveryId = told.find((d) => d.channel === "email")?.delivery_id;
    const g = await call("POST", "/v1/consents", "worker13", grant());
    expect(g.status).toBe(201);
    consentId = (g.body.consent as { consentId: string }).consentId;
  });

  // Who may (the rest get 403 from the gateway's role gate or 403/404 from the service's per-object check).
  const routes: { name: string; allowed: Persona[]; request: (who: Persona) => Promise<Awaited<ReturnType<typeof call>>>; emptyFor?: Persona[] }[] = [
    // Notifications: everyone's own inbox and settings; the administrator's directory, webhooks and deliveries.
    { name: "GET /v1/notifications/inbox", allowed: all, request: (who) => call("GET", "/v1/notifications/inbox", who) },
    { name: "POST /v1/notifications/stream-tickets", allowed: all, request: (who) => call("POST", "/v1/notifications/stream-tickets", who, {}) },
    {
      // Public (the ticket is the proof): each person's own ticket opens their own inbox's stream.
      name: "GET /v1/notifications/stream",
      allowed: all,
      request: async (who) => {
        const t = await call("POST", "/v1/notifications/stream-tickets", who, {});
        const stop = new AbortController();
        const res = await fetch(`${chain.baseUrl}${t.body.url as string}`, { signal: stop.signal });
        stop.abort();
        return { status: res.status, headers: res.headers, body: {} };
      },
    },
    {
      name: "POST /v1/notifications/inbox/{id}/read",
      allowed: ["admin13"],
      request: (who) => call("POST", `/v1/notifications/inbox/${inboxItemId}/read`, who, {}),
    },
    {
      name: "POST /v1/notifications/preferences",
      allowed: all,
      request: (who) => call("POST", "/v1/notifications/preferences", who, { preference: { kind: "", channel: "CHANNEL_EMAIL", enabled: true } }),
    },
    {
      name: "POST /v1/notifications/quiet-hours",
      allowed: all,
      request: (who) => call("POST", "/v1/notifications/quiet-hours", who, { timeZone: "Europe/Helsinki", windows: [] }),
    },
    {
      name: "POST /v1/notifications/people",
      allowed: ["admin13"],
      request: (who) => call("POST", "/v1/notifications/people", who, { person: { personRef: "p-1", language: "LANGUAGE_SV", email: "", channels: [] } }),
    },
    {
      name: "POST /v1/notifications/groups",
      allowed: ["admin13"],
      request: (who) => call("POST", "/v1/notifications/groups", who, { group: { groupRef: "duty_desk", memberRefs: ["admin-1"] } }),
    },
    {
      name: "POST /v1/notifications/webhooks",
      allowed: ["admin13"],
      request: (who) => call("POST", "/v1/notifications/webhooks", who, { url: "https://hooks.example.org/silta" }),
    },
    { name: "GET /v1/notifications/deliveries", allowed: ["admin13"], request: (who) => call("GET", "/v1/notifications/deliveries", who) },
    {
      name: "POST /v1/notifications/deliveries/{id}/replay",
      allowed: ["admin13"],
      request: (who) => call("POST", `/v1/notifications/deliveries/${emailDeliveryId}/replay`, who, {}),
    },
    { name: "POST /v1/referrals", allowed: ["teacher"], request: (who) => call("POST", "/v1/referrals", who, submission()) },
    { name: "GET /v1/referral-statuses/{ref}", allowed: ["teacher"], request: (who) => call("GET", `/v1/referral-statuses/${referenceNumber}`, who) },
    { name: "GET /v1/referrals", allowed: ["worker13"], request: (who) => call("GET", "/v1/referrals?areaCode=13", who) },
    { name: "GET /v1/referrals/{id}", allowed: ["worker13"], request: (who) => call("GET", `/v1/referrals/${referralId}`, who) },
    { name: "POST /v1/referrals/{id}/receive", allowed: ["worker13"], request: (who) => call("POST", `/v1/referrals/${referralId}/receive`, who, {}) },
    {
      name: "POST /v1/referrals/{id}/urgency-assessment",
      allowed: ["worker13"],
      request: (who) => call("POST", `/v1/referrals/${referralId}/urgency-assessment`, who, { urgent: false }),
    },
    {
      name: "POST /v1/referrals/{id}/decision",
      allowed: ["worker13"],
      request: (who) => call("POST", `/v1/referrals/${referralId}/decision`, who, { outcome: "DECISION_OUTCOME_START_ASSESSMENT" }),
    },
    {
      name: "POST /v1/referrals/{id}/assessment-completion",
      allowed: ["worker13"],
      request: (who) => call("POST", `/v1/referrals/${referralId}/assessment-completion`, who, {}),
    },
    {
      name: "POST /v1/referrals/{id}/responsible",
      allowed: ["worker13"],
      request: (who) => call("POST", `/v1/referrals/${referralId}/responsible`, who, { workerRef: "sw-13-7", teamRef: "" }),
    },
    { name: "POST /v1/referrals/{id}/closure", allowed: ["worker13"], request: (who) => call("POST", `/v1/referrals/${referralId}/closure`, who, {}) },
    { name: "POST /v1/consents", allowed: ["worker13"], request: (who) => call("POST", "/v1/consents", who, grant()) },
    { name: "GET /v1/consents/{id}", allowed: ["worker13"], request: (who) => call("GET", `/v1/consents/${consentId}`, who) },
    {
      name: "GET /v1/consents",
      allowed: ["worker13"],
      // Another area's worker may ask, and sees none of area 13's consents.
      emptyFor: ["worker03"],
      request: (who) => call("GET", `/v1/consents?subjectPseudonym=${subject}`, who),
    },
    {
      name: "POST /v1/consents/{id}/revocation",
      allowed: ["worker13"],
      request: async (who) => {
        const g = await call("POST", "/v1/consents", "worker13", grant());
        return call("POST", `/v1/consents/${(g.body.consent as { consentId: string }).consentId}/revocation`, who, { reason: "custodian withdrew it" });
      },
    },
    {
      name: "POST /v1/statutory-bases",
      allowed: ["worker13"],
      request: (who) =>
        call("POST", "/v1/statutory-bases", who, {
          subjectPseudonym: subject,
          areaCode: "13",
          basisType: "BASIS_TYPE_STATUTORY_NOTIFICATION",
          legalProvision: "LSL 25 §",
          justification: "mandatory notification duty",
          recipient: { organisationId: "kuopio-school-12", organisationType: "ORGANISATION_TYPE_MUNICIPALITY" },
          purposes: ["PURPOSE_SCHOOL_SUPPORT"],
          dataCategories: ["DATA_CATEGORY_EDUCATION_EVENTS"],
          validUntil: new Date(Date.now() + 90 * 86_400_000).toISOString(),
        }),
    },
    {
      name: "POST /v1/disclosure-checks",
      // A recipient asks only for itself: the school.
      allowed: ["teacher"],
      request: (who) =>
        call("POST", "/v1/disclosure-checks", who, {
          subjectPseudonym: subject,
          recipient: { organisationId: "kuopio-school-12", organisationType: "ORGANISATION_TYPE_MUNICIPALITY", role: "teacher" },
          purpose: "PURPOSE_SCHOOL_SUPPORT",
          dataCategory: "DATA_CATEGORY_EDUCATION_EVENTS",
        }),
    },
    {
      name: "POST /v1/disclosure-checks/batch",
      allowed: ["teacher"],
      request: (who) =>
        call("POST", "/v1/disclosure-checks/batch", who, {
          subjectPseudonym: subject,
          recipients: [{ organisationId: "kuopio-school-12", organisationType: "ORGANISATION_TYPE_MUNICIPALITY", role: "teacher" }],
          purpose: "PURPOSE_SCHOOL_SUPPORT",
          dataCategory: "DATA_CATEGORY_EDUCATION_EVENTS",
        }),
    },
    {
      name: "GET /v1/disclosure-audit",
      allowed: ["worker13", "auditor13"],
      request: (who) => call("GET", `/v1/disclosure-audit?subjectPseudonym=${subject}`, who),
    },
    { name: "GET /v1/disclosure-audit/verification", allowed: ["auditor13"], request: (who) => call("GET", "/v1/disclosure-audit/verification", who) },
    { name: "GET /v1/usage-log/referrals", allowed: ["auditor13"], request: (who) => call("GET", `/v1/usage-log/referrals?subjectPseudonym=${subject}`, who) },
    { name: "GET /v1/usage-log/consents", allowed: ["auditor13"], request: (who) => call("GET", `/v1/usage-log/consents?subjectPseudonym=${subject}`, who) },
    {
      name: "POST /v1/education-events",
      allowed: ["publisher"],
      request: (who) => call("POST", "/v1/education-events", who, { events: [educationEvent(uniqueName("m"), freshHetu())] }),
    },
    {
      name: "GET /v1/usage-log/consultations",
      allowed: ["auditor13"],
      request: (who) => call("GET", `/v1/usage-log/consultations?subjectPseudonym=${subject}`, who),
    },
    {
      name: "POST /v1/consultations/specialists",
      allowed: ["coordinator13"],
      request: (who) =>
        call("POST", "/v1/consultations/specialists", who, {
          personRef: "spec-2",
          organisationId: "ita-suomen-osaamiskeskus",
          organisationType: "SPECIALIST_ORGANISATION_TYPE_EXPERT_CENTRE",
          skills: ["violence"],
        }),
    },
    {
      name: "GET /v1/consultations/specialists",
      allowed: ["worker13", "coordinator13", "specialist13"],
      request: (who) => call("GET", "/v1/consultations/specialists?skill=mental_health", who),
    },
    {
      name: "GET /v1/consultations/specialists/{id}",
      allowed: ["worker13", "coordinator13", "specialist13"],
      request: (who) => call("GET", `/v1/consultations/specialists/${specialistId}`, who),
    },
    {
      name: "POST /v1/consultations/specialists/{id}/availability",
      allowed: ["coordinator13", "specialist13"],
      request: (who) => call("POST", `/v1/consultations/specialists/${specialistId}/availability`, who, availability),
    },
    {
      name: "POST /v1/consultations/specialists/{id}/out-of-office",
      allowed: ["coordinator13", "specialist13"],
      request: (who) => call("POST", `/v1/consultations/specialists/${specialistId}/out-of-office`, who, { outOfOffice: [] }),
    },
    {
      name: "POST /v1/consultations/specialists/{id}/feed",
      allowed: ["coordinator13", "specialist13"],
      request: async (who) => {
        const r = await call("POST", `/v1/consultations/specialists/${specialistId}/feed`, who, {});
        if (r.status === 200) feedToken = (r.body as { feedToken: string }).feedToken;
        return r;
      },
    },
    {
      name: "GET /v1/consultations/slots",
      allowed: ["worker13", "coordinator13", "specialist13"],
      request: (who) => call("GET", `/v1/consultations/slots?specialistId=${specialistId}&fromDate=${day}&toDate=${day}&lengthMinutes=15`, who),
    },
    {
      name: "POST /v1/consultations/holds",
      allowed: ["worker13"],
      request: (who) =>
        call("POST", "/v1/consultations/holds", who, {
          requestId: uniqueName("h"),
          specialistId,
          start: freshTime(),
          kind: "BOOKING_KIND_CONSULTATION",
          lengthMinutes: 15,
        }),
    },
    {
      name: "POST /v1/consultations/bookings",
      allowed: ["worker13"],
      request: (who) => call("POST", "/v1/consultations/bookings", who, { requestId: uniqueName("b"), specialistId, start: freshTime(), details }),
    },
    {
      name: "GET /v1/consultations/bookings",
      // Everyone's own bookings: the requester's and the specialist's; none for the others.
      allowed: ["worker13", "specialist13"],
      emptyFor: ["teacher", "publisher", "worker03", "auditor13", "ngo", "coordinator13", "admin13"],
      request: (who) => call("GET", "/v1/consultations/bookings", who),
    },
    {
      name: "GET /v1/consultations/bookings/{id}",
      allowed: ["worker13", "coordinator13", "specialist13"],
      request: (who) => call("GET", `/v1/consultations/bookings/${bookingId}`, who),
    },
    {
      name: "POST /v1/consultations/bookings/{id}/confirmation",
      allowed: ["worker13"],
      request: async (who) => call("POST", `/v1/consultations/bookings/${await hold()}/confirmation`, who, { details }),
    },
    {
      name: "POST /v1/consultations/bookings/{id}/reschedule",
      allowed: ["worker13", "coordinator13", "specialist13"],
      request: async (who) => call("POST", `/v1/consultations/bookings/${await book()}/reschedule`, who, { start: freshTime(), reason: "the family asked" }),
    },
    {
      name: "POST /v1/consultations/bookings/{id}/cancellation",
      allowed: ["worker13", "coordinator13", "specialist13"],
      request: async (who) => call("POST", `/v1/consultations/bookings/${await book()}/cancellation`, who, { reason: "illness" }),
    },
    {
      name: "POST /v1/consultations/bookings/{id}/outcome",
      allowed: ["coordinator13", "specialist13"],
      request: async (who) => {
        // A booking that has started: made, then moved into the past in its database (the clock is the wall clock here).
        const id = await book();
        await chain.consultations?.pool.query(
          "UPDATE bookings SET starts_at = starts_at - interval '30 days', ends_at = ends_at - interval '30 days', occupied = tstzrange(lower(occupied) - interval '30 days', upper(occupied) - interval '30 days') WHERE booking_id = $1",
          [id],
        );
        return call("POST", `/v1/consultations/bookings/${id}/outcome`, who, { held: true });
      },
    },
    {
      name: "GET /v1/consultations/bookings/{id}/invitation.ics",
      allowed: ["worker13", "coordinator13", "specialist13"],
      request: (who) => call("GET", `/v1/consultations/bookings/${bookingId}/invitation.ics`, who),
    },
    {
      name: "POST /v1/consultations/training-sessions",
      allowed: ["coordinator13", "specialist13"],
      request: (who) =>
        call("POST", "/v1/consultations/training-sessions", who, {
          requestId: uniqueName("t"),
          specialistId,
          start: freshTime(),
          lengthMinutes: 15,
          capacity: 5,
          location: "Kuopio",
        }),
    },
    {
      name: "POST /v1/consultations/training-sessions/{id}/seats",
      allowed: ["worker13"],
      request: (who) => call("POST", `/v1/consultations/training-sessions/${sessionId}/seats`, who, { requestId: uniqueName("s") }),
    },
    {
      name: "POST /v1/consultations/waitlist",
      allowed: ["worker13"],
      request: (who) =>
        call("POST", "/v1/consultations/waitlist", who, {
          requestId: uniqueName("w"),
          skill: "mental_health",
          date: day,
          kind: "BOOKING_KIND_CONSULTATION",
          lengthMinutes: 15,
        }),
    },
    {
      name: "POST /v1/consultations/fairness",
      allowed: ["coordinator13"],
      request: (who) => call("POST", "/v1/consultations/fairness", who, { reservedPercent: 0, releaseHours: 0, priorityMunicipalityCodes: [] }),
    },
    {
      name: "POST /v1/meetings",
      allowed: ["worker13"],
      request: (who) =>
        call("POST", "/v1/meetings", who, {
          requestId: uniqueName("m"),
          kind: "MEETING_KIND_NETWORK",
          childHetu: freshHetu(),
          start: new Date(Date.now() + 86_400_000).toISOString(),
          lengthMinutes: 60,
          family: [{ role: "FAMILY_ROLE_GUARDIAN", email: "g@example.fi" }],
        }),
    },
    {
      name: "GET /v1/meetings",
      allowed: ["worker13"],
      // Everyone may ask; each sees its own organisation's meetings (none here but worker13's).
      emptyFor: ["teacher", "publisher", "worker03", "auditor13", "ngo", "coordinator13", "specialist13", "admin13"],
      request: (who) => call("GET", "/v1/meetings", who),
    },
    { name: "GET /v1/meetings/{id}", allowed: ["worker13"], request: (who) => call("GET", `/v1/meetings/${meeting.meetingId}`, who) },
    {
      name: "POST /v1/meetings/{id}/edits",
      allowed: ["worker13"],
      request: (who) => call("POST", `/v1/meetings/${meeting.meetingId}/edits`, who, { scope: "EDIT_SCOPE_ALL", location: "Kuopio" }),
    },
    {
      name: "POST /v1/meetings/{id}/confirmation",
      allowed: ["worker13"],
      request: async (who) => {
        const m = await call("POST", "/v1/meetings", "worker13", {
          requestId: uniqueName("m"),
          kind: "MEETING_KIND_NETWORK",
          childHetu: freshHetu(),
          start: new Date(Date.now() + 86_400_000).toISOString(),
          lengthMinutes: 60,
          family: [{ role: "FAMILY_ROLE_GUARDIAN", email: "g@example.fi" }],
        });
        return call("POST", `/v1/meetings/${(m.body.meeting as { meetingId: string }).meetingId}/confirmation`, who, {});
      },
    },
    {
      name: "POST /v1/meetings/{id}/cancellation",
      allowed: ["worker13"],
      request: async (who) => call("POST", `/v1/meetings/${(await aMeeting()).meetingId}/cancellation`, who, { reason: "" }),
    },
    {
      name: "POST /v1/meetings/{id}/answer",
      allowed: ["worker13"],
      request: (who) => call("POST", `/v1/meetings/${meeting.meetingId}/answer`, who, { answer: "ANSWER_ACCEPTED" }),
    },
    {
      name: "POST /v1/meetings/{id}/participants/{pid}/link",
      allowed: ["worker13"],
      request: async (who) => {
        const m = await aMeeting();
        return call("POST", `/v1/meetings/${m.meetingId}/participants/${m.guardian}/link`, who, {});
      },
    },
    {
      name: "POST /v1/meetings/{id}/participants/{pid}/link-revocation",
      allowed: ["worker13"],
      request: async (who) => {
        const m = await aMeeting();
        return call("POST", `/v1/meetings/${m.meetingId}/participants/${m.guardian}/link-revocation`, who, {});
      },
    },
    {
      name: "POST /v1/meetings/{id}/outcome",
      allowed: ["worker13"],
      request: async (who) => {
        const m = await aMeeting();
        meetingsAhead = 2 * 86_400_000; // the meeting has begun
        try {
          return await call("POST", `/v1/meetings/${m.meetingId}/outcome`, who, { outcome: { familyTookPart: true, childHeard: "CHILD_HEARD_IN_WRITING" } });
        } finally {
          meetingsAhead = 0;
        }
      },
    },
    { name: "GET /v1/meetings/{id}/calendar.ics", allowed: ["worker13"], request: (who) => call("GET", `/v1/meetings/${meeting.meetingId}/calendar.ics`, who) },
    {
      name: "POST /v1/meetings/busy",
      // Each person publishes their own busy times.
      allowed: ["teacher", "publisher", "worker13", "worker03", "auditor13", "ngo", "coordinator13", "specialist13", "admin13"],
      request: (who) => {
        const from = new Date(Date.now() + 86_400_000);
        return call("POST", "/v1/meetings/busy", who, {
          personRef: personas[who].sub,
          from: from.toISOString(),
          to: new Date(from.getTime() + 86_400_000).toISOString(),
          blocks: [{ start: from.toISOString(), end: new Date(from.getTime() + 3_600_000).toISOString(), kind: "BUSY_KIND_BUSY" }],
        });
      },
    },
    {
      name: "POST /v1/meetings/find-times",
      allowed: ["worker13"],
      request: (who) =>
        call("POST", "/v1/meetings/find-times", who, {
          participants: [{ organisationId: personas.worker13.org_id, personRef: personas.worker13.sub, required: true }],
          fromDate: day,
          toDate: day,
          lengthMinutes: 60,
        }),
    },
    {
      name: "GET /v1/usage-log/meetings",
      allowed: ["auditor13"],
      request: (who) => call("GET", `/v1/usage-log/meetings?subjectPseudonym=${subject}`, who),
    },
    {
      name: "GET /v1/meetings/invitations/{token}",
      // Public: the family's link is the proof, whoever (if anyone) holds a token.
      allowed: ["teacher", "publisher", "worker13", "worker03", "auditor13", "ngo", "coordinator13", "specialist13", "admin13"],
      request: (who) => call("GET", `/v1/meetings/invitations/${familyLink}`, who),
    },
    {
      name: "POST /v1/meetings/invitations/{token}",
      allowed: ["teacher", "publisher", "worker13", "worker03", "auditor13", "ngo", "coordinator13", "specialist13", "admin13"],
      request: (who) =>
        http(chain.baseUrl, "POST", `/v1/meetings/invitations/${familyLink}`, {
          token: tokens[who],
          raw: "answer=accepted&note=&lang=fi",
          headers: { "content-type": "application/x-www-form-urlencoded" },
        }),
    },
    {
      name: "GET /v1/consultations/feeds/{token}",
      // Public: the secret in the URL is the proof, whoever (if anyone) holds a token.
      allowed: ["teacher", "publisher", "worker13", "worker03", "auditor13", "ngo", "coordinator13", "specialist13", "admin13"],
      request: (who) => call("GET", `/v1/consultations/feeds/${feedToken}.ics`, who),
    },
  ];

  it("covers every route of the OpenAPI document", async () => {
    const doc = (await openApiDocument()) as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    const tested = routes.map((r) => r.name.replace("{ref}", "{referenceNumber}").replace(/\{id\}/, (m) => m));
    const normalise = (s: string) => s.replace(/\{[^}]+\}/g, "{}");
    expect(new Set(documented.map(normalise))).toEqual(new Set(tested.map(normalise)));
  });

  it.each(routes.map((r) => [r.name, r] as const))("%s: allowed ones get an answer, the others 403 or 404", async (_name, route) => {
    const outcomes: Record<string, number> = {};
    for (const who of all) {
      const answer = await route.request(who);
      outcomes[who] = answer.status;
      if (route.emptyFor?.includes(who)) {
        expect(answer.status).toBe(200);
        expect(Object.values(answer.body).flat()).toEqual([]);
      }
    }
    for (const who of all.filter((w) => !route.emptyFor?.includes(w))) {
      if (route.allowed.includes(who)) expect({ who, status: outcomes[who] }).toEqual({ who, status: expect.toSatisfy((s: number) => s >= 200 && s < 300) });
      else expect({ who, status: outcomes[who] }).toEqual({ who, status: expect.toSatisfy((s: number) => s === 403 || s === 404) });
    }
  });
});

describe("the usage log (käyttöloki)", () => {
  it("records every read of a referral's or a consent's content by a person, and shows it to the area's data protection officer only", async () => {
    const s = await call("POST", "/v1/referrals", "teacher", submission());
    const { referralId } = s.body.receipt as { referralId: string };
    const read = await call("GET", `/v1/referrals/${referralId}`, "worker13");
    expect(read.status).toBe(200);
    const pseudonym = (read.body.referral as { subjectPseudonym: string }).subjectPseudonym;
    const log = await call("GET", `/v1/usage-log/referrals?subjectPseudonym=${pseudonym}`, "auditor13");
    expect(log.status).toBe(200);
    expect((log.body.entries as Record<string, string>[]).map((e) => [e.actorUser, e.actorOrganisation, e.recordKind, e.recordId, e.route])).toEqual([
      ["sw-1", "pohjois-savo-lastensuojelu", "referral", referralId, "silta.referrals.v1.ReferralService/GetReferral"],
    ]);
    expect((log.body.entries as Record<string, string>[])[0]?.actorSigner).toBe("test-gateway");
    // Not for the worker who read it, nor for another area's auditor.
    expect((await call("GET", `/v1/usage-log/referrals?subjectPseudonym=${pseudonym}`, "worker13")).status).toBe(403);
    const otherAuditor = await chain.token({ ...personas.auditor13, sub: "dpo-3", org_id: "lansi-uusimaa-tietosuoja", area_codes: ["03"] });
    const other = await http(chain.baseUrl, "GET", `/v1/usage-log/referrals?subjectPseudonym=${pseudonym}`, { token: otherAuditor });
    expect(other.body.entries ?? []).toEqual([]);

    const g = await call("POST", "/v1/consents", "worker13", consentFor(pseudonym));
    const { consentId } = g.body.consent as { consentId: string };
    expect((await call("GET", `/v1/consents/${consentId}`, "worker13")).status).toBe(200);
    const consents = await call("GET", `/v1/usage-log/consents?subjectPseudonym=${pseudonym}`, "auditor13");
    expect((consents.body.entries as Record<string, string>[]).map((e) => [e.recordKind, e.recordId, e.route])).toEqual([
      ["consent", consentId, "silta.consent.v1.ConsentService/GetConsent"],
    ]);
  });
});

describe("education-event intake", () => {
  it("takes a batch of 500 with 3 bad events: 497 on the topic with CloudEvents headers, 3 itemised errors; the same batch again adds nothing", async () => {
    const prefix = uniqueName("batch");
    const events: Record<string, unknown>[] = Array.from({ length: 500 }, (_, i) => educationEvent(`${prefix}-${i}`, freshHetu()));
    events[10] = educationEvent(`${prefix}-10`, "131052-308X"); // broken check character
    events[200] = { ...educationEvent(`${prefix}-200`, freshHetu()), municipalityCode: "091" }; // not this organisation's municipality
    const { attendance: _omit, ...noDetail } = educationEvent(`${prefix}-499`, freshHetu());
    events[499] = noDetail;

    const first = await call("POST", "/v1/education-events", "publisher", { events });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ accepted: 497, duplicates: 0, rejected: 3 });
    const rejected = (first.body.results as { index: number; status: string; errors?: { field: string }[] }[]).filter((r) => r.status === "rejected");
    expect(rejected.map((r) => [r.index, r.errors?.map((e) => e.field)])).toEqual([
      [10, ["pupilHetu"]],
      [200, ["municipalityCode"]],
      [499, ["detail"]],
    ]);
    expect(JSON.stringify(first.body)).not.toContain("131052-308X");

    const again = await call("POST", "/v1/education-events", "publisher", { events });
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 497, rejected: 3 });

    const mine = (seen: import("kafkajs").KafkaMessage[]) =>
      seen.filter((m) => m.headers?.ce_id?.toString().startsWith(`297/${personas.publisher.org_id.length}:${personas.publisher.org_id}:${prefix}-`));
    // Read to the topic's end offsets once 497 are there: a 498th (a duplicate) would be counted.
    const records = mine(await readTopicUntil(kafka, chain.educationTopic, (seen) => mine(seen).length >= 497, "the 497 events"));
    expect(records).toHaveLength(497);
    expect(new Set(records.map((m) => m.headers?.ce_id?.toString())).size).toBe(497);
    const r0 = records[0];
    expect(r0?.headers?.ce_type?.toString()).toBe("fi.silta.education-event.recorded.v1");
    expect(r0?.headers?.ce_specversion?.toString()).toBe("1.0");
    expect(r0?.headers?.["content-type"]?.toString()).toBe("application/protobuf");
    expect(r0?.headers?.ce_source?.toString()).toBe("/silta/gateway/municipalities/297");
    // Key = the opaque pupil id, never the henkilötunnus.
    expect(records.every((m) => m.key?.toString().startsWith(`pupil-${prefix}-`))).toBe(true);
  });

  it("refuses a henkilötunnus in any identifier of an event (event, pupil or unit id, any separator or none) and produces nothing for it", async () => {
    const hetu = freshHetu();
    const bare = hetu.replace(/[-+A-FU-Y](?=\d{3}.$)/, "");
    const dotted = `${bare.slice(0, 6)}.${bare.slice(6)}`;
    const prefix = uniqueName("ids");
    const events = [
      educationEvent(hetu, freshHetu(), { pupilId: `pupil-${prefix}-0` }),
      educationEvent(`${prefix}-1`, freshHetu(), { pupilId: bare }),
      educationEvent(`${prefix}-2`, freshHetu(), { pupilId: dotted }),
      educationEvent(`${prefix}-3`, freshHetu(), { unitId: `unit-${bare}` }),
      educationEvent(`${prefix}-ok`, freshHetu()),
    ];
    const r = await call("POST", "/v1/education-events", "publisher", { events });
    expect(r.body).toMatchObject({ accepted: 1, rejected: 4 });
    const rejected = (r.body.results as { status: string; errors?: { field: string }[] }[]).filter((x) => x.status === "rejected");
    expect(rejected.map((x) => x.errors?.map((e) => e.field))).toEqual([["eventId"], ["pupilId"], ["pupilId"], ["unitId"]]);
    expect(JSON.stringify(r.body)).not.toContain(bare);
    const mine = (seen: import("kafkajs").KafkaMessage[]) => seen.filter((m) => m.headers?.ce_id?.toString().includes(prefix));
    const seen = await readTopicUntil(kafka, chain.educationTopic, (all) => mine(all).length >= 1, "the one good event");
    await new Promise((res) => setTimeout(res, 500));
    expect(mine(seen).map((m) => m.headers?.ce_id?.toString())).toEqual([`297/16:kuopio-education:${prefix}-ok`]);
    for (const m of seen) {
      expect(`${m.key?.toString()} ${m.headers?.ce_id?.toString()}`).not.toContain(bare.slice(0, 6) + bare.slice(6, 9));
    }
  });

  it("keeps two publishers' equal event ids apart: both events reach the topic", async () => {
    const eventId = uniqueName("same");
    const other = await chain.token({ ...personas.publisher, org_id: "kuopio-varhaiskasvatus" });
    for (const token of [tokens.publisher, other]) {
      const r = await http(chain.baseUrl, "POST", "/v1/education-events", { token, body: { events: [educationEvent(eventId, freshHetu())] } });
      expect(r.body).toMatchObject({ accepted: 1 });
    }
    const mine = (seen: import("kafkajs").KafkaMessage[]) => seen.filter((m) => m.headers?.ce_id?.toString().endsWith(`:${eventId}`));
    const records = mine(await readTopicUntil(kafka, chain.educationTopic, (seen) => mine(seen).length >= 2, "both events"));
    expect(new Set(records.map((m) => m.headers?.ce_id?.toString())).size).toBe(2);
  });

  it("refuses a batch that is not one (no events, too many) as a whole, and a non-publisher's token", async () => {
    expect((await call("POST", "/v1/education-events", "publisher", { events: [] })).status).toBe(400);
    const tooMany = await call("POST", "/v1/education-events", "publisher", {
      events: Array.from({ length: 501 }, (_, i) => educationEvent(`x-${i}`, freshHetu())),
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors?.[0]?.field).toBe("events");
    expect((await call("POST", "/v1/education-events", "teacher", { events: [educationEvent("t-1", freshHetu())] })).status).toBe(403);
  });

  it("continues the caller's trace into the Kafka record", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const eventId = uniqueName("traced");
    const r = await http(chain.baseUrl, "POST", "/v1/education-events", {
      token: tokens.publisher,
      body: { events: [educationEvent(eventId, freshHetu())] },
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    expect(r.body.accepted).toBe(1);
    const [record] = (
      await readTopicUntil(kafka, chain.educationTopic, (s) => s.some((m) => m.headers?.ce_id?.toString() === `297/16:kuopio-education:${eventId}`))
    ).filter((m) => m.headers?.ce_id?.toString() === `297/16:kuopio-education:${eventId}`);
    expect(record?.headers?.traceparent?.toString()).toContain(traceId);
  });
});

describe("protection", () => {
  it("limits requests per organisation across two gateway replicas taking turns (Redis), with Retry-After, and not another organisation's", async () => {
    // Two replicas taking turns: neither sees more than two of the organisation's requests, so
    // only the count they share in Redis can refuse the fourth.
    const replicas = await Promise.all([
      chain.anotherGateway({ SILTA_RATE_LIMIT_PER_MINUTE: "3" }),
      chain.anotherGateway({ SILTA_RATE_LIMIT_PER_MINUTE: "3" }),
    ]);
    try {
      const base = (i: number) => `http://127.0.0.1:${replicas[i % 2]?.httpPort}`;
      // A fresh organisation: the limit is per organisation across all gateway replicas (Redis).
      const token = await chain.token({ ...personas.worker13, org_id: uniqueName("busy-area") });
      const other = await chain.token({ ...personas.worker03, org_id: uniqueName("quiet-area") });
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await http(base(i), "GET", "/v1/referrals?areaCode=13", { token })).status);
      expect(statuses).toEqual([200, 200, 200]);
      const over = await http(base(3), "GET", "/v1/referrals?areaCode=13", { token });
      expect(over.status).toBe(429);
      expect(Number(over.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(over.body).toMatchObject({ status: 429, code: "SILTA_GATEWAY_RATE_LIMITED" });
      expect((await http(base(0), "GET", "/v1/referrals?areaCode=03", { token: other })).status).toBe(200);
    } finally {
      await Promise.all(replicas.map((r) => r.stop()));
    }
  });

  it("refuses a body over the limit with 413, and sends security headers", async () => {
    const big = await call("POST", "/v1/referrals", "teacher", submission({ concern: "x".repeat(300_000) }));
    expect(big.status).toBe(413);
    expect(big.body.code).toBe("SILTA_GATEWAY_BODY_TOO_LARGE");
    const ok = await call("GET", `/v1/referrals?areaCode=13`, "worker13");
    expect(ok.headers.get("x-content-type-options")).toBe("nosniff");
    expect(ok.headers.get("strict-transport-security")).toContain("max-age");
  });

  it("drains on shutdown: in-flight requests finish, a request on a kept-alive connection gets 503 with Connection: close, not a reset", async () => {
    const draining = await chain.anotherGateway({ SILTA_DRAIN_MS: "1500" });
    const base = `http://127.0.0.1:${draining.httpPort}`;
    const prefix = uniqueName("drain");
    const inFlight = Array.from({ length: 10 }, (_, i) =>
      http(base, "POST", "/v1/education-events", {
        token: tokens.publisher,
        body: { events: Array.from({ length: 100 }, (_, j) => educationEvent(`${prefix}-${i}-${j}`, freshHetu())) },
      }),
    );
    // All ten received (a connection the server has not yet accepted when it stops is refused, as it should be).
    await waitFor(() => draining.exports.app.requestCounts().received >= 10, { what: "the requests to arrive" });
    expect(draining.exports.app.requestCounts().inFlight).toBeGreaterThan(0);
    // One kept-alive connection, used once before the shutdown and again right after it.
    const agent = new HttpAgent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise<{ status: number | undefined; headers: Record<string, unknown>; reused: boolean }>((resolve, reject) => {
        const r = httpRequest(`${base}/v1/referrals?areaCode=13`, { agent, headers: { authorization: `Bearer ${tokens.worker13}` } }, (res) => {
          res.resume();
          res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, reused: r.reusedSocket }));
        });
        r.on("error", reject);
        r.end();
      });
    expect((await get()).status).toBe(200);
    const stopped = draining.stop();
    const late = await get();
    agent.destroy();
    const answers = await Promise.all(inFlight);
    await stopped;
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    expect(late).toMatchObject({ status: 503, reused: true });
    expect(late.headers).toMatchObject({ connection: "close", "retry-after": "1" });
  });

  it("serves its OpenAPI 3.1 document and the API page without a token, the same as docs/openapi.json", async () => {
    const served = await http(chain.baseUrl, "GET", "/openapi.json");
    expect(served.status).toBe(200);
    expect(served.body.openapi).toBe("3.1.0");
    const committed = JSON.parse(readFileSync(new URL("../../../../docs/openapi.json", import.meta.url), "utf8"));
    expect(served.body, "docs/openapi.json is stale: run make openapi").toEqual(committed);
    const page = await fetch(`${chain.baseUrl}/docs/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("swagger");
  });
});

describe("privacy", () => {
  it("logs no henkilötunnus, child name or concern text", () => {
    const text = JSON.stringify(logs.lines());
    expect(text).not.toMatch(/\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]/);
    expect(text).not.toContain(NAME);
    expect(text).not.toContain(CONCERN);
  });
});
