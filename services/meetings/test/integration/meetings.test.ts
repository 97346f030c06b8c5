// The meetings service against the real servers (PostgreSQL, Kafka, Redis, the consent service):
// consent before invitation, the family's answer by link, series edits read back with another
// iCalendar library, a revocation withdrawing invitations exactly once across two replicas and a
// redelivery, common times from published and projected busy times, bad input, privacy.
import { ConsentServiceClient, OrganisationType } from "@silta/contracts/consent/v1/consent.ts";
import { BookingKind, BookingStatus } from "@silta/contracts/consultations/v1/consultations.ts";
import {
  bookingCancelled,
  bookingConfirmed,
  CONSENT_TOPIC,
  CONSULTATION_TOPIC,
  MEETING_TOPIC,
  REFERRAL_TOPIC,
  referralSubmitted,
} from "@silta/contracts/events";
import {
  Answer,
  BusyKind,
  ChildHeard,
  EditScope,
  FamilyRole,
  InvitationStatus,
  MeetingEvent,
  MeetingKind,
  MeetingServiceClient,
  MeetingStatus,
} from "@silta/contracts/meetings/v1/meetings.ts";
import { DeadlineKind, NotifierType, ReferralKind, ReferralStatus } from "@silta/contracts/referrals/v1/referrals.ts";
import { PROTOBUF } from "@silta/events";
import { proveCallsOf, unary } from "@silta/grpc";
import type { Identity } from "@silta/platform";
import { captureLogs, createTestDatabase, readTopicUntil, sharedTestIdentities, type TestDatabase, testEnv, testTopic, uniqueName } from "@silta/testing";
import { type ConsentUnderTest, type MeetingsUnderTest, startConsent, startMeetings } from "@silta/tests/chain";
import ICAL from "ical.js";
import { Kafka } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fail, meetingConsent, networkMeeting, ngoWorker, notifications, organiser, outsider, pseudonymOf, teacher, testClock } from "../support/fixtures.ts";

const logs = captureLogs("meetings");
const clock = testClock("2027-01-04T06:00:00Z"); // Monday 08:00 in Helsinki
let consentDb: TestDatabase;
let db: TestDatabase;
let consent: ConsentUnderTest;
let service: MeetingsUnderTest;
let c: MeetingServiceClient;
const kafka = new Kafka({ clientId: "meetings-test", brokers: testEnv.kafkaBrokers, logLevel: 0 });

const schedule = (req = networkMeeting(), identity: Identity = organiser) => unary(c, c.scheduleMeeting, req, { identity });

/** The family's consent: these organisations may take part in meetings about the child. */
async function grantMeetingConsent(hetu: string, organisations: { id: string; type: OrganisationType }[]): Promise<string> {
  const cc = consent.client(ConsentServiceClient);
  const r = await unary(cc, cc.grantConsent, meetingConsent(hetu, organisations), { identity: organiser });
  return r.consent?.consentId as string;
}
/** An event onto a topic of this file's namespace, as its producer service would publish it. */
async function publish<T>(declared: string, codec: { type: string; encode(m: T): Buffer }, key: string, message: T, source: string) {
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({
      topic: testTopic(declared),
      messages: [
        {
          key,
          value: codec.encode(message),
          headers: { ce_specversion: "1.0", ce_id: crypto.randomUUID(), ce_type: codec.type, ce_source: source, "content-type": PROTOBUF },
        },
      ],
    });
  } finally {
    await producer.disconnect();
  }
}
/** A specialist's booking on consultations.booking.v1, as the consultations service publishes it. */
function publishBooking(codec: typeof bookingConfirmed, status: BookingStatus, bookingId: string, specialistRef: string, start: string, end: string) {
  return publish(
    CONSULTATION_TOPIC.name,
    codec,
    "spec-id",
    {
      bookingId,
      kind: BookingKind.BOOKING_KIND_CONSULTATION,
      status,
      specialistId: "spec-id",
      specialistRef,
      specialistOrganisationId: "pohjois-savo-erityispalvelut",
      requesterRef: "msw-1",
      requesterOrganisationId: "kuopio-sosiaalityo",
      responsibleWorkerRef: "sw-1",
      areaCode: "13",
      municipalityCode: "297",
      start: new Date(start).toISOString(),
      end: new Date(end).toISOString(),
      seriesId: "",
      rescheduledFrom: "",
      reason: "",
      sequence: 0,
    },
    "/silta/consultations/13",
  );
}
const SCHOOL = { id: "kuopio-school-12", type: OrganisationType.ORGANISATION_TYPE_MUNICIPALITY };
const NGO = { id: "mll-kuopio", type: OrganisationType.ORGANISATION_TYPE_NGO };

/** The meeting's events on the topic, decoded, once `until` holds. */
async function eventsOf(meetingId: string, until: (types: string[]) => boolean) {
  const seen = await readTopicUntil(
    kafka,
    testTopic(MEETING_TOPIC.name),
    (msgs) => until(msgs.filter((m) => m.key?.toString() === meetingId).map((m) => String(m.headers?.ce_type))),
    `events of meeting ${meetingId}`,
  );
  return seen
    .filter((m) => m.key?.toString() === meetingId)
    .map((m) => ({ type: String(m.headers?.ce_type), data: MeetingEvent.decode(m.value as Buffer), raw: (m.value as Buffer).toString("latin1") }));
}

const rows = async () =>
  (
    await service.pool.query(
      "SELECT (SELECT count(*) FROM meetings)::int AS m, (SELECT count(*) FROM participants)::int AS p, (SELECT count(*) FROM silta_outbox)::int AS o, (SELECT count(*) FROM meeting_requests)::int AS r",
    )
  ).rows[0];

/** This file's own meetings service's consumer group (a name no other file's service uses). */
const MAIN_GROUP = uniqueName("meetings-main");

beforeAll(async () => {
  [consentDb, db] = await Promise.all([createTestDatabase("meet_consent"), createTestDatabase("meetings")]);
  consent = await startConsent(consentDb.url, logs.logger);
  service = await startMeetings(db.url, consent.grpcPort, logs.logger, { SILTA_MEETINGS_LINK_PER_MINUTE: "1000" }, { clock, consumerGroup: MAIN_GROUP });
  c = service.client(MeetingServiceClient);
});
afterAll(async () => {
  await service?.stop();
  await consent?.stop();
  await Promise.all([db?.drop(), consentDb?.drop()]);
});

describe("consent before invitation", () => {
  it("invites only the organisations the family's consent allows, tells the organiser why per participant, and says so on the topic without contact details", async () => {
    const req = networkMeeting();
    await grantMeetingConsent(req.childHetu, [SCHOOL]);
    const { meeting } = await schedule(req);
    const byOrg = (id: string) => meeting?.participants.find((p) => p.organisationId === id);
    expect(byOrg("kuopio-school-12")).toMatchObject({ invitation: InvitationStatus.INVITATION_STATUS_INVITED, answer: Answer.ANSWER_PENDING });
    expect(byOrg("mll-kuopio")).toMatchObject({
      invitation: InvitationStatus.INVITATION_STATUS_NOT_INVITED,
      invitationReason: "DENY_REASON_RECIPIENT_NOT_COVERED",
    });
    // The family is invited by role; the API never answers their contact details.
    const family = meeting?.participants.filter((p) => p.familyRole !== FamilyRole.FAMILY_ROLE_UNSPECIFIED) ?? [];
    expect(family.map((p) => p.invitation)).toEqual([InvitationStatus.INVITATION_STATUS_INVITED, InvitationStatus.INVITATION_STATUS_INVITED]);
    expect(JSON.stringify(meeting)).not.toMatch(/huoltaja@example|358401234567/);
    expect(meeting).toMatchObject({ status: MeetingStatus.MEETING_STATUS_BOOKED, title: "Verkostopalaveri LS-2027-0042" });

    const events = await eventsOf(meeting?.meetingId as string, (t) => t.length >= 5);
    expect(events.map((e) => e.type).sort()).toEqual([
      "fi.silta.meeting.participant-invited.v1",
      "fi.silta.meeting.participant-invited.v1",
      "fi.silta.meeting.participant-invited.v1",
      "fi.silta.meeting.participant-not-invited.v1",
      "fi.silta.meeting.scheduled.v1",
    ]);
    expect(events.find((e) => e.type.endsWith("not-invited.v1"))?.data).toMatchObject({
      participantOrganisationId: "mll-kuopio",
      reason: "DENY_REASON_RECIPIENT_NOT_COVERED",
    });
    // Nor in any participant's invitation file: a coded title, times, the place; no identity or contact.
    for (const p of meeting?.participants ?? []) {
      const ics = (await unary(c, c.getCalendar, { meetingId: meeting?.meetingId as string, participantId: p.participantId }, { identity: organiser })).ical;
      expect(ics).toContain("SUMMARY:Silta: Verkostopalaveri LS-2027-0042");
      expect(ics).not.toContain(req.childHetu);
      expect(ics).not.toContain(pseudonymOf(req.childHetu));
      expect(ics).not.toMatch(/huoltaja@example|358401234567|358409876543/);
    }
    for (const e of events) {
      expect(e.raw).not.toContain(req.childHetu);
      expect(e.raw).not.toContain(pseudonymOf(req.childHetu));
      expect(e.raw).not.toMatch(/huoltaja@example|358401234567|358409876543/);
    }
  });

  it("answers a retried request with the first meeting, consent asked and rows written once", async () => {
    const req = networkMeeting();
    await grantMeetingConsent(req.childHetu, [SCHOOL, NGO]);
    const before = await rows();
    const [a, b] = await Promise.all([schedule(req), schedule(req)]);
    expect(b.meeting?.meetingId).toBe(a.meeting?.meetingId);
    const after = await rows();
    expect(after.m - before.m).toBe(1);
    expect(after.r - before.r).toBe(1);
  });
});

describe("bad input: a clear error naming the field, nothing written, no event", () => {
  const cases: [string, Parameters<typeof networkMeeting>[0], string, string][] = [
    ["a series without end or count", { recurrence: "FREQ=WEEKLY" }, "recurrence", "must end"],
    ["a series beyond the horizon", { recurrence: "FREQ=MONTHLY;UNTIL=20290101T000000Z" }, "recurrence", "beyond"],
    ["a meeting ending before it starts", { lengthMinutes: -30 }, "length_minutes", "end after it starts"],
    [
      "an unknown family role",
      { family: [{ role: 9 as FamilyRole, email: "a@example.fi", phone: "", language: "fi", interpreterLanguage: "", required: true }] },
      "family[0].role",
      "unknown",
    ],
    [
      "an unknown organisation type",
      { staff: [{ organisationId: "x-org", organisationType: 0 as OrganisationType, role: "teacher", personRef: "t-1", required: true }] },
      "staff[0].organisation_type",
      "required",
    ],
    ["a reference carrying a henkilötunnus", { reference: "131052-308T" }, "reference", "never a henkilötunnus"],
    ["a service-need assessment without its referral", { kind: MeetingKind.MEETING_KIND_SERVICE_NEED_ASSESSMENT }, "referral_id", "referral"],
    ["an answer deadline already past", { answerBy: "2027-01-01T12:00:00+02:00" }, "answer_by", "has passed"],
    [
      "the same person invited twice",
      {
        staff: [1, 2].map(() => ({
          organisationId: "kuopio-school-12",
          organisationType: OrganisationType.ORGANISATION_TYPE_MUNICIPALITY,
          role: "teacher",
          personRef: "t-1",
          required: true,
        })),
      },
      "staff[1].person_ref",
      "invited twice",
    ],
  ];
  it.each(cases)("refuses %s", async (_what, over, field, reason) => {
    const before = await rows();
    const e = await fail(schedule(networkMeeting(over)));
    expect(e.kind).toBe("invalid_argument");
    expect(e.details).toContain(field);
    expect(e.details).toContain(reason);
    expect(await rows()).toEqual(before);
  });

  it("refuses an answer from someone not invited (FAILED_PRECONDITION), and one from an organisation the consent kept out", async () => {
    const req = networkMeeting();
    await grantMeetingConsent(req.childHetu, [SCHOOL]);
    const { meeting } = await schedule(req);
    const other = { ...teacher, subject: "teacher-99" };
    const before = await rows();
    const e = await fail(unary(c, c.answerAsStaff, { meetingId: meeting?.meetingId as string, answer: Answer.ANSWER_ACCEPTED, note: "" }, { identity: other }));
    expect(e.kind).toBe("failed_precondition");
    expect(e.details).toContain("not among the invited");
    // The NGO was not invited: it does not even see the meeting.
    const n = await fail(
      unary(c, c.answerAsStaff, { meetingId: meeting?.meetingId as string, answer: Answer.ANSWER_ACCEPTED, note: "" }, { identity: ngoWorker }),
    );
    expect(n.kind).toBe("not_found");
    expect(await rows()).toEqual(before);
    const ok = await unary(c, c.answerAsStaff, { meetingId: meeting?.meetingId as string, answer: Answer.ANSWER_TENTATIVE, note: "" }, { identity: teacher });
    expect(ok.meeting?.participants.find((p) => p.personRef === "teacher-7")?.answer).toBe(Answer.ANSWER_TENTATIVE);
  });
});

describe("proposed → booked", () => {
  it("books a proposed meeting once (the participants told by a scheduled event with the booked status); a second time is refused", async () => {
    const req = networkMeeting({ booked: false });
    await grantMeetingConsent(req.childHetu, [SCHOOL]);
    const { meeting } = await schedule(req);
    expect(meeting?.status).toBe(MeetingStatus.MEETING_STATUS_PROPOSED);
    const id = meeting?.meetingId as string;
    const booked = await unary(c, c.confirmMeeting, { meetingId: id }, { identity: organiser });
    expect(booked.meeting?.status).toBe(MeetingStatus.MEETING_STATUS_BOOKED);
    expect((await fail(unary(c, c.confirmMeeting, { meetingId: id }, { identity: organiser }))).kind).toBe("failed_precondition");
    expect((await fail(unary(c, c.confirmMeeting, { meetingId: id }, { identity: teacher }))).kind).toBe("permission_denied");
    const events = await eventsOf(id, (t) => t.filter((x) => x === "fi.silta.meeting.scheduled.v1").length >= 2);
    expect(events.filter((e) => e.type === "fi.silta.meeting.scheduled.v1").map((e) => e.data.status)).toEqual([
      MeetingStatus.MEETING_STATUS_PROPOSED,
      MeetingStatus.MEETING_STATUS_BOOKED,
    ]);
  });
});

describe("who organises", () => {
  it("lets a school's named support person organise a Sisukas follow-up, but no other kind; a teacher none", async () => {
    const support: Identity = { ...teacher, subject: "tuki-1", roles: ["school_support_coordinator"] };
    const req = networkMeeting({ kind: MeetingKind.MEETING_KIND_SCHOOL_SUPPORT, staff: [] });
    const { meeting } = await schedule(req, support);
    expect(meeting).toMatchObject({ organiserOrganisationId: "kuopio-school-12", title: "Sisukas-seurantapalaveri LS-2027-0042" });
    expect((await fail(schedule(networkMeeting({ staff: [] }), support))).kind).toBe("permission_denied");
    expect((await fail(schedule(networkMeeting({ kind: MeetingKind.MEETING_KIND_SCHOOL_SUPPORT, staff: [] }), teacher))).kind).toBe("permission_denied");
    // A support person of a municipality outside the area organises nothing here.
    const helsinki: Identity = { ...support, organisationId: "helsinki-school-1", municipalityCodes: ["091"] };
    expect((await fail(schedule(networkMeeting({ kind: MeetingKind.MEETING_KIND_SCHOOL_SUPPORT, staff: [] }), helsinki))).kind).toBe("permission_denied");
  });
});

describe("who sees a meeting", () => {
  it("answers NOT_FOUND to another area's worker, shows the invited school, and gives contact details only to the notifications service", async () => {
    const req = networkMeeting();
    await grantMeetingConsent(req.childHetu, [SCHOOL]);
    const { meeting } = await schedule(req);
    const id = meeting?.meetingId as string;
    expect((await fail(unary(c, c.getMeeting, { meetingId: id }, { identity: outsider }))).kind).toBe("not_found");
    expect((await unary(c, c.getMeeting, { meetingId: id }, { identity: teacher })).meeting?.meetingId).toBe(id);
    const guardian = meeting?.participants.find((p) => p.familyRole === FamilyRole.FAMILY_ROLE_GUARDIAN)?.participantId as string;
    expect((await fail(unary(c, c.getFamilyContact, { meetingId: id, participantId: guardian }, { identity: organiser }))).kind).toBe("permission_denied");
    const ids = await sharedTestIdentities();
    const n = proveCallsOf(service.client(MeetingServiceClient), { prover: ids.prover.notifications, audience: "silta-meetings" });
    const contact = await unary(n, n.getFamilyContact, { meetingId: id, participantId: guardian }, { identity: notifications });
    expect(contact).toMatchObject({ email: "huoltaja@example.fi", phone: "+358401234567", language: "fi" });
    // The first link is issued for the sending, and it opens the family's invitation; asked again, the same link stands.
    expect((await unary(c, c.readInvitation, { token: contact.linkToken })).familyRole).toBe(FamilyRole.FAMILY_ROLE_GUARDIAN);
    const again = await unary(n, n.getFamilyContact, { meetingId: id, participantId: guardian }, { identity: notifications });
    expect((await unary(c, c.readInvitation, { token: contact.linkToken })).familyRole).toBe(FamilyRole.FAMILY_ROLE_GUARDIAN);
    expect(again.linkToken).not.toBe("");
    expect(contact.ical).toContain("BEGIN:VEVENT");
    expect(contact.ical).toContain("METHOD:REQUEST");
    // A staff participant's .ics (attached to their e-mail) to the area's notifications service;
    // a family member's only through GetFamilyContact; another area's service sees nothing.
    const staff = meeting?.participants.find((p) => p.familyRole === FamilyRole.FAMILY_ROLE_UNSPECIFIED)?.participantId as string;
    expect((await unary(n, n.getCalendar, { meetingId: id, participantId: staff }, { identity: notifications })).ical).toContain("METHOD:REQUEST");
    expect((await fail(unary(n, n.getCalendar, { meetingId: id, participantId: guardian }, { identity: notifications }))).kind).toBe("not_found");
    expect((await fail(unary(n, n.getCalendar, { meetingId: id, participantId: "" }, { identity: notifications }))).kind).toBe("not_found");
    const elsewhere = { ...notifications, organisationId: "silta-notifications-03", areaCodes: ["03"] };
    expect((await fail(unary(n, n.getCalendar, { meetingId: id, participantId: staff }, { identity: elsewhere }))).kind).toBe("not_found");
  });
});

describe("the family's answer by link", () => {
  it("opens the invitation, takes the answer the organiser then sees, and refuses a tampered, a replaced, a revoked and an expired link", async () => {
    const req = networkMeeting();
    await grantMeetingConsent(req.childHetu, [SCHOOL]);
    const { meeting } = await schedule(req);
    const id = meeting?.meetingId as string;
    const child = meeting?.participants.find((p) => p.familyRole === FamilyRole.FAMILY_ROLE_CHILD)?.participantId as string;
    const link = await unary(c, c.issueFamilyLink, { meetingId: id, participantId: child }, { identity: organiser });
    expect(link.printable).toContain("Verkostopalaveri LS-2027-0042");
    expect(link.printable).not.toContain(req.childHetu);
    // The link proves itself: no identity on the call.
    const view = await unary(c, c.readInvitation, { token: link.token }, {});
    expect(view).toMatchObject({ kind: MeetingKind.MEETING_KIND_NETWORK, familyRole: FamilyRole.FAMILY_ROLE_CHILD, answer: Answer.ANSWER_PENDING });
    expect(view.invited.map((x) => x.organisationId)).toEqual(["kuopio-school-12"]);
    const answered = await unary(c, c.answerInvitation, { token: link.token, answer: Answer.ANSWER_NONE_SUIT, note: "Koulun jälkeen klo 15 sopisi" }, {});
    expect(answered.answer).toBe(Answer.ANSWER_NONE_SUIT);
    const seen = await unary(c, c.getMeeting, { meetingId: id }, { identity: organiser });
    expect(seen.meeting?.participants.find((p) => p.participantId === child)).toMatchObject({
      answer: Answer.ANSWER_NONE_SUIT,
      answerNote: "Koulun jälkeen klo 15 sopisi",
    });
    const events = await eventsOf(id, (t) => t.includes("fi.silta.meeting.participant-answered.v1"));
    const ev = events.find((e) => e.type === "fi.silta.meeting.participant-answered.v1");
    expect(ev?.data).toMatchObject({ participantId: child, familyRole: FamilyRole.FAMILY_ROLE_CHILD, answer: Answer.ANSWER_NONE_SUIT });
    expect(ev?.raw).not.toContain("Koulun jälkeen");

    const tampered = `${link.token.slice(0, -3)}${link.token.endsWith("A") ? "B" : "A"}xx`;
    expect((await fail(unary(c, c.readInvitation, { token: tampered }, {}))).kind).toBe("unauthenticated");
    const newer = await unary(c, c.issueFamilyLink, { meetingId: id, participantId: child }, { identity: organiser });
    expect((await fail(unary(c, c.readInvitation, { token: link.token }, {}))).kind).toBe("not_found");
    await unary(c, c.revokeFamilyLink, { meetingId: id, participantId: child }, { identity: organiser });
    expect((await fail(unary(c, c.readInvitation, { token: newer.token }, {}))).kind).toBe("not_found");
    const third = await unary(c, c.issueFamilyLink, { meetingId: id, participantId: child }, { identity: organiser });
    expect((await unary(c, c.readInvitation, { token: third.token }, {})).answer).toBe(Answer.ANSWER_NONE_SUIT);
    // A day after the meeting the link has expired (injected clock, no waiting).
    clock.set("2027-02-03T13:00:01+02:00");
    try {
      expect((await fail(unary(c, c.readInvitation, { token: third.token }, {}))).kind).toBe("unauthenticated");
    } finally {
      clock.set("2027-01-04T06:00:00Z");
    }
  });
});

describe("the answer deadline (injected clock)", () => {
  it("takes answers until the deadline, then refuses them (staff's and the family's) and says so to the family's page", async () => {
    const req = networkMeeting({ answerBy: "2027-01-20T12:00:00+02:00" });
    await grantMeetingConsent(req.childHetu, [SCHOOL]);
    const { meeting } = await schedule(req);
    const id = meeting?.meetingId as string;
    const guardian = meeting?.participants.find((p) => p.familyRole === FamilyRole.FAMILY_ROLE_GUARDIAN)?.participantId as string;
    const { token } = await unary(c, c.issueFamilyLink, { meetingId: id, participantId: guardian }, { identity: organiser });
    expect((await unary(c, c.answerInvitation, { token, answer: Answer.ANSWER_TENTATIVE, note: "" }, {})).answer).toBe(Answer.ANSWER_TENTATIVE);
    clock.set("2027-01-20T12:00:01+02:00");
    try {
      const before = await rows();
      const late = await fail(unary(c, c.answerInvitation, { token, answer: Answer.ANSWER_ACCEPTED, note: "" }, {}));
      expect(late.kind).toBe("failed_precondition");
      expect(late.details).toContain("answers were wanted by 2027-01-20T10:00:00.000Z");
      expect((await fail(unary(c, c.answerAsStaff, { meetingId: id, answer: Answer.ANSWER_ACCEPTED, note: "" }, { identity: teacher }))).kind).toBe(
        "failed_precondition",
      );
      expect(await rows()).toEqual(before);
      const view = await unary(c, c.readInvitation, { token }, {});
      expect(view).toMatchObject({ answersClosed: true, answer: Answer.ANSWER_TENTATIVE });
    } finally {
      clock.set("2027-01-04T06:00:00Z");
    }
  });
});

describe("series and their edits, read back with ical.js", () => {
  const parse = (ics: string) => {
    const vevents = new ICAL.Component(ICAL.parse(ics)).getAllSubcomponents("vevent");
    return vevents.map((v) => ({
      uid: String(v.getFirstPropertyValue("uid")),
      sequence: Number(v.getFirstPropertyValue("sequence")),
      rrule: v.getFirstPropertyValue("rrule")?.toString() ?? "",
      recurrenceId: (v.getFirstPropertyValue("recurrence-id") as ICAL.Time | null)?.toJSDate().toISOString() ?? "",
      exdates: v.getAllProperties("exdate").flatMap((p) => p.getValues().map((x) => (x as ICAL.Time).toJSDate().toISOString())),
      start: (v.getFirstPropertyValue("dtstart") as ICAL.Time).toJSDate().toISOString(),
      tzid: String(v.getFirstProperty("dtstart")?.getParameter("tzid") ?? ""),
      summary: String(v.getFirstPropertyValue("summary")),
    }));
  };
  const weekly = () =>
    networkMeeting({
      kind: MeetingKind.MEETING_KIND_SYSTEMIC_WEEKLY,
      start: "2027-03-16T13:00:00+02:00",
      recurrence: "FREQ=WEEKLY;COUNT=6",
      reference: "SYS-7",
    });
  const ics = async (id: string) => (await unary(c, c.getCalendar, { meetingId: id, participantId: "" }, { identity: organiser })).ical;

  it("keeps 13:00 Helsinki across the spring change, and moves one occurrence as an override with RECURRENCE-ID", async () => {
    const req = weekly();
    await grantMeetingConsent(req.childHetu, [SCHOOL]);
    const { meeting } = await schedule(req);
    const id = meeting?.meetingId as string;
    expect(meeting?.occurrences.map((o) => o.start)).toEqual([
      "2027-03-16T11:00:00.000Z",
      "2027-03-23T11:00:00.000Z",
      "2027-03-30T10:00:00.000Z", // after the change (28.3.): still 13:00 local
      "2027-04-06T10:00:00.000Z",
      "2027-04-13T10:00:00.000Z",
      "2027-04-20T10:00:00.000Z",
    ]);
    const moved = await unary(
      c,
      c.editMeeting,
      {
        meetingId: id,
        scope: EditScope.EDIT_SCOPE_THIS,
        recurrenceId: "2027-03-30T10:00:00.000Z",
        newStart: "2027-03-31T12:00:00+03:00",
        newLengthMinutes: 0,
        cancel: false,
        location: "",
        videoLink: "",
        reason: "",
      },
      { identity: organiser },
    );
    expect(moved.meeting?.sequence).toBe(1);
    const parsed = parse(await ics(id));
    expect(parsed).toHaveLength(2);
    const [master, override] = parsed;
    expect(master).toMatchObject({
      uid: `${id}@silta`,
      sequence: 1,
      rrule: "FREQ=WEEKLY;COUNT=6",
      tzid: "Europe/Helsinki",
      recurrenceId: "",
      summary: "Silta: Systeeminen viikkokokous SYS-7",
    });
    expect(override).toMatchObject({ uid: `${id}@silta`, recurrenceId: "2027-03-30T10:00:00.000Z", start: "2027-03-31T09:00:00.000Z", sequence: 1 });
  });

  it("cancels one occurrence as an EXDATE, and changes the whole series' place", async () => {
    const req = weekly();
    await grantMeetingConsent(req.childHetu, [SCHOOL]);
    const id = (await schedule(req)).meeting?.meetingId as string;
    const edit = (over: Record<string, unknown>) =>
      unary(
        c,
        c.editMeeting,
        {
          meetingId: id,
          scope: EditScope.EDIT_SCOPE_THIS,
          recurrenceId: "",
          newStart: "",
          newLengthMinutes: 0,
          cancel: false,
          location: "",
          videoLink: "",
          reason: "",
          ...over,
        },
        { identity: organiser },
      );
    await edit({ recurrenceId: "2027-04-06T10:00:00.000Z", cancel: true });
    const all = await edit({ scope: EditScope.EDIT_SCOPE_ALL, location: "Siilinjärvi, koulu" });
    expect(all.meeting?.location).toBe("Siilinjärvi, koulu");
    const [master, ...rest] = parse(await ics(id));
    expect(rest).toHaveLength(0);
    expect(master).toMatchObject({ sequence: 2, exdates: ["2027-04-06T10:00:00.000Z"] });
    expect(all.meeting?.occurrences.find((o) => o.recurrenceId === "2027-04-06T10:00:00.000Z")?.cancelled).toBe(true);
  });

  it("splits 'this and following' into an old series ending with UNTIL and a new series with a new UID; occurrences before the split unchanged", async () => {
    const req = weekly();
    await grantMeetingConsent(req.childHetu, [SCHOOL]);
    const first = (await schedule(req)).meeting;
    const id = first?.meetingId as string;
    // The fifth occurrence was cancelled before the split: it stays cancelled in the new series.
    await unary(
      c,
      c.editMeeting,
      {
        meetingId: id,
        scope: EditScope.EDIT_SCOPE_THIS,
        recurrenceId: "2027-04-13T10:00:00.000Z",
        newStart: "",
        newLengthMinutes: 0,
        cancel: true,
        location: "",
        videoLink: "",
        reason: "",
      },
      { identity: organiser },
    );
    clock.set("2027-03-25T06:00:00Z"); // two occurrences have passed
    try {
      const r = await unary(
        c,
        c.editMeeting,
        {
          meetingId: id,
          scope: EditScope.EDIT_SCOPE_THIS_AND_FOLLOWING,
          recurrenceId: "2027-04-06T10:00:00.000Z",
          newStart: "2027-04-07T14:00:00+03:00",
          newLengthMinutes: 90,
          cancel: false,
          location: "",
          videoLink: "",
          reason: "",
        },
        { identity: organiser },
      );
      expect(r.meeting?.occurrences.map((o) => o.start)).toEqual(first?.occurrences.slice(0, 3).map((o) => o.start));
      expect(r.meeting?.recurrence).toBe("FREQ=WEEKLY;UNTIL=20270406T095959Z");
      expect(r.continuedBy?.recurrence).toBe("FREQ=WEEKLY;COUNT=3");
      expect(r.continuedBy?.occurrences.map((o) => [o.start, o.cancelled])).toEqual([
        ["2027-04-07T11:00:00.000Z", false],
        ["2027-04-14T11:00:00.000Z", true],
        ["2027-04-21T11:00:00.000Z", false],
      ]);
      const [old] = parse(await ics(id));
      const [next] = parse(await ics(r.continuedBy?.meetingId as string));
      expect(old).toMatchObject({ uid: `${id}@silta`, sequence: 2, rrule: "FREQ=WEEKLY;UNTIL=20270406T095959Z" });
      expect(next?.uid).toBe(`${r.continuedBy?.meetingId}@silta`);
      expect(next).toMatchObject({ sequence: 0, rrule: "FREQ=WEEKLY;COUNT=3", start: "2027-04-07T11:00:00.000Z", exdates: ["2027-04-14T11:00:00.000Z"] });
      // Past occurrences stay as they were: moving one of them, or the whole begun series, is refused.
      const past = await fail(
        unary(
          c,
          c.editMeeting,
          {
            meetingId: id,
            scope: EditScope.EDIT_SCOPE_THIS,
            recurrenceId: "2027-03-16T11:00:00.000Z",
            newStart: "2027-04-01T10:00:00Z",
            newLengthMinutes: 0,
            cancel: false,
            location: "",
            videoLink: "",
            reason: "",
          },
          { identity: organiser },
        ),
      );
      expect(past.kind).toBe("failed_precondition");
    } finally {
      clock.set("2027-01-04T06:00:00Z");
    }
  });
});

describe("a revoked consent withdraws future invitations", () => {
  it("exactly once, with two replicas reading the event and the event delivered twice; the organiser is told on the topic", async () => {
    const req = networkMeeting();
    const consentId = await grantMeetingConsent(req.childHetu, [SCHOOL, NGO]);
    const { meeting } = await schedule(req);
    const id = meeting?.meetingId as string;
    expect(meeting?.participants.filter((p) => p.invitation === InvitationStatus.INVITATION_STATUS_INVITED)).toHaveLength(4);
    // Two more replicas on the same database, each in a consumer group of its own: both read every event.
    const groups = [uniqueName("meet-r1"), uniqueName("meet-r2")];
    const replicas = await Promise.all(groups.map((consumerGroup) => startMeetings(db.url, consent.grpcPort, logs.logger, {}, { clock, consumerGroup })));
    try {
      const cc = consent.client(ConsentServiceClient);
      await unary(cc, cc.revokeConsent, { consentId, reason: "huoltaja perui" }, { identity: organiser });
      // The revocation as the consent service published it, then once more (a redelivery).
      const published = await readTopicUntil(kafka, testTopic(CONSENT_TOPIC.name), (m) =>
        m.some((x) => String(x.headers?.ce_type) === "fi.silta.consent.revoked.v1" && x.key?.toString() === pseudonymOf(req.childHetu)),
      );
      const revoked = published.find((x) => String(x.headers?.ce_type) === "fi.silta.consent.revoked.v1" && x.key?.toString() === pseudonymOf(req.childHetu));
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({
        topic: testTopic(CONSENT_TOPIC.name),
        messages: [{ key: revoked?.key ?? null, value: revoked?.value ?? null, headers: revoked?.headers ?? {} }],
      });
      await producer.disconnect();
      // Every reader (this file's service and both replicas) has handled the topic to its end, both deliveries included.
      const admin = kafka.admin();
      await admin.connect();
      try {
        const end = await admin.fetchTopicOffsets(testTopic(CONSENT_TOPIC.name));
        for (const groupId of [MAIN_GROUP, ...groups]) {
          for (let i = 0; ; i++) {
            const [committed] = await admin.fetchOffsets({ groupId, topics: [testTopic(CONSENT_TOPIC.name)] });
            const caughtUp = end.every(
              (e) => e.offset === "0" || BigInt(committed?.partitions.find((p) => p.partition === e.partition)?.offset ?? "-1") >= BigInt(e.offset),
            );
            if (caughtUp) break;
            if (i > 300) throw new Error(`consumer group ${groupId} did not reach the end of the consent topic`);
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      } finally {
        await admin.disconnect();
      }
      // Written once at the source, and everything written is on the topic before it is read.
      const outbox = await service.pool.query(
        "SELECT count(*) FILTER (WHERE ce_type = 'fi.silta.meeting.participant-withdrawn.v1')::int AS withdrawn, count(*) FILTER (WHERE published_at IS NULL)::int AS pending FROM silta_outbox WHERE aggregate_id = $1",
        [id],
      );
      expect(outbox.rows[0].withdrawn).toBe(2);
      for (
        let i = 0;
        i < 300 && (await service.pool.query("SELECT 1 FROM silta_outbox WHERE aggregate_id = $1 AND published_at IS NULL", [id])).rowCount !== 0;
        i++
      )
        await new Promise((r) => setTimeout(r, 100));
      const again = await eventsOf(id, (t) => t.filter((x) => x === "fi.silta.meeting.participant-withdrawn.v1").length >= 2);
      const withdrawn = again.filter((e) => e.type === "fi.silta.meeting.participant-withdrawn.v1");
      expect(withdrawn.map((e) => e.data.participantOrganisationId).sort()).toEqual(["kuopio-school-12", "mll-kuopio"]);
      expect(withdrawn.every((e) => e.data.organiserRef === "sw-1" && e.data.reason === "DENY_REASON_CONSENT_REVOKED")).toBe(true);
      const now = await unary(c, c.getMeeting, { meetingId: id }, { identity: organiser });
      const staff = now.meeting?.participants.filter((p) => p.organisationId !== "") ?? [];
      expect(staff.map((p) => p.invitation)).toEqual([InvitationStatus.INVITATION_STATUS_WITHDRAWN, InvitationStatus.INVITATION_STATUS_WITHDRAWN]);
      // The family stays invited; the withdrawn school answers no more.
      expect((await fail(unary(c, c.answerAsStaff, { meetingId: id, answer: Answer.ANSWER_ACCEPTED, note: "" }, { identity: teacher }))).kind).toBe(
        "failed_precondition",
      );
      const ics = (await unary(c, c.getCalendar, { meetingId: id, participantId: staff[0]?.participantId as string }, { identity: teacher })).ical;
      expect(ics).toContain("METHOD:CANCEL");
    } finally {
      await Promise.all(replicas.map((r) => r.stop()));
    }
  });
});

describe("common times", () => {
  it("finds times from busy times published by API and by iCalendar and from a specialist's booking on consultations.booking.v1, keeping tentative apart", async () => {
    const day = "2027-02-09"; // a Tuesday
    const at = (t: string) => `${day}T${t}:00+02:00`;
    const sw = { ...organiser, subject: uniqueName("sw") };
    await unary(
      c,
      c.publishBusy,
      {
        personRef: sw.subject,
        from: at("00:00"),
        to: at("23:59"),
        blocks: [
          { start: at("08:00"), end: at("10:00"), kind: BusyKind.BUSY_KIND_BUSY },
          { start: at("14:00"), end: at("16:00"), kind: BusyKind.BUSY_KIND_UNAVAILABLE },
        ],
        ical: "",
      },
      { identity: sw },
    );
    const t = { ...teacher, subject: uniqueName("teacher") };
    const vfreebusy = [
      "BEGIN:VCALENDAR",
      "VERSION:2.0",
      "PRODID:-//Wilma//FI",
      "BEGIN:VFREEBUSY",
      "FREEBUSY;FBTYPE=BUSY:20270209T100000Z/20270209T110000Z",
      "FREEBUSY;FBTYPE=BUSY-TENTATIVE:20270209T110000Z/20270209T113000Z",
      "END:VFREEBUSY",
      "END:VCALENDAR",
    ].join("\r\n");
    const published = await unary(c, c.publishBusy, { personRef: t.subject, from: at("00:00"), to: at("23:59"), blocks: [], ical: vfreebusy }, { identity: t });
    expect(published.blocks).toBe(2);
    // A specialist's booking, as the consultations service publishes it.
    const specialistRef = uniqueName("spec");
    const bookingId = crypto.randomUUID();
    await publishBooking(bookingConfirmed, BookingStatus.BOOKING_STATUS_CONFIRMED, bookingId, specialistRef, at("13:00"), at("14:00"));
    const find = () =>
      unary(
        c,
        c.findTimes,
        {
          participants: [
            { organisationId: sw.organisationId, personRef: sw.subject, required: true },
            { organisationId: t.organisationId, personRef: t.subject, required: true },
            { organisationId: "pohjois-savo-erityispalvelut", personRef: specialistRef, required: false },
          ],
          fromDate: day,
          toDate: day,
          lengthMinutes: 60,
          familyWindows: [],
          stepMinutes: 30,
          limit: 0,
        },
        { identity: organiser },
      );
    // The projection catches up with the topic.
    for (let i = 0; i < 600 && (await service.pool.query("SELECT 1 FROM busy_blocks WHERE source_id = $1", [bookingId])).rowCount === 0; i++)
      await new Promise((x) => setTimeout(x, 100));
    const r = await find();
    const local = (iso: string) => new Date(iso).toLocaleTimeString("fi-FI", { timeZone: "Europe/Helsinki", hour: "2-digit", minute: "2-digit" });
    // Required: the worker is free 10–14 local, the teacher not 12–13 (busy) and only tentatively 13–13:30.
    // Ranked: the specialist (optional) is free before 13, booked 13–14.
    expect(r.offered.map((o) => local(o.start))).toEqual(["10.00", "10.30", "11.00", "13.00"]);
    expect(r.offered.map((o) => o.optionalFree)).toEqual([1, 1, 1, 0]);
    expect(r.offered[3]?.tentative).toEqual([`${t.organisationId}/${t.subject}`]);
    expect(r.offered[0]?.tentative).toEqual([]);
    // Refused starts, each stretch with why and whose: the worker's morning, the teacher's noon,
    // the worker's unavailable afternoon (a 60-minute meeting from 13:30 would run into it).
    expect(r.excluded.map((e) => [local(e.start), local(e.end), e.reason, e.who])).toEqual([
      ["08.00", "10.00", "busy", [`${sw.organisationId}/${sw.subject}`]],
      ["11.30", "13.00", "busy", [`${t.organisationId}/${t.subject}`]],
      ["13.30", "15.30", "unavailable", [`${sw.organisationId}/${sw.subject}`]],
    ]);
  });

  it("answers from the calendars as they are at each search, on any replica: a block published through another replica and a booking cancelled on the topic are seen by the next search", async () => {
    const day = "2027-02-10"; // a Wednesday
    const at = (t: string) => `${day}T${t}:00+02:00`;
    const local = (iso: string) => new Date(iso).toLocaleTimeString("fi-FI", { timeZone: "Europe/Helsinki", hour: "2-digit", minute: "2-digit" });
    const sw = { ...organiser, subject: uniqueName("sw") };
    const specialistRef = uniqueName("spec");
    const bookingId = crypto.randomUUID();
    const busy = (blocks: [string, string][]) => ({
      personRef: sw.subject,
      from: at("00:00"),
      to: at("23:59"),
      blocks: blocks.map(([a, b]) => ({ start: at(a), end: at(b), kind: BusyKind.BUSY_KIND_BUSY })),
      ical: "",
    });
    const blockOf = async () => (await service.pool.query("SELECT 1 FROM busy_blocks WHERE source_id = $1", [bookingId])).rowCount;
    await unary(c, c.publishBusy, busy([["08:00", "10:00"]]), { identity: sw });
    await publishBooking(bookingConfirmed, BookingStatus.BOOKING_STATUS_CONFIRMED, bookingId, specialistRef, at("13:00"), at("14:00"));
    for (let i = 0; i < 600 && (await blockOf()) === 0; i++) await new Promise((x) => setTimeout(x, 100));
    // A second replica on the same database (a consumer group of its own, so it projects the topic too).
    const replica = await startMeetings(db.url, consent.grpcPort, logs.logger, {}, { clock, consumerGroup: uniqueName("meet-busy") });
    try {
      const rc = replica.client(MeetingServiceClient);
      const find = async (client: typeof c) => {
        const r = await unary(
          client,
          client.findTimes,
          {
            participants: [
              { organisationId: sw.organisationId, personRef: sw.subject, required: true },
              { organisationId: "pohjois-savo-erityispalvelut", personRef: specialistRef, required: false },
            ],
            fromDate: day,
            toDate: day,
            lengthMinutes: 60,
            familyWindows: [],
            stepMinutes: 60,
            limit: 0,
          },
          { identity: organiser },
        );
        return r.offered.map((o) => `${local(o.start)}:${o.optionalFree}`).sort();
      };
      // Ranked by the specialist: booked 13–14.
      expect(await find(c)).toEqual(["10.00:1", "11.00:1", "12.00:1", "13.00:0", "14.00:1", "15.00:1"]);
      expect(await find(c)).toEqual(await find(rc));
      // The worker's calendar changes through the other replica: the next search here sees it.
      await unary(
        rc,
        rc.publishBusy,
        busy([
          ["08:00", "10:00"],
          ["11:00", "12:00"],
        ]),
        { identity: sw },
      );
      expect(await find(c)).toEqual(["10.00:1", "12.00:1", "13.00:0", "14.00:1", "15.00:1"]);
      // The booking is cancelled on the topic: the specialist is free again for both replicas' searches.
      await publishBooking(bookingCancelled, BookingStatus.BOOKING_STATUS_CANCELLED, bookingId, specialistRef, at("13:00"), at("14:00"));
      for (let i = 0; i < 600 && (await blockOf()) === 1; i++) await new Promise((x) => setTimeout(x, 100));
      expect(await find(c)).toEqual(["10.00:1", "12.00:1", "13.00:1", "14.00:1", "15.00:1"]);
      expect(await find(rc)).toEqual(["10.00:1", "12.00:1", "13.00:1", "14.00:1", "15.00:1"]);
    } finally {
      await replica.stop();
    }
  });

  it("lets a person publish only their own busy times (an organisation's calendar system those of its people), and refuses a span over 90 days", async () => {
    const e = await fail(
      unary(
        c,
        c.publishBusy,
        { personRef: "someone-else", from: "2027-02-01T00:00:00Z", to: "2027-02-02T00:00:00Z", blocks: [], ical: "" },
        { identity: teacher },
      ),
    );
    expect(e.kind).toBe("permission_denied");
    const sync = { ...teacher, subject: "wilma-sync", roles: ["calendar_sync"] };
    expect(
      (
        await unary(
          c,
          c.publishBusy,
          { personRef: "teacher-7", from: "2027-02-01T00:00:00Z", to: "2027-02-02T00:00:00Z", blocks: [], ical: "" },
          { identity: sync },
        )
      ).blocks,
    ).toBe(0);
    const long = await fail(
      unary(c, c.publishBusy, { personRef: "teacher-7", from: "2027-02-01T00:00:00Z", to: "2027-06-02T00:00:00Z", blocks: [], ical: "" }, { identity: sync }),
    );
    expect(long.details).toContain("to");
  });
});

describe("outcome of a meeting", () => {
  it("records who took part and how the child was heard, shows the agreed actions again at the next meeting of the series, and refuses 'not heard' without a reason", async () => {
    const req = networkMeeting({ kind: MeetingKind.MEETING_KIND_SYSTEMIC_WEEKLY, start: "2027-01-05T12:00:00+02:00", recurrence: "FREQ=WEEKLY;COUNT=3" });
    await grantMeetingConsent(req.childHetu, [SCHOOL]);
    const { meeting } = await schedule(req);
    const id = meeting?.meetingId as string;
    const guardian = meeting?.participants.find((p) => p.familyRole === FamilyRole.FAMILY_ROLE_GUARDIAN)?.participantId as string;
    const outcome = (over: Record<string, unknown>) =>
      unary(
        c,
        c.recordOutcome,
        {
          meetingId: id,
          noShow: false,
          outcome: {
            recurrenceId: "2027-01-05T10:00:00.000Z",
            attended: [guardian],
            familyTookPart: true,
            childTookPart: false,
            childHeard: ChildHeard.CHILD_HEARD_IN_WRITING,
            childNotHeardReason: "",
            actions: [{ title: "Koulu järjestää tukiopetuksen", ownerOrganisationId: "kuopio-school-12", dueDate: "2027-01-31", agreedAt: "" }],
            recordedAt: "",
            recordedBy: "",
            ...over,
          },
        },
        { identity: organiser },
      );
    expect((await fail(outcome({}))).kind).toBe("failed_precondition"); // not begun yet
    clock.set("2027-01-05T11:30:00Z");
    try {
      const notHeard = await fail(outcome({ childHeard: ChildHeard.CHILD_HEARD_NOT_HEARD }));
      expect(notHeard.details).toContain("outcome.child_not_heard_reason");
      const held = await outcome({});
      expect(held.meeting?.status).toBe(MeetingStatus.MEETING_STATUS_BOOKED); // two more to come
      const next = await unary(c, c.getMeeting, { meetingId: id }, { identity: teacher });
      expect(next.meeting?.openActions).toEqual([
        { title: "Koulu järjestää tukiopetuksen", ownerOrganisationId: "kuopio-school-12", dueDate: "2027-01-31", agreedAt: "2027-01-05T10:00:00.000Z" },
      ]);
      const events = await eventsOf(id, (t) => t.includes("fi.silta.meeting.held.v1"));
      expect(events.find((e) => e.type === "fi.silta.meeting.held.v1")?.data).toMatchObject({
        familyTookPart: true,
        childHeard: ChildHeard.CHILD_HEARD_IN_WRITING,
      });
      expect(events.find((e) => e.type === "fi.silta.meeting.held.v1")?.raw).not.toContain("tukiopetuksen");
    } finally {
      clock.set("2027-01-04T06:00:00Z");
    }
  });
});

describe("a service-need assessment and its referral", () => {
  it("is shown against the referral's three-month deadline read from referrals.referral.v1, and the time to the first meeting is on /metrics", async () => {
    const referralId = crypto.randomUUID();
    await publish(
      REFERRAL_TOPIC.name,
      referralSubmitted,
      referralId,
      {
        referralId,
        kind: ReferralKind.REFERRAL_KIND_CHILD_WELFARE_NOTIFICATION,
        status: ReferralStatus.REFERRAL_STATUS_SUBMITTED,
        areaCode: "13",
        subjectPseudonym: "ps_not_read_here",
        referenceNumber: "LS-13-2027-000001",
        submittedAt: "2027-01-01T10:00:00.000Z",
        deadlines: [
          { kind: DeadlineKind.DEADLINE_KIND_DECISION, dueDate: "2027-01-13", strictDueDate: "2027-01-13", dueAt: "", metAt: "", basis: "" },
          { kind: DeadlineKind.DEADLINE_KIND_ASSESSMENT_COMPLETION, dueDate: "2027-04-01", strictDueDate: "", dueAt: "", metAt: "", basis: "" },
        ],
        notifierType: NotifierType.NOTIFIER_TYPE_MANDATORY_PROFESSIONAL,
        notifierOrganisationId: "kuopio-school-12",
        urgentClaimed: false,
        policeNotified: false,
        linkedReferralIds: [],
      },
      "/silta/referrals/13",
    );
    for (let i = 0; i < 600 && (await service.pool.query("SELECT 1 FROM referral_facts WHERE referral_id = $1", [referralId])).rowCount === 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    const req = networkMeeting({ kind: MeetingKind.MEETING_KIND_SERVICE_NEED_ASSESSMENT, referralId, start: "2027-02-02T12:00:00+02:00" });
    await grantMeetingConsent(req.childHetu, [SCHOOL]);
    const id = (await schedule(req)).meeting?.meetingId as string;
    const got = await unary(c, c.getMeeting, { meetingId: id }, { identity: organiser });
    expect(got.meeting).toMatchObject({ referralId, referralSubmittedAt: "2027-01-01T10:00:00.000Z", referralAssessmentDueDate: "2027-04-01" });
    const metrics = await (await fetch(`http://127.0.0.1:${service.adminPort}/metrics`)).text();
    expect(metrics).toMatch(/silta_meetings_referral_to_first_meeting_days\S* 32\b/);
    expect(metrics).toMatch(/silta_meetings_referrals_with_meeting\S* 1\b/);
  });
});

describe("privacy", () => {
  it("keeps the henkilötunnus, the family's contact details and notes out of the logs", () => {
    const text = logs.text();
    expect(text).not.toMatch(/\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]/);
    expect(text).not.toMatch(/huoltaja@example|358401234567|Koulun jälkeen|tukiopetuksen/);
  });
});
