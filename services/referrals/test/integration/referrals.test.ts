// The referrals service against the real PostgreSQL, Kafka and consent service.

import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { credentials } from "@grpc/grpc-js";
import { ConsentServiceClient, DataCategory, GiverRole, ObtainedBy, OrganisationType, Purpose } from "@silta/contracts/consent/v1/consent.ts";
import { AbsenceKind, EducationEventRecorded, EducationLevel } from "@silta/contracts/education/v1/education.ts";
import {
  deadlineAtRisk,
  educationEventRecorded,
  inboxRecord,
  inboxTopic,
  REFERRAL_TOPIC,
  receiptIssued,
  referralSubmitted,
  responsibleAssigned,
  statusChanged,
} from "@silta/contracts/events";
import {
  DeadlineKind,
  DecisionOutcome,
  Milestone,
  NotifierType,
  ReferralKind,
  ReferralStatus,
  type SubmitReferralRequest,
} from "@silta/contracts/referrals/v1/referrals.ts";
import { createKafka, dlqOf, headerString, toKafkaMessage } from "@silta/events";
import { proveCallsOf, unary } from "@silta/grpc";
import { areaPseudonymiser, containsHetu, type Identity, type SiltaError } from "@silta/platform";
import {
  captureLogs,
  createTestDatabase,
  freshHetu,
  offsetsSinceFileStart,
  readTopicUntil,
  sharedTestIdentities,
  type TestDatabase,
  testEnv,
  testTopic,
  testTopicPrefix,
  uniqueName,
  waitFor,
} from "@silta/testing";
import type { KafkaMessage } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EDUCATION_TOPIC, espooWorker, kuopioWorker, PSEUDONYM_KEY, startConsent, startReferrals, teacher } from "../support/start.ts";

const logs = captureLogs("referrals");
let referralsDb: TestDatabase;
let consentDb: TestDatabase;
let consent: Awaited<ReturnType<typeof startConsent>>;
let a: Awaited<ReturnType<typeof startReferrals>>;
let b: Awaited<ReturnType<typeof startReferrals>>;
let now = new Date();
const clock = { now: () => now };
const pseudonym = areaPseudonymiser({ key: Buffer.from(PSEUDONYM_KEY, "base64"), version: 0 });
const kafka = createKafka({ brokers: testEnv.kafkaBrokers, clientId: "referrals-test", logger: logs.logger });

const CONCERN_MARK = "Unexplained bruises noticed by the teacher";
const NAME_MARK = "Eetu-Testilapsi";
const submission = (over: Partial<SubmitReferralRequest> = {}): SubmitReferralRequest => ({
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
  child: { hetu: freshHetu(), temporaryId: "", givenNames: NAME_MARK, familyName: "Esimerkki", birthDate: "" },
  homeMunicipalityCode: "297",
  concern: `${CONCERN_MARK}, twice this month.`,
  urgentClaimed: false,
  policeNotified: false,
  movingToMunicipalityCode: "",
  ...over,
});
const fail = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("expected failure");
    },
    (e: SiltaError) => e,
  );
const counts = async () =>
  (await a.service.pool.query("SELECT (SELECT count(*) FROM referrals)::int AS r, (SELECT count(*) FROM silta_outbox)::int AS o")).rows[0];

const readTopic = (topic: string, until: (seen: KafkaMessage[]) => boolean, what: string) => readTopicUntil(kafka, topic, until, what);
const key = (m: KafkaMessage) => m.key?.toString();

beforeAll(async () => {
  [referralsDb, consentDb] = await Promise.all([createTestDatabase("referrals"), createTestDatabase("referrals_consent")]);
  consent = await startConsent(consentDb.url, logs.logger);
  const group = uniqueName("referrals");
  a = await startReferrals(referralsDb.url, consent.grpcPort, logs.logger, clock, group);
  b = await startReferrals(referralsDb.url, consent.grpcPort, logs.logger, clock, group);
});
afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await consent?.stop();
  await referralsDb?.drop();
  await consentDb?.drop();
});

describe("submitting a child welfare notification", () => {
  it("routes it to the home municipality's area: full record on that area's inbox, thin event and receipt on the domain topic, in one transaction", async () => {
    const req = submission();
    const { receipt } = await unary(a.client, a.client.submitReferral, req, { identity: teacher });
    expect(receipt).toMatchObject({ areaCode: "13", areaName: "Pohjois-Savon hyvinvointialue" });
    expect(receipt?.referenceNumber).toMatch(/^LS-13-\d{4}-\d{6}$/);
    const id = receipt?.referralId ?? "";
    const outbox = await a.service.pool.query("SELECT topic, ce_type FROM silta_outbox WHERE aggregate_id = $1 ORDER BY id", [id]);
    expect(outbox.rows).toEqual([
      { topic: "referrals.inbox.13.v1", ce_type: "fi.silta.referral.routed.v1" },
      { topic: "referrals.referral.v1", ce_type: "fi.silta.referral.submitted.v1" },
      { topic: "referrals.referral.v1", ce_type: "fi.silta.referral.receipt-issued.v1" },
    ]);
    const inbox = (await readTopic(testTopic(inboxTopic("13").name), (s) => s.some((m) => key(m) === id), "the inbox record")).find((m) => key(m) === id);
    const full = inboxRecord.decode(inbox?.value as Buffer, "application/protobuf").referral;
    expect(full).toMatchObject({ concern: req.concern, child: { hetu: req.child?.hetu, givenNames: NAME_MARK }, areaCode: "13" });
    expect(full?.deadlines.map((d) => d.kind)).toEqual([1, 2, 3]);
    const domain = (await readTopic(testTopic(REFERRAL_TOPIC.name), (s) => s.filter((m) => key(m) === id).length >= 2, "the domain events")).filter(
      (m) => key(m) === id,
    );
    const thin = referralSubmitted.decode(
      domain.find((m) => headerString(m.headers, "ce_type") === "fi.silta.referral.submitted.v1")?.value as Buffer,
      "application/protobuf",
    );
    expect(thin).toMatchObject({
      referralId: id,
      areaCode: "13",
      status: ReferralStatus.REFERRAL_STATUS_SUBMITTED,
      notifierOrganisationId: "kuopio-school-12",
    });
    expect(thin.subjectPseudonym).toBe(pseudonym.pseudonymFor({ hetu: req.child?.hetu ?? "", temporaryId: "", birthDate: "", givenNames: "", familyName: "" }));
    for (const m of domain) {
      const text = m.value?.toString("latin1") ?? "";
      expect(containsHetu(text)).toBe(false);
      expect(text).not.toContain(NAME_MARK);
      expect(text).not.toContain(CONCERN_MARK);
    }
  });

  it("keeps two organisations' request ids apart even when org + ':' + id spell the same key", async () => {
    const urn = { ...teacher, organisationId: "urn" };
    const school = { ...teacher, organisationId: "urn:fi:school:12" };
    const mine = await unary(
      a.client,
      a.client.submitReferral,
      submission({
        requestId: "fi:school:12:r-1",
        notifier: { ...(submission().notifier as NonNullable<SubmitReferralRequest["notifier"]>), organisationId: "urn" },
      }),
      {
        identity: urn,
      },
    );
    const theirs = await unary(
      a.client,
      a.client.submitReferral,
      submission({
        requestId: "r-1",
        notifier: { ...(submission().notifier as NonNullable<SubmitReferralRequest["notifier"]>), organisationId: school.organisationId },
      }),
      {
        identity: school,
      },
    );
    expect(theirs.receipt?.referenceNumber).not.toBe(mine.receipt?.referenceNumber);
    const filed = await a.service.pool.query("SELECT count(*)::int AS n FROM referrals WHERE submitted_by_organisation IN ('urn', 'urn:fi:school:12')");
    expect(filed.rows[0].n).toBe(2);
  });

  it("refuses a request id that holds a henkilötunnus, with any separator or none, writing nothing", async () => {
    const hetu = freshHetu();
    for (const requestId of [hetu, hetu.replace("A", ""), hetu.replace("A", "."), `req-${hetu.replace("A", "_")}`]) {
      const err = await fail(unary(a.client, a.client.submitReferral, submission({ requestId }), { identity: teacher }));
      expect(err.fields.map((f) => f.field)).toEqual(["request_id"]);
      expect(err.message).not.toContain(hetu);
    }
    const stored = await a.service.pool.query("SELECT count(*)::int AS n FROM referrals WHERE request_key LIKE $1", [`%${hetu.slice(7)}%`]);
    expect(stored.rows[0].n).toBe(0);
  });

  it("returns the same receipt for a retried submission", async () => {
    const req = submission();
    const first = await unary(a.client, a.client.submitReferral, req, { identity: teacher });
    const again = await unary(b.client, b.client.submitReferral, req, { identity: teacher });
    expect(again.receipt?.referralId).toBe(first.receipt?.referralId);
  });

  it("files a submission sent several times at once only once, answering each with the same receipt", async () => {
    const req = submission();
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) => (i % 2 ? b : a)).map((s) => unary(s.client, s.client.submitReferral, req, { identity: teacher })),
    );
    const ids = new Set(answers.map((x) => x.receipt?.referralId));
    const refs = new Set(answers.map((x) => x.receipt?.referenceNumber));
    expect(ids.size).toBe(1);
    expect(refs.size).toBe(1);
    const rows = await a.service.pool.query("SELECT count(*)::int AS n FROM referrals WHERE request_key = $1", [`16:kuopio-school-12:${req.requestId}`]);
    expect(rows.rows[0].n).toBe(1);
    const events = await a.service.pool.query("SELECT count(*)::int AS n FROM silta_outbox WHERE aggregate_id = $1", [[...ids][0]]);
    expect(events.rows[0].n).toBe(3);
  });

  it.each([
    ["an unknown municipality", { homeMunicipalityCode: "999" }, "home_municipality_code"],
    ["a broken henkilötunnus", { child: { hetu: "131052-308X", temporaryId: "", givenNames: "", familyName: "", birthDate: "" } }, "child.hetu"],
    [
      "a mandatory professional without contact details",
      { notifier: { type: 1, organisationId: "kuopio-school-12", role: "teacher", name: "L", phone: "", email: "" } },
      "notifier.contact",
    ],
    [
      "a mandatory professional marked anonymous",
      { notifier: { type: 4, organisationId: "kuopio-school-12", role: "teacher", name: "L", phone: "", email: "l@x.fi" } },
      "notifier.type",
    ],
    ["an empty concern", { concern: "" }, "concern"],
    ["an oversized concern", { concern: "x".repeat(10_001) }, "concern"],
    // PostgreSQL text cannot hold U+0000: refused by the gRPC kit before any handler runs.
    ["a NUL character in the concern", { concern: "huoli\u0000" }, "concern"],
    [
      "a NUL character deep in the notifier",
      { notifier: { type: 1, organisationId: "kuopio-school-12", role: "teacher", name: "L", phone: "", email: "l\u0000@x.fi" } },
      "notifier.email",
    ],
    [
      "a NUL character in a field named in camelCase",
      { child: { hetu: "", temporaryId: "tmp-1", givenNames: "Matti\u0000", familyName: "Esimerkki", birthDate: "" } },
      "child.given_names",
    ],
  ] as [string, Partial<SubmitReferralRequest>, string][])(
    "refuses %s with INVALID_ARGUMENT naming the field; nothing is written and no event leaves",
    async (_what, over, field) => {
      const before = await counts();
      const err = await fail(unary(a.client, a.client.submitReferral, submission(over), { identity: teacher }));
      expect(err.kind).toBe("invalid_argument");
      expect(err.fields.map((f) => f.field)).toContain(field);
      expect(err.message).not.toContain("131052-308X");
      expect(await counts()).toEqual(before);
    },
  );
});

describe("the example inbox consumer for an area's integrator", () => {
  it("runs, prints each referral of its area by reference number and deadline, and prints no henkilötunnus, name or concern", async () => {
    // A new integrator reads the whole inbox; this one starts where this file's records begin, as
    // if it had read the rest already (the shared development topic holds earlier runs' records).
    const group = uniqueName("example");
    const topic = testTopic(inboxTopic("13").name);
    const partitions = await offsetsSinceFileStart(kafka, topic);
    const admin = kafka.admin();
    await admin.connect();
    await admin.setOffsets({ groupId: group, topic, partitions }).finally(() => admin.disconnect());
    const { receipt } = await unary(a.client, a.client.submitReferral, submission(), { identity: teacher });
    // Reference numbers restart in each test database; the id is unique.
    const ref = `${receipt?.referenceNumber}  id=${receipt?.referralId}`;
    const example = spawn(process.execPath, [fileURLToPath(new URL("../../examples/inbox-consumer.ts", import.meta.url)), "13"], {
      env: { ...process.env, KAFKA_BROKERS: testEnv.kafkaBrokers.join(","), GROUP: group, TOPIC_PREFIX: testTopicPrefix },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    example.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    example.stderr.on("data", (d: Buffer) => {
      out += d.toString();
    });
    try {
      await waitFor(() => out.includes(ref), { timeoutMs: 60_000, what: `the example to print ${ref}` });
      const line = out.split("\n").find((l) => l.includes(ref));
      expect(line).toMatch(/municipality=297 {2}child identified=by henkilötunnus {2}decision due \d{4}-\d{2}-\d{2} \(strict \d{4}-\d{2}-\d{2}\)/);
      expect(containsHetu(out)).toBe(false);
      expect(out).not.toContain(NAME_MARK);
      expect(out).not.toContain(CONCERN_MARK);
    } finally {
      example.kill("SIGTERM");
      if (example.exitCode === null) await once(example, "exit");
    }
  }, 90_000);
});

describe("a private person's notification", () => {
  // A service inside the area's deployment, e.g. the backend of its public web form: it calls
  // referrals over the internal (mTLS) channel; the gateway refuses "service" in outside tokens.
  const webForm: Identity = {
    subject: "web-form",
    organisationId: "pohjois-savo-verkkolomake",
    organisationType: "service",
    roles: [],
    areaCodes: ["13"],
    municipalityCodes: [],
  };
  const anonymous = () =>
    submission({ notifier: { type: NotifierType.NOTIFIER_TYPE_ANONYMOUS_PRIVATE_PERSON, organisationId: "", role: "", name: "", phone: "", email: "" } });

  it("comes from a service: an anonymous one is filed and routed without notifier details", async () => {
    const { receipt } = await unary(a.client, a.client.submitReferral, anonymous(), { identity: webForm });
    expect(receipt).toMatchObject({ areaCode: "13", referenceNumber: expect.stringMatching(/^LS-13-/) });
    const id = receipt?.referralId ?? "";
    const inbox = (await readTopic(testTopic(inboxTopic("13").name), (s) => s.some((m) => key(m) === id), "the inbox record")).find((m) => key(m) === id);
    const full = inboxRecord.decode(inbox?.value as Buffer, "application/protobuf").referral;
    expect(full?.notifier).toMatchObject({ type: NotifierType.NOTIFIER_TYPE_ANONYMOUS_PRIVATE_PERSON, name: "", organisationId: "" });
    expect(full?.concern).toContain(CONCERN_MARK);
  });

  it("is refused from a professional's organisation, naming the way in; nothing is written", async () => {
    const before = await counts();
    const err = await fail(unary(a.client, a.client.submitReferral, anonymous(), { identity: teacher }));
    expect(err).toMatchObject({ kind: "permission_denied", code: "SILTA_REFERRAL_PRIVATE_VIA_SERVICE" });
    expect(err.message).toContain("web form");
    expect(await counts()).toEqual(before);
  });
});

describe("the lifecycle", () => {
  it("is walked by the area's worker, refuses steps from the wrong state, and shows the notifier only milestones", async () => {
    const { receipt } = await unary(a.client, a.client.submitReferral, submission(), { identity: teacher });
    const id = receipt?.referralId ?? "";
    const wrong = await fail(
      unary(
        a.client,
        a.client.decideReferral,
        { referralId: id, outcome: DecisionOutcome.DECISION_OUTCOME_START_ASSESSMENT, redirectedTo: "" },
        { identity: kuopioWorker },
      ),
    );
    expect(wrong).toMatchObject({ kind: "failed_precondition", code: "SILTA_REFERRAL_WRONG_STATE" });
    expect(wrong.preconditions[0]?.description).toBe("cannot decide a referral that is submitted");

    await unary(a.client, a.client.receiveReferral, { referralId: id }, { identity: kuopioWorker });
    await unary(b.client, b.client.assessUrgency, { referralId: id, urgent: true }, { identity: kuopioWorker });
    const noReceiver = await fail(
      unary(
        a.client,
        a.client.decideReferral,
        { referralId: id, outcome: DecisionOutcome.DECISION_OUTCOME_REDIRECT, redirectedTo: "" },
        { identity: kuopioWorker },
      ),
    );
    expect(noReceiver.fields[0]?.field).toBe("redirected_to");
    const decided = await unary(
      a.client,
      a.client.decideReferral,
      { referralId: id, outcome: DecisionOutcome.DECISION_OUTCOME_START_ASSESSMENT, redirectedTo: "" },
      { identity: kuopioWorker },
    );
    expect(decided.referral?.status).toBe(ReferralStatus.REFERRAL_STATUS_ASSESSMENT_STARTED);
    expect(decided.referral?.history.map((h) => [h.action, h.actorOrganisation])).toEqual([
      ["submitted", "kuopio-school-12"],
      ["receive", kuopioWorker.organisationId],
      ["assess_urgency", kuopioWorker.organisationId],
      ["decide", kuopioWorker.organisationId],
    ]);
    expect(decided.referral?.deadlines.find((d) => d.kind === 2)?.metAt).not.toBe("");
    // What a manager reads: referrals by area and kind, decisions within the 7 working days.
    const metrics = await (await fetch(`http://127.0.0.1:${a.service.adminPort}/metrics`)).text();
    expect(metrics).toMatch(/silta_referrals_submitted_total\{[^}]*area="13"[^}]*kind="child_welfare_notification"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/silta_referrals_decisions_total\{[^}]*area="13"[^}]*within_deadline="true"[^}]*\} 1/);
    expect(metrics).toContain("silta_referrals_time_to_decision_days_bucket");

    const status = await unary(a.client, a.client.getReferralStatus, { referenceNumber: receipt?.referenceNumber ?? "" }, { identity: teacher });
    expect(status.milestones.map((m) => m.milestone)).toEqual([
      Milestone.MILESTONE_RECEIVED_BY_AREA,
      Milestone.MILESTONE_URGENCY_ASSESSED,
      Milestone.MILESTONE_DECISION_MADE,
    ]);
    expect(JSON.stringify(status)).not.toMatch(/ASSESSMENT|bruises|Eetu/i);
    const otherSchool = await fail(
      unary(
        a.client,
        a.client.getReferralStatus,
        { referenceNumber: receipt?.referenceNumber ?? "" },
        { identity: { ...teacher, organisationId: "another-school" } },
      ),
    );
    expect(otherSchool.kind).toBe("not_found");
  });

  it("keeps one area's referrals from another area's workers and from notifiers", async () => {
    const { receipt } = await unary(a.client, a.client.submitReferral, submission(), { identity: teacher });
    const id = receipt?.referralId ?? "";
    expect((await unary(a.client, a.client.getReferral, { referralId: id }, { identity: kuopioWorker })).referral?.concern).toContain(CONCERN_MARK);
    expect((await fail(unary(a.client, a.client.getReferral, { referralId: id }, { identity: espooWorker }))).kind).toBe("not_found");
    // A notifier's role handles no referral: the same refusal for this one and for one that does not exist.
    const unknown = "00000000-0000-4000-8000-000000000000";
    for (const referralId of [id, unknown]) {
      expect(await fail(unary(a.client, a.client.getReferral, { referralId }, { identity: teacher }))).toMatchObject({ code: "SILTA_REFERRAL_ROLE_REQUIRED" });
    }
    // Another area's worker: as if it did not exist, and nothing changes.
    const before = await a.service.pool.query(
      "SELECT status, (SELECT count(*)::int FROM referral_history WHERE referral_id = $1) AS h FROM referrals WHERE referral_id = $1",
      [id],
    );
    for (const referralId of [id, unknown]) {
      expect(await fail(unary(a.client, a.client.receiveReferral, { referralId }, { identity: espooWorker }))).toMatchObject({
        kind: "not_found",
        code: "SILTA_REFERRAL_NOT_FOUND",
      });
    }
    const after = await a.service.pool.query(
      "SELECT status, (SELECT count(*)::int FROM referral_history WHERE referral_id = $1) AS h FROM referrals WHERE referral_id = $1",
      [id],
    );
    expect(after.rows).toEqual(before.rows);
  });
});

describe("linking and moves", () => {
  it("links a second notification about the same child and shows them together", async () => {
    const child = { hetu: freshHetu(), temporaryId: "", givenNames: "Aino", familyName: "Esimerkki", birthDate: "" };
    const first = await unary(a.client, a.client.submitReferral, submission({ child }), { identity: teacher });
    const second = await unary(
      b.client,
      b.client.submitReferral,
      submission({ child, notifier: { type: 1, organisationId: "kuopio-health-3", role: "nurse", name: "N", phone: "040", email: "" } }),
      {
        identity: { ...teacher, organisationId: "kuopio-health-3", organisationType: "health" },
      },
    );
    const view = await unary(a.client, a.client.getReferral, { referralId: second.receipt?.referralId ?? "" }, { identity: kuopioWorker });
    expect(view.referral?.linkedReferralIds).toEqual([first.receipt?.referralId]);
    expect(view.linked.map((r) => r.referralId)).toEqual([first.receipt?.referralId]);
  });

  it("moves responsibility to the new area with a move notification, keeping the history", async () => {
    const child = { hetu: freshHetu(), temporaryId: "", givenNames: "Ville", familyName: "Muuttaja", birthDate: "" };
    const old = await unary(a.client, a.client.submitReferral, submission({ child }), { identity: teacher });
    const move = await unary(
      a.client,
      a.client.submitReferral,
      submission({
        child,
        kind: ReferralKind.REFERRAL_KIND_MOVE_NOTIFICATION,
        movingToMunicipalityCode: "049",
        notifier: { type: 1, organisationId: kuopioWorker.organisationId, role: "social_worker", name: "S", phone: "017", email: "" },
      }),
      { identity: kuopioWorker },
    );
    expect(move.receipt).toMatchObject({ areaCode: "03", areaName: "Länsi-Uudenmaan hyvinvointialue" });
    const moved = await unary(a.client, a.client.getReferral, { referralId: move.receipt?.referralId ?? "" }, { identity: espooWorker });
    expect(moved.referral?.transferredFromReferralId).toBe(old.receipt?.referralId);
    const before = await unary(a.client, a.client.getReferral, { referralId: old.receipt?.referralId ?? "" }, { identity: kuopioWorker });
    expect(before.referral).toMatchObject({ status: ReferralStatus.REFERRAL_STATUS_CLOSED, transferredToReferralId: move.receipt?.referralId });
    expect(before.referral?.history.at(-1)?.action).toBe("transferred to area 03");
  });
});

describe("the responsible worker and team", () => {
  it("are named by the area's worker, audited in the history, told on the topic and carried by later status changes and deadline alerts", async () => {
    const { receipt } = await unary(a.client, a.client.submitReferral, submission(), { identity: teacher });
    const id = receipt?.referralId ?? "";
    await unary(a.client, a.client.receiveReferral, { referralId: id }, { identity: kuopioWorker });
    const assign = (workerRef: string, teamRef: string, identity: Identity = kuopioWorker, client = a.client) =>
      unary(client, client.assignResponsible, { referralId: id, workerRef, teamRef }, { identity });
    const first = await assign("sw-13-7", "intake-13");
    expect(first.referral).toMatchObject({ responsibleWorkerRef: "sw-13-7", responsibleTeamRef: "intake-13" });
    expect(first.referral?.history.at(-1)).toMatchObject({
      action: "assign_responsible",
      actorUser: kuopioWorker.subject,
      actorOrganisation: kuopioWorker.organisationId,
    });
    // The same again changes nothing; another worker (from the other replica) is a change.
    expect((await assign("sw-13-7", "intake-13")).referral?.history).toHaveLength(3);
    expect((await assign("sw-13-8", "intake-13", kuopioWorker, b.client)).referral?.history).toHaveLength(4);
    const assigned = (
      await readTopic(
        testTopic(REFERRAL_TOPIC.name),
        (s) => s.filter((m) => key(m) === id && headerString(m.headers, "ce_type") === responsibleAssigned.type).length >= 2,
        "the responsible-assigned events",
      )
    )
      .filter((m) => key(m) === id && headerString(m.headers, "ce_type") === responsibleAssigned.type)
      .map((m) => responsibleAssigned.decode(m.value as Buffer, "application/protobuf"));
    expect(assigned.map((e) => [e.responsibleWorkerRef, e.responsibleTeamRef, e.previousWorkerRef, e.referenceNumber])).toEqual([
      ["sw-13-7", "intake-13", "", receipt?.referenceNumber],
      ["sw-13-8", "intake-13", "sw-13-7", receipt?.referenceNumber],
    ]);
    // The receipt names who submitted it (the sub of their token), for the notifications service.
    const receiptEvent = (
      await a.service.pool.query("SELECT payload FROM silta_outbox WHERE aggregate_id = $1 AND ce_type = $2", [id, receiptIssued.type])
    ).rows.map((r) => receiptIssued.decode(r.payload, "application/protobuf"))[0];
    expect(receiptEvent).toMatchObject({ notifierPersonRef: teacher.subject, referenceNumber: receipt?.referenceNumber });
    // Later events carry the responsible worker and team.
    await unary(a.client, a.client.assessUrgency, { referralId: id, urgent: false }, { identity: kuopioWorker });
    const payloads = async (type: string) =>
      (await a.service.pool.query("SELECT payload FROM silta_outbox WHERE aggregate_id = $1 AND ce_type = $2 ORDER BY id", [id, type])).rows.map(
        (r) => r.payload as Buffer,
      );
    const changed = (await payloads(statusChanged.type)).map((p) => statusChanged.decode(p, "application/protobuf")).at(-1);
    expect(changed).toMatchObject({ responsibleWorkerRef: "sw-13-8", responsibleTeamRef: "intake-13", referenceNumber: receipt?.referenceNumber });
    now = new Date(Date.now() + 8 * 86_400_000); // the decision deadline (7 working days) is within the 48 h lead, not past
    try {
      await a.service.job("deadline-watcher").runNow();
    } finally {
      now = new Date();
    }
    const alert = (await payloads(deadlineAtRisk.type)).map((p) => deadlineAtRisk.decode(p, "application/protobuf"));
    expect(alert.map((x) => [x.kind, x.responsibleWorkerRef, x.responsibleTeamRef, x.referenceNumber])).toEqual([
      [DeadlineKind.DEADLINE_KIND_DECISION, "sw-13-8", "intake-13", receipt?.referenceNumber],
    ]);
  });

  it("refuses naming nobody or a malformed reference (naming the field), another area's worker (not found), a notifier, and a closed referral; nothing written", async () => {
    const { receipt } = await unary(a.client, a.client.submitReferral, submission(), { identity: teacher });
    const id = receipt?.referralId ?? "";
    const state = async () =>
      (
        await a.service.pool.query(
          "SELECT responsible_worker_ref, responsible_team_ref, (SELECT count(*)::int FROM referral_history WHERE referral_id = $1) AS h, (SELECT count(*)::int FROM silta_outbox WHERE aggregate_id = $1::text) AS o FROM referrals WHERE referral_id = $1",
          [id],
        )
      ).rows[0];
    const before = await state();
    const assign = (workerRef: string, teamRef: string, identity: Identity) =>
      fail(unary(a.client, a.client.assignResponsible, { referralId: id, workerRef, teamRef }, { identity }));
    expect(await assign("", "", kuopioWorker)).toMatchObject({ kind: "invalid_argument", fields: [{ field: "worker_ref" }] });
    expect(await assign("sw 13 7; DROP", "", kuopioWorker)).toMatchObject({ kind: "invalid_argument", fields: [{ field: "worker_ref" }] });
    expect(await assign("sw-13-7", "", espooWorker)).toMatchObject({ kind: "not_found", code: "SILTA_REFERRAL_NOT_FOUND" });
    expect(await assign("sw-13-7", "", teacher)).toMatchObject({ code: "SILTA_REFERRAL_ROLE_REQUIRED" });
    expect(await state()).toEqual(before);
    await unary(a.client, a.client.receiveReferral, { referralId: id }, { identity: kuopioWorker });
    await unary(a.client, a.client.assessUrgency, { referralId: id, urgent: false }, { identity: kuopioWorker });
    await unary(
      a.client,
      a.client.decideReferral,
      { referralId: id, outcome: DecisionOutcome.DECISION_OUTCOME_NO_FURTHER_ACTION, redirectedTo: "" },
      { identity: kuopioWorker },
    );
    await unary(a.client, a.client.closeReferral, { referralId: id }, { identity: kuopioWorker });
    const closed = await state();
    expect(await assign("sw-13-7", "", kuopioWorker)).toMatchObject({ kind: "failed_precondition", code: "SILTA_REFERRAL_WRONG_STATE" });
    expect(await state()).toEqual(closed);
  });
});

describe("the deadline watcher", () => {
  it("emits at-risk and missed once each, although both replicas run it repeatedly", async () => {
    const { receipt } = await unary(a.client, a.client.submitReferral, submission(), { identity: teacher });
    const id = receipt?.referralId ?? "";
    const alerts = async () =>
      (
        await a.service.pool.query(
          "SELECT ce_type FROM silta_outbox WHERE aggregate_id = $1 AND ce_type LIKE 'fi.silta.referral.deadline-%' ORDER BY ce_type",
          [id],
        )
      ).rows.map((r) => r.ce_type);
    // The urgency clock (24 h) is shorter than the 48 h lead: it is at risk after half its span
    // (12 h), not at receipt, where every referral would raise an alert.
    now = new Date(Date.now() + 11 * 3_600_000);
    await Promise.all([a.service.job("deadline-watcher").runNow(), b.service.job("deadline-watcher").runNow()]);
    expect(await alerts()).toEqual([]);
    now = new Date(Date.now() + 13 * 3_600_000);
    await Promise.all([a.service.job("deadline-watcher").runNow(), b.service.job("deadline-watcher").runNow(), a.service.job("deadline-watcher").runNow()]);
    // Only the urgency deadline: the decision's (7 working days) is more than 48 h away.
    expect(await alerts()).toEqual(["fi.silta.referral.deadline-at-risk.v1"]);
    expect([a.service.job("deadline-watcher").isLeader(), b.service.job("deadline-watcher").isLeader()].filter(Boolean)).toHaveLength(1);
    now = new Date(Date.now() + 120 * 86_400_000); // past all three deadlines
    await Promise.all([a.service.job("deadline-watcher").runNow(), b.service.job("deadline-watcher").runNow()]);
    await Promise.all([a.service.job("deadline-watcher").runNow(), b.service.job("deadline-watcher").runNow()]);
    const list = await alerts();
    expect(list.filter((t) => t.endsWith("missed.v1"))).toHaveLength(3);
    expect(list.filter((t) => t.endsWith("at-risk.v1"))).toHaveLength(3);
    now = new Date();
  });
});

describe("school and early-education events", () => {
  async function produce(records: { key: string; value: Buffer; headers: Record<string, string> }[]) {
    const p = kafka.producer();
    await p.connect();
    await p.send({ topic: EDUCATION_TOPIC, messages: records });
    await p.disconnect();
  }
  const event = (hetu: string, unitId: string) =>
    EducationEventRecorded.fromPartial({
      eventId: uniqueName("edu"),
      municipalityCode: "297",
      unitId,
      pupilId: uniqueName("pupil"),
      pupilHetu: hetu,
      level: EducationLevel.EDUCATION_LEVEL_BASIC_EDUCATION,
      occurredOn: "2026-11-20",
      detail: { $case: "attendance", value: { kind: AbsenceKind.ABSENCE_KIND_RECURRING, absentDays: 9, periodStart: "2026-10-01", periodEnd: "2026-11-20" } },
    });
  const record = (e: EducationEventRecorded) => {
    const m = toKafkaMessage(
      {
        id: uniqueName("ce"),
        source: "/municipality/297",
        type: educationEventRecorded.type,
        time: new Date().toISOString(),
        contentType: "application/protobuf",
        data: educationEventRecorded.encode(e),
      },
      e.pupilId,
    );
    return { key: e.pupilId, value: m.value as Buffer, headers: m.headers as Record<string, string> };
  };

  /** The guardians' consent to share the child's education events with kuopio-school-12 (as the area's worker records it). */
  const grantSchoolConsent = async (hetu: string) => {
    const consentClient = proveCallsOf(new ConsentServiceClient(`127.0.0.1:${consent.grpcPort}`, credentials.createInsecure()), {
      prover: (await sharedTestIdentities()).prover.gateway,
      audience: "silta-consent",
    });
    await unary(
      consentClient,
      consentClient.grantConsent,
      {
        subjectPseudonym: pseudonym.pseudonymFor({ hetu, temporaryId: "", birthDate: "", givenNames: "", familyName: "" }),
        areaCode: "13",
        givenBy: [{ role: GiverRole.GIVER_ROLE_CUSTODIAN, personRef: "p-1" }],
        childViewRecorded: true,
        childBirthDate: "",
        recipients: [{ organisationId: "kuopio-school-12", organisationType: OrganisationType.ORGANISATION_TYPE_UNSPECIFIED, roles: [] }],
        purposes: [Purpose.PURPOSE_SCHOOL_SUPPORT],
        dataCategories: [DataCategory.DATA_CATEGORY_EDUCATION_EVENTS],
        validFrom: "",
        validUntil: new Date(Date.now() + 86_400_000 * 300).toISOString(),
        obtainedBy: ObtainedBy.OBTAINED_BY_WRITTEN,
      },
      { identity: kuopioWorker },
    );
    consentClient.close();
  };

  it("attaches an event covered by consent, drops one without (storing nothing), and dead-letters a malformed one", async () => {
    const covered = freshHetu();
    const uncovered = freshHetu();
    const noCase = freshHetu();
    await unary(a.client, a.client.submitReferral, submission({ child: { hetu: uncovered, temporaryId: "", givenNames: "", familyName: "", birthDate: "" } }), {
      identity: teacher,
    });
    const { receipt } = await unary(
      a.client,
      a.client.submitReferral,
      submission({ child: { hetu: covered, temporaryId: "", givenNames: "", familyName: "", birthDate: "" } }),
      { identity: teacher },
    );
    await grantSchoolConsent(covered);

    const yes = event(covered, "kuopio-school-12");
    const no = event(uncovered, "kuopio-school-12");
    const unrelated = event(noCase, "kuopio-school-12");
    const broken = event("131052-308X", "kuopio-school-12");
    const poisonKey = uniqueName("poison");
    await produce([record(no), record(unrelated), record(yes), record(broken), { key: poisonKey, value: Buffer.from("garbage"), headers: { ce_id: "x" } }]);

    await waitFor(
      async () =>
        (await unary(a.client, a.client.getReferral, { referralId: receipt?.referralId ?? "" }, { identity: kuopioWorker })).referral?.educationEvents
          .length === 1,
      {
        what: "the covered event attached",
      },
    );
    const view = await unary(a.client, a.client.getReferral, { referralId: receipt?.referralId ?? "" }, { identity: kuopioWorker });
    expect(view.referral?.educationEvents[0]).toMatchObject({ eventId: yes.eventId, unitId: "kuopio-school-12", kind: "attendance", code: "absence:2:9d" });
    const dead = await readTopic(
      dlqOf(EDUCATION_TOPIC),
      (s) => s.some((m) => key(m) === broken.pupilId) && s.some((m) => key(m) === poisonKey),
      "both dead letters",
    );
    expect(headerString(dead.find((m) => key(m) === broken.pupilId)?.headers, "silta_dlq_reason")).toMatch(
      /^rejected: invalid request: pupil_hetu: the check character does not match/,
    );
    expect(headerString(dead.find((m) => key(m) === broken.pupilId)?.headers, "silta_dlq_reason")).not.toContain("131052-308X");
    // The uncovered event was consumed (it precedes the covered one in its partition or not; wait for the count) and nothing of it stored.
    const counted = (outcome: string) => async () =>
      new RegExp(`silta_referrals_education_events_total\\{[^}]*outcome="${outcome}"[^}]*\\} [1-9]`).test(
        (await (await fetch(`http://127.0.0.1:${a.service.adminPort}/metrics`)).text()) +
          (await (await fetch(`http://127.0.0.1:${b.service.adminPort}/metrics`)).text()),
      );
    await waitFor(counted("dropped_no_consent"), { what: "the drop counted" });
    // The event about a child with no open referral: dropped before consent is even asked.
    await waitFor(counted("dropped_no_case"), { what: "the no-case drop counted" });
    const pseudonymOf = (hetu: string) => pseudonym.pseudonymFor({ hetu, temporaryId: "", birthDate: "", givenNames: "", familyName: "" });
    const stored = await a.service.pool.query(
      "SELECT count(*)::int AS n FROM education_events WHERE event_id = ANY($1::text[]) OR subject_pseudonym = ANY($2::text[])",
      [
        [no.eventId, unrelated.eventId],
        [pseudonymOf(uncovered), pseudonymOf(noCase)],
      ],
    );
    expect(stored.rows[0].n).toBe(0);
    const audited = await consent.pool.query("SELECT count(*)::int AS n FROM consent_audit WHERE subject_pseudonym = $1", [pseudonymOf(noCase)]);
    expect(audited.rows[0].n).toBe(0);
  });

  it("decides a morning's batch in one partition as it would one at a time: the covered event attached once (its redelivery within the batch too), the children with no case dropped, nothing of them stored", async () => {
    const covered = freshHetu();
    const { receipt } = await unary(
      a.client,
      a.client.submitReferral,
      submission({ child: { hetu: covered, temporaryId: "", givenNames: "", familyName: "", birthDate: "" } }),
      { identity: teacher },
    );
    const pseudonymOf = (hetu: string) => pseudonym.pseudonymFor({ hetu, temporaryId: "", birthDate: "", givenNames: "", familyName: "" });
    await grantSchoolConsent(covered);
    // One key: one partition, consecutive, so a consumer takes them together.
    const sameKey = uniqueName("school-sync");
    const noCase = Array.from({ length: 10 }, () => freshHetu());
    const yes = record(event(covered, "kuopio-school-12"));
    const batch = [
      ...noCase.slice(0, 5).map((h) => record(event(h, "kuopio-school-12"))),
      yes,
      ...noCase.slice(5).map((h) => record(event(h, "kuopio-school-12"))),
      yes,
    ];
    await produce(batch.map((m) => ({ ...m, key: sameKey })));

    await waitFor(
      async () =>
        (await unary(a.client, a.client.getReferral, { referralId: receipt?.referralId ?? "" }, { identity: kuopioWorker })).referral?.educationEvents
          .length === 1,
      { what: "the covered event attached" },
    );
    const ids = [...new Set(batch.map((m) => m.headers.ce_id))];
    await waitFor(
      async () =>
        (await a.service.pool.query("SELECT count(*)::int AS n FROM silta_processed_events WHERE ce_id = ANY($1::text[])", [ids])).rows[0].n === ids.length,
      { what: "every event of the batch handled" },
    );
    const stored = await a.service.pool.query("SELECT subject_pseudonym FROM education_events WHERE subject_pseudonym = ANY($1::text[])", [
      [pseudonymOf(covered), ...noCase.map(pseudonymOf)],
    ]);
    expect(stored.rows.map((r) => r.subject_pseudonym)).toEqual([pseudonymOf(covered)]);
  });
});

describe("privacy", () => {
  it("puts no henkilötunnus, child name or concern on referrals.referral.v1 or in any log line", async () => {
    // Every partition read to its end offset: every record this file's referrals produced.
    const all = await readTopic(testTopic(REFERRAL_TOPIC.name), (s) => s.length > 0, "records");
    for (const m of all) {
      const text = `${m.value?.toString("latin1")} ${JSON.stringify(m.headers)}`;
      expect(containsHetu(text)).toBe(false);
      expect(text).not.toContain(NAME_MARK);
      expect(text).not.toContain(CONCERN_MARK);
    }
    const logText = logs.text();
    expect(logText.length).toBeGreaterThan(1000);
    expect(containsHetu(logText)).toBe(false);
    expect(logText).not.toContain(NAME_MARK);
    expect(logText).not.toContain(CONCERN_MARK);
  });
});
