// One source for what a request must carry: the protos' `[(google.api.field_behavior) = REQUIRED]`
// marks. docs/openapi.json's required lists and the gateway's edge check are made from them;
// here every marked field of every request a service takes is left out of an otherwise valid gRPC
// request, and the service itself must refuse it with INVALID_ARGUMENT naming that field. The
// cases come from the marks in the descriptor set: a new mark without a valid request here fails.
import { createFileRegistry, type DescExtension, type DescField, fromBinary, getOption, hasOption } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { OrganisationType as CommonOrgType } from "@silta/contracts/common/v1/common.ts";
import { BasisType, ConsentServiceClient, DataCategory, GiverRole, ObtainedBy, OrganisationType, Purpose } from "@silta/contracts/consent/v1/consent.ts";
import { BookingKind, ConsultationServiceClient } from "@silta/contracts/consultations/v1/consultations.ts";
import { loadDescriptorSet } from "@silta/contracts/descriptor";
import { Answer, BusyKind, ChildHeard, EditScope, FamilyRole, MeetingKind, MeetingServiceClient } from "@silta/contracts/meetings/v1/meetings.ts";
import { DecisionOutcome, NotifierType, ReferralKind, ReferralServiceClient } from "@silta/contracts/referrals/v1/referrals.ts";
import { UsageLogServiceClient } from "@silta/contracts/usage/v1/usage.ts";
import { unary } from "@silta/grpc";
import type { Identity, SiltaError } from "@silta/platform";
import { callers, captureLogs, createTestDatabase, freshHetu, type TestDatabase, uniqueName } from "@silta/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  aWeekAhead,
  type ConsentUnderTest,
  type ConsultationsUnderTest,
  consultationDetails,
  type MeetingsUnderTest,
  type ReferralsUnderTest,
  registerSpecialist,
  startConsent,
  startConsultations,
  startMeetings,
  startReferrals,
} from "../support/chain.ts";

const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, loadDescriptorSet()));
const behaviour = registry.getExtension("google.api.field_behavior") as DescExtension;
const option = { has: hasOption as (f: DescField, e: DescExtension) => boolean, get: getOption as (f: DescField, e: DescExtension) => unknown };
/** Request type → its REQUIRED fields, from the descriptor set. */
const marked = new Map<string, DescField[]>();
for (const file of registry.files) {
  for (const message of file.messages) {
    const fields = message.fields.filter((f) => option.has(f, behaviour) && (option.get(f, behaviour) as number[]).includes(2));
    if (fields.length > 0) marked.set(message.typeName, fields);
  }
}

const logs = captureLogs("required-fields");
let consentDb: TestDatabase;
let referralsDb: TestDatabase;
let consultationsDb: TestDatabase;
let consent: ConsentUnderTest;
let referrals: ReferralsUnderTest;
let consultations: ConsultationsUnderTest;
let meetingsDb: TestDatabase;
let meetings: MeetingsUnderTest;
/** How far ahead of the wall clock the meetings service's clock runs (an outcome needs a begun meeting). */
let meetingsAhead = 0;
const worker: Identity = callers.worker13;
const service: Identity = {
  subject: "silta-meetings",
  organisationId: "silta-meetings-13",
  organisationType: "service",
  roles: [],
  areaCodes: ["13"],
  municipalityCodes: [],
};
const auditor: Identity = { ...worker, subject: "dpo-1", roles: ["data_protection_officer"] };
const subject = () => `ps_${uniqueName("required").replace("_", "")}xxxxxx`;

/** A valid request of each marked type, and the call that sends it as someone allowed to. */
interface Case {
  request: () => Promise<Record<string, unknown>>;
  call: (request: Record<string, unknown>) => Promise<unknown>;
}
let cases: Record<string, Case>;
/** How far ahead of the wall clock the consultations service's clock runs. */
let ahead = 0;

beforeAll(async () => {
  [consentDb, referralsDb, consultationsDb, meetingsDb] = await Promise.all([
    createTestDatabase("req_consent"),
    createTestDatabase("req_referrals"),
    createTestDatabase("req_consultations"),
    createTestDatabase("req_meetings"),
  ]);
  consent = await startConsent(consentDb.url, logs.logger);
  referrals = await startReferrals(referralsDb.url, consent.grpcPort, logs.logger, { SILTA_PSEUDONYM_KEY: Buffer.alloc(32, 5).toString("base64") });
  const c = consent.client(ConsentServiceClient);
  const r = referrals.client(ReferralServiceClient);
  const usage = referrals.client(UsageLogServiceClient);
  consultations = await startConsultations(consultationsDb.url, consent.grpcPort, logs.logger, {}, { clock: { now: () => new Date(Date.now() + ahead) } });
  const k = consultations.client(ConsultationServiceClient);
  meetings = await startMeetings(meetingsDb.url, consent.grpcPort, logs.logger, {}, { clock: { now: () => new Date(Date.now() + meetingsAhead) } });
  const mt = meetings.client(MeetingServiceClient);
  const notifications: Identity = { ...service, subject: "silta-notifications", organisationId: "silta-notifications-13" };
  // Area 13's meetings, organised by its child-protection worker; a guardian invited by link.
  const staffParticipant = () => ({
    // The organiser's own organisation: invited without a consent question.
    organisationId: worker.organisationId,
    organisationType: CommonOrgType.ORGANISATION_TYPE_WELLBEING_AREA,
    role: "family_worker",
    personRef: "fw-1",
    required: true,
  });
  const familyParticipant = () => ({
    role: FamilyRole.FAMILY_ROLE_GUARDIAN,
    email: "g@example.fi",
    phone: "",
    language: "fi",
    interpreterLanguage: "",
    required: true,
  });
  const meetingRequest = (over: Record<string, unknown> = {}) => ({
    requestId: uniqueName("m"),
    kind: MeetingKind.MEETING_KIND_NETWORK,
    childHetu: freshHetu(),
    reference: "",
    referralId: "",
    start: new Date(Date.now() + 86_400_000).toISOString(),
    lengthMinutes: 60,
    recurrence: "",
    location: "Kuopio",
    videoLink: "",
    staff: [staffParticipant()],
    family: [familyParticipant()],
    booked: true,
    answerBy: "",
    ...over,
  });
  const aMeeting = async () => {
    const { meeting } = await unary(mt, mt.scheduleMeeting, meetingRequest(), { identity: worker });
    const guardian = meeting?.participants.find((p) => p.familyRole === FamilyRole.FAMILY_ROLE_GUARDIAN)?.participantId ?? "";
    return { meetingId: meeting?.meetingId ?? "", guardian };
  };
  const familyWorker: Identity = { ...worker, subject: "fw-1", roles: ["family_worker"] };
  const outcome = (over: Record<string, unknown> = {}) => ({
    recurrenceId: "",
    attended: [],
    familyTookPart: true,
    childTookPart: false,
    childHeard: ChildHeard.CHILD_HEARD_IN_WRITING,
    childNotHeardReason: "",
    actions: [],
    recordedAt: "",
    recordedBy: "",
    ...over,
  });
  /** An outcome is recorded once the meeting has begun: the service's clock is two days ahead for the call. */
  const begun = async <T>(fn: () => Promise<T>) => {
    meetingsAhead = 2 * 86_400_000;
    try {
      return await fn();
    } finally {
      meetingsAhead = 0;
    }
  };
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  // Area 13's consultations: a coordinator, Kuopio's social worker, and a fresh specialist (free
  // times) for each request, a week ahead on a working day.
  const coordinator: Identity = { ...worker, subject: "coord-1", roles: ["consultation_coordinator"] };
  const kuopioWorker: Identity = { ...callers.teacher, subject: "msw-1", organisationId: "kuopio-sosiaalityo", roles: ["social_worker"] };
  const { day, at } = aWeekAhead();
  const details = consultationDetails();
  const freshSpecialist = async () => {
    const person: Identity = { ...worker, subject: uniqueName("spec"), organisationId: "pohjois-savo-erityispalvelut", roles: ["consultation_specialist"] };
    const specialist = await registerSpecialist(k, {
      coordinator,
      person,
      start: "08:00",
      end: "16:00",
      rules: { bufferAfterMinutes: 0, minimumNoticeMinutes: 0, bookingWindowDays: 60 },
    });
    const specialistId = specialist.specialistId;
    return { specialistId, person };
  };
  const booked = async () => {
    const { specialistId, person } = await freshSpecialist();
    const r = await unary(
      k,
      k.book,
      { requestId: uniqueName("b"), specialistId, skill: "", language: "", start: at("09:00"), details, recurrence: "" },
      { identity: kuopioWorker },
    );
    return { bookingId: r.bookings[0]?.bookingId ?? "", specialistId, person };
  };
  const grant = () => ({
    subjectPseudonym: subject(),
    areaCode: "13",
    givenBy: [{ role: GiverRole.GIVER_ROLE_CUSTODIAN, personRef: "person-1" }],
    childViewRecorded: true,
    childBirthDate: "2015-03-14",
    recipients: [{ organisationId: "kuopio-school-12", organisationType: OrganisationType.ORGANISATION_TYPE_UNSPECIFIED, roles: [] }],
    purposes: [Purpose.PURPOSE_SCHOOL_SUPPORT],
    dataCategories: [DataCategory.DATA_CATEGORY_EDUCATION_EVENTS],
    validFrom: "",
    validUntil: new Date(Date.now() + 300 * 86_400_000).toISOString(),
    obtainedBy: ObtainedBy.OBTAINED_BY_WRITTEN,
  });
  const submission = () => ({
    requestId: uniqueName("req"),
    kind: ReferralKind.REFERRAL_KIND_CHILD_WELFARE_NOTIFICATION,
    notifier: {
      type: NotifierType.NOTIFIER_TYPE_MANDATORY_PROFESSIONAL,
      organisationId: "kuopio-school-12",
      role: "teacher",
      name: "Liisa",
      phone: "",
      email: "liisa@example.fi",
    },
    child: { hetu: freshHetu(), temporaryId: "", givenNames: "", familyName: "", birthDate: "" },
    homeMunicipalityCode: "297",
    concern: "Worried about absences.",
    urgentClaimed: false,
    policeNotified: false,
    movingToMunicipalityCode: "",
  });
  const check = () => ({
    subjectPseudonym: subject(),
    recipient: { organisationId: "kuopio-school-12", organisationType: OrganisationType.ORGANISATION_TYPE_MUNICIPALITY, role: "teacher" },
    purpose: Purpose.PURPOSE_SCHOOL_SUPPORT,
    dataCategory: DataCategory.DATA_CATEGORY_EDUCATION_EVENTS,
  });
  cases = {
    "silta.referrals.v1.SubmitReferralRequest": {
      request: async () => submission(),
      call: (q) => unary(r, r.submitReferral, q as never, { identity: callers.teacher }),
    },
    "silta.referrals.v1.DecideReferralRequest": {
      request: async () => {
        const { receipt } = await unary(r, r.submitReferral, submission(), { identity: callers.teacher });
        await unary(r, r.receiveReferral, { referralId: receipt?.referralId ?? "" }, { identity: worker });
        await unary(r, r.assessUrgency, { referralId: receipt?.referralId ?? "", urgent: false }, { identity: worker });
        return { referralId: receipt?.referralId ?? "", outcome: DecisionOutcome.DECISION_OUTCOME_NO_FURTHER_ACTION, redirectedTo: "" };
      },
      call: (q) => unary(r, r.decideReferral, q as never, { identity: worker }),
    },
    "silta.consent.v1.GrantConsentRequest": { request: async () => grant(), call: (q) => unary(c, c.grantConsent, q as never, { identity: worker }) },
    "silta.consent.v1.RevokeConsentRequest": {
      request: async () => {
        const { consent: granted } = await unary(c, c.grantConsent, grant(), { identity: worker });
        return { consentId: granted?.consentId ?? "", reason: "the custodian withdrew it" };
      },
      call: (q) => unary(c, c.revokeConsent, q as never, { identity: worker }),
    },
    "silta.consent.v1.ListConsentsRequest": {
      request: async () => ({ subjectPseudonym: subject() }),
      call: (q) => unary(c, c.listConsents, q as never, { identity: worker }),
    },
    "silta.consent.v1.RecordStatutoryBasisRequest": {
      request: async () => ({
        subjectPseudonym: subject(),
        areaCode: "13",
        basisType: BasisType.BASIS_TYPE_STATUTORY_NOTIFICATION,
        legalProvision: "LSL 25 §",
        justification: "the school's duty to notify",
        recipient: { organisationId: "kuopio-police", organisationType: OrganisationType.ORGANISATION_TYPE_UNSPECIFIED, roles: [] },
        purposes: [Purpose.PURPOSE_REFERRAL_FOLLOW_UP],
        dataCategories: [DataCategory.DATA_CATEGORY_REFERRAL_STATUS],
        validFrom: "",
        validUntil: "",
      }),
      call: (q) => unary(c, c.recordStatutoryBasis, q as never, { identity: worker }),
    },
    "silta.consent.v1.CheckRequest": { request: async () => check(), call: (q) => unary(c, c.check, q as never, { identity: service }) },
    "silta.consent.v1.CheckBatchRequest": {
      request: async () => {
        const { recipient, ...rest } = check();
        return { ...rest, recipients: [recipient] };
      },
      call: (q) => unary(c, c.checkBatch, q as never, { identity: service }),
    },
    "silta.consent.v1.ListAuditRequest": {
      // A subject with a disclosure log in the area (one consent recorded).
      request: async () => ({ subjectPseudonym: (await unary(c, c.grantConsent, grant(), { identity: worker })).consent?.subjectPseudonym ?? "", since: "" }),
      call: (q) => unary(c, c.listAudit, q as never, { identity: auditor }),
    },
    "silta.consultations.v1.RegisterSpecialistRequest": {
      request: async () => ({
        personRef: uniqueName("spec"),
        organisationId: "pohjois-savo-erityispalvelut",
        organisationType: 1,
        displayName: "",
        skills: ["violence"],
        languages: [],
        municipalityCodes: [],
        weight: 1,
      }),
      call: (q) => unary(k, k.registerSpecialist, q as never, { identity: coordinator }),
    },
    "silta.consultations.v1.GetSpecialistRequest": {
      request: async () => ({ specialistId: (await freshSpecialist()).specialistId }),
      call: (q) => unary(k, k.getSpecialist, q as never, { identity: kuopioWorker }),
    },
    "silta.consultations.v1.SetAvailabilityRequest": {
      request: async () => ({
        specialistId: (await freshSpecialist()).specialistId,
        timeZone: "Europe/Helsinki",
        schedules: [],
        overrides: [],
        worksOnHolidays: false,
      }),
      call: (q) => unary(k, k.setAvailability, q as never, { identity: coordinator }),
    },
    "silta.consultations.v1.SetOutOfOfficeRequest": {
      request: async () => ({ specialistId: (await freshSpecialist()).specialistId, outOfOffice: [] }),
      call: (q) => unary(k, k.setOutOfOffice, q as never, { identity: coordinator }),
    },
    "silta.consultations.v1.RotateFeedRequest": {
      request: async () => ({ specialistId: (await freshSpecialist()).specialistId }),
      call: (q) => unary(k, k.rotateFeed, q as never, { identity: coordinator }),
    },
    "silta.consultations.v1.HoldSlotRequest": {
      request: async () => ({
        requestId: uniqueName("h"),
        specialistId: (await freshSpecialist()).specialistId,
        skill: "",
        language: "",
        start: at("10:00"),
        kind: BookingKind.BOOKING_KIND_CONSULTATION,
        lengthMinutes: 60,
      }),
      call: (q) => unary(k, k.holdSlot, q as never, { identity: kuopioWorker }),
    },
    "silta.consultations.v1.ConfirmBookingRequest": {
      request: async () => {
        const { specialistId } = await freshSpecialist();
        const { booking } = await unary(
          k,
          k.holdSlot,
          {
            requestId: uniqueName("h"),
            specialistId,
            skill: "",
            language: "",
            start: at("10:00"),
            kind: BookingKind.BOOKING_KIND_CONSULTATION,
            lengthMinutes: 60,
          },
          { identity: kuopioWorker },
        );
        return { bookingId: booking?.bookingId ?? "", details };
      },
      call: (q) => unary(k, k.confirmBooking, q as never, { identity: kuopioWorker }),
    },
    "silta.consultations.v1.BookRequest": {
      request: async () => ({
        requestId: uniqueName("b"),
        specialistId: (await freshSpecialist()).specialistId,
        skill: "",
        language: "",
        start: at("09:00"),
        details,
        recurrence: "",
      }),
      call: (q) => unary(k, k.book, q as never, { identity: kuopioWorker }),
    },
    "silta.consultations.v1.OpenTrainingSessionRequest": {
      request: async () => ({
        requestId: uniqueName("t"),
        specialistId: (await freshSpecialist()).specialistId,
        start: at("13:00"),
        lengthMinutes: 60,
        capacity: 5,
        topic: "",
        location: "Kuopio",
        videoLink: "",
      }),
      call: (q) => unary(k, k.openTrainingSession, q as never, { identity: coordinator }),
    },
    "silta.consultations.v1.TakeSeatRequest": {
      request: async () => {
        const { specialistId } = await freshSpecialist();
        const { booking } = await unary(
          k,
          k.openTrainingSession,
          { requestId: uniqueName("t"), specialistId, start: at("13:00"), lengthMinutes: 60, capacity: 5, topic: "", location: "Kuopio", videoLink: "" },
          { identity: coordinator },
        );
        return { bookingId: booking?.bookingId ?? "", requestId: uniqueName("s") };
      },
      call: (q) => unary(k, k.takeSeat, q as never, { identity: kuopioWorker }),
    },
    "silta.consultations.v1.RescheduleBookingRequest": {
      request: async () => ({ bookingId: (await booked()).bookingId, start: at("14:00"), reason: "" }),
      call: (q) => unary(k, k.rescheduleBooking, q as never, { identity: kuopioWorker }),
    },
    "silta.consultations.v1.CancelBookingRequest": {
      request: async () => ({ bookingId: (await booked()).bookingId, reason: "illness" }),
      call: (q) => unary(k, k.cancelBooking, q as never, { identity: kuopioWorker }),
    },
    "silta.consultations.v1.RecordOutcomeRequest": {
      // A booking is marked once it has started: the service's clock is a fortnight ahead for this call.
      request: async () => ({ bookingId: (await booked()).bookingId, held: true }),
      call: async (q) => {
        ahead = 14 * 86_400_000;
        try {
          return await unary(k, k.recordOutcome, q as never, { identity: coordinator });
        } finally {
          ahead = 0;
        }
      },
    },
    "silta.consultations.v1.GetBookingRequest": {
      request: async () => ({ bookingId: (await booked()).bookingId }),
      call: (q) => unary(k, k.getBooking, q as never, { identity: kuopioWorker }),
    },
    "silta.consultations.v1.GetInvitationRequest": {
      request: async () => ({ bookingId: (await booked()).bookingId }),
      call: (q) => unary(k, k.getInvitation, q as never, { identity: kuopioWorker }),
    },
    "silta.consultations.v1.JoinWaitlistRequest": {
      request: async () => ({
        requestId: uniqueName("w"),
        specialistId: "",
        skill: "mental_health",
        date: day,
        kind: BookingKind.BOOKING_KIND_CONSULTATION,
        lengthMinutes: 60,
      }),
      call: (q) => unary(k, k.joinWaitlist, q as never, { identity: kuopioWorker }),
    },
    "silta.meetings.v1.ScheduleMeetingRequest": {
      request: async () => meetingRequest(),
      call: (q) => unary(mt, mt.scheduleMeeting, q as never, { identity: worker }),
    },
    "silta.meetings.v1.StaffParticipant": {
      request: async () => staffParticipant(),
      call: (q) => unary(mt, mt.scheduleMeeting, meetingRequest({ staff: [q] }) as never, { identity: worker }),
    },
    "silta.meetings.v1.FamilyParticipant": {
      request: async () => familyParticipant(),
      call: (q) => unary(mt, mt.scheduleMeeting, meetingRequest({ family: [q] }) as never, { identity: worker }),
    },
    "silta.meetings.v1.GetMeetingRequest": {
      request: async () => ({ meetingId: (await aMeeting()).meetingId }),
      call: (q) => unary(mt, mt.getMeeting, q as never, { identity: worker }),
    },
    "silta.meetings.v1.EditMeetingRequest": {
      request: async () => ({
        meetingId: (await aMeeting()).meetingId,
        scope: EditScope.EDIT_SCOPE_ALL,
        recurrenceId: "",
        newStart: "",
        newLengthMinutes: 0,
        cancel: false,
        location: "Siilinjärvi",
        videoLink: "",
        reason: "",
      }),
      call: (q) => unary(mt, mt.editMeeting, q as never, { identity: worker }),
    },
    "silta.meetings.v1.ConfirmMeetingRequest": {
      request: async () => {
        const { meeting } = await unary(mt, mt.scheduleMeeting, meetingRequest({ booked: false }), { identity: worker });
        return { meetingId: meeting?.meetingId ?? "" };
      },
      call: (q) => unary(mt, mt.confirmMeeting, q as never, { identity: worker }),
    },
    "silta.meetings.v1.CancelMeetingRequest": {
      request: async () => ({ meetingId: (await aMeeting()).meetingId, reason: "" }),
      call: (q) => unary(mt, mt.cancelMeeting, q as never, { identity: worker }),
    },
    "silta.meetings.v1.AnswerAsStaffRequest": {
      request: async () => ({ meetingId: (await aMeeting()).meetingId, answer: Answer.ANSWER_ACCEPTED, note: "" }),
      call: (q) => unary(mt, mt.answerAsStaff, q as never, { identity: familyWorker }),
    },
    "silta.meetings.v1.IssueFamilyLinkRequest": {
      request: async () => {
        const { meetingId, guardian } = await aMeeting();
        return { meetingId, participantId: guardian };
      },
      call: (q) => unary(mt, mt.issueFamilyLink, q as never, { identity: worker }),
    },
    "silta.meetings.v1.RevokeFamilyLinkRequest": {
      request: async () => {
        const { meetingId, guardian } = await aMeeting();
        return { meetingId, participantId: guardian };
      },
      call: (q) => unary(mt, mt.revokeFamilyLink, q as never, { identity: worker }),
    },
    "silta.meetings.v1.AnswerInvitationRequest": {
      request: async () => {
        const { meetingId, guardian } = await aMeeting();
        const { token } = await unary(mt, mt.issueFamilyLink, { meetingId, participantId: guardian }, { identity: worker });
        return { token, answer: Answer.ANSWER_ACCEPTED, note: "" };
      },
      call: (q) => unary(mt, mt.answerInvitation, q as never, {}),
    },
    "silta.meetings.v1.RecordOutcomeRequest": {
      request: async () => ({ meetingId: (await aMeeting()).meetingId, outcome: outcome(), noShow: false }),
      call: (q) => begun(() => unary(mt, mt.recordOutcome, q as never, { identity: worker })),
    },
    "silta.meetings.v1.AgreedAction": {
      request: async () => ({ title: "Tukiopetus", ownerOrganisationId: "kuopio-school-12", dueDate: "2030-01-31", agreedAt: "" }),
      call: async (q) => {
        const { meetingId } = await aMeeting();
        return begun(() => unary(mt, mt.recordOutcome, { meetingId, outcome: outcome({ actions: [q] }), noShow: false } as never, { identity: worker }));
      },
    },
    "silta.meetings.v1.GetCalendarRequest": {
      request: async () => ({ meetingId: (await aMeeting()).meetingId, participantId: "" }),
      call: (q) => unary(mt, mt.getCalendar, q as never, { identity: worker }),
    },
    "silta.meetings.v1.GetFamilyContactRequest": {
      request: async () => {
        const { meetingId, guardian } = await aMeeting();
        return { meetingId, participantId: guardian };
      },
      call: (q) => unary(mt, mt.getFamilyContact, q as never, { identity: notifications }),
    },
    "silta.meetings.v1.PublishBusyRequest": {
      request: async () => ({ personRef: worker.subject, from: `${tomorrow}T00:00:00Z`, to: `${tomorrow}T23:00:00Z`, blocks: [], ical: "" }),
      call: (q) => unary(mt, mt.publishBusy, q as never, { identity: worker }),
    },
    "silta.meetings.v1.BusyBlock": {
      request: async () => ({ start: `${tomorrow}T08:00:00Z`, end: `${tomorrow}T09:00:00Z`, kind: BusyKind.BUSY_KIND_BUSY }),
      call: (q) =>
        unary(mt, mt.publishBusy, { personRef: worker.subject, from: `${tomorrow}T00:00:00Z`, to: `${tomorrow}T23:00:00Z`, blocks: [q], ical: "" } as never, {
          identity: worker,
        }),
    },
    "silta.meetings.v1.FindTimesRequest": {
      request: async () => ({
        participants: [{ organisationId: worker.organisationId, personRef: worker.subject, required: true }],
        fromDate: tomorrow,
        toDate: tomorrow,
        lengthMinutes: 60,
        familyWindows: [],
        stepMinutes: 0,
        limit: 0,
      }),
      call: (q) => unary(mt, mt.findTimes, q as never, { identity: worker }),
    },
    "silta.meetings.v1.FindTimesParticipant": {
      request: async () => ({ organisationId: worker.organisationId, personRef: worker.subject, required: true }),
      call: (q) =>
        unary(
          mt,
          mt.findTimes,
          { participants: [q], fromDate: tomorrow, toDate: tomorrow, lengthMinutes: 60, familyWindows: [], stepMinutes: 0, limit: 0 } as never,
          { identity: worker },
        ),
    },
    "silta.usage.v1.ListUsageLogRequest": {
      request: async () => ({ subjectPseudonym: subject(), since: "" }),
      call: (q) => unary(usage, usage.listUsageLog, q as never, { identity: auditor }),
    },
  };
});
afterAll(async () => {
  await meetings?.stop();
  await consultations?.stop();
  await referrals?.stop();
  await consent?.stop();
  await Promise.all([consentDb?.drop(), referralsDb?.drop(), consultationsDb?.drop(), meetingsDb?.drop()]);
});

/** The field's empty proto3 value (what a request without it carries). */
const empty = (f: DescField) =>
  f.fieldKind === "list" ? [] : f.fieldKind === "message" ? undefined : f.fieldKind === "enum" ? 0 : f.fieldKind === "scalar" && f.scalar === 8 ? false : "";
/** ts-proto's property name of a field. */
const property = (f: DescField) => f.jsonName;

describe("the REQUIRED marks and the services' own validation", () => {
  it("every request type with marks has a case here", () => {
    expect([...marked.keys()].sort()).toEqual(Object.keys(cases).sort());
  });

  it("a service refuses each marked field left out, with INVALID_ARGUMENT naming it, and takes the request with it", async () => {
    for (const [type, fields] of marked) {
      const test = cases[type] as Case;
      await test.call(await test.request()); // the valid request is taken
      for (const f of fields) {
        const request = { ...(await test.request()), [property(f)]: empty(f) };
        const err = (await test.call(request).then(
          () => undefined,
          (e: SiltaError) => e,
        )) as SiltaError | undefined;
        expect(err?.kind, `${type} without ${f.name}`).toBe("invalid_argument");
        expect(
          // A nested message's field is named by its path in the request (`staff[0].role`).
          err?.fields.some((v) => v.field === f.name || v.field === f.jsonName || v.field.startsWith(`${f.name}.`) || v.field.endsWith(`.${f.name}`)),
          `${type} without ${f.name}: ${JSON.stringify(err?.fields)}`,
        ).toBe(true);
      }
    }
  }, 120_000);
});
