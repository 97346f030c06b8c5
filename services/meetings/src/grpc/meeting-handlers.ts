// gRPC adapter: decode → use case → encode. Reading a meeting (it is about a child) is in the
// usage log first; the family's two link methods carry their own proof instead of a caller's.
import { type MeetingServiceServer, MeetingServiceService } from "@silta/contracts/meetings/v1/meetings.ts";
import { type CallContext, Decoder, personReads, service } from "@silta/grpc";
import { invalidArgument, type UsageLog } from "@silta/platform";
import type { freeBusyUseCases } from "../app/free-busy.ts";
import type { meetingUseCases } from "../app/meetings.ts";
import type { Meeting } from "../domain/meeting.ts";
import {
  actionToProto,
  answer,
  busyKind,
  childHeard,
  familyRole,
  kind,
  meetingToProto,
  occurrenceToProto,
  organisationType,
  scope,
  status,
} from "../proto-mapping.ts";

export interface MeetingUseCases {
  meetings: ReturnType<typeof meetingUseCases>;
  freeBusy: ReturnType<typeof freeBusyUseCases>;
}

const CODE = "SILTA_MEETING_INVALID" as const;
/** Fields a request must carry (marked REQUIRED in the proto), each named when missing. */
function required(values: Record<string, string>): void {
  const missing = Object.entries(values).filter(([, v]) => v === "");
  if (missing.length > 0)
    throw invalidArgument(
      CODE,
      missing.map(([field]) => ({ field, reason: "is required" })),
    );
}

export function meetingHandlers(uc: MeetingUseCases, areaCode: string, usage: UsageLog) {
  /** Logs the person's read of these meetings (each about a child), then lets them be answered. */
  const read = async <T extends Meeting | Meeting[]>(ctx: CallContext, meetings: T): Promise<T> => {
    const list = Array.isArray(meetings) ? meetings : [meetings];
    if (list.length > 0)
      await usage.record(
        personReads(
          ctx,
          list.map((m) => ({ recordKind: "meeting", recordId: m.meetingId, subjectPseudonym: m.subjectPseudonym, areaCode })),
        ),
      );
    return meetings;
  };
  const one = async (ctx: CallContext, m: Meeting) => ({ meeting: meetingToProto(await read(ctx, m)) });
  return service<MeetingServiceServer>(
    MeetingServiceService,
    {
      async scheduleMeeting(req, ctx) {
        const dec = new Decoder();
        const k = dec.one("kind", req.kind, kind.domain, "meeting kind", true);
        const start = dec.time("start", req.start);
        if (!req.start) dec.fields.push({ field: "start", reason: "is required" });
        const answerBy = dec.time("answer_by", req.answerBy);
        const staff = req.staff.map((s, i) => ({
          organisationId: s.organisationId,
          organisationType: dec.one(`staff[${i}].organisation_type`, s.organisationType, organisationType.domain, "organisation type", true) ?? "",
          role: s.role,
          personRef: s.personRef,
          required: s.required,
        }));
        const family = req.family.map((f, i) => ({
          role: dec.one(`family[${i}].role`, f.role, familyRole.domain, "family role (guardian, child, named_by_family)", true) ?? "guardian",
          email: f.email,
          phone: f.phone,
          language: f.language,
          interpreterLanguage: f.interpreterLanguage,
          required: f.required,
        }));
        dec.throwIfAny(CODE);
        const m = await uc.meetings.schedule(
          {
            requestId: req.requestId,
            kind: k as NonNullable<typeof k>,
            childHetu: req.childHetu,
            reference: req.reference,
            referralId: req.referralId,
            start: start as Date,
            lengthMinutes: req.lengthMinutes,
            recurrence: req.recurrence,
            location: req.location,
            videoLink: req.videoLink,
            staff,
            family: family as {
              role: "guardian" | "child" | "named_by_family";
              email: string;
              phone: string;
              language: string;
              interpreterLanguage: string;
              required: boolean;
            }[],
            booked: req.booked,
            ...(answerBy ? { answerBy } : {}),
          },
          ctx.requireIdentity(),
        );
        return one(ctx, m);
      },
      async getMeeting(req, ctx) {
        required({ meeting_id: req.meetingId });
        const { meeting, openActions, referral } = await uc.meetings.get(req.meetingId, ctx.requireIdentity());
        return { meeting: meetingToProto(await read(ctx, meeting), openActions, referral) };
      },
      async listMeetings(req, ctx) {
        const dec = new Decoder();
        const from = dec.time("from", req.from);
        dec.throwIfAny(CODE);
        const list = await uc.meetings.list({ ...(from ? { from } : {}), limit: req.limit, referralId: req.referralId }, ctx.requireIdentity());
        return { meetings: (await read(ctx, list)).map((m) => meetingToProto(m)) };
      },
      async publishBusy(req, ctx) {
        const dec = new Decoder();
        const from = dec.time("from", req.from);
        const to = dec.time("to", req.to);
        req.blocks.forEach((b, i) => {
          if (!b.start) dec.fields.push({ field: `blocks[${i}].start`, reason: "is required" });
          if (!b.end) dec.fields.push({ field: `blocks[${i}].end`, reason: "is required" });
        });
        const blocks = req.blocks.map((b, i) => ({
          start: dec.time(`blocks[${i}].start`, b.start)?.getTime() ?? 0,
          end: dec.time(`blocks[${i}].end`, b.end)?.getTime() ?? 0,
          kind: dec.one(`blocks[${i}].kind`, b.kind, busyKind.domain, "busy kind (busy, tentative, unavailable)", true) ?? "busy",
        }));
        dec.throwIfAny(CODE);
        return { blocks: await uc.freeBusy.publish({ personRef: req.personRef, from, to, blocks, ical: req.ical }, ctx.requireIdentity()) };
      },
      async findTimes(req, ctx) {
        const r = await uc.freeBusy.find(
          {
            participants: req.participants.map((p) => ({ organisationId: p.organisationId, personRef: p.personRef, required: p.required })),
            fromDate: req.fromDate,
            toDate: req.toDate,
            lengthMinutes: req.lengthMinutes,
            familyWindows: req.familyWindows.map((w) => ({ weekday: w.weekday, start: w.start, end: w.end })),
            stepMinutes: req.stepMinutes,
            limit: req.limit,
          },
          ctx.requireIdentity(),
        );
        // Many offered and excluded times share their instants: each is formatted once.
        const formatted = new Map<number, string>();
        const iso = (t: number) => {
          let v = formatted.get(t);
          if (v === undefined) {
            v = new Date(t).toISOString();
            formatted.set(t, v);
          }
          return v;
        };
        return {
          offered: r.offered.map((o) => ({ start: iso(o.start), end: iso(o.end), free: o.free, tentative: o.tentative, optionalFree: o.optionalFree })),
          excluded: r.excluded.map((e) => ({ start: iso(e.start), end: iso(e.end), reason: e.reason, who: e.who })),
        };
      },
      async editMeeting(req, ctx) {
        const dec = new Decoder();
        if (!req.meetingId) dec.fields.push({ field: "meeting_id", reason: "is required" });
        const sc = dec.one("scope", req.scope, scope.domain, "edit scope (this, this_and_following, all)", true);
        const recurrenceId = dec.time("recurrence_id", req.recurrenceId);
        const newStart = dec.time("new_start", req.newStart);
        dec.throwIfAny(CODE);
        const r = await uc.meetings.edit(
          {
            meetingId: req.meetingId,
            scope: sc as NonNullable<typeof sc>,
            ...(recurrenceId ? { recurrenceId } : {}),
            ...(newStart ? { newStart } : {}),
            newLengthMinutes: req.newLengthMinutes,
            cancel: req.cancel,
            location: req.location,
            videoLink: req.videoLink,
            reason: req.reason,
          },
          ctx.requireIdentity(),
        );
        return { meeting: meetingToProto(r.meeting), ...(r.continuedBy ? { continuedBy: meetingToProto(r.continuedBy) } : {}) };
      },
      async confirmMeeting(req, ctx) {
        required({ meeting_id: req.meetingId });
        return { meeting: meetingToProto(await uc.meetings.confirm(req.meetingId, ctx.requireIdentity())) };
      },
      async cancelMeeting(req, ctx) {
        required({ meeting_id: req.meetingId });
        return { meeting: meetingToProto(await uc.meetings.cancel(req.meetingId, req.reason, ctx.requireIdentity())) };
      },
      async answerAsStaff(req, ctx) {
        const dec = new Decoder();
        if (!req.meetingId) dec.fields.push({ field: "meeting_id", reason: "is required" });
        const a = dec.one("answer", req.answer, answer.domain, "answer", true);
        dec.throwIfAny(CODE);
        return { meeting: meetingToProto(await uc.meetings.answerAsStaff(req.meetingId, a, req.note, ctx.requireIdentity())) };
      },
      async issueFamilyLink(req, ctx) {
        required({ meeting_id: req.meetingId, participant_id: req.participantId });
        const r = await uc.meetings.issueLink(req.meetingId, req.participantId, ctx.requireIdentity());
        return { token: r.token, expiresAt: r.expiresAt.toISOString(), printable: r.printable };
      },
      async revokeFamilyLink(req, ctx) {
        required({ meeting_id: req.meetingId, participant_id: req.participantId });
        await uc.meetings.revokeLink(req.meetingId, req.participantId, ctx.requireIdentity());
        return {};
      },
      async readInvitation(req) {
        const r = await uc.meetings.readInvitation(req.token);
        return {
          kind: kind.proto(r.meeting.kind),
          familyRole: familyRole.proto(r.participant.familyRole),
          language: r.participant.language,
          occurrences: r.occurrences.map(occurrenceToProto),
          location: r.meeting.location,
          videoLink: r.meeting.videoLink,
          invited: r.invited.map((x) => ({ organisationId: x.organisationId, organisationType: organisationType.proto(x.organisationType), role: x.role })),
          answer: answer.proto(r.participant.answer),
          answerNote: r.participant.answerNote,
          answerBy: r.meeting.answerBy?.toISOString() ?? "",
          status: status.proto(r.meeting.status),
          answersClosed: r.answersClosed,
        };
      },
      async answerInvitation(req) {
        // The use case checks the link before the answer (an unknown number is no answer).
        return { answer: answer.proto(await uc.meetings.answerInvitation(req.token, answer.domain(req.answer), req.note)) };
      },
      async recordOutcome(req, ctx) {
        const dec = new Decoder();
        if (!req.meetingId) dec.fields.push({ field: "meeting_id", reason: "is required" });
        const o = req.outcome;
        if (!o && !req.noShow) dec.fields.push({ field: "outcome", reason: "is required" });
        const recurrenceId = dec.time("outcome.recurrence_id", o?.recurrenceId ?? "");
        const heard = req.noShow ? undefined : dec.one("outcome.child_heard", o?.childHeard ?? 0, childHeard.domain, "child-heard value", true);
        dec.throwIfAny(CODE);
        const m = await uc.meetings.recordOutcome(
          req.meetingId,
          {
            ...(recurrenceId ? { recurrenceId } : {}),
            attended: o?.attended ?? [],
            familyTookPart: o?.familyTookPart ?? false,
            childTookPart: o?.childTookPart ?? false,
            childHeard: heard,
            childNotHeardReason: o?.childNotHeardReason ?? "",
            actions: (o?.actions ?? []).map((a) => ({ title: a.title, ownerOrganisationId: a.ownerOrganisationId, dueDate: a.dueDate })),
            noShow: req.noShow,
          },
          ctx.requireIdentity(),
        );
        return { meeting: meetingToProto(m) };
      },
      async getCalendar(req, ctx) {
        required({ meeting_id: req.meetingId });
        return { ical: await uc.meetings.calendar(req.meetingId, req.participantId, ctx.requireIdentity()) };
      },
      async getFamilyContact(req, ctx) {
        required({ meeting_id: req.meetingId, participant_id: req.participantId });
        return uc.meetings.familyContact(req.meetingId, req.participantId, ctx.requireIdentity());
      },
    },
    { publicMethods: ["readInvitation", "answerInvitation"] },
  );
}

export { actionToProto };
