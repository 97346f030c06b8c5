// The notifications service against the real PostgreSQL and Kafka, with the real consent and
// referrals services upstream, a real SMTP server (Mailpit, read back through its HTTP API, each
// message parsed with mailparser) and a webhook receiver that checks the signature with its own HMAC.
// Backoff and horizons run on an injected clock: the test reads the stored next-attempt times
// and moves the clock, it never waits for a retry.
import { type ChildProcess, spawn } from "node:child_process";
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ConsentServiceClient, DataCategory, GiverRole, ObtainedBy, OrganisationType, Purpose } from "@silta/contracts/consent/v1/consent.ts";
import { BookingKind, ConsultationServiceClient } from "@silta/contracts/consultations/v1/consultations.ts";
import {
  deadlineAtRisk,
  deadlineMissed,
  MEETING_TOPIC,
  NOTIFICATION_TOPIC,
  participantAnswered,
  participantWithdrawn,
  REFERRAL_TOPIC,
  referralSubmitted,
} from "@silta/contracts/events";
import { EditScope, FamilyRole, MeetingEvent, MeetingKind, MeetingServiceClient } from "@silta/contracts/meetings/v1/meetings.ts";
import { Channel, type DeliveryReceipt, DeliveryStatus, Language, NotificationServiceClient } from "@silta/contracts/notifications/v1/notifications.ts";
import {
  DeadlineKind,
  DecisionOutcome,
  NotifierType,
  ReferralKind,
  ReferralServiceClient,
  type SubmitReferralRequest,
} from "@silta/contracts/referrals/v1/referrals.ts";
import { createKafka, dlqOf, headerString, PROTOBUF } from "@silta/events";
import { unary } from "@silta/grpc";
import { containsHetu, type Identity, pseudonymiserOf } from "@silta/platform";
import {
  callers,
  captureLogs,
  createTestDatabase,
  fail,
  freePort,
  freshHetu,
  readTopicUntil,
  type TestDatabase,
  testClock,
  testEnv,
  testTopic,
  uniqueName,
  waitFor,
} from "@silta/testing";
import {
  aWeekAhead,
  type ConsentUnderTest,
  type ConsultationsUnderTest,
  consultationDetails,
  type MeetingsUnderTest,
  type NotificationsUnderTest,
  PSEUDONYM_KEY,
  type ReferralsUnderTest,
  registerSpecialist,
  startConsent,
  startConsultations,
  startMeetings,
  startNotifications,
  startReferrals,
} from "@silta/tests/chain";
import type { Producer } from "kafkajs";
import { type ParsedMail, simpleParser } from "mailparser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const logs = captureLogs("notifications");
const kafka = createKafka({ brokers: testEnv.kafkaBrokers, clientId: "notifications-test", logger: logs.logger });
const clock = testClock(new Date().toISOString());
let dbs: TestDatabase[] = [];
let consent: ConsentUnderTest;
let referrals: ReferralsUnderTest;
let service: NotificationsUnderTest;
let meetings: MeetingsUnderTest;
let consultations: ConsultationsUnderTest;
let c: NotificationServiceClient;
let r: ReferralServiceClient;

// What a child welfare notification holds that must never leave the case.
const CONCERN = "Notifications-test concern: bruises on the arms";
const NAME = "Notifikaatio-Testilapsi";
const hetus: string[] = [];

// The SMTP server: Mailpit (a real one, started here on free ports), read back through its HTTP
// API and each message parsed with mailparser; a recipient outside kuopio.example gets 550.
let mailpit: ChildProcess;
let mailpitApi = "";
let smtpPort = 0;
/** Every message Mailpit holds, parsed. */
async function mails(): Promise<{ id: string; to: string[]; parsed: ParsedMail; raw: string }[]> {
  const list = (await (await fetch(`${mailpitApi}/api/v1/messages?limit=1000`)).json()) as { messages: { ID: string; To: { Address: string }[] }[] };
  return Promise.all(
    list.messages.map(async (m) => {
      const raw = await (await fetch(`${mailpitApi}/api/v1/message/${m.ID}/raw`)).text();
      return { id: m.ID, to: m.To.map((t) => t.Address), parsed: await simpleParser(raw), raw };
    }),
  );
}

// The webhook receiver: checks each request's Standard Webhooks signature with its own HMAC.
interface Received {
  id: string;
  timestamp: string;
  body: string;
  verified: boolean;
  status: number;
}
const received: Received[] = [];
let answer: (r: Received) => number = () => 204;
let receiver: Server;
let receiverUrl = "";
const secrets: string[] = [];
function verify(req: IncomingMessage, body: string): boolean {
  const id = String(req.headers["webhook-id"]);
  const ts = String(req.headers["webhook-timestamp"]);
  const signatures = String(req.headers["webhook-signature"] ?? "").split(" ");
  return secrets.some((secret) => {
    const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
    const expected = createHmac("sha256", key).update(`${id}.${ts}.${body}`).digest();
    return signatures.some((s) => {
      const [v, sig] = s.split(",");
      const got = Buffer.from(sig ?? "", "base64");
      return v === "v1" && got.length === expected.length && timingSafeEqual(got, expected);
    });
  });
}

const areaAdmin: Identity = { ...callers.worker13, subject: "admin-13", roles: ["notifications_admin"] };
const schoolAdmin: Identity = { ...callers.teacher, subject: "admin-school-12", roles: ["notifications_admin"] };
const intake: Identity = { ...callers.worker13, subject: "intake-1" };
const duty: Identity = { ...callers.worker13, subject: "duty-1" };

const submission = (over: Partial<SubmitReferralRequest> = {}): SubmitReferralRequest => {
  const hetu = freshHetu();
  hetus.push(hetu);
  return {
    requestId: uniqueName("req"),
    kind: ReferralKind.REFERRAL_KIND_CHILD_WELFARE_NOTIFICATION,
    notifier: {
      type: NotifierType.NOTIFIER_TYPE_MANDATORY_PROFESSIONAL,
      organisationId: "kuopio-school-12",
      role: "teacher",
      name: "Liisa Opettaja",
      phone: "",
      email: "liisa@kuopio.example",
    },
    child: { hetu, temporaryId: "", givenNames: NAME, familyName: "Esimerkki", birthDate: "" },
    homeMunicipalityCode: "297",
    concern: CONCERN,
    urgentClaimed: false,
    policeNotified: false,
    movingToMunicipalityCode: "",
    ...over,
  };
};

const deliveriesOf = async (reference: string) =>
  (
    await service.pool.query(
      "SELECT delivery_id, kind, channel, recipient_ref, status, attempts, first_attempt_at, next_attempt_at, last_error, escalated FROM deliveries WHERE reference = $1 ORDER BY kind, channel, recipient_ref",
      [reference],
    )
  ).rows;
/** A person of the caller's organisation in the directory (by e-mail too when `byEmail`). */
const putPerson = (personRef: string, language: "fi" | "sv" | "en", email: string, byEmail: boolean, identity: Identity) =>
  unary(
    c,
    c.putPerson,
    {
      person: {
        personRef,
        language: { fi: Language.LANGUAGE_FI, sv: Language.LANGUAGE_SV, en: Language.LANGUAGE_EN }[language],
        email,
        channels: byEmail ? [Channel.CHANNEL_EMAIL] : [],
        organisationId: "",
      },
    },
    { identity },
  );
/** The caller's own e-mail preference for a kind ("" every kind), or its organisation's (an administrator's). */
const setEmailPreference = (
  identity: Identity,
  kind: string,
  enabled: boolean,
  o: { organisationLevel: boolean; locked: boolean } = { organisationLevel: false, locked: false },
) => unary(c, c.setPreference, { preference: { kind, channel: Channel.CHANNEL_EMAIL, enabled, ...o } }, { identity });
const runDeliveries = () => service.job("deliveries").runNow();
/** A deadline alert of a referral (a new reference) on the topic, as the referrals service publishes it; returns the reference. */
async function publishDeadline(codec: typeof deadlineMissed, responsibleWorkerRef: string): Promise<string> {
  const reference = `LS-13-2026-${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}`;
  const referralId = crypto.randomUUID();
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({
      topic: testTopic(REFERRAL_TOPIC.name),
      messages: [
        {
          key: referralId,
          value: codec.encode({
            referralId,
            areaCode: "13",
            kind: DeadlineKind.DEADLINE_KIND_DECISION,
            dueAt: clock.now().toISOString(),
            dueDate: clock.now().toISOString().slice(0, 10),
            referenceNumber: reference,
            responsibleWorkerRef,
            responsibleTeamRef: "",
          }),
          headers: { ce_specversion: "1.0", ce_id: crypto.randomUUID(), ce_type: codec.type, ce_source: "/silta/referrals/13", "content-type": PROTOBUF },
        },
      ],
    });
  } finally {
    await producer.disconnect();
  }
  return reference;
}
/** The webhook delivery of a referral's receipt. */
async function webhookDelivery(reference: string) {
  const d = (await deliveriesOf(reference)).find((x) => x.channel === "webhook");
  if (!d) throw new Error(`no webhook delivery for ${reference}`);
  return d as { delivery_id: string; status: string; attempts: number; first_attempt_at: Date; next_attempt_at: Date; last_error: string };
}

beforeAll(async () => {
  smtpPort = await freePort();
  const webPort = await freePort();
  mailpit = spawn(
    testEnv.mailpitBin,
    ["--smtp", `127.0.0.1:${smtpPort}`, "--listen", `127.0.0.1:${webPort}`, "--smtp-allowed-recipients", "@kuopio[.]example$"],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  mailpitApi = `http://127.0.0.1:${webPort}`;
  await waitFor(async () => (await fetch(`${mailpitApi}/livez`).catch(() => undefined))?.ok, { what: "Mailpit" });
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (b: Buffer) => chunks.push(b));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const r: Received = {
        id: String(req.headers["webhook-id"]),
        timestamp: String(req.headers["webhook-timestamp"]),
        body,
        verified: verify(req, body),
        status: 0,
      };
      r.status = answer(r);
      received.push(r);
      res.writeHead(r.status).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", () => r()));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/silta-hook`;

  dbs = await Promise.all([
    createTestDatabase("notif_consent"),
    createTestDatabase("notif_referrals"),
    createTestDatabase("notifications"),
    createTestDatabase("notif_meetings"),
    createTestDatabase("notif_consultations"),
  ]);
  const [consentDb, referralsDb, db, meetingsDb, consultationsDb] = dbs as [TestDatabase, TestDatabase, TestDatabase, TestDatabase, TestDatabase];
  consent = await startConsent(consentDb.url, logs.logger);
  referrals = await startReferrals(referralsDb.url, consent.grpcPort, logs.logger);
  meetings = await startMeetings(meetingsDb.url, consent.grpcPort, logs.logger);
  consultations = await startConsultations(consultationsDb.url, consent.grpcPort, logs.logger);
  service = await startNotifications(
    db.url,
    smtpPort,
    logs.logger,
    {
      SILTA_NOTIFICATIONS_DELIVERY_INTERVAL_MS: "50",
      SILTA_NOTIFICATIONS_RETRY_BASE_MS: "30000",
      SILTA_NOTIFICATIONS_RETRY_CAP_MS: "3600000",
      SILTA_NOTIFICATIONS_RETRY_HORIZON_MS: String(10 * 60_000),
      SILTA_MEETINGS_ADDRESS: `127.0.0.1:${meetings.grpcPort}`,
      SILTA_CONSULTATIONS_ADDRESS: `127.0.0.1:${consultations.grpcPort}`,
    },
    { clock },
  );
  c = service.client(NotificationServiceClient);
  r = referrals.client(ReferralServiceClient);

  // The area's directory: its intake desk and duty desk; the school's: its teacher (Swedish, by e-mail) and its webhook.
  await unary(c, c.putGroup, { group: { groupRef: "intake_desk", memberRefs: [intake.subject], organisationId: "" } }, { identity: areaAdmin });
  await unary(c, c.putGroup, { group: { groupRef: "duty_desk", memberRefs: [duty.subject], organisationId: "" } }, { identity: areaAdmin });
  await putPerson(intake.subject, "fi", "", false, areaAdmin);
  await putPerson(callers.teacher.subject, "sv", "larare@kuopio.example", true, schoolAdmin);
  const hook = await unary(c, c.registerWebhook, { url: receiverUrl }, { identity: schoolAdmin });
  secrets.push(hook.secret);
});

afterAll(async () => {
  await service?.stop();
  await referrals?.stop();
  await meetings?.stop();
  await consultations?.stop();
  await consent?.stop();
  await Promise.all(dbs.map((d) => d.drop()));
  mailpit?.kill("SIGTERM");
  await new Promise((r) => receiver?.close(() => r(null)));
});

describe("a referral submitted", () => {
  it("e-mails the notifier's receipt in their language with the reference and a link and no content, puts an item in the intake desk's inbox, and signs the school's webhook", async () => {
    const { receipt } = await unary(r, r.submitReferral, submission(), { identity: callers.teacher });
    const reference = receipt?.referenceNumber as string;
    // The e-mail, at the SMTP server, parsed back.
    const mail = await waitFor(async () => (await mails()).find((m) => m.parsed.subject?.includes(reference)), {
      what: `the receipt e-mail for ${reference} at Mailpit`,
      timeoutMs: 30_000,
    });
    expect(mail.to).toEqual(["larare@kuopio.example"]);
    // Its Message-ID is the delivery's id (the same on a retry).
    const emailDelivery = (await deliveriesOf(reference)).find((d) => d.channel === "email");
    expect(mail.parsed.messageId).toBe(`<${emailDelivery?.delivery_id}@notifications.silta>`);
    expect(mail.parsed.subject).toBe(`Er anmälan ${reference} har tagits emot`);
    expect(mail.parsed.text).toContain("Pohjois-Savon hyvinvointialue har tagit emot er anmälan");
    expect(mail.parsed.text).toContain(`https://silta.test/referral-statuses/${reference}`);
    expect(mail.parsed.html).toContain(`lang="sv"`);
    // The intake desk's item.
    await waitFor(
      async () => (await unary(c, c.listInbox, { unreadOnly: true, limit: 0 }, { identity: intake })).items.some((i) => i.reference === reference),
      { what: "the intake desk's item" },
    );
    const inbox = await unary(c, c.listInbox, { unreadOnly: false, limit: 0 }, { identity: intake });
    const item = inbox.items.find((i) => i.reference === reference);
    expect(item).toMatchObject({
      kind: "referral_submitted",
      title: `Uusi lastensuojeluilmoitus ${reference}`,
      link: `https://silta.test/referrals/${receipt?.referralId}`,
      readAt: "",
    });
    // Read once: a second time changes nothing.
    const read = await unary(c, c.markRead, { itemId: item?.itemId ?? "" }, { identity: intake });
    expect(read.item?.readAt).not.toBe("");
    expect((await unary(c, c.markRead, { itemId: item?.itemId ?? "" }, { identity: intake })).item?.readAt).toBe(read.item?.readAt);
    expect((await unary(c, c.listInbox, { unreadOnly: false, limit: 0 }, { identity: intake })).unread).toBe(inbox.unread - 1);
    // The webhook: signed, verified here with our own HMAC; the body names kind, reference and link only.
    await waitFor(() => received.some((r) => r.body.includes(reference)), { what: "the school's webhook" });
    const hook = received.find((r) => r.body.includes(reference));
    expect(hook?.verified).toBe(true);
    expect(JSON.parse(hook?.body ?? "{}")).toMatchObject({
      type: "silta.referral_receipt",
      data: { kind: "referral_receipt", reference, link: `https://silta.test/referral-statuses/${reference}` },
    });
    // Receipts on notifications.delivery.v1: ids and codes only.
    const ids = new Set((await deliveriesOf(reference)).map((d) => d.delivery_id as string));
    const receipts = await readTopicUntil(
      kafka,
      testTopic(NOTIFICATION_TOPIC.name),
      (seen) => [...ids].every((id) => seen.some((m) => m.key?.toString() === id && headerString(m.headers, "ce_type") !== "fi.silta.notification.queued.v1")),
      "the delivery receipts",
    );
    const types = receipts.filter((m) => ids.has(m.key?.toString() ?? "")).map((m) => headerString(m.headers, "ce_type"));
    expect(new Set(types)).toEqual(
      new Set(["fi.silta.notification.delivered.v1", "fi.silta.notification.queued.v1", "fi.silta.notification.sent.v1", "fi.silta.notification.read.v1"]),
    );
  });

  it("tells the duty desk of a referral claimed urgent (must-deliver), once however often the event arrives", async () => {
    const { receipt } = await unary(r, r.submitReferral, submission({ urgentClaimed: true }), { identity: callers.teacher });
    const reference = receipt?.referenceNumber as string;
    await waitFor(async () => (await deliveriesOf(reference)).some((d) => d.kind === "referral_urgent"), { what: "the duty desk's item" });
    // The submitted event once more, as a redelivery would bring it (same ce_id).
    const seen = await readTopicUntil(kafka, testTopic(REFERRAL_TOPIC.name), (s) =>
      s.some((m) => m.key?.toString() === receipt?.referralId && headerString(m.headers, "ce_type") === referralSubmitted.type),
    );
    const original = seen.find((m) => m.key?.toString() === receipt?.referralId && headerString(m.headers, "ce_type") === referralSubmitted.type);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: testTopic(REFERRAL_TOPIC.name),
      messages: [{ key: original?.key ?? null, value: original?.value ?? null, headers: original?.headers ?? {} }],
    });
    await producer.disconnect();
    // After it on the same partition (the same key), an event that tells someone: once that is
    // told, the redelivery before it has been handled.
    await unary(r, r.assignResponsible, { referralId: receipt?.referralId ?? "", workerRef: intake.subject, teamRef: "" }, { identity: callers.worker13 });
    await waitFor(async () => (await deliveriesOf(reference)).some((d) => d.kind === "responsible_assigned"), { what: "the marker after the redelivery" });
    const rows = await deliveriesOf(reference);
    expect(rows.filter((d) => d.kind === "referral_urgent").map((d) => [d.channel, d.recipient_ref])).toEqual([["in_app", duty.subject]]);
    expect(rows.filter((d) => d.kind === "referral_submitted").map((d) => [d.channel, d.recipient_ref])).toEqual([["in_app", intake.subject]]);
    const item = (await unary(c, c.listInbox, { unreadOnly: true, limit: 0 }, { identity: duty })).items.find((i) => i.reference === reference);
    expect(item).toMatchObject({ kind: "referral_urgent", mustDeliver: true });
  });
});

describe("a referral's milestones", () => {
  it("tells the professional notifier (in-app, by e-mail in their language, and their organisation's webhook) that the area took it up, assessed its urgency and decided, never what was decided", async () => {
    const { receipt } = await unary(r, r.submitReferral, submission(), { identity: callers.teacher });
    const reference = receipt?.referenceNumber as string;
    const referralId = receipt?.referralId as string;
    await unary(r, r.receiveReferral, { referralId }, { identity: callers.worker13 });
    await unary(r, r.assessUrgency, { referralId, urgent: false }, { identity: callers.worker13 });
    await unary(
      r,
      r.decideReferral,
      { referralId, outcome: DecisionOutcome.DECISION_OUTCOME_START_ASSESSMENT, redirectedTo: "" },
      { identity: callers.worker13 },
    );
    const items = await waitFor(
      async () => {
        const all = (await unary(c, c.listInbox, { unreadOnly: false, limit: 0 }, { identity: callers.teacher })).items;
        const mine = all.filter((i) => i.reference === reference && i.kind === "referral_milestone");
        return mine.length === 3 ? mine : undefined;
      },
      { what: "the notifier's three milestone items" },
    );
    expect(items.map((i) => i.title).sort()).toEqual(
      [
        `Er anmälan ${reference}: brådskan har bedömts`,
        `Er anmälan ${reference}: ett beslut har fattats`,
        `Er anmälan ${reference}: har tagits upp till behandling`,
      ].sort(),
    );
    for (const i of items) expect(i.link).toBe(`https://silta.test/referral-statuses/${reference}`);
    const decided = await waitFor(async () => (await mails()).find((m) => m.parsed.subject === `Er anmälan ${reference}: ett beslut har fattats`), {
      what: "the decision milestone e-mail",
      timeoutMs: 30_000,
    });
    expect(decided.to).toEqual(["larare@kuopio.example"]);
    await waitFor(() => received.filter((x) => x.body.includes(reference) && x.body.includes("silta.referral_milestone")).length === 3, {
      what: "the school's three milestone webhooks",
    });
    // What was decided (an assessment started) is the area's: no message says it.
    const texts = [
      ...items.map((i) => `${i.title} ${i.body}`),
      decided.parsed.text ?? "",
      ...received.filter((x) => x.body.includes(reference)).map((x) => x.body),
    ];
    for (const t of texts) expect(t).not.toMatch(/START_ASSESSMENT|start_assessment|utredning|selvitys|assessment started/i);
  });
});

describe("a consent revoked", () => {
  it("tells each organisation the consent named: its consent contacts in-app and its webhooks, with a coded reference only", async () => {
    const cc = consent.client(ConsentServiceClient);
    const hetu = freshHetu();
    hetus.push(hetu);
    const subjectPseudonym = pseudonymiserOf({
      SILTA_PSEUDONYM_KEY: Buffer.from(PSEUDONYM_KEY, "base64"),
      SILTA_PSEUDONYM_KEY_VERSION: 0,
      SILTA_PSEUDONYM_PREVIOUS_KEY_VERSION: 0,
    }).pseudonymFor({ hetu, temporaryId: "", birthDate: "", givenNames: "", familyName: "" });
    await unary(
      c,
      c.putGroup,
      { group: { groupRef: "consent_contacts", memberRefs: [callers.teacher.subject], organisationId: "" } },
      { identity: schoolAdmin },
    );
    const { consent: granted } = await unary(
      cc,
      cc.grantConsent,
      {
        subjectPseudonym,
        areaCode: "13",
        givenBy: [{ role: GiverRole.GIVER_ROLE_CUSTODIAN, personRef: "person-77" }],
        childViewRecorded: true,
        childBirthDate: "2015-03-14",
        recipients: [{ organisationId: "kuopio-school-12", organisationType: OrganisationType.ORGANISATION_TYPE_MUNICIPALITY, roles: [] }],
        purposes: [Purpose.PURPOSE_SCHOOL_SUPPORT],
        dataCategories: [DataCategory.DATA_CATEGORY_EDUCATION_EVENTS],
        validFrom: "",
        validUntil: new Date(Date.now() + 365 * 86_400_000).toISOString(),
        obtainedBy: ObtainedBy.OBTAINED_BY_WRITTEN,
      },
      { identity: callers.worker13 },
    );
    const consentId = granted?.consentId as string;
    await unary(cc, cc.revokeConsent, { consentId, reason: "Huoltaja perui suostumuksen puhelimessa" }, { identity: callers.worker13 });
    const reference = `S-${consentId.slice(0, 8)}`;
    const item = await waitFor(
      async () => (await unary(c, c.listInbox, { unreadOnly: false, limit: 0 }, { identity: callers.teacher })).items.find((i) => i.reference === reference),
      { what: "the school's consent contact's item" },
    );
    expect(item).toMatchObject({ kind: "consent_revoked", title: `Samtycke återkallat: ${reference}` });
    const hook = await waitFor(() => received.find((x) => x.body.includes(reference)), { what: "the school's webhook" });
    expect(hook.verified).toBe(true);
    expect(JSON.parse(hook.body)).toMatchObject({ type: "silta.consent_revoked", data: { kind: "consent_revoked", reference } });
    // The revocation's reason and the child's pseudonym stay with the consent service.
    for (const t of [`${item.title} ${item.body}`, hook.body]) {
      expect(t).not.toContain("puhelimessa");
      expect(t).not.toContain(subjectPseudonym);
    }
  });
});

describe("a meeting's invitations", () => {
  it("e-mails each family member their own invitation in their language (the child's worded for a child) with their link and the .ics, fetched from meetings at sending; tells invited staff in-app", async () => {
    const m = meetings.client(MeetingServiceClient);
    const hetu = freshHetu();
    hetus.push(hetu);
    const colleague = "sw-colleague";
    const { meeting } = await unary(
      m,
      m.scheduleMeeting,
      {
        requestId: uniqueName("meet"),
        kind: MeetingKind.MEETING_KIND_NETWORK,
        childHetu: hetu,
        reference: "LS-2027-0042",
        referralId: "",
        start: "2027-02-02T12:00:00+02:00",
        lengthMinutes: 60,
        recurrence: "",
        location: "Kuopio, perhekeskus",
        videoLink: "",
        staff: [
          {
            organisationId: callers.worker13.organisationId,
            organisationType: OrganisationType.ORGANISATION_TYPE_WELLBEING_AREA,
            role: "child_protection_worker",
            personRef: colleague,
            required: true,
          },
        ],
        family: [
          { role: FamilyRole.FAMILY_ROLE_GUARDIAN, email: "huoltaja@kuopio.example", phone: "", language: "sv", interpreterLanguage: "", required: true },
          { role: FamilyRole.FAMILY_ROLE_CHILD, email: "lapsi@kuopio.example", phone: "", language: "fi", interpreterLanguage: "", required: false },
        ],
        booked: true,
        answerBy: "",
      },
      { identity: callers.worker13 },
    );
    const byTo = async (to: string) => (await mails()).find((x) => x.to.includes(to) && x.parsed.subject?.includes("2.2.2027"));
    const guardian = await waitFor(() => byTo("huoltaja@kuopio.example"), { what: "the guardian's invitation", timeoutMs: 30_000 });
    const child = await waitFor(() => byTo("lapsi@kuopio.example"), { what: "the child's invitation", timeoutMs: 30_000 });
    expect(guardian.parsed.subject).toBe("Inbjudan till ett möte tis 2.2.2027 12.00");
    expect(guardian.parsed.text).toContain("nätverksmöte");
    expect(child.parsed.subject).toBe("Sinut kutsutaan tapaamiseen ti 2.2.2027 klo 12.00");
    expect(child.parsed.text).toContain("Sinun mielipiteesi on tärkeä");
    // The link is the family member's own: it opens their invitation page.
    const token = /\/v1\/meetings\/invitations\/([A-Za-z0-9_.-]+)/.exec(guardian.parsed.text ?? "")?.[1] as string;
    expect(token).toBeTruthy();
    expect((await unary(m, m.readInvitation, { token })).familyRole).toBe(FamilyRole.FAMILY_ROLE_GUARDIAN);
    // The .ics rides along as text/calendar.
    const calendar = guardian.parsed.attachments.find((a) => a.contentType.startsWith("text/calendar"));
    expect(calendar?.content.toString("utf8")).toContain("BEGIN:VEVENT");
    // Invited staff: an item in their inbox.
    await waitFor(async () => (await deliveriesOf(`M-${meeting?.meetingId.slice(0, 8)}`)).some((d) => d.recipient_ref === colleague), {
      what: "the colleague's item",
    });
    const item = (await unary(c, c.listInbox, { unreadOnly: true, limit: 0 }, { identity: { ...callers.worker13, subject: colleague } })).items.find(
      (i) => i.kind === "meeting_invitation",
    );
    expect(item?.title).toBe("Kutsu: verkostopalaveri ti 2.2.2027 klo 12.00");
  });
});

describe("a meeting moved and cancelled", () => {
  it("tells invited staff in-app and each family member by e-mail with the new .ics (must-deliver), then the cancellation with METHOD:CANCEL and no link", async () => {
    const m = meetings.client(MeetingServiceClient);
    const hetu = freshHetu();
    hetus.push(hetu);
    const colleague = "sw-colleague-2";
    await putPerson(colleague, "fi", "kollega@kuopio.example", true, areaAdmin);
    const { meeting } = await unary(
      m,
      m.scheduleMeeting,
      {
        requestId: uniqueName("meet"),
        kind: MeetingKind.MEETING_KIND_NETWORK,
        childHetu: hetu,
        reference: "LS-2027-0043",
        referralId: "",
        start: "2027-02-09T12:00:00+02:00",
        lengthMinutes: 60,
        recurrence: "",
        location: "Kuopio, perhekeskus",
        videoLink: "",
        staff: [
          {
            organisationId: callers.worker13.organisationId,
            organisationType: OrganisationType.ORGANISATION_TYPE_WELLBEING_AREA,
            role: "child_protection_worker",
            personRef: colleague,
            required: true,
          },
        ],
        family: [
          { role: FamilyRole.FAMILY_ROLE_GUARDIAN, email: "huoltaja2@kuopio.example", phone: "", language: "en", interpreterLanguage: "", required: true },
        ],
        booked: true,
        answerBy: "",
      },
      { identity: callers.worker13 },
    );
    const meetingId = meeting?.meetingId as string;
    const reference = `M-${meetingId.slice(0, 8)}`;
    const colleagueMail = (subject: string) =>
      waitFor(async () => (await mails()).find((x) => x.to.includes("kollega@kuopio.example") && x.parsed.subject === subject), {
        what: `the colleague's e-mail "${subject}"`,
        timeoutMs: 30_000,
      });
    const icsOf = (m: { parsed: ParsedMail }) => m.parsed.attachments.find((a) => a.contentType.startsWith("text/calendar"))?.content.toString("utf8") ?? "";
    const guardianMail = (subject: string) =>
      waitFor(async () => (await mails()).find((x) => x.to.includes("huoltaja2@kuopio.example") && x.parsed.subject === subject), {
        what: `the guardian's e-mail "${subject}"`,
        timeoutMs: 30_000,
      });
    await guardianMail("Invitation to a meeting Tue, 09/02/2027, 12:00");
    await unary(
      m,
      m.editMeeting,
      {
        meetingId,
        scope: EditScope.EDIT_SCOPE_ALL,
        recurrenceId: "",
        newStart: "2027-02-10T09:00:00+02:00",
        newLengthMinutes: 0,
        cancel: false,
        location: "",
        videoLink: "",
        reason: "",
      },
      { identity: callers.worker13 },
    );
    const moved = await guardianMail("The meeting has a new time: Wed, 10/02/2027, 09:00");
    expect(moved.parsed.text).toMatch(/\/v1\/meetings\/invitations\/[A-Za-z0-9_.-]+/);
    const movedIcs = moved.parsed.attachments.find((a) => a.contentType.startsWith("text/calendar"))?.content.toString("utf8") ?? "";
    expect(movedIcs).toContain("METHOD:REQUEST");
    expect(movedIcs).toContain("DTSTART;TZID=Europe/Helsinki:20270210T090000");
    await unary(m, m.cancelMeeting, { meetingId, reason: "Perhe muuttaa" }, { identity: callers.worker13 });
    const cancelled = await guardianMail("Meeting cancelled: Wed, 10/02/2027, 09:00");
    expect(cancelled.parsed.text).not.toContain("/v1/meetings/invitations/");
    const cancelIcs = cancelled.parsed.attachments.find((a) => a.contentType.startsWith("text/calendar"))?.content.toString("utf8") ?? "";
    expect(cancelIcs).toContain("METHOD:CANCEL");
    expect(cancelled.parsed.text).not.toContain("Perhe muuttaa");
    // The colleague's e-mails carry their own .ics each time: the invitation, the new time, the cancellation.
    expect(icsOf(await colleagueMail("Kutsu: verkostopalaveri ti 9.2.2027 klo 12.00"))).toContain("METHOD:REQUEST");
    const movedForColleague = icsOf(await colleagueMail("Tapaaminen siirretty: verkostopalaveri ke 10.2.2027 klo 09.00"));
    expect(movedForColleague).toContain("DTSTART;TZID=Europe/Helsinki:20270210T090000");
    expect(icsOf(await colleagueMail("Tapaaminen peruttu: verkostopalaveri ke 10.2.2027 klo 09.00"))).toContain("METHOD:CANCEL");
    // The colleague: an item for each.
    const colleagueItems = await waitFor(
      async () => {
        const items = (await unary(c, c.listInbox, { unreadOnly: false, limit: 0 }, { identity: { ...callers.worker13, subject: colleague } })).items.filter(
          (i) => i.reference === reference,
        );
        return items.length === 3 ? items : undefined;
      },
      { what: "the colleague's three items" },
    );
    expect(colleagueItems.map((i) => i.kind).sort()).toEqual(["meeting_cancelled", "meeting_invitation", "meeting_rescheduled"]);
    expect(colleagueItems.find((i) => i.kind === "meeting_rescheduled")?.title).toBe("Tapaaminen siirretty: verkostopalaveri ke 10.2.2027 klo 09.00");
    const rows = await deliveriesOf(reference);
    expect(rows.filter((d) => d.kind.startsWith("family_")).map((d) => [d.kind, d.status])).toEqual([
      ["family_meeting_cancelled", "sent"],
      ["family_meeting_invitation", "sent"],
      ["family_meeting_rescheduled", "sent"],
    ]);
    // The area's administrators see (and may re-drive) the deliveries to its families; another organisation's do not.
    const familyIds = rows.filter((d) => d.kind.startsWith("family_")).map((d) => d.delivery_id as string);
    const seenBy = async (who: Identity) =>
      (await unary(c, c.listDeliveries, { status: DeliveryStatus.DELIVERY_STATUS_SENT, limit: 500 }, { identity: who })).deliveries.map((d) => d.deliveryId);
    expect(await seenBy(areaAdmin)).toEqual(expect.arrayContaining(familyIds));
    expect((await seenBy(schoolAdmin)).filter((id) => familyIds.includes(id))).toEqual([]);
  });
});

describe("a specialist's booking", () => {
  it("tells the specialist and the requester, each in their language, of a confirmed consultation (consultations.booking.v1), the booking's .ics attached to the e-mail and its topic nowhere", async () => {
    const k = consultations.client(ConsultationServiceClient);
    const coordinator: Identity = { ...callers.worker13, subject: "coord-notif", roles: ["consultation_coordinator"] };
    const person: Identity = {
      ...callers.worker13,
      organisationId: "pohjois-savo-erityispalvelut",
      subject: "spec-booking",
      roles: ["consultation_specialist"],
    };
    const requester: Identity = {
      ...callers.teacher,
      organisationId: "kuopio-sosiaalityo",
      subject: "msw-booking",
      roles: ["social_worker"],
      municipalityCodes: ["297"],
    };
    await unary(
      c,
      c.putPerson,
      {
        person: {
          personRef: requester.subject,
          language: Language.LANGUAGE_SV,
          email: "msw@kuopio.example",
          channels: [Channel.CHANNEL_EMAIL],
          organisationId: "",
        },
      },
      { identity: { ...requester, subject: "admin-sosiaalityo", roles: ["notifications_admin"] } },
    );
    const specialist = await registerSpecialist(k, { coordinator, person });
    const day = aWeekAhead();
    const { bookings } = await unary(
      k,
      k.book,
      {
        requestId: uniqueName("book"),
        specialistId: specialist.specialistId,
        skill: "",
        language: "",
        recurrence: "",
        start: day.at("10:00"),
        details: consultationDetails({ kind: BookingKind.BOOKING_KIND_CONSULTATION, topic: CONCERN }),
      },
      { identity: requester },
    );
    const bookingId = bookings[0]?.bookingId as string;
    const reference = `K-${bookingId.slice(0, 8)}`;
    await waitFor(async () => (await deliveriesOf(reference)).length === 3, { what: "the booking's two items and the requester's e-mail" });
    const item = async (who: Identity) =>
      (await unary(c, c.listInbox, { unreadOnly: true, limit: 0 }, { identity: who })).items.find((i) => i.reference === reference);
    const when = (lang: string) =>
      new Intl.DateTimeFormat(lang, {
        timeZone: "Europe/Helsinki",
        weekday: "short",
        day: "numeric",
        month: "numeric",
        year: "numeric",
        hour: "2-digit",
        minute: "2-digit",
      }).format(new Date(day.at("10:00")));
    expect((await item(requester))?.title).toBe(`Bokning bekräftad: konsultation ${when("sv-FI")}`);
    expect((await item(person))?.title).toBe(`Varaus vahvistettu: konsultaatio ${when("fi-FI")}`);
    // The requester's e-mail carries the booking's invitation, read from consultations at sending.
    const mail = await waitFor(async () => (await mails()).find((m) => m.to.includes("msw@kuopio.example") && m.parsed.subject?.includes("konsultation")), {
      what: "the requester's e-mail",
      timeoutMs: 30_000,
    });
    const ics = mail.parsed.attachments.find((a) => a.contentType.startsWith("text/calendar"))?.content.toString("utf8") ?? "";
    expect(ics).toContain("METHOD:REQUEST");
    expect(ics).toContain("BEGIN:VEVENT");
    // The topic of the consultation is case content: neither the e-mail nor its .ics says it.
    expect(mail.raw).not.toContain("bruises");
  });
});

describe("daily digests", () => {
  it("gathers a person's non-urgent e-mails of one kind per Helsinki day of the events, concurrent and out of order, counting a redelivered event once; different keys never merge; each digest goes once, when its day ends", async () => {
    const organisers = ["org-digest-a", "org-digest-b"];
    for (const ref of organisers) await putPerson(ref, "fi", `${ref}@kuopio.example`, true, areaAdmin);
    const meetingId = crypto.randomUUID();
    const event = (codec: typeof participantAnswered, organiserRef: string, time: string, id = crypto.randomUUID()) => ({
      key: meetingId,
      value: codec.encode({
        ...MeetingEvent.fromPartial({}),
        meetingId,
        kind: MeetingKind.MEETING_KIND_NETWORK,
        areaCode: "13",
        organiserOrganisationId: callers.worker13.organisationId,
        organiserRef,
        start: "2027-03-10T10:00:00Z",
        participantId: crypto.randomUUID(),
      }),
      headers: { ce_specversion: "1.0", ce_id: id, ce_type: codec.type, ce_source: "/silta/meetings/13", ce_time: time, "content-type": PROTOBUF },
    });
    // Day D = Monday 1.3.2027 in Helsinki (its last hour is 21:xx UTC); day D+1 begins at 22:00 UTC.
    const dayD = ["2027-03-01T06:00:00Z", "2027-03-01T12:00:00Z", "2027-03-01T21:30:00Z"];
    const dayD1 = ["2027-03-01T22:30:00Z", "2027-03-02T09:00:00Z"];
    const twice = crypto.randomUUID();
    const messages = [
      event(participantAnswered, "org-digest-a", dayD1[1] as string),
      event(participantAnswered, "org-digest-a", dayD[2] as string, twice),
      event(participantWithdrawn, "org-digest-a", dayD[0] as string),
      event(participantAnswered, "org-digest-b", dayD[1] as string),
      event(participantAnswered, "org-digest-a", dayD1[0] as string),
      event(participantAnswered, "org-digest-a", dayD[0] as string),
      event(participantAnswered, "org-digest-a", dayD[1] as string),
      event(participantAnswered, "org-digest-a", dayD[2] as string, twice),
    ];
    // Sent at once from two producers, in an order that is not the events' own.
    const producers = [kafka.producer(), kafka.producer()];
    await Promise.all(producers.map((p) => p.connect()));
    await Promise.all([
      (producers[0] as Producer).send({ topic: testTopic(MEETING_TOPIC.name), messages: messages.slice(0, 4) }),
      (producers[1] as Producer).send({ topic: testTopic(MEETING_TOPIC.name), messages: messages.slice(4) }),
    ]);
    await Promise.all(producers.map((p) => p.disconnect()));
    const digests = async () =>
      (
        await service.pool.query(
          "SELECT recipient_ref, kind, to_char(day, 'YYYY-MM-DD') AS day, cardinality(event_ids) AS n FROM digests WHERE recipient_ref LIKE 'org-digest-%' ORDER BY 1, 2, 3",
        )
      ).rows;
    await waitFor(async () => (await digests()).reduce((s, r) => s + r.n, 0) === 7, { what: "the seven events in their digests" });
    expect(await digests()).toEqual([
      { recipient_ref: "org-digest-a", kind: "meeting_answered", day: "2027-03-01", n: 3 },
      { recipient_ref: "org-digest-a", kind: "meeting_answered", day: "2027-03-02", n: 2 },
      { recipient_ref: "org-digest-a", kind: "meeting_participant_withdrawn", day: "2027-03-01", n: 1 },
      { recipient_ref: "org-digest-b", kind: "meeting_answered", day: "2027-03-01", n: 1 },
    ]);
    // One e-mail per digest, due when its day ends in Helsinki; no e-mail of its own per item.
    const emails = async () =>
      (
        await service.pool.query(
          "SELECT kind, recipient_ref, status, next_attempt_at FROM deliveries WHERE channel = 'email' AND recipient_ref LIKE 'org-digest-%' ORDER BY recipient_ref, next_attempt_at, event_id",
        )
      ).rows;
    expect((await emails()).map((e) => [e.kind, e.recipient_ref, e.status, e.next_attempt_at.toISOString()])).toEqual([
      ["digest", "org-digest-a", "queued", "2027-03-01T22:00:00.000Z"],
      ["digest", "org-digest-a", "queued", "2027-03-01T22:00:00.000Z"],
      ["digest", "org-digest-a", "queued", "2027-03-02T22:00:00.000Z"],
      ["digest", "org-digest-b", "queued", "2027-03-01T22:00:00.000Z"],
    ]);
    clock.set("2027-03-01T22:00:00.000Z");
    await runDeliveries();
    await runDeliveries();
    const sent = (await mails()).filter((m) => m.to.includes("org-digest-a@kuopio.example"));
    expect(sent.map((m) => m.parsed.subject).sort()).toEqual(["Päivän 1.3.2027 kooste: 1 ilmoitus", "Päivän 1.3.2027 kooste: 3 ilmoitusta"]);
    // The next day's digest waits for its own day's end.
    expect((await emails()).map((e) => [e.recipient_ref, e.status, e.next_attempt_at?.toISOString() ?? ""]).sort()).toEqual([
      ["org-digest-a", "queued", "2027-03-02T22:00:00.000Z"],
      ["org-digest-a", "sent", ""],
      ["org-digest-a", "sent", ""],
      ["org-digest-b", "sent", ""],
    ]);
  });
});

describe("retries", () => {
  it("retries a failing webhook with backoff until it succeeds once, the attempts spaced by the stored next-attempt times", async () => {
    let failures = 0;
    answer = (r) => (r.body.includes(marker) && failures++ < 3 ? 503 : 204);
    const { receipt } = await unary(r, r.submitReferral, submission(), { identity: callers.teacher });
    const marker = receipt?.referenceNumber as string;
    const hook = () => webhookDelivery(marker);
    await waitFor(async () => (await deliveriesOf(marker)).find((d) => d.channel === "webhook")?.attempts === 1, { what: "the first attempt" });
    for (let attempt = 1; attempt <= 3; attempt++) {
      const d = await hook();
      expect(d).toMatchObject({ status: "queued", attempts: attempt, last_error: "http 503" });
      const wait = d.next_attempt_at.getTime() - clock.now().getTime();
      // Equal jitter: between half the step and the step (30 s, doubling).
      expect(wait).toBeGreaterThanOrEqual((30_000 * 2 ** (attempt - 1)) / 2);
      expect(wait).toBeLessThanOrEqual(30_000 * 2 ** (attempt - 1));
      // Not due a moment before; due at its time.
      clock.set(new Date(d.next_attempt_at.getTime() - 1000).toISOString());
      await runDeliveries();
      expect((await hook()).attempts).toBe(attempt);
      clock.set(d.next_attempt_at.toISOString());
      await runDeliveries();
    }
    const done = await hook();
    expect(done).toMatchObject({ status: "delivered", attempts: 4, last_error: "" });
    const hits = received.filter((r) => r.body.includes(marker));
    expect(hits.map((h) => h.status)).toEqual([503, 503, 503, 204]);
    // The same webhook-id on every attempt: a receiver that dedupes sees one message.
    expect(new Set(hits.map((h) => h.id)).size).toBe(1);
    expect(hits.every((h) => h.verified)).toBe(true);
    answer = () => 204;
  });

  it("fails a webhook whose endpoint stays down past the horizon (its breaker opened after 5 failures, the school's administrators told once; a failed receipt, listed for re-driving) and a replay sends it again with the same id", async () => {
    await unary(
      c,
      c.putGroup,
      { group: { groupRef: "notifications_admins", memberRefs: [schoolAdmin.subject], organisationId: "" } },
      { identity: schoolAdmin },
    );
    answer = (r) => (r.body.includes(marker) ? 500 : 204);
    const { receipt } = await unary(r, r.submitReferral, submission(), { identity: callers.teacher });
    const marker = receipt?.referenceNumber as string;
    const hook = () => webhookDelivery(marker);
    await waitFor(async () => (await deliveriesOf(marker)).find((d) => d.channel === "webhook")?.attempts === 1, { what: "the first attempt" });
    // Move the clock to each stored next attempt until the 10-minute horizon ends it.
    for (let i = 0; i < 20 && (await hook()).status === "queued"; i++) {
      clock.set((await hook()).next_attempt_at.toISOString());
      await runDeliveries();
    }
    const failed = await hook();
    expect(failed.status).toBe("failed");
    expect(failed.last_error).toMatch(/http 500/);
    // The breaker: five calls, then none while it was open (5 minutes by the service's clock, the
    // webhook-timestamp), at most one half-open try; the administrators told once, in-app.
    const calls = received.filter((x) => x.body.includes(marker)).map((x) => Number(x.timestamp));
    expect(calls.length).toBeGreaterThanOrEqual(5);
    expect(calls.length).toBeLessThanOrEqual(6);
    if (calls.length === 6) expect((calls[5] as number) - (calls[4] as number)).toBeGreaterThanOrEqual(300);
    const notices = (await unary(c, c.listInbox, { unreadOnly: true, limit: 0 }, { identity: schoolAdmin })).items.filter((i) => i.kind === "webhook_failing");
    expect(notices.map((i) => i.title)).toEqual([`Webhook ei vastaa: ${new URL(receiverUrl).host}`]);
    // Every attempt inside the 10-minute horizon from the first; the next would have fallen past it.
    expect(failed.attempts).toBeGreaterThanOrEqual(4);
    expect(clock.now().getTime()).toBeLessThanOrEqual(failed.first_attempt_at.getTime() + 10 * 60_000);
    const listed = await unary(c, c.listDeliveries, { status: DeliveryStatus.DELIVERY_STATUS_FAILED, limit: 0 }, { identity: schoolAdmin });
    expect(listed.deliveries.map((d) => d.deliveryId)).toContain(failed.delivery_id);
    // Another organisation's administrator does not see it, and cannot re-drive it.
    expect(
      (await unary(c, c.listDeliveries, { status: DeliveryStatus.DELIVERY_STATUS_FAILED, limit: 0 }, { identity: areaAdmin })).deliveries.map(
        (d) => d.deliveryId,
      ),
    ).not.toContain(failed.delivery_id);
    expect(await fail(unary(c, c.replayDelivery, { deliveryId: failed.delivery_id }, { identity: areaAdmin }))).toMatchObject({ kind: "not_found" });
    answer = () => 204;
    const replayed = await unary(c, c.replayDelivery, { deliveryId: failed.delivery_id }, { identity: schoolAdmin });
    expect(replayed.delivery?.status).toBe(DeliveryStatus.DELIVERY_STATUS_QUEUED);
    await runDeliveries();
    expect((await hook()).status).toBe("delivered");
    const hits = received.filter((r) => r.body.includes(marker));
    expect(new Set(hits.map((h) => h.id))).toEqual(new Set([failed.delivery_id]));
    expect(hits.at(-1)?.status).toBe(204);
  });

  it("fails a must-deliver e-mail the SMTP server refuses (550) at once, and escalates it to the duty desk's inbox", async () => {
    // A responsible worker whose mailbox the server refuses.
    await putPerson("sw-refused", "en", "sw@refused.example", true, areaAdmin);
    const reference = await publishDeadline(deadlineMissed, "sw-refused");
    await waitFor(async () => (await deliveriesOf(reference)).some((d) => d.channel === "email" && d.status === "failed"), {
      what: "the refused e-mail failed",
    });
    const rows = await deliveriesOf(reference);
    expect(rows.find((d) => d.channel === "email" && d.kind === "deadline_missed")).toMatchObject({
      attempts: 1,
      escalated: true,
      recipient_ref: "sw-refused",
    });
    expect(rows.find((d) => d.channel === "email")?.last_error).toMatch(/550/);
    const escalated = (await unary(c, c.listInbox, { unreadOnly: true, limit: 0 }, { identity: duty })).items.find(
      (i) => i.reference === reference && i.kind === "must_deliver_failed",
    );
    expect(escalated?.title).toBe(`Tärkeä viesti ei mennyt perille (1 vastaanottaja): ${reference}`);
    // The worker's in-app item is there (must-deliver messages reach the inbox whatever else fails), and the intake desk was told too.
    expect(rows.filter((d) => d.channel === "in_app").map((d) => [d.kind, d.recipient_ref])).toEqual(
      expect.arrayContaining([
        ["deadline_missed", "intake-1"],
        ["deadline_missed", "sw-refused"],
      ]),
    );
    const failedReceipt = (
      await readTopicUntil(kafka, testTopic(NOTIFICATION_TOPIC.name), (s) =>
        s.some(
          (m) =>
            headerString(m.headers, "ce_type") === "fi.silta.notification.failed.v1" &&
            m.key?.toString() === rows.find((d) => d.channel === "email")?.delivery_id,
        ),
      )
    ).find(
      (m) =>
        headerString(m.headers, "ce_type") === "fi.silta.notification.failed.v1" && m.key?.toString() === rows.find((d) => d.channel === "email")?.delivery_id,
    );
    const decoded = NOTIFICATION_TOPIC.events[0]?.decode(failedReceipt?.value as Buffer, "application/protobuf") as DeliveryReceipt;
    expect(decoded).toMatchObject({ status: DeliveryStatus.DELIVERY_STATUS_FAILED, escalated: true, mustDeliver: true });
  });
});

describe("preferences, quiet hours and must-deliver", () => {
  it("honours a notifier's opt-out of receipt e-mails (the inbox item stays), and a worker's opt-out of all e-mail except a must-deliver message", async () => {
    const teacher = callers.teacher;
    await setEmailPreference(teacher, "referral_receipt", false);
    try {
      const { receipt } = await unary(r, r.submitReferral, submission(), { identity: teacher });
      const reference = receipt?.referenceNumber as string;
      await waitFor(async () => (await deliveriesOf(reference)).some((d) => d.kind === "referral_receipt" && d.channel === "in_app"), {
        what: "the receipt's inbox item",
      });
      // Created in one transaction with the inbox item: no e-mail now means none at all.
      expect((await deliveriesOf(reference)).filter((d) => d.kind === "referral_receipt").map((d) => d.channel)).toEqual(["in_app", "webhook"]);
    } finally {
      await setEmailPreference(teacher, "referral_receipt", true);
    }
    const worker: Identity = { ...callers.worker13, subject: "sw-no-email" };
    await putPerson(worker.subject, "en", "sw@kuopio.example", true, areaAdmin);
    await setEmailPreference(worker, "", false);
    const atRisk = await publishDeadline(deadlineAtRisk, worker.subject);
    const missed = await publishDeadline(deadlineMissed, worker.subject);
    await waitFor(async () => (await deliveriesOf(missed)).some((d) => d.channel === "email"), { what: "the must-deliver e-mail" });
    await waitFor(async () => (await deliveriesOf(atRisk)).length > 0, { what: "the at-risk notice" });
    expect((await deliveriesOf(atRisk)).filter((d) => d.recipient_ref === worker.subject).map((d) => d.channel)).toEqual(["in_app"]);
    expect((await deliveriesOf(missed)).filter((d) => d.recipient_ref === worker.subject).map((d) => d.channel)).toEqual(["email", "in_app"]);
  });

  it("lets an organisation lock its rule over a person's choice", async () => {
    const worker: Identity = { ...callers.worker13, subject: "sw-locked" };
    await putPerson(worker.subject, "fi", "lukittu@kuopio.example", true, areaAdmin);
    await setEmailPreference(worker, "deadline_at_risk", false);
    // A person cannot lock, and cannot set the organisation's rule.
    expect(
      await fail(
        unary(
          c,
          c.setPreference,
          { preference: { kind: "", channel: Channel.CHANNEL_EMAIL, enabled: true, organisationLevel: false, locked: true } },
          { identity: worker },
        ),
      ),
    ).toMatchObject({ kind: "invalid_argument", fields: [{ field: "preference.locked" }] });
    expect(
      await fail(
        unary(
          c,
          c.setPreference,
          { preference: { kind: "", channel: Channel.CHANNEL_EMAIL, enabled: true, organisationLevel: true, locked: true } },
          { identity: worker },
        ),
      ),
    ).toMatchObject({ kind: "permission_denied" });
    await setEmailPreference(areaAdmin, "deadline_at_risk", true, { organisationLevel: true, locked: true });
    try {
      const reference = await publishDeadline(deadlineAtRisk, worker.subject);
      await waitFor(async () => (await deliveriesOf(reference)).some((d) => d.recipient_ref === worker.subject), { what: "the at-risk notice" });
      expect((await deliveriesOf(reference)).filter((d) => d.recipient_ref === worker.subject).map((d) => d.channel)).toEqual(["email", "in_app"]);
    } finally {
      await setEmailPreference(areaAdmin, "deadline_at_risk", true, { organisationLevel: true, locked: false });
    }
  });

  it("holds an e-mail until the person's quiet hours end (their zone, across midnight), but not a must-deliver one; refuses an unknown zone and a window ending before it starts", async () => {
    const worker: Identity = { ...callers.worker13, subject: "sw-quiet" };
    await putPerson(worker.subject, "fi", "hiljainen@kuopio.example", true, areaAdmin);
    const nights = [1, 2, 3, 4, 5, 6, 7].flatMap((weekday) => [
      { weekday, start: "22:00", end: "24:00" },
      { weekday, start: "00:00", end: "07:00" },
    ]);
    expect(await fail(unary(c, c.setQuietHours, { timeZone: "Europe/Kuopio", windows: nights }, { identity: worker }))).toMatchObject({
      fields: [{ field: "time_zone" }],
    });
    expect(
      await fail(unary(c, c.setQuietHours, { timeZone: "Europe/Helsinki", windows: [{ weekday: 2, start: "07:00", end: "06:00" }] }, { identity: worker })),
    ).toMatchObject({ fields: [{ field: "windows[0].end" }] });
    await unary(c, c.setQuietHours, { timeZone: "Europe/Helsinki", windows: nights }, { identity: worker });
    // Tuesday 23:30 in Helsinki (21:30 UTC, winter time).
    clock.set("2027-01-12T21:30:00.000Z");
    const quiet = await publishDeadline(deadlineAtRisk, worker.subject);
    const urgent = await publishDeadline(deadlineMissed, worker.subject);
    const email = async (reference: string) => (await deliveriesOf(reference)).find((d) => d.channel === "email" && d.recipient_ref === worker.subject);
    await waitFor(async () => (await email(quiet)) && (await email(urgent)), { what: "both e-mails" });
    // 07:00 on Wednesday in Helsinki.
    expect((await email(quiet))?.next_attempt_at.toISOString()).toBe("2027-01-13T05:00:00.000Z");
    expect((await email(quiet))?.status).toBe("queued");
    await waitFor(async () => (await email(urgent))?.status === "sent", { what: "the must-deliver e-mail sent at night" });
    clock.set("2027-01-13T05:00:00.000Z");
    await runDeliveries();
    expect((await email(quiet))?.status).toBe("sent");
  });
});

describe("bad input and forged identities", () => {
  it("refuses an unknown language, an e-mail channel without an address and a webhook that is not https (naming the field); nothing written", async () => {
    const count = async () => (await service.pool.query("SELECT (SELECT count(*) FROM people)::int AS p, (SELECT count(*) FROM webhooks)::int AS w")).rows[0];
    const before = await count();
    expect(
      await fail(
        unary(
          c,
          c.putPerson,
          { person: { personRef: "x-1", language: Language.LANGUAGE_UNSPECIFIED, email: "", channels: [], organisationId: "" } },
          { identity: areaAdmin },
        ),
      ),
    ).toMatchObject({ kind: "invalid_argument", fields: [{ field: "person.language" }] });
    expect(
      await fail(
        unary(
          c,
          c.putPerson,
          { person: { personRef: "x-1", language: Language.LANGUAGE_FI, email: "", channels: [Channel.CHANNEL_EMAIL], organisationId: "" } },
          { identity: areaAdmin },
        ),
      ),
    ).toMatchObject({ kind: "invalid_argument", fields: [{ field: "person.email" }] });
    expect(await fail(unary(c, c.registerWebhook, { url: "http://example.org/hook" }, { identity: areaAdmin }))).toMatchObject({
      kind: "invalid_argument",
      fields: [{ field: "url", reason: "https (or http to a loopback address in development)" }],
    });
    expect(await count()).toEqual(before);
  });

  it("keeps the directory to administrators and an inbox to its person: another's item is not found", async () => {
    expect(
      await fail(unary(c, c.putGroup, { group: { groupRef: "intake_desk", memberRefs: ["me"], organisationId: "" } }, { identity: intake })),
    ).toMatchObject({
      kind: "permission_denied",
      code: "SILTA_NOTIFICATION_FORBIDDEN",
    });
    const item = (await unary(c, c.listInbox, { unreadOnly: false, limit: 1 }, { identity: intake })).items[0];
    expect(item).toBeDefined();
    // The same person reference in another organisation, and another person of the same one.
    for (const identity of [{ ...intake, organisationId: "lansi-uusimaa-lastensuojelu", areaCodes: ["03"] }, duty]) {
      expect(await fail(unary(c, c.markRead, { itemId: item?.itemId ?? "" }, { identity }))).toMatchObject({
        kind: "not_found",
        code: "SILTA_NOTIFICATION_NOT_FOUND",
      });
      expect((await unary(c, c.listInbox, { unreadOnly: false, limit: 0 }, { identity })).items.map((i) => i.itemId)).not.toContain(item?.itemId);
    }
  });

  it("dead-letters a poison event with the reason and goes on with the next", async () => {
    const producer = kafka.producer();
    await producer.connect();
    const poisonId = crypto.randomUUID();
    await producer.send({
      topic: testTopic(REFERRAL_TOPIC.name),
      messages: [
        {
          key: poisonId,
          value: Buffer.from("not a protobuf message \u0000\u00ff"),
          headers: { ce_specversion: "1.0", ce_id: poisonId, ce_type: referralSubmitted.type, ce_source: "/silta/referrals/13", "content-type": PROTOBUF },
        },
      ],
    });
    await producer.disconnect();
    const dlq = await readTopicUntil(
      kafka,
      testTopic(dlqOf(REFERRAL_TOPIC.name)),
      (s) => s.some((m) => m.key?.toString() === poisonId),
      "the poison event in the DLQ",
    );
    expect(headerString(dlq.find((m) => m.key?.toString() === poisonId)?.headers, "silta_dlq_reason")).toMatch(/decod|protobuf|invalid/i);
    // The consumer went on: a referral after it is told.
    const { receipt } = await unary(r, r.submitReferral, submission(), { identity: callers.teacher });
    await waitFor(async () => (await deliveriesOf(receipt?.referenceNumber as string)).length > 0, { what: "a referral after the poison event" });
  });
});

describe("privacy", () => {
  it("puts no henkilötunnus, child name or concern in any e-mail, webhook body, inbox item, receipt or log line of the run", async () => {
    const texts = [
      ...(await mails()).map((m) => m.raw),
      ...received.map((r) => r.body),
      JSON.stringify((await service.pool.query("SELECT title, body, link, reference FROM deliveries")).rows),
      ...(await readTopicUntil(kafka, testTopic(NOTIFICATION_TOPIC.name), () => true)).map((m) => m.value?.toString("latin1") ?? ""),
      logs.text(),
    ];
    expect((await mails()).length).toBeGreaterThan(0);
    expect(received.length).toBeGreaterThan(0);
    for (const t of texts) {
      expect(containsHetu(t)).toBe(false);
      for (const h of hetus) expect(t).not.toContain(h);
      expect(t).not.toContain(NAME);
      expect(t).not.toContain(CONCERN);
    }
  });
});
