// The access matrix: every gRPC method of the descriptor set and every REST route fastify
// registered, each classified in the tables below (data), each called with a missing, a forged,
// another party's and a valid proof (gRPC) or token (REST). A method or route nobody classified
// fails the test, so every later service lands in it. For every object, organisation A's proof on
// organisation B's object answers 404 and changes no row in either database.
import { createHash } from "node:crypto";
import { credentials, Metadata, makeGenericClientConstructor, type ServiceDefinition, status } from "@grpc/grpc-js";
import { loadFileDescriptorSetFromBuffer } from "@grpc/proto-loader";
import { ConsultationServiceClient } from "@silta/contracts/consultations/v1/consultations.ts";
import { loadDescriptorSet } from "@silta/contracts/descriptor";
import { NotificationServiceClient } from "@silta/contracts/notifications/v1/notifications.ts";
import { unary } from "@silta/grpc";
import { IDENTITY_PROOF_METADATA_KEY, type Identity, identityProver, newSigningKey } from "@silta/platform";
import { callers, captureLogs, freshHetu, sharedTestIdentities, type TestDatabase, type TestIdentities, uniqueName, waitFor } from "@silta/testing";
import { SignJWT } from "jose";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  aWeekAhead,
  type Chain,
  consultationDetails,
  http,
  type NotificationsUnderTest,
  personas,
  registerSpecialist,
  startWholeChain,
} from "../support/chain.ts";

type Kind = "create" | "object" | "collection" | "check" | "audit" | "public";
/** Every gRPC method of a served service, and what it is. `object`: addressed by an id in the request. */
const METHODS: Record<string, Kind> = {
  "silta.consent.v1.ConsentService/GrantConsent": "create",
  "silta.consent.v1.ConsentService/RevokeConsent": "object",
  "silta.consent.v1.ConsentService/GetConsent": "object",
  "silta.consent.v1.ConsentService/ListConsents": "collection",
  "silta.consent.v1.ConsentService/RecordStatutoryBasis": "create",
  "silta.consent.v1.ConsentService/Check": "check",
  "silta.consent.v1.ConsentService/CheckBatch": "check",
  "silta.consent.v1.ConsentService/ListAudit": "audit",
  "silta.consent.v1.ConsentService/VerifyAudit": "audit",
  "silta.referrals.v1.ReferralService/SubmitReferral": "create",
  "silta.referrals.v1.ReferralService/GetReferral": "object",
  "silta.referrals.v1.ReferralService/ListReferrals": "collection",
  "silta.referrals.v1.ReferralService/ReceiveReferral": "object",
  "silta.referrals.v1.ReferralService/AssessUrgency": "object",
  "silta.referrals.v1.ReferralService/DecideReferral": "object",
  "silta.referrals.v1.ReferralService/CompleteAssessment": "object",
  "silta.referrals.v1.ReferralService/CloseReferral": "object",
  "silta.referrals.v1.ReferralService/AssignResponsible": "object",
  "silta.referrals.v1.ReferralService/GetReferralStatus": "object",
  "silta.usage.v1.UsageLogService/ListUsageLog": "audit",
  "silta.consultations.v1.ConsultationService/RegisterSpecialist": "create",
  "silta.consultations.v1.ConsultationService/GetSpecialist": "object",
  "silta.consultations.v1.ConsultationService/ListSpecialists": "collection",
  "silta.consultations.v1.ConsultationService/SetAvailability": "object",
  "silta.consultations.v1.ConsultationService/SetOutOfOffice": "object",
  "silta.consultations.v1.ConsultationService/ListSlots": "collection",
  "silta.consultations.v1.ConsultationService/HoldSlot": "create",
  "silta.consultations.v1.ConsultationService/ConfirmBooking": "object",
  "silta.consultations.v1.ConsultationService/Book": "create",
  "silta.consultations.v1.ConsultationService/OpenTrainingSession": "create",
  "silta.consultations.v1.ConsultationService/TakeSeat": "object",
  "silta.consultations.v1.ConsultationService/RescheduleBooking": "object",
  "silta.consultations.v1.ConsultationService/CancelBooking": "object",
  "silta.consultations.v1.ConsultationService/RecordOutcome": "object",
  "silta.consultations.v1.ConsultationService/GetBooking": "object",
  "silta.consultations.v1.ConsultationService/ListMyBookings": "collection",
  "silta.consultations.v1.ConsultationService/GetInvitation": "object",
  "silta.consultations.v1.ConsultationService/JoinWaitlist": "create",
  "silta.consultations.v1.ConsultationService/SetFairness": "create",
  "silta.consultations.v1.ConsultationService/RotateFeed": "object",
  // Proven by the feed's secret in the request, not by a caller's identity (calendar apps send no token).
  "silta.consultations.v1.ConsultationService/ReadFeed": "public",
  "silta.meetings.v1.MeetingService/ScheduleMeeting": "create",
  "silta.meetings.v1.MeetingService/GetMeeting": "object",
  "silta.meetings.v1.MeetingService/ListMeetings": "collection",
  "silta.meetings.v1.MeetingService/PublishBusy": "create",
  "silta.meetings.v1.MeetingService/FindTimes": "collection",
  "silta.meetings.v1.MeetingService/EditMeeting": "object",
  "silta.meetings.v1.MeetingService/CancelMeeting": "object",
  "silta.meetings.v1.MeetingService/ConfirmMeeting": "object",
  "silta.meetings.v1.MeetingService/AnswerAsStaff": "object",
  "silta.meetings.v1.MeetingService/IssueFamilyLink": "object",
  "silta.meetings.v1.MeetingService/RevokeFamilyLink": "object",
  "silta.meetings.v1.MeetingService/RecordOutcome": "object",
  "silta.meetings.v1.MeetingService/GetCalendar": "object",
  "silta.meetings.v1.MeetingService/GetFamilyContact": "object",
  // Proven by the family's invitation link in the request, not by a caller's identity (no account).
  "silta.meetings.v1.MeetingService/ReadInvitation": "public",
  "silta.meetings.v1.MeetingService/AnswerInvitation": "public",
  "silta.notifications.v1.NotificationService/PutPerson": "create",
  "silta.notifications.v1.NotificationService/PutGroup": "create",
  "silta.notifications.v1.NotificationService/RegisterWebhook": "create",
  "silta.notifications.v1.NotificationService/ListInbox": "collection",
  "silta.notifications.v1.NotificationService/MarkRead": "object",
  // The caller's own inbox, live (a server stream).
  "silta.notifications.v1.NotificationService/WatchInbox": "collection",
  "silta.notifications.v1.NotificationService/ListDeliveries": "collection",
  "silta.notifications.v1.NotificationService/ReplayDelivery": "object",
  // The caller's own settings (or, for its administrators, its organisation's): nothing of another's is addressed.
  "silta.notifications.v1.NotificationService/SetPreference": "create",
  "silta.notifications.v1.NotificationService/SetQuietHours": "create",
};
/** Which deployable serves which service (the usage log is served by every record-keeping service). */
type Deployable = "consent" | "referrals" | "consultations" | "meetings" | "notifications";
const SERVED_BY: Record<string, Deployable[]> = {
  "silta.consent.v1.ConsentService": ["consent"],
  "silta.referrals.v1.ReferralService": ["referrals"],
  "silta.consultations.v1.ConsultationService": ["consultations"],
  "silta.meetings.v1.MeetingService": ["meetings"],
  "silta.notifications.v1.NotificationService": ["notifications"],
  "silta.usage.v1.UsageLogService": ["consent", "referrals", "consultations", "meetings"],
};
/** In the descriptor set but served by no deployable: the kit's conformance fixture. */
const NOT_SERVED = ["silta.fixture.v1.FixtureService"];

/** Every REST route, and what it is (the public documents are not routes of the API). */
const ROUTES: Record<string, Kind> = {
  "POST /v1/referrals": "create",
  "GET /v1/referral-statuses/{referenceNumber}": "object",
  "GET /v1/referrals/{referralId}": "object",
  "GET /v1/referrals": "collection",
  "POST /v1/referrals/{referralId}/receive": "object",
  "POST /v1/referrals/{referralId}/urgency-assessment": "object",
  "POST /v1/referrals/{referralId}/decision": "object",
  "POST /v1/referrals/{referralId}/assessment-completion": "object",
  "POST /v1/referrals/{referralId}/closure": "object",
  "POST /v1/referrals/{referralId}/responsible": "object",
  "POST /v1/consents": "create",
  "POST /v1/consents/{consentId}/revocation": "object",
  "GET /v1/consents/{consentId}": "object",
  "GET /v1/consents": "collection",
  "POST /v1/statutory-bases": "create",
  "POST /v1/disclosure-checks": "check",
  "POST /v1/disclosure-checks/batch": "check",
  "GET /v1/disclosure-audit": "audit",
  "GET /v1/disclosure-audit/verification": "audit",
  "GET /v1/usage-log/referrals": "audit",
  "GET /v1/usage-log/consents": "audit",
  "POST /v1/education-events": "create",
  "GET /v1/usage-log/consultations": "audit",
  "POST /v1/consultations/specialists": "create",
  "GET /v1/consultations/specialists": "collection",
  "GET /v1/consultations/specialists/{specialistId}": "object",
  "POST /v1/consultations/specialists/{specialistId}/availability": "object",
  "POST /v1/consultations/specialists/{specialistId}/out-of-office": "object",
  "POST /v1/consultations/specialists/{specialistId}/feed": "object",
  "GET /v1/consultations/slots": "collection",
  "POST /v1/consultations/holds": "create",
  "POST /v1/consultations/bookings": "create",
  "GET /v1/consultations/bookings": "collection",
  "GET /v1/consultations/bookings/{bookingId}": "object",
  "POST /v1/consultations/bookings/{bookingId}/confirmation": "object",
  "POST /v1/consultations/bookings/{bookingId}/reschedule": "object",
  "POST /v1/consultations/bookings/{bookingId}/cancellation": "object",
  "POST /v1/consultations/bookings/{bookingId}/outcome": "object",
  "GET /v1/consultations/bookings/{bookingId}/invitation.ics": "object",
  "POST /v1/consultations/training-sessions": "create",
  "POST /v1/consultations/training-sessions/{bookingId}/seats": "object",
  "POST /v1/consultations/waitlist": "create",
  "POST /v1/consultations/fairness": "create",
  // Proven by the feed's secret in the URL (calendar apps send no token).
  "GET /v1/consultations/feeds/{feedToken}": "public",
  "GET /v1/usage-log/meetings": "audit",
  "POST /v1/meetings": "create",
  "GET /v1/meetings": "collection",
  "GET /v1/meetings/{meetingId}": "object",
  "POST /v1/meetings/{meetingId}/edits": "object",
  "POST /v1/meetings/{meetingId}/cancellation": "object",
  "POST /v1/meetings/{meetingId}/confirmation": "object",
  "POST /v1/meetings/{meetingId}/answer": "object",
  "POST /v1/meetings/{meetingId}/participants/{participantId}/link": "object",
  "POST /v1/meetings/{meetingId}/participants/{participantId}/link-revocation": "object",
  "POST /v1/meetings/{meetingId}/outcome": "object",
  "GET /v1/meetings/{meetingId}/calendar.ics": "object",
  "POST /v1/meetings/busy": "create",
  "POST /v1/meetings/find-times": "collection",
  // The family's invitation page: the link in the URL is the proof (no account, no token).
  "GET /v1/meetings/invitations/{token}": "public",
  "POST /v1/meetings/invitations/{token}": "public",
  "GET /v1/notifications/inbox": "collection",
  "POST /v1/notifications/inbox/{itemId}/read": "object",
  "POST /v1/notifications/stream-tickets": "create",
  // The live inbox for a browser's EventSource: the single-use ticket in the URL is the proof.
  "GET /v1/notifications/stream": "public",
  "POST /v1/notifications/preferences": "create",
  "POST /v1/notifications/quiet-hours": "create",
  "POST /v1/notifications/people": "create",
  "POST /v1/notifications/groups": "create",
  "POST /v1/notifications/webhooks": "create",
  "GET /v1/notifications/deliveries": "collection",
  "POST /v1/notifications/deliveries/{deliveryId}/replay": "object",
};

const logs = captureLogs("access-matrix", "warn");
let consentDb: TestDatabase;
let referralsDb: TestDatabase;
let consultationsDb: TestDatabase;
let meetingsDb: TestDatabase;
let notificationsDb: TestDatabase;
let notifications: NotificationsUnderTest;
let chain: Chain;
let whole: Awaited<ReturnType<typeof startWholeChain>>;
let ids: TestIdentities;
const { worker13, worker03, teacher } = callers;
const otherSchool: Identity = { ...teacher, subject: "teacher-9", organisationId: "kuopio-school-99" };

const definitions = loadFileDescriptorSetFromBuffer(loadDescriptorSet(), { keepCase: false }) as unknown as Record<
  string,
  ServiceDefinition | { format?: string }
>;
const services = Object.entries(definitions).filter(
  ([name, d]) => name.startsWith("silta.") && !("format" in d) && Object.values(d).every((m) => typeof m === "object" && m !== null && "path" in m),
) as [string, ServiceDefinition][];

/** A raw client of `service` on the deployable's port; calls with plain objects (proto-loader's codecs). */
function rawCall(deployable: Deployable, service: ServiceDefinition, method: string, request: object, md: Metadata) {
  const port = {
    consent: chain.consentPort,
    referrals: chain.referrals.grpcPort,
    consultations: chain.consultations?.grpcPort ?? 0,
    meetings: chain.meetings?.grpcPort ?? 0,
    notifications: notifications?.grpcPort ?? 0,
  }[deployable];
  const Ctor = makeGenericClientConstructor(service, "Raw");
  const client = new Ctor(`127.0.0.1:${port}`, credentials.createInsecure()) as unknown as Record<
    string,
    (r: object, m: Metadata, o: object, cb: (e: { code: number } | null, res: unknown) => void) => void
  >;
  const key = Object.keys(service).find((k) => service[k]?.path.endsWith(`/${method}`)) as string;
  if (service[key]?.responseStream) {
    // A live feed: its first message (or its error) is the answer; then it is cancelled.
    return new Promise<{ code: number; response: unknown }>((resolve) => {
      const call = (client[key] as unknown as (r: object, m: Metadata, o: object) => NodeJS.EventEmitter & { cancel(): void })(request, md, {
        deadline: Date.now() + 5000,
      });
      call.on("data", (response: unknown) => {
        resolve({ code: status.OK, response });
        call.cancel();
      });
      call.on("error", (err: { code: number }) => resolve({ code: err.code, response: err }));
      call.on("end", () => resolve({ code: status.OK, response: undefined }));
      call.on("close", () => (client as unknown as { close(): void }).close());
    });
  }
  return new Promise<{ code: number; response: unknown }>((resolve) =>
    client[key]?.(request, md, { deadline: Date.now() + 5000 }, (err, response) => {
      (client as unknown as { close(): void }).close();
      resolve({ code: err ? err.code : status.OK, response: err ?? response });
    }),
  );
}
const withProof = (proof: string | undefined) => {
  const md = new Metadata();
  if (proof !== undefined) md.set(IDENTITY_PROOF_METADATA_KEY, proof);
  return md;
};
const audienceOf = (deployable: Deployable) => `silta-${deployable}`;

/** A fingerprint of every row of both databases: equal before and after means nothing was written. */
async function fingerprint(): Promise<string> {
  const h = createHash("sha256");
  for (const url of [consentDb.url, referralsDb.url, consultationsDb.url, meetingsDb.url, notificationsDb.url]) {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const tables = await c.query<{ t: string }>("SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1");
      for (const { t } of tables.rows)
        h.update(t).update(JSON.stringify((await c.query(`SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS m FROM ${t} x`)).rows));
    } finally {
      await c.end();
    }
  }
  return h.digest("hex");
}

beforeAll(async () => {
  // Notifications of area 13, reading the chain's referral events. No attempt is made during the
  // run (its deliveries job runs once an hour): no row changes between two fingerprints.
  whole = await startWholeChain("matrix", { notificationsEnv: { SILTA_NOTIFICATIONS_DELIVERY_INTERVAL_MS: "3600000" }, logger: logs.logger });
  chain = whole.chain;
  ({ consent: consentDb, referrals: referralsDb, consultations: consultationsDb, meetings: meetingsDb, notifications: notificationsDb } = whole.dbs);
  ids = await sharedTestIdentities();
  notifications = chain.notifications as NotificationsUnderTest;
});
afterAll(async () => {
  await chain?.stop();
  await whole?.drop();
});

describe("every gRPC method", () => {
  it("is classified, and every classified method is served", () => {
    const served = services.filter(([name]) => !NOT_SERVED.includes(name)).flatMap(([, d]) => Object.values(d).map((m) => m.path.slice(1)));
    expect(new Set(served)).toEqual(new Set(Object.keys(METHODS)));
    for (const [name] of services) if (!NOT_SERVED.includes(name)) expect(SERVED_BY[name], name).toBeDefined();
  });

  const calls = Object.keys(METHODS).flatMap((path) => {
    const [service = "", method = ""] = path.split("/");
    return (SERVED_BY[service] ?? []).map((deployable) => [`${path} on ${deployable}`, service, method, deployable] as const);
  });
  it.each(calls)("%s: missing, forged and another party's proofs are UNAUTHENTICATED; a valid one is not", async (_name, service, method, deployable) => {
    const def = definitions[service] as ServiceDefinition;
    const audience = audienceOf(deployable);
    const forgedKey = await newSigningKey("test-gateway", ids.key.gateway.key.kid);
    const longLived = await new SignJWT({ idn: worker13 })
      .setProtectedHeader({ alg: "EdDSA", kid: ids.key.gateway.key.kid })
      .setIssuer("test-gateway")
      .setAudience(audience)
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(await (await import("jose")).importJWK(ids.key.gateway.key, "EdDSA"));
    const refused: [string, string | undefined][] = [
      ["missing", undefined],
      ["forged", await identityProver(forgedKey.signing).prove(worker13, audience)],
      ["over-long", longLived],
      ["another party asserting area 13", await ids.prover.kuopio.prove(worker13, audience)],
      ["for another service", await ids.prover.gateway.prove(worker13, deployable === "consent" ? "silta-referrals" : "silta-consent")],
    ];
    // A public method's proof is in its request (a secret): an unknown one is refused whatever proof comes along.
    if (METHODS[`${service}/${method}`] === "public") refused.push(["valid, with an unknown secret", await ids.prover.gateway.prove(worker13, audience)]);
    for (const [what, proof] of refused) {
      expect({ what, code: (await rawCall(deployable, def, method, {}, withProof(proof))).code }).toEqual({ what, code: status.UNAUTHENTICATED });
    }
    if (METHODS[`${service}/${method}`] === "public") return;
    const valid = await rawCall(deployable, def, method, {}, withProof(await ids.prover.gateway.prove(worker13, audience)));
    expect(valid.code).not.toBe(status.UNAUTHENTICATED);
    expect(valid.code).not.toBe(status.INTERNAL);
  });
});

describe("every REST route", () => {
  it("is classified, and every classified route exists", () => {
    const doc = chain.gateway.exports.app.swagger() as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    expect(new Set(routes)).toEqual(new Set(Object.keys(ROUTES)));
  });

  it.each(Object.keys(ROUTES))("%s: missing and forged tokens are 401; a valid one is not", async (route) => {
    const [method = "GET", path = ""] = route.split(" ");
    const url = path.replace(/\{[^}]+\}/g, "00000000-0000-4000-8000-000000000000");
    const forged = await new SignJWT({ ...personas.worker13 })
      .setProtectedHeader({ alg: "HS256", kid: "test-key" })
      .setIssuer("silta-dev")
      .setAudience("silta")
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode("x".repeat(32)));
    const body = method === "POST" ? {} : undefined;
    if (ROUTES[route] === "public") {
      // The secret in the URL is the proof: an unknown one is 401 with or without a token.
      // (The family's invitation page answers its one clear page, 404, to any link it cannot open.)
      const unknown = path === "/v1/notifications/stream" ? `${path}?ticket=${"A".repeat(43)}` : path.replace(/\{[^}]+\}/g, `${"A".repeat(43)}.ics`);
      const refused = path.startsWith("/v1/meetings/invitations/") ? 404 : 401;
      const form = method === "POST" ? { raw: "", headers: { "content-type": "application/x-www-form-urlencoded" } } : {};
      expect((await http(chain.baseUrl, method, unknown, { ...form })).status).toBe(refused);
      expect((await http(chain.baseUrl, method, unknown, { ...form, token: await chain.token(personas.worker13) })).status).toBe(refused);
      return;
    }
    expect((await http(chain.baseUrl, method, url, { body })).status).toBe(401);
    expect((await http(chain.baseUrl, method, url, { body, token: forged })).status).toBe(401);
    const valid = await http(chain.baseUrl, method, url, { body, token: await chain.token(personas.worker13) });
    expect(valid.status).not.toBe(401);
    expect(valid.status).toBeLessThan(500);
  });
});

describe("organisation A's proof on organisation B's object", () => {
  let referralId = "";
  let referenceNumber = "";
  let consentId = "";
  let specialistId = "";
  let bookingId = "";
  let heldId = "";
  let sessionId = "";
  let meetingId = "";
  let guardianId = "";
  let inboxItemId = "";
  let webhookDeliveryId = "";
  beforeAll(async () => {
    // Area 13's intake desk (its worker's inbox) and the school's webhook: a referral reaches both.
    const n = notifications.client(NotificationServiceClient);
    const admin = (who: Identity): Identity => ({ ...who, subject: `admin-${who.organisationId}`, roles: ["notifications_admin"] });
    await unary(n, n.putGroup, { group: { groupRef: "intake_desk", memberRefs: [worker13.subject], organisationId: "" } }, { identity: admin(worker13) });
    await unary(n, n.registerWebhook, { url: "http://127.0.0.1:9/hook" }, { identity: admin(teacher) });
    const ref = (await rawCall(
      "referrals",
      definitions["silta.referrals.v1.ReferralService"] as ServiceDefinition,
      "SubmitReferral",
      {
        // proto field names: the descriptor set's codecs (proto-loader) keep them.
        request_id: uniqueName("matrix"),
        kind: "REFERRAL_KIND_CHILD_WELFARE_NOTIFICATION",
        notifier: { type: "NOTIFIER_TYPE_MANDATORY_PROFESSIONAL", organisation_id: "kuopio-school-12", role: "teacher", name: "L", email: "l@kuopio.example" },
        child: { hetu: freshHetu(), given_names: "Testi", family_name: "Lapsi" },
        home_municipality_code: "297",
        concern: "matrix",
      },
      withProof(await ids.prover.gateway.prove(teacher, "silta-referrals")),
    )) as { code: number; response: { receipt: { referral_id: string; reference_number: string } } };
    expect(ref.code, JSON.stringify(ref.response)).toBe(status.OK);
    referralId = ref.response.receipt.referral_id;
    referenceNumber = ref.response.receipt.reference_number;
    const granted = await http(chain.baseUrl, "POST", "/v1/consents", {
      token: await chain.token(personas.worker13),
      body: {
        subjectPseudonym: `ps_${uniqueName("matrix")}_0123456789`,
        areaCode: "13",
        givenBy: [{ role: "GIVER_ROLE_CUSTODIAN", personRef: "p-1" }],
        childViewRecorded: true,
        childBirthDate: "2015-03-14",
        recipients: [{ organisationId: "kuopio-school-12" }],
        purposes: ["PURPOSE_SCHOOL_SUPPORT"],
        dataCategories: ["DATA_CATEGORY_EDUCATION_EVENTS"],
        validUntil: new Date(Date.now() + 86_400_000 * 30).toISOString(),
        obtainedBy: "OBTAINED_BY_WRITTEN",
      },
    });
    expect(granted.status).toBe(201);
    consentId = (granted.body.consent as { consentId: string }).consentId;
    // Area 13's consultations: a specialist, a held time, a booking and a training session of Kuopio's worker.
    const k = chain.consultations?.client(ConsultationServiceClient) as ConsultationServiceClient;
    const specialistPerson: Identity = {
      ...worker13,
      subject: "spec-matrix",
      organisationId: "pohjois-savo-erityispalvelut",
      roles: ["consultation_specialist"],
    };
    const coordinator: Identity = { ...worker13, subject: "coord-matrix", roles: ["consultation_coordinator"] };
    const kuopioWorker: Identity = { ...teacher, subject: "msw-matrix", organisationId: "kuopio-sosiaalityo", roles: ["social_worker"] };
    specialistId = (
      await registerSpecialist(k, {
        coordinator,
        person: specialistPerson,
        start: "08:00",
        end: "16:00",
        rules: { bufferAfterMinutes: 0, minimumNoticeMinutes: 0, bookingWindowDays: 60 },
      })
    ).specialistId;
    const { at } = aWeekAhead();
    const details = consultationDetails();
    bookingId =
      (
        await unary(
          k,
          k.book,
          { requestId: uniqueName("m"), specialistId, skill: "", language: "", start: at("09:00"), details, recurrence: "" },
          { identity: kuopioWorker },
        )
      ).bookings[0]?.bookingId ?? "";
    heldId =
      (
        await unary(
          k,
          k.holdSlot,
          { requestId: uniqueName("m"), specialistId, skill: "", language: "", start: at("11:00"), kind: 1, lengthMinutes: 60 },
          { identity: kuopioWorker },
        )
      ).booking?.bookingId ?? "";
    sessionId =
      (
        await unary(
          k,
          k.openTrainingSession,
          { requestId: uniqueName("m"), specialistId, start: at("13:00"), lengthMinutes: 60, capacity: 5, topic: "", location: "Kuopio", videoLink: "" },
          { identity: specialistPerson },
        )
      ).booking?.bookingId ?? "";
    // Area 13's meeting, organised by its child-protection worker, a guardian invited by link.
    const m = await http(chain.baseUrl, "POST", "/v1/meetings", {
      token: await chain.token(personas.worker13),
      body: {
        requestId: uniqueName("matrix"),
        kind: "MEETING_KIND_NETWORK",
        childHetu: freshHetu(),
        start: new Date(Date.now() + 7 * 86_400_000).toISOString(),
        lengthMinutes: 60,
        family: [{ role: "FAMILY_ROLE_GUARDIAN", email: "g@example.fi", required: true }],
      },
    });
    expect(m.status, JSON.stringify(m.body)).toBe(201);
    const meeting = m.body.meeting as { meetingId: string; participants: { participantId: string }[] };
    meetingId = meeting.meetingId;
    guardianId = meeting.participants[0]?.participantId ?? "";
    // The background work of these writes (publishing their events, chaining the audit entry)
    // is done before any fingerprint is taken.
    const settled = async (url: string, sql: string) => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        return (await c.query(sql)).rows[0].n === 0;
      } finally {
        await c.end();
      }
    };
    await waitFor(
      async () =>
        (await settled(referralsDb.url, "SELECT count(*)::int AS n FROM silta_outbox WHERE published_at IS NULL")) &&
        (await settled(consultationsDb.url, "SELECT count(*)::int AS n FROM silta_outbox WHERE published_at IS NULL")) &&
        (await settled(meetingsDb.url, "SELECT count(*)::int AS n FROM silta_outbox WHERE published_at IS NULL")) &&
        (await settled(
          consentDb.url,
          "SELECT ((SELECT count(*) FROM silta_outbox WHERE published_at IS NULL) + (SELECT count(*) FROM consent_audit WHERE chain_seq IS NULL))::int AS n",
        )),
      { what: "the writes' background work" },
    );
    const deliveries = async () => {
      const c = new pg.Client({ connectionString: notificationsDb.url });
      await c.connect();
      try {
        return (
          await c.query(
            "SELECT delivery_id, channel FROM deliveries WHERE reference = $1 AND (SELECT count(*) FROM silta_outbox WHERE published_at IS NULL) = 0",
            [referenceNumber],
          )
        ).rows;
      } finally {
        await c.end();
      }
    };
    const rows = await waitFor(
      async () => {
        const r = await deliveries();
        return r.some((d) => d.channel === "in_app") && r.some((d) => d.channel === "webhook") ? r : undefined;
      },
      { what: "area 13's notifications of the referral" },
    );
    inboxItemId = rows.find((d) => d.channel === "in_app")?.delivery_id;
    webhookDeliveryId = rows.find((d) => d.channel === "webhook")?.delivery_id;
  });

  // Each object method with the request that addresses B's object, and who A is.
  const objectCalls: { method: string; deployable: Deployable; as: Identity; request: () => object }[] = [
    { method: "silta.referrals.v1.ReferralService/GetReferral", deployable: "referrals", as: worker03, request: () => ({ referral_id: referralId }) },
    { method: "silta.referrals.v1.ReferralService/ReceiveReferral", deployable: "referrals", as: worker03, request: () => ({ referral_id: referralId }) },
    {
      method: "silta.referrals.v1.ReferralService/AssessUrgency",
      deployable: "referrals",
      as: worker03,
      request: () => ({ referral_id: referralId, urgent: true }),
    },
    {
      method: "silta.referrals.v1.ReferralService/DecideReferral",
      deployable: "referrals",
      as: worker03,
      request: () => ({ referral_id: referralId, outcome: "DECISION_OUTCOME_START_ASSESSMENT" }),
    },
    { method: "silta.referrals.v1.ReferralService/CompleteAssessment", deployable: "referrals", as: worker03, request: () => ({ referral_id: referralId }) },
    { method: "silta.referrals.v1.ReferralService/CloseReferral", deployable: "referrals", as: worker03, request: () => ({ referral_id: referralId }) },
    {
      method: "silta.referrals.v1.ReferralService/AssignResponsible",
      deployable: "referrals",
      as: worker03,
      request: () => ({ referral_id: referralId, worker_ref: "sw-of-another-area" }),
    },
    {
      method: "silta.referrals.v1.ReferralService/GetReferralStatus",
      deployable: "referrals",
      as: otherSchool,
      request: () => ({ reference_number: referenceNumber }),
    },
    { method: "silta.consent.v1.ConsentService/GetConsent", deployable: "consent", as: worker03, request: () => ({ consent_id: consentId }) },
    {
      method: "silta.consent.v1.ConsentService/RevokeConsent",
      deployable: "consent",
      as: worker03,
      request: () => ({ consent_id: consentId, reason: "not mine" }),
    },
    ...(
      [
        ["GetSpecialist", () => ({ specialist_id: specialistId })],
        ["SetAvailability", () => ({ specialist_id: specialistId, time_zone: "Europe/Helsinki" })],
        ["SetOutOfOffice", () => ({ specialist_id: specialistId })],
        ["RotateFeed", () => ({ specialist_id: specialistId })],
        ["ConfirmBooking", () => ({ booking_id: heldId })],
        ["TakeSeat", () => ({ booking_id: sessionId, request_id: "seat-1" })],
        ["RescheduleBooking", () => ({ booking_id: bookingId, start: "2030-01-07T10:00:00+02:00" })],
        ["CancelBooking", () => ({ booking_id: bookingId, reason: "not mine" })],
        ["RecordOutcome", () => ({ booking_id: bookingId, held: true })],
        ["GetBooking", () => ({ booking_id: bookingId })],
        ["GetInvitation", () => ({ booking_id: bookingId })],
      ] as const
    ).map(([m, request]) => ({ method: `silta.consultations.v1.ConsultationService/${m}`, deployable: "consultations" as const, as: worker03, request })),
    ...(
      [
        ["GetMeeting", () => ({ meeting_id: meetingId })],
        ["EditMeeting", () => ({ meeting_id: meetingId, scope: "EDIT_SCOPE_ALL", location: "not mine" })],
        ["CancelMeeting", () => ({ meeting_id: meetingId, reason: "not mine" })],
        ["ConfirmMeeting", () => ({ meeting_id: meetingId })],
        ["AnswerAsStaff", () => ({ meeting_id: meetingId, answer: "ANSWER_ACCEPTED" })],
        ["IssueFamilyLink", () => ({ meeting_id: meetingId, participant_id: guardianId })],
        ["RevokeFamilyLink", () => ({ meeting_id: meetingId, participant_id: guardianId })],
        ["RecordOutcome", () => ({ meeting_id: meetingId, no_show: true })],
        ["GetCalendar", () => ({ meeting_id: meetingId })],
      ] as const
    ).map(([m, request]) => ({ method: `silta.meetings.v1.MeetingService/${m}`, deployable: "meetings" as const, as: worker03, request })),
    // Another area's worker on area 13's worker's inbox item; another school's administrator on the school's delivery.
    {
      method: "silta.notifications.v1.NotificationService/MarkRead",
      deployable: "notifications",
      as: worker03,
      request: () => ({ item_id: inboxItemId }),
    },
    {
      method: "silta.notifications.v1.NotificationService/ReplayDelivery",
      deployable: "notifications",
      as: { ...otherSchool, roles: ["notifications_admin"] },
      request: () => ({ delivery_id: webhookDeliveryId }),
    },
    // Another area's notifications service asking for area 13's family contact.
    {
      method: "silta.meetings.v1.MeetingService/GetFamilyContact",
      deployable: "meetings",
      as: {
        subject: "silta-notifications",
        organisationId: "silta-notifications-03",
        organisationType: "service",
        roles: [],
        areaCodes: ["03"],
        municipalityCodes: [],
      },
      request: () => ({ meeting_id: meetingId, participant_id: guardianId }),
    },
  ];

  it("covers every object method", () => {
    expect(new Set(objectCalls.map((c) => c.method))).toEqual(
      new Set(
        Object.entries(METHODS)
          .filter(([, k]) => k === "object")
          .map(([m]) => m),
      ),
    );
  });

  it.each(objectCalls.map((c) => [c.method, c] as const))("%s: NOT_FOUND, and no row changes", async (_name, c) => {
    const [service = "", method = ""] = c.method.split("/");
    const before = await fingerprint();
    const r = await rawCall(
      c.deployable,
      definitions[service] as ServiceDefinition,
      method,
      c.request(),
      withProof(await ids.prover.gateway.prove(c.as, audienceOf(c.deployable))),
    );
    expect(r.code).toBe(status.NOT_FOUND);
    expect(await fingerprint()).toBe(before);
  });

  it("the same through the gateway: 404 for every object route, and no row changes", async () => {
    const other = await chain.token(personas.worker03);
    const school = await chain.token({ ...personas.teacher, sub: "teacher-9", org_id: "kuopio-school-99" });
    const otherAdmin = await chain.token({ ...personas.teacher, sub: "admin-9", org_id: "kuopio-school-99", roles: ["notifications_admin"] });
    const tried: string[] = [];
    for (const [route, kind] of Object.entries(ROUTES)) {
      if (kind !== "object") continue;
      const [method = "GET", path = ""] = route.split(" ");
      const url = path
        .replace("{referralId}", referralId)
        .replace("{consentId}", consentId)
        .replace("{referenceNumber}", referenceNumber)
        .replace("{specialistId}", specialistId)
        .replace("{meetingId}", meetingId)
        .replace("{participantId}", guardianId)
        .replace("{itemId}", inboxItemId)
        .replace("{deliveryId}", webhookDeliveryId)
        .replace("{bookingId}", path.includes("seats") ? sessionId : path.includes("confirmation") ? heldId : bookingId);
      const body =
        method === "POST"
          ? path.includes("revocation") && path.includes("/consents/")
            ? { reason: "not mine" }
            : path.includes("decision")
              ? { outcome: "DECISION_OUTCOME_START_ASSESSMENT" }
              : path.includes("urgency")
                ? { urgent: true }
                : path.includes("reschedule")
                  ? { start: "2030-01-07T10:00:00+02:00" }
                  : path.includes("seats")
                    ? { requestId: "seat-1" }
                    : path.includes("/edits")
                      ? { scope: "EDIT_SCOPE_ALL", location: "not mine" }
                      : path.includes("/outcome") && path.includes("meetings")
                        ? { noShow: true }
                        : path.endsWith("/answer")
                          ? { answer: "ANSWER_ACCEPTED" }
                          : path.endsWith("/responsible")
                            ? { workerRef: "sw-of-another-area" }
                            : {}
          : undefined;
      const before = await fingerprint();
      const token = path.includes("referral-statuses") ? school : path.includes("/deliveries/") ? otherAdmin : other;
      const r = await http(chain.baseUrl, method, url, { token, body });
      expect({ route, status: r.status }).toEqual({ route, status: 404 });
      expect(await fingerprint(), route).toBe(before);
      tried.push(route);
    }
    expect(tried.length).toBe(Object.values(ROUTES).filter((k) => k === "object").length);
  });
});
