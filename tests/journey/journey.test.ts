// The whole journey, through the gateway with each party's own token, across all six services:
// a teacher in Kuopio files a concern → the Pohjois-Savo worklist has it → received, urgency
// assessed, decision to start a service-need assessment → the guardians' consent recorded for the
// school and the specialist's organisation → a co-work consultation booked with a specialist
// (round-robin by skill) → a service-need assessment meeting found for the worker, the
// specialist, the teacher and the family's windows, the family invited → the guardian answers on
// the page → notifications delivered (the notifier's receipt, the intake desk, the specialist,
// the participants) → the meeting held with the family and the child → the assessment completed
// inside 3 months → the family's disclosure log shows each disclosure with its consent.
//
// E-mails go to a real SMTP server (Mailpit, started here): the notifier's receipt and the
// guardian's invitation, whose link is the page the guardian answers on.
//
// Every service exports its spans by OTLP/HTTP to a collector this test starts (no traceparent is
// injected by hand): each step's trace runs HTTP → gRPC (→ the consent checks it makes) →
// PostgreSQL → Kafka → the consumers that act on it (the submission's reaches both of its consumers).
import { type ChildProcess, spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import { register } from "node:module";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// pg is patched as it is imported: the hook and the instrumentations before anything imports it.
register("@opentelemetry/instrumentation/hook.mjs", import.meta.url, { data: { include: ["pg", "pg-pool", "ioredis"] } });
const { registerInstrumentations } = await import("@opentelemetry/instrumentation");
const { siltaInstrumentations } = await import("@silta/platform/instrumentations");
registerInstrumentations({ instrumentations: siltaInstrumentations() });
const { context, propagation, trace } = await import("@opentelemetry/api");
const { AsyncLocalStorageContextManager } = await import("@opentelemetry/context-async-hooks");
const { W3CTraceContextPropagator } = await import("@opentelemetry/core");
const { TracerProvider, BatchSpanProcessor } = await import("@opentelemetry/sdk-trace");
const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-http");
const testing = await import("@silta/testing");
const { startWholeChain, personas, http, referralSubmission, CONCERN, NAME } = await import("../support/chain.ts");
type Chain = Awaited<ReturnType<typeof startWholeChain>>["chain"];

/** The collector: every span the services export, by OTLP/HTTP (JSON). */
interface CollectedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
}
const collected: CollectedSpan[] = [];
let collector: Server;
let provider: InstanceType<typeof TracerProvider>;

/** The SMTP server the notifications service sends to, read back through its HTTP API. */
let mailpit: ChildProcess;
let mailpitApi = "";
interface Mail {
  to: string[];
  subject: string;
  text: string;
  /** Everything a reader could see, decoded: headers as sent, subject, text, HTML and each attachment (the .ics). */
  all: string;
}
async function mails(): Promise<Mail[]> {
  const list = (await (await fetch(`${mailpitApi}/api/v1/messages?limit=200`)).json()) as { messages: { ID: string; To: { Address: string }[] }[] };
  return Promise.all(
    list.messages.map(async (m) => {
      const one = (await (await fetch(`${mailpitApi}/api/v1/message/${m.ID}`)).json()) as {
        Subject: string;
        Text: string;
        HTML: string;
        Attachments: { PartID: string }[];
      };
      const raw = await (await fetch(`${mailpitApi}/api/v1/message/${m.ID}/raw`)).text();
      const parts = await Promise.all(one.Attachments.map(async (a) => (await fetch(`${mailpitApi}/api/v1/message/${m.ID}/part/${a.PartID}`)).text()));
      return { to: m.To.map((t) => t.Address), subject: one.Subject, text: one.Text, all: [raw, one.Subject, one.Text, one.HTML, ...parts].join("\n") };
    }),
  );
}

const logs = testing.captureLogs("journey", "warn");
let whole: Awaited<ReturnType<typeof startWholeChain>>;
let chain: Chain;
let ahead = 0;
const tokens: Record<string, string> = {};
const deskAdmin = { ...personas.worker13, sub: "desk-admin-1", roles: ["notifications_admin"] };
const schoolAdmin = { ...personas.teacher, sub: "school-admin-1", roles: ["notifications_admin"] };
const specialistPerson = (sub: string) => ({ ...personas.specialist13, sub });

beforeAll(async () => {
  const smtpPort = await testing.freePort();
  const webPort = await testing.freePort();
  mailpit = spawn(testing.testEnv.mailpitBin, ["--smtp", `127.0.0.1:${smtpPort}`, "--listen", `127.0.0.1:${webPort}`], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  mailpitApi = `http://127.0.0.1:${webPort}`;
  await testing.waitFor(async () => (await fetch(`${mailpitApi}/livez`).catch(() => undefined))?.ok, { what: "Mailpit" });
  collector = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (b: Buffer) => chunks.push(b));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as {
        resourceSpans?: { scopeSpans?: { spans?: CollectedSpan[] }[] }[];
      };
      for (const rs of body.resourceSpans ?? [])
        for (const ss of rs.scopeSpans ?? [])
          for (const s of ss.spans ?? [])
            collected.push({ traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId ?? "", name: s.name, kind: s.kind });
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((r) => collector.listen(0, "127.0.0.1", () => r()));
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  provider = new TracerProvider({
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({ url: `http://127.0.0.1:${(collector.address() as AddressInfo).port}/v1/traces` }),
        scheduledDelayMillis: 200,
        maxQueueSize: 100_000,
        maxExportBatchSize: 2000,
      }),
    ],
  });
  trace.setGlobalTracerProvider(provider);

  whole = await startWholeChain("journey", {
    notificationsSmtpPort: smtpPort,
    notificationsEnv: { SILTA_NOTIFICATIONS_DELIVERY_INTERVAL_MS: "100" },
    meetingsClock: { now: () => new Date(Date.now() + ahead) },
    logger: logs.logger,
  });
  chain = whole.chain;
  for (const [k, claims] of Object.entries({ ...personas, deskAdmin, schoolAdmin, specA: specialistPerson("spec-a"), specB: specialistPerson("spec-b") }))
    tokens[k] = await chain.token(claims);
}, 180_000);
afterAll(async () => {
  await chain?.stop();
  await provider?.shutdown();
  await whole?.drop();
  mailpit?.kill("SIGTERM");
  await new Promise((r) => collector?.close(() => r(null)));
});

const call = (method: string, path: string, who: string, body?: unknown) =>
  http(chain.baseUrl, method, path, { token: tokens[who] as string, ...(body === undefined ? {} : { body }) });

/** The spans of one trace, and whether `child` descends from `ancestor` there. */
function traceOf(traceId: string) {
  const spans = collected.filter((s) => s.traceId === traceId);
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const under = (child: CollectedSpan, ancestor: CollectedSpan) => {
    for (let p = byId.get(child.parentSpanId); p; p = byId.get(p.parentSpanId)) if (p.spanId === ancestor.spanId) return true;
    return false;
  };
  return { spans, under };
}

describe("a child's case across the six services", () => {
  it("goes from a teacher's concern to a completed assessment with the family heard, every party told, every disclosure logged, and each step traced end to end", async () => {
    // The area's directory: its intake desk is the worker; the teacher and the specialists read their inboxes.
    expect(
      (await call("POST", "/v1/notifications/groups", "deskAdmin", { group: { groupRef: "intake_desk", memberRefs: [personas.worker13.sub] } })).status,
    ).toBe(200);
    // The school's directory: the teacher is told by e-mail too.
    const teacherContact = { personRef: personas.teacher.sub, language: "LANGUAGE_FI", email: "opettaja@kuopio.example", channels: ["CHANNEL_EMAIL"] };
    expect((await call("POST", "/v1/notifications/people", "schoolAdmin", { person: teacherContact })).status).toBe(200);

    // 1. The teacher files a concern.
    const submitted = await call("POST", "/v1/referrals", "teacher", referralSubmission());
    expect(submitted.status).toBe(201);
    const { referralId, referenceNumber } = submitted.body.receipt as { referralId: string; referenceNumber: string };

    // 2. The area's worklist has it; 3. received, urgency assessed, decision to start the assessment.
    await testing.waitFor(
      async () =>
        ((await call("GET", "/v1/referrals?areaCode=13&limit=200", "worker13")).body.referrals as { referralId: string }[]).some(
          (r) => r.referralId === referralId,
        ),
      { what: "the referral on the worklist" },
    );
    expect((await call("POST", `/v1/referrals/${referralId}/receive`, "worker13", {})).status).toBe(200);
    expect((await call("POST", `/v1/referrals/${referralId}/urgency-assessment`, "worker13", { urgent: false })).status).toBe(200);
    expect((await call("POST", `/v1/referrals/${referralId}/decision`, "worker13", { outcome: "DECISION_OUTCOME_START_ASSESSMENT" })).status).toBe(200);
    const referral = (await call("GET", `/v1/referrals/${referralId}`, "worker13")).body.referral as {
      subjectPseudonym: string;
      status: string;
      child: { hetu: string };
    };
    expect(referral.status).toBe("REFERRAL_STATUS_ASSESSMENT_STARTED");
    const childHetu = referral.child.hetu;

    // 4. The guardians' consent for the school and the specialist's organisation.
    const consent = await call("POST", "/v1/consents", "worker13", {
      subjectPseudonym: referral.subjectPseudonym,
      areaCode: "13",
      givenBy: [{ role: "GIVER_ROLE_CUSTODIAN", personRef: "guardian-1" }],
      childViewRecorded: true,
      childBirthDate: "2015-03-14",
      recipients: [
        { organisationId: "kuopio-school-12", organisationType: "ORGANISATION_TYPE_MUNICIPALITY" },
        { organisationId: "pohjois-savo-erityispalvelut", organisationType: "ORGANISATION_TYPE_WELLBEING_AREA" },
      ],
      purposes: ["PURPOSE_MEETING_PARTICIPATION", "PURPOSE_PAIRED_WORK", "PURPOSE_SERVICE_NEED_ASSESSMENT"],
      dataCategories: ["DATA_CATEGORY_MEETING_INFORMATION", "DATA_CATEGORY_CASE_SUMMARY", "DATA_CATEGORY_ASSESSMENT_SUMMARY"],
      validUntil: new Date(Date.now() + 365 * 86_400_000).toISOString(),
      obtainedBy: "OBTAINED_BY_WRITTEN",
    });
    expect(consent.status).toBe(201);
    const consentId = (consent.body.consent as { consentId: string }).consentId;

    // 5. A co-work consultation, round-robin among the area's mental-health specialists.
    const availability = {
      timeZone: "Europe/Helsinki",
      schedules: [{ rules: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: "08:00", end: "12:00" })) }],
      rules: { bufferBeforeMinutes: 0, bufferAfterMinutes: 0, minimumNoticeMinutes: 0, bookingWindowDays: 90, capPerDay: 0, capPerWeek: 0 },
    };
    for (const sub of ["spec-a", "spec-b"]) {
      const reg = await call("POST", "/v1/consultations/specialists", "coordinator13", {
        personRef: sub,
        organisationId: "pohjois-savo-erityispalvelut",
        organisationType: "SPECIALIST_ORGANISATION_TYPE_WELLBEING_AREA",
        skills: ["mental_health"],
        languages: ["fi"],
      });
      expect(reg.status).toBe(201);
      const id = (reg.body.specialist as { specialistId: string }).specialistId;
      expect((await call("POST", `/v1/consultations/specialists/${id}/availability`, "coordinator13", availability)).status).toBe(200);
    }
    const from = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    const to = new Date(Date.now() + 21 * 86_400_000).toISOString().slice(0, 10);
    const slots = await call(
      "GET",
      `/v1/consultations/slots?skill=mental_health&kind=BOOKING_KIND_CO_WORK&fromDate=${from}&toDate=${to}&lengthMinutes=60`,
      "worker13",
    );
    expect(slots.status).toBe(200);
    const slot = (slots.body.slots as { start: string; specialistId: string }[])[0];
    expect(slot).toBeDefined();
    const booked = await call("POST", "/v1/consultations/bookings", "worker13", {
      requestId: testing.uniqueName("cowork"),
      skill: "mental_health",
      start: slot?.start,
      details: {
        kind: "BOOKING_KIND_CO_WORK",
        lengthMinutes: 60,
        responsibleWorkerRef: personas.worker13.sub,
        municipalityCode: "297",
        childHetu,
        location: "Kuopio",
      },
    });
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);
    const booking = (booked.body.bookings as { bookingId: string; specialistId: string }[])[0] as { bookingId: string; specialistId: string };
    const specialist = (await call("GET", `/v1/consultations/specialists/${booking.specialistId}`, "coordinator13")).body.specialist as { personRef: string };
    const specToken = specialist.personRef === "spec-a" ? "specA" : "specB";

    // 6. The assessment meeting: a time for the worker, the specialist and the teacher, within the family's windows.
    const found = await call("POST", "/v1/meetings/find-times", "worker13", {
      participants: [
        { organisationId: personas.worker13.org_id, personRef: personas.worker13.sub, required: true },
        { organisationId: "pohjois-savo-erityispalvelut", personRef: specialist.personRef, required: true },
        { organisationId: "kuopio-school-12", personRef: personas.teacher.sub, required: true },
      ],
      fromDate: from,
      toDate: to,
      lengthMinutes: 90,
      familyWindows: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: "12:00", end: "17:00" })),
      limit: 5,
    });
    expect(found.status).toBe(200);
    const time = (found.body.offered as { start: string }[])[0];
    expect(time).toBeDefined();
    const scheduled = await call("POST", "/v1/meetings", "worker13", {
      requestId: testing.uniqueName("assess"),
      kind: "MEETING_KIND_SERVICE_NEED_ASSESSMENT",
      childHetu,
      reference: referenceNumber,
      referralId,
      start: time?.start,
      lengthMinutes: 90,
      location: "Kuopio, perhekeskus",
      staff: [
        {
          organisationId: "pohjois-savo-erityispalvelut",
          organisationType: "ORGANISATION_TYPE_WELLBEING_AREA",
          role: "specialist",
          personRef: specialist.personRef,
          required: true,
        },
        {
          organisationId: "kuopio-school-12",
          organisationType: "ORGANISATION_TYPE_MUNICIPALITY",
          role: "teacher",
          personRef: personas.teacher.sub,
          required: true,
        },
      ],
      family: [{ role: "FAMILY_ROLE_GUARDIAN", email: "huoltaja@kuopio.example", language: "fi", required: true }],
      booked: true,
    });
    expect(scheduled.status).toBe(201);
    const meeting = scheduled.body.meeting as {
      meetingId: string;
      participants: { participantId: string; familyRole?: string; invitation: string; organisationId: string }[];
    };
    // The family's consent covers both organisations: everyone is invited.
    expect(meeting.participants.map((p) => p.invitation)).toEqual(meeting.participants.map(() => "INVITATION_STATUS_INVITED"));
    const guardian = meeting.participants.find((p) => p.familyRole === "FAMILY_ROLE_GUARDIAN")?.participantId as string;

    // 7. The family is invited by e-mail; the guardian answers on the page its link opens.
    const invitation = await testing.waitFor(async () => (await mails()).find((m) => m.to.includes("huoltaja@kuopio.example")), {
      what: "the guardian's invitation e-mail at Mailpit",
      timeoutMs: 30_000,
    });
    expect(invitation.subject).toMatch(/^Kutsu/);
    const pageToken = /\/v1\/meetings\/invitations\/([A-Za-z0-9_.-]+)/.exec(invitation.text)?.[1];
    expect(pageToken, "the guardian's own link in the e-mail").toBeTruthy();
    const page = await http(chain.baseUrl, "POST", `/v1/meetings/invitations/${pageToken as string}`, {
      raw: "answer=accepted&note=&lang=fi",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(page.status).toBe(200);
    const answered = (await call("GET", `/v1/meetings/${meeting.meetingId}`, "worker13")).body.meeting as {
      participants: { participantId: string; answer: string }[];
    };
    expect(answered.participants.find((p) => p.participantId === guardian)?.answer).toBe("ANSWER_ACCEPTED");

    // 8. Everyone told, in their own inbox.
    const inboxHas = (who: string, kind: string, reference?: string) =>
      testing.waitFor(
        async () =>
          ((await call("GET", "/v1/notifications/inbox?limit=200", who)).body.items as { kind: string; reference: string }[] | undefined)?.some(
            (i) => i.kind === kind && (!reference || i.reference === reference),
          ),
        { what: `${who}'s ${kind}`, timeoutMs: 30_000 },
      );
    await inboxHas("teacher", "referral_receipt", referenceNumber);
    await inboxHas("worker13", "referral_submitted", referenceNumber);
    await inboxHas(specToken, "booking_confirmed");
    await inboxHas(specToken, "meeting_invitation");
    await inboxHas("teacher", "meeting_invitation");
    await inboxHas("teacher", "referral_milestone", referenceNumber);
    // The notifier's receipt by e-mail too, with the reference; and no e-mail names the child or the concern.
    const receipt = await testing.waitFor(
      async () => (await mails()).find((m) => m.to.includes("opettaja@kuopio.example") && m.subject.includes(referenceNumber)),
      {
        what: "the notifier's receipt e-mail at Mailpit",
        timeoutMs: 30_000,
      },
    );
    expect(receipt.text).toContain(`/referral-statuses/${referenceNumber}`);
    const sent = await mails();
    expect(sent.length, "the receipt and the invitation at least").toBeGreaterThanOrEqual(2);
    for (const m of sent) for (const secret of [childHetu, NAME, "Esimerkki", CONCERN]) expect(m.all, m.subject).not.toContain(secret);

    // 9. The meeting is held with the family and the child, the child heard in person.
    ahead = Date.parse(time?.start as string) + 2 * 3_600_000 - Date.now();
    const held = await call("POST", `/v1/meetings/${meeting.meetingId}/outcome`, "worker13", {
      outcome: { familyTookPart: true, childTookPart: true, childHeard: "CHILD_HEARD_PRESENT" },
    });
    ahead = 0;
    expect(held.status).toBe(200);

    // 10. The assessment completed inside its 3 months.
    expect((await call("POST", `/v1/referrals/${referralId}/assessment-completion`, "worker13", {})).status).toBe(200);
    const done = (await call("GET", `/v1/referrals/${referralId}`, "worker13")).body.referral as {
      status: string;
      deadlines: { kind: string; dueDate: string; metAt?: string }[];
    };
    expect(done.status).toBe("REFERRAL_STATUS_ASSESSMENT_COMPLETED");
    const completion = done.deadlines.find((d) => d.kind === "DEADLINE_KIND_ASSESSMENT_COMPLETION");
    expect(completion?.metAt).toBeTruthy();
    expect(Date.parse(completion?.metAt as string)).toBeLessThan(Date.parse(`${completion?.dueDate}T23:59:59+02:00`));

    // 11. The family's disclosure log: each disclosure made, allowed by the consent recorded.
    const audit = await call("GET", `/v1/disclosure-audit?subjectPseudonym=${referral.subjectPseudonym}`, "worker13");
    expect(audit.status).toBe(200);
    const entries = audit.body.entries as { action: string; recipientOrganisation: string; decision: string; consentId: string; purpose: string }[];
    const checks = entries.filter((e) => e.action === "check");
    for (const org of ["kuopio-school-12", "pohjois-savo-erityispalvelut"])
      expect(checks.filter((e) => e.recipientOrganisation === org && e.decision === "DECISION_ALLOW").length, org).toBeGreaterThan(0);
    for (const e of checks.filter((x) => x.decision === "DECISION_ALLOW")) expect(e.consentId).toBe(consentId);
    expect(entries.some((e) => e.action === "grant" && e.consentId === consentId)).toBe(true);

    // 12. The traces, as exported to the collector.
    await provider.forceFlush();
    const submitSpan = await testing.waitFor(() => collected.find((s) => s.name === "silta.referrals.v1.ReferralService/SubmitReferral" && s.kind === 2), {
      what: "the submission's server span at the collector",
    });
    const t = traceOf(submitSpan.traceId);
    const http0 = t.spans.find((s) => s.name === "HTTP POST /v1/referrals");
    expect(http0, "the gateway's HTTP span").toBeDefined();
    expect(t.under(submitSpan, http0 as CollectedSpan)).toBe(true);
    const sql = t.spans.filter((s) => t.under(s, submitSpan) && /^(pg\.query|INSERT|SELECT|UPDATE|BEGIN|COMMIT)/i.test(s.name));
    expect(sql.length, "PostgreSQL statements under the gRPC span").toBeGreaterThan(0);
    const publish = t.spans.find((s) => s.name.endsWith("referrals.referral.v1 publish"));
    expect(publish, "the outbox's publication").toBeDefined();
    // Consumers that act on it: notifications (the intake desk) and meetings (the deadline), each under the publication.
    await testing.waitFor(
      async () => {
        await provider.forceFlush();
        const now = traceOf(submitSpan.traceId);
        return now.spans.filter((s) => /referrals\.referral\.v1 process/.test(s.name) && now.under(s, publish as CollectedSpan)).length >= 2;
      },
      { what: "two consumers' spans under the publication" },
    );
    // Every other step's trace, each its whole path: the gateway's HTTP span → the service's gRPC
    // server span under it (and the consent service's checks under that, where it asks) →
    // PostgreSQL statements under it → the outbox's publication → a consumer acting on the record,
    // under the publication.
    const R = "silta.referrals.v1.ReferralService/";
    const M = "silta.meetings.v1.MeetingService/";
    const steps: { http: string; server: string; consent?: boolean; topic?: string }[] = [
      { http: "HTTP POST /v1/referrals/:referralId/receive", server: `${R}ReceiveReferral`, topic: "referrals.referral.v1" },
      { http: "HTTP POST /v1/referrals/:referralId/urgency-assessment", server: `${R}AssessUrgency`, topic: "referrals.referral.v1" },
      { http: "HTTP POST /v1/referrals/:referralId/decision", server: `${R}DecideReferral`, topic: "referrals.referral.v1" },
      { http: "HTTP POST /v1/consents", server: "silta.consent.v1.ConsentService/GrantConsent", topic: "consent.consent.v1" },
      {
        http: "HTTP POST /v1/consultations/bookings",
        server: "silta.consultations.v1.ConsultationService/Book",
        consent: true,
        topic: "consultations.booking.v1",
      },
      { http: "HTTP POST /v1/meetings/find-times", server: `${M}FindTimes` },
      { http: "HTTP POST /v1/meetings", server: `${M}ScheduleMeeting`, consent: true, topic: "meetings.meeting.v1" },
      { http: "HTTP POST /v1/meetings/invitations/:token", server: `${M}AnswerInvitation`, topic: "meetings.meeting.v1" },
      { http: "HTTP POST /v1/meetings/:meetingId/outcome", server: `${M}RecordOutcome`, topic: "meetings.meeting.v1" },
      { http: "HTTP POST /v1/referrals/:referralId/assessment-completion", server: `${R}CompleteAssessment`, topic: "referrals.referral.v1" },
    ];
    /** What the step's trace lacks ("" when its whole path is there). */
    const gap = (step: (typeof steps)[number]): string => {
      const root = collected.find((x) => x.name === step.http && x.kind === 2);
      if (!root) return `${step.http}: no HTTP span`;
      const tr = traceOf(root.traceId);
      const server = tr.spans.find((x) => x.name === step.server && x.kind === 2 && tr.under(x, root));
      if (!server) return `${step.http}: no ${step.server} server span under it`;
      if (!tr.spans.some((x) => x.name.startsWith("pg.query") && tr.under(x, server))) return `${step.http}: no PostgreSQL statement under ${step.server}`;
      if (step.consent && !tr.spans.some((x) => /ConsentService\/Check(Batch)?$/.test(x.name) && x.kind === 2 && tr.under(x, server)))
        return `${step.http}: no consent check under ${step.server}`;
      if (!step.topic) return "";
      const published = tr.spans.find((x) => x.name.endsWith(`${step.topic} publish`) && tr.under(x, server));
      if (!published) return `${step.http}: no publication to ${step.topic} under ${step.server}`;
      if (!tr.spans.some((x) => (x.name.endsWith(`${step.topic} process`) || x.name.endsWith(`${step.topic} process batch`)) && tr.under(x, published)))
        return `${step.http}: no consumer's span under the publication to ${step.topic}`;
      return "";
    };
    const gaps = () => steps.map(gap).filter(Boolean);
    await testing
      .waitFor(
        async () => {
          await provider.forceFlush();
          return gaps().length === 0;
        },
        { what: "every step's whole path at the collector", timeoutMs: 15_000 },
      )
      .catch(() => undefined);
    expect(gaps()).toEqual([]);
  }, 180_000);
});
