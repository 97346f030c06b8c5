// The meetings' use cases: schedule (consent before invitation), read, edit with a scope, cancel,
// answers (staff by identity, the family by link), outcomes, invitations in iCalendar, and the
// consent re-check when a consent is revoked or expires. Each change of a meeting runs under its
// row lock and writes its events to the outbox in the same transaction.
import { randomUUID } from "node:crypto";
import { occurrences as expand, HELSINKI, writeCalendar } from "@silta/calendar";
import {
  failedPrecondition,
  type Identity,
  idempotencyKey,
  invalidArgument,
  type LinkTokens,
  notFound,
  type Pseudonymiser,
  permissionDenied,
  SiltaError,
} from "@silta/platform";
import {
  type AgreedAction,
  type Answer,
  type ChildHeard,
  canMove,
  carriesHetu,
  isOpen,
  LANGUAGES,
  type Language,
  type Meeting,
  type Occurrence,
  type Outcome,
  occurrencesOf,
  outcomeProblems,
  type Participant,
  type Problem,
  type ScheduleInput,
  scheduleProblems,
  splitRule,
  titleOf,
} from "../domain/meeting.ts";
import { type Area, assertManages, assertOrganiser, assertSees } from "./authorise.ts";
import type { Actor, ConsentChecker, MeetingEvent, MeetingStore, MeetingTx } from "./ports.ts";

export interface Settings {
  area: Area;
  /** How far ahead a series may reach (days). */
  seriesHorizonDays: number;
  /** The most occurrences a series may have. */
  seriesMax: number;
  /** The longest a family's link stays valid (days); it ends a day after the last occurrence anyway. */
  linkTtlDays: number;
}

export interface Deps {
  store: MeetingStore;
  clock: { now(): Date };
  consent: ConsentChecker;
  pseudonymiser: Pseudonymiser;
  links: LinkTokens;
  settings: Settings;
  /** Counts a use of a family link; false when it is over its limit this minute. */
  linkUse(participantId: string): Promise<boolean>;
}

const MIN = 60_000;
const DAY = 86_400_000;
const LINK_PURPOSE = "meeting-invitation";
const invalid = (p: Problem[]) => invalidArgument("SILTA_MEETING_INVALID", p);
const actorOf = (c: Identity): Actor => ({ ref: c.subject, organisationId: c.organisationId });
const wrongState = (m: Meeting, what: string) => failedPrecondition("SILTA_MEETING_WRONG_STATE", what, `meeting ${m.meetingId}`);

/** The occurrences of a rule from `start` (one when there is no rule), or the problem with the rule. */
function expandOccurrences(rule: string, start: Date, lengthMinutes: number, s: Settings, now: Date): Occurrence[] | Problem {
  if (rule === "") return [{ recurrenceId: start.getTime(), start: start.getTime(), end: start.getTime() + lengthMinutes * MIN, cancelled: false }];
  const starts = expand(rule, start, HELSINKI, s.seriesMax);
  if (!Array.isArray(starts)) return { field: "recurrence", reason: `${starts.reason}; a series ends within ${s.seriesHorizonDays} days` };
  const last = starts[starts.length - 1] as number;
  if (last > now.getTime() + s.seriesHorizonDays * DAY)
    return { field: "recurrence", reason: `the series reaches beyond ${s.seriesHorizonDays} days: end it sooner (COUNT or UNTIL)` };
  return starts.map((t) => ({ recurrenceId: t, start: t, end: t + lengthMinutes * MIN, cancelled: false }));
}

const lastEnd = (m: Meeting) => Math.max(...m.occurrences.map((o) => o.end));
/** The answers were wanted by a time that has passed. */
const answersClosed = (m: Meeting, now: Date) => m.answerBy !== undefined && m.answerBy.getTime() < now.getTime();

export function meetingUseCases(deps: Deps) {
  const { store, clock, settings } = deps;
  const area = settings.area;

  /** Runs `fn` on the locked meeting; NOT_FOUND when it does not exist or the caller may not see it. */
  async function change<T>(id: string, fn: (m: Meeting, tx: MeetingTx) => Promise<T>): Promise<T> {
    return store.transaction(async (tx) => {
      const m = await tx.lock(id);
      if (!m) throw notFound("SILTA_MEETING_NOT_FOUND", `meeting ${id}`);
      return fn(m, tx);
    });
  }

  /** Consent for each invited organisation other than the organiser's own (which needs none). */
  async function consentFor(m: Pick<Meeting, "subjectPseudonym" | "organiserOrganisationId">, staff: Participant[]) {
    const orgs = [
      ...new Map(
        staff.filter((p) => p.organisationId !== m.organiserOrganisationId).map((p) => [p.organisationId, { id: p.organisationId, type: p.organisationType }]),
      ).values(),
    ];
    const out = new Map<string, { allowed: boolean; reason: string }>();
    for (let i = 0; i < orgs.length; i += 50) {
      const batch = orgs.slice(i, i + 50);
      const decisions = await deps.consent.meetingParticipation(m.subjectPseudonym, batch);
      batch.forEach((o, j) => {
        out.set(o.id, decisions[j] ?? { allowed: false, reason: "NO_DECISION" });
      });
    }
    return out;
  }

  async function schedule(r: ScheduleInput, caller: Identity): Promise<Meeting> {
    assertOrganiser(caller, area, r.kind);
    const now = clock.now();
    const problems = scheduleProblems(r, now);
    const occ = problems.some((p) => p.field === "start" || p.field === "length_minutes")
      ? []
      : expandOccurrences(r.recurrence, r.start, r.lengthMinutes, settings, now);
    if (!Array.isArray(occ)) problems.push(occ);
    if (problems.length > 0) throw invalid(problems);
    const key = idempotencyKey(caller.organisationId, r.requestId);
    const answered = await store.requestAnswer(key);
    if (answered) {
      const e = await store.get(answered);
      if (e) return e;
    }
    const meetingId = randomUUID();
    const subjectPseudonym = deps.pseudonymiser.pseudonymFor({ hetu: r.childHetu, temporaryId: "", birthDate: "", givenNames: "", familyName: "" });
    // Every participant starts invited and unanswered; consent may yet keep a staff one out.
    const fresh = { invitation: "invited" as const, invitationReason: "", answer: "pending" as const, answerNote: "", linkVersion: 0, linkRevoked: false };
    const participants: Participant[] = [
      ...r.staff.map(
        (s): Participant => ({
          ...fresh,
          participantId: randomUUID(),
          kind: "staff",
          organisationId: s.organisationId,
          organisationType: s.organisationType,
          role: s.role,
          personRef: s.personRef,
          email: "",
          phone: "",
          language: "fi",
          interpreterLanguage: "",
          required: s.required,
        }),
      ),
      ...r.family.map(
        (f): Participant => ({
          ...fresh,
          participantId: randomUUID(),
          kind: "family",
          organisationId: "",
          organisationType: "",
          role: f.role,
          personRef: "",
          familyRole: f.role,
          email: f.email,
          phone: f.phone,
          language: (f.language || "fi") as Language,
          interpreterLanguage: f.interpreterLanguage,
          required: f.required,
        }),
      ),
    ];
    // Consent before invitation (outside the transaction: a slow consent service holds no lock).
    const decisions = await consentFor(
      { subjectPseudonym, organiserOrganisationId: caller.organisationId },
      participants.filter((p) => p.kind === "staff"),
    );
    for (const p of participants) {
      const d = decisions.get(p.organisationId);
      if (p.kind === "staff" && d && !d.allowed) {
        p.invitation = "not_invited";
        p.invitationReason = d.reason;
      }
    }
    const m: Meeting = {
      meetingId,
      kind: r.kind,
      status: r.booked ? "booked" : "proposed",
      subjectPseudonym,
      reference: r.reference,
      ...(r.referralId ? { referralId: r.referralId } : {}),
      organiserOrganisationId: caller.organisationId,
      organiserRef: caller.subject,
      startsAt: r.start,
      lengthMinutes: r.lengthMinutes,
      recurrence: r.recurrence.replace(/^RRULE:/i, ""),
      icalUid: `${meetingId}@silta`,
      sequence: 0,
      location: r.location,
      videoLink: r.videoLink,
      ...(r.answerBy ? { answerBy: r.answerBy } : {}),
      createdAt: now,
      updatedAt: now,
      participants,
      occurrences: occ as Occurrence[],
      outcomes: [],
    };
    return store.transaction(async (tx) => {
      const earlier = await tx.claimRequest(key, meetingId);
      if (earlier) {
        const e = await tx.lock(earlier);
        if (!e) throw notFound("SILTA_MEETING_NOT_FOUND", `meeting ${earlier}`);
        return e;
      }
      await tx.insert(m);
      await tx.history(meetingId, "scheduled", actorOf(caller), now, m.status);
      await tx.publish([
        { type: "scheduled", meeting: m },
        ...participants.map(
          (p): MeetingEvent => ({
            type: p.invitation === "invited" ? "participant_invited" : "participant_not_invited",
            meeting: m,
            participant: p,
            reason: p.invitationReason,
          }),
        ),
      ]);
      return m;
    });
  }

  async function edit(
    q: {
      meetingId: string;
      scope: "this" | "this_and_following" | "all";
      recurrenceId?: Date;
      newStart?: Date;
      newLengthMinutes: number;
      cancel: boolean;
      location?: string;
      videoLink?: string;
      reason: string;
    },
    caller: Identity,
  ): Promise<{ meeting: Meeting; continuedBy?: Meeting }> {
    const now = clock.now();
    const p: Problem[] = [];
    if (q.newLengthMinutes < 0 || (q.newLengthMinutes > 0 && (q.newLengthMinutes < 5 || q.newLengthMinutes > 480)))
      p.push({ field: "new_length_minutes", reason: "5–480 minutes (the meeting must end after it starts); 0: unchanged" });
    if (q.newStart && q.newStart.getTime() < now.getTime()) p.push({ field: "new_start", reason: "the time has passed" });
    if (q.cancel && q.newStart) p.push({ field: "cancel", reason: "cancel, or move: not both" });
    if (q.location !== undefined && q.location.length > 200) p.push({ field: "location", reason: "at most 200 characters" });
    if (q.videoLink && !/^https:\/\/[^\s]{3,500}$/.test(q.videoLink)) p.push({ field: "video_link", reason: "an https:// link" });
    if (carriesHetu(q.reason)) p.push({ field: "reason", reason: "never a henkilötunnus" });
    if (p.length > 0) throw invalid(p);
    return change(q.meetingId, async (m, tx) => {
      assertManages(caller, area, m, q.meetingId);
      if (!isOpen(m)) throw wrongState(m, `the meeting is ${m.status}`);
      const len = (q.newLengthMinutes || m.lengthMinutes) * MIN;
      const at = q.recurrenceId?.getTime();
      const target = at === undefined ? undefined : m.occurrences.find((o) => o.recurrenceId === at);
      if (q.scope !== "all" && !target) throw invalid([{ field: "recurrence_id", reason: "the RECURRENCE-ID of one of the meeting's occurrences" }]);
      if (target && target.start <= now.getTime()) throw wrongState(m, "the occurrence has started or passed: it stays as it was");
      const events: MeetingEvent[] = [];
      let continuedBy: Meeting | undefined;
      const touch = () => {
        m.sequence++;
        m.updatedAt = now;
        if (q.location !== undefined && q.location !== "") m.location = q.location;
        if (q.videoLink) m.videoLink = q.videoLink;
      };
      const single = m.recurrence === "";
      const scope = single ? "all" : q.scope;
      if (scope === "this") {
        const o = target as Occurrence;
        if (q.cancel) o.cancelled = true;
        else {
          const start = q.newStart?.getTime() ?? o.start;
          o.start = start;
          o.end = start + len;
        }
        touch();
        events.push({ type: "rescheduled", meeting: m, recurrenceId: o.recurrenceId, reason: q.cancel ? "occurrence_cancelled" : "occurrence_moved" });
      } else if (scope === "all") {
        if (q.cancel) throw invalid([{ field: "cancel", reason: "to cancel the whole meeting, use CancelMeeting" }]);
        const moving = q.newStart !== undefined || q.newLengthMinutes > 0;
        if (moving && m.occurrences.some((o) => o.start <= now.getTime()))
          throw wrongState(m, "the series has begun: move this and the following occurrences instead (earlier ones stay as they were)");
        if (moving) {
          const start = q.newStart ?? m.startsAt;
          const occ = expandOccurrences(m.recurrence, start, len / MIN, settings, now);
          if (!Array.isArray(occ)) throw invalid([occ]);
          m.startsAt = start;
          m.lengthMinutes = len / MIN;
          m.occurrences = occ;
        }
        touch();
        events.push({ type: "rescheduled", meeting: m, reason: "series_changed" });
      } else {
        // This and following: the old series ends before `target`; a new series (new UID) continues.
        const o = target as Occurrence;
        const before = m.occurrences.filter((x) => x.recurrenceId < o.recurrenceId);
        if (before.length === 0) throw invalid([{ field: "scope", reason: "from the first occurrence on is the whole series: use scope ALL" }]);
        const left = m.occurrences.length - before.length;
        const rules = splitRule(m.recurrence, o.recurrenceId, left);
        const start = q.newStart ?? new Date(o.start);
        const occ = expandOccurrences(rules.rest, start, len / MIN, settings, now);
        if (!Array.isArray(occ)) throw invalid([occ]);
        // The following occurrences keep their cancellations (the n-th after the split stays
        // cancelled); a moved one follows the new rhythm, as in calendar apps.
        const following = m.occurrences.filter((x) => x.recurrenceId >= o.recurrenceId);
        occ.forEach((x, i) => {
          if (following[i]?.cancelled) x.cancelled = true;
        });
        const newId = randomUUID();
        continuedBy = {
          ...m,
          meetingId: newId,
          icalUid: `${newId}@silta`,
          sequence: 0,
          startsAt: start,
          lengthMinutes: len / MIN,
          recurrence: rules.rest,
          location: q.location || m.location,
          videoLink: q.videoLink || m.videoLink,
          continuesMeetingId: m.meetingId,
          createdAt: now,
          updatedAt: now,
          occurrences: occ,
          outcomes: [],
          participants: m.participants.map((x) => ({
            ...x,
            participantId: randomUUID(),
            answer: "pending" as Answer,
            answerNote: "",
            linkVersion: 0,
            linkRevoked: false,
          })),
        };
        delete continuedBy.continuedByMeetingId;
        m.recurrence = rules.old;
        m.occurrences = before;
        m.continuedByMeetingId = newId;
        m.sequence++;
        m.updatedAt = now;
        await tx.insert(continuedBy);
        await tx.history(newId, "scheduled", actorOf(caller), now, `continues ${m.meetingId}`);
        events.push(
          { type: "rescheduled", meeting: m, recurrenceId: o.recurrenceId, reason: "series_split" },
          { type: "scheduled", meeting: continuedBy },
          ...continuedBy.participants
            .filter((x) => x.invitation === "invited")
            .map((x): MeetingEvent => ({ type: "participant_invited", meeting: continuedBy as Meeting, participant: x })),
        );
      }
      await tx.save(m);
      await tx.history(m.meetingId, `edited:${scope}`, actorOf(caller), now, q.reason);
      await tx.publish(events);
      return continuedBy ? { meeting: m, continuedBy } : { meeting: m };
    });
  }

  /** Proposed → booked: the time is agreed (a `scheduled` event with the booked status tells the participants). */
  async function confirm(id: string, caller: Identity): Promise<Meeting> {
    const now = clock.now();
    return change(id, async (m, tx) => {
      assertManages(caller, area, m, id);
      if (!canMove(m.status, "booked")) throw wrongState(m, `a ${m.status} meeting is not booked`);
      if (lastEnd(m) <= now.getTime()) throw wrongState(m, "the meeting is over");
      m.status = "booked";
      m.updatedAt = now;
      await tx.save(m);
      await tx.history(id, "booked", actorOf(caller), now);
      await tx.publish([{ type: "scheduled", meeting: m, reason: "booked" }]);
      return m;
    });
  }

  async function cancel(id: string, reason: string, caller: Identity): Promise<Meeting> {
    if (reason.length > 500 || carriesHetu(reason)) throw invalid([{ field: "reason", reason: "at most 500 characters, never a henkilötunnus" }]);
    const now = clock.now();
    return change(id, async (m, tx) => {
      assertManages(caller, area, m, id);
      if (!canMove(m.status, "cancelled")) throw wrongState(m, `a ${m.status} meeting is not cancelled`);
      m.status = "cancelled";
      m.sequence++;
      m.updatedAt = now;
      await tx.save(m);
      await tx.history(id, "cancelled", actorOf(caller), now, reason);
      await tx.publish([{ type: "cancelled", meeting: m, reason: "cancelled_by_organiser" }]);
      return m;
    });
  }

  const noteProblem = (note: string): Problem[] =>
    note.length > 1000
      ? [{ field: "note", reason: "at most 1,000 characters" }]
      : carriesHetu(note)
        ? [{ field: "note", reason: "never a henkilötunnus" }]
        : [];

  /** Records an answer on the locked meeting (the participant must still be invited, the meeting open and not over). */
  async function answerOn(m: Meeting, tx: MeetingTx, p: Participant, answer: Answer, note: string, actor: Actor) {
    const now = clock.now();
    if (p.invitation !== "invited")
      throw failedPrecondition("SILTA_MEETING_NOT_INVITED", "the participant is not invited (or no longer)", `participant ${p.participantId}`);
    if (!isOpen(m) || lastEnd(m) <= now.getTime()) throw wrongState(m, "the meeting is over or cancelled: no answers are taken");
    if (answersClosed(m, now)) throw wrongState(m, `the answers were wanted by ${m.answerBy?.toISOString()}: ask the organiser`);
    p.answer = answer;
    p.answerNote = note;
    m.updatedAt = now;
    await tx.saveParticipants(m, [p]);
    await tx.history(m.meetingId, `answered:${answer}`, actor, now, p.participantId);
    await tx.publish([{ type: "participant_answered", meeting: m, participant: p }]);
  }

  async function answerAsStaff(id: string, answer: Answer | undefined, note: string, caller: Identity): Promise<Meeting> {
    const p: Problem[] = [...noteProblem(note)];
    if (!answer || answer === "pending") p.push({ field: "answer", reason: "accepted, declined, tentative or none_suit" });
    if (answer === "none_suit" && note.trim() === "") p.push({ field: "note", reason: "say what would suit" });
    if (p.length > 0) throw invalid(p);
    return change(id, async (m, tx) => {
      assertSees(caller, m, id);
      const mine = m.participants.filter((x) => x.kind === "staff" && x.organisationId === caller.organisationId);
      const me = mine.find((x) => x.personRef === caller.subject) ?? mine.find((x) => x.personRef === "" && caller.roles.includes(x.role));
      if (!me) throw failedPrecondition("SILTA_MEETING_NOT_INVITED", "the caller is not among the invited participants", `meeting ${id}`);
      await answerOn(m, tx, me, answer as Answer, note, actorOf(caller));
      return m;
    });
  }

  /** The participant a family link opens, and its meeting (locked when in a transaction). */
  async function byLink(token: string): Promise<{ participantId: string; version: number }> {
    const { objectId } = await deps.links.verify(token, LINK_PURPOSE);
    const [participantId, version] = objectId.split(".");
    if (!participantId || version === undefined) throw notFound("SILTA_MEETING_NOT_FOUND", "invitation");
    if (!(await deps.linkUse(participantId)))
      throw new SiltaError("SILTA_MEETING_LINK_LIMITED", "resource_exhausted", "too many uses of this invitation link in a minute");
    return { participantId, version: Number(version) };
  }
  /** A token of the participant's current link, valid until a day after the meeting's last occurrence (at most the configured days). */
  async function linkOf(m: Meeting, p: Participant, now: Date) {
    const expires = Math.min(lastEnd(m) + DAY, now.getTime() + settings.linkTtlDays * DAY);
    const token = await deps.links.issue(`${p.participantId}.${p.linkVersion}`, LINK_PURPOSE, Math.max(60, Math.floor((expires - now.getTime()) / 1000)));
    return { token, expiresAt: new Date(expires) };
  }
  const linkFits = (p: Participant | undefined, version: number): p is Participant => !!p && !p.linkRevoked && p.linkVersion === version && p.kind === "family";

  return {
    schedule,
    edit,
    confirm,
    cancel,
    answerAsStaff,

    async get(id: string, caller: Identity) {
      const m = await store.get(id);
      assertSees(caller, m, id);
      const referral = m.referralId ? await store.referralFact(m.referralId) : undefined;
      return { meeting: m, openActions: await store.actionsOf(await store.seriesRoot(id)), ...(referral ? { referral } : {}) };
    },

    async list(q: { from?: Date; limit: number; referralId: string }, caller: Identity) {
      const p: Problem[] = [];
      if (q.limit < 0 || q.limit > 200) p.push({ field: "limit", reason: "0–200 (0: 50)" });
      if (q.referralId !== "" && !/^[0-9a-f-]{36}$/i.test(q.referralId)) p.push({ field: "referral_id", reason: "a referral id (UUID)" });
      if (p.length > 0) throw invalid(p);
      return store.list({
        organisationId: caller.organisationId,
        from: q.from ?? clock.now(),
        limit: q.limit || 50,
        ...(q.referralId ? { referralId: q.referralId } : {}),
      });
    },

    async issueLink(id: string, participantId: string, caller: Identity) {
      const now = clock.now();
      return change(id, async (m, tx) => {
        assertManages(caller, area, m, id);
        const p = m.participants.find((x) => x.participantId === participantId && x.kind === "family");
        if (!p) throw notFound("SILTA_MEETING_NOT_FOUND", `family participant ${participantId}`);
        if (!isOpen(m) || lastEnd(m) <= now.getTime()) throw wrongState(m, "the meeting is over or cancelled");
        p.linkVersion++;
        p.linkRevoked = false;
        m.updatedAt = now;
        await tx.saveParticipants(m, [p]);
        await tx.history(id, "link_issued", actorOf(caller), now, participantId);
        return { ...(await linkOf(m, p, now)), printable: printable(m, p) };
      });
    },

    async revokeLink(id: string, participantId: string, caller: Identity) {
      const now = clock.now();
      await change(id, async (m, tx) => {
        assertManages(caller, area, m, id);
        const p = m.participants.find((x) => x.participantId === participantId && x.kind === "family");
        if (!p) throw notFound("SILTA_MEETING_NOT_FOUND", `family participant ${participantId}`);
        p.linkRevoked = true;
        m.updatedAt = now;
        await tx.saveParticipants(m, [p]);
        await tx.history(id, "link_revoked", actorOf(caller), now, participantId);
      });
    },

    /** What the family's page shows: never the child's name, never a contact detail. */
    async readInvitation(token: string) {
      const { participantId, version } = await byLink(token);
      const m = await store.get(await meetingOf(participantId));
      const p = m?.participants.find((x) => x.participantId === participantId);
      if (!m || !linkFits(p, version)) throw linkInvalid();
      if (p.invitation !== "invited") throw failedPrecondition("SILTA_MEETING_NOT_INVITED", "the invitation was withdrawn", "invitation");
      return {
        meeting: m,
        participant: p,
        invited: m.participants
          .filter((x) => x.kind === "staff" && x.invitation === "invited")
          .map((x) => ({ organisationId: x.organisationId, organisationType: x.organisationType, role: x.role })),
        occurrences: occurrencesOf(m, p).filter((o) => o.end > clock.now().getTime()),
        answersClosed: answersClosed(m, clock.now()),
      };
    },

    async answerInvitation(token: string, answer: Answer | undefined, note: string) {
      // The link first: without a valid one, nothing about the request is answered.
      const { participantId, version } = await byLink(token);
      const p: Problem[] = [...noteProblem(note)];
      if (!answer || answer === "pending") p.push({ field: "answer", reason: "accepted, declined, tentative or none_suit" });
      if (p.length > 0) throw invalid(p);
      const id = await meetingOf(participantId);
      return change(id, async (m, tx) => {
        const x = m.participants.find((y) => y.participantId === participantId);
        if (!linkFits(x, version)) throw linkInvalid();
        await answerOn(m, tx, x, answer as Answer, note, { ref: `family:${participantId}`, organisationId: "" });
        return answer as Answer;
      });
    },

    async recordOutcome(
      id: string,
      o: {
        recurrenceId?: Date;
        attended: string[];
        familyTookPart: boolean;
        childTookPart: boolean;
        childHeard: ChildHeard | undefined;
        childNotHeardReason: string;
        actions: Omit<AgreedAction, "agreedAt">[];
        noShow: boolean;
      },
      caller: Identity,
    ) {
      const now = clock.now();
      const rootId = await store.seriesRoot(id).catch(() => id);
      return change(id, async (m, tx) => {
        assertManages(caller, area, m, id);
        const occ = o.recurrenceId
          ? m.occurrences.find((x) => x.recurrenceId === o.recurrenceId?.getTime())
          : m.occurrences.length === 1
            ? m.occurrences[0]
            : undefined;
        if (!occ) throw invalid([{ field: "outcome.recurrence_id", reason: "the RECURRENCE-ID of one of the meeting's occurrences" }]);
        if (occ.cancelled) throw wrongState(m, "the occurrence was cancelled");
        if (occ.start > now.getTime()) throw wrongState(m, "the occurrence has not begun yet");
        if (m.status !== "booked")
          throw wrongState(m, m.status === "proposed" ? "a proposed meeting is booked before it is held" : `the meeting is ${m.status}`);
        if (m.outcomes.some((x) => x.recurrenceId === occ.recurrenceId)) throw wrongState(m, "the outcome of this occurrence is already recorded");
        const remaining = m.occurrences.filter((x) => !x.cancelled && x.recurrenceId > occ.recurrenceId);
        if (o.noShow) {
          if (remaining.length === 0) m.status = "no_show";
          m.updatedAt = now;
          await tx.save(m);
          await tx.history(id, "no_show", actorOf(caller), now, String(occ.recurrenceId));
          await tx.publish([{ type: "held", meeting: m, recurrenceId: occ.recurrenceId, reason: "no_show" }]);
          return m;
        }
        const p = outcomeProblems({ childHeard: o.childHeard, childNotHeardReason: o.childNotHeardReason, attended: o.attended, actions: o.actions }, m);
        if (p.length > 0) throw invalid(p);
        const outcome: Outcome = {
          recurrenceId: occ.recurrenceId,
          attended: o.attended,
          familyTookPart: o.familyTookPart,
          childTookPart: o.childTookPart,
          childHeard: o.childHeard as ChildHeard,
          childNotHeardReason: o.childNotHeardReason,
          recordedAt: now,
          recordedBy: caller.subject,
        };
        m.outcomes.push(outcome);
        if (remaining.length === 0) m.status = "fulfilled";
        m.updatedAt = now;
        await tx.save(m);
        await tx.recordOutcome(
          m,
          outcome,
          o.actions.map((a) => ({ ...a, agreedAt: occ.recurrenceId })),
          rootId,
        );
        await tx.history(id, "held", actorOf(caller), now, String(occ.recurrenceId));
        await tx.publish([{ type: "held", meeting: m, recurrenceId: occ.recurrenceId, outcome }]);
        return m;
      });
    },

    /** A participant's iCalendar (the organiser's copy without one): the series with RRULE, EXDATE and RECURRENCE-ID overrides. */
    async calendar(id: string, participantId: string, caller: Identity) {
      const m = await store.get(id);
      // This area's notifications service attaches a staff participant's .ics to their e-mail.
      const notifications = caller.organisationType === "service" && caller.organisationId === `silta-notifications-${area.code}`;
      if (notifications) {
        const p = m?.participants.find((x) => x.participantId === participantId && x.kind === "staff");
        if (!m || !p) throw notFound("SILTA_MEETING_NOT_FOUND", `staff participant ${participantId}`);
        return icsOf(m, p, clock.now());
      }
      assertSees(caller, m, id);
      const p = participantId === "" ? undefined : m.participants.find((x) => x.participantId === participantId);
      if (participantId !== "" && !p) throw notFound("SILTA_MEETING_NOT_FOUND", `participant ${participantId}`);
      if (p && caller.organisationId !== m.organiserOrganisationId && p.organisationId !== caller.organisationId)
        throw notFound("SILTA_MEETING_NOT_FOUND", `participant ${participantId}`);
      return icsOf(m, p, clock.now());
    },

    /**
     * A family participant's contact details, a token of their current invitation link (the first
     * one issued now if the organiser gave none; none for a revoked link or a cancelled meeting) and
     * their .ics (a cancelled meeting's: METHOD:CANCEL): for the notifications service only, at sending.
     */
    async familyContact(id: string, participantId: string, caller: Identity) {
      if (caller.organisationType !== "service" || !caller.organisationId.startsWith("silta-notifications-"))
        throw permissionDenied("SILTA_MEETING_FORBIDDEN", "contact details go only to the notifications service");
      // Another area's notifications service sees none of this area's meetings.
      if (caller.organisationId !== `silta-notifications-${area.code}`) throw notFound("SILTA_MEETING_NOT_FOUND", `meeting ${id}`);
      const now = clock.now();
      return change(id, async (m, tx) => {
        const p = m.participants.find((x) => x.participantId === participantId && x.kind === "family");
        if (!p) throw notFound("SILTA_MEETING_NOT_FOUND", `family participant ${participantId}`);
        // A cancelled meeting's family members are still told (with its cancelling .ics, no link).
        if (p.invitation !== "invited" || !(isOpen(m) || m.status === "cancelled"))
          throw failedPrecondition("SILTA_MEETING_NOT_INVITED", "the participant is not (or no longer) invited", `participant ${participantId}`);
        let link = { token: "", expiresAt: "" };
        if (isOpen(m) && !p.linkRevoked && lastEnd(m) + DAY > now.getTime()) {
          if (p.linkVersion === 0) {
            p.linkVersion = 1;
            m.updatedAt = now;
            await tx.saveParticipants(m, [p]);
            await tx.history(id, "link_issued", actorOf(caller), now, participantId);
          }
          const l = await linkOf(m, p, now);
          link = { token: l.token, expiresAt: l.expiresAt.toISOString() };
        }
        return {
          email: p.email,
          phone: p.phone,
          language: p.language,
          interpreterLanguage: p.interpreterLanguage,
          linkToken: link.token,
          linkExpiresAt: link.expiresAt,
          ical: icsOf(m, p, now),
        };
      });
    },

    /**
     * A consent about the child was revoked or expired: ask again for each organisation invited to
     * the child's open meetings, and withdraw those no longer allowed from the occurrences still
     * to come. Under each meeting's row lock: a second delivery, or another replica, finds them
     * withdrawn already and writes nothing.
     */
    async recheckConsent(subjectPseudonym: string, why: "revoked" | "expired") {
      const now = clock.now();
      let withdrawn = 0;
      for (const id of await store.openMeetingsOf(subjectPseudonym, now)) {
        withdrawn += await change(id, async (m, tx) => {
          const staff = m.participants.filter((p) => p.kind === "staff" && p.invitation === "invited" && p.organisationId !== m.organiserOrganisationId);
          if (staff.length === 0) return 0;
          const decisions = await consentFor(m, staff);
          const gone = staff.filter((p) => decisions.get(p.organisationId)?.allowed === false);
          for (const p of gone) {
            p.invitation = "withdrawn";
            p.invitationReason = decisions.get(p.organisationId)?.reason ?? "";
            p.withdrawnFrom = now;
          }
          if (gone.length === 0) return 0;
          m.sequence++;
          m.updatedAt = now;
          await tx.saveParticipants(m, gone);
          await tx.history(id, `withdrawn:consent_${why}`, { ref: "silta-meetings", organisationId: "" }, now, gone.map((p) => p.participantId).join(","));
          await tx.publish(gone.map((p): MeetingEvent => ({ type: "participant_withdrawn", meeting: m, participant: p, reason: p.invitationReason })));
          return gone.length;
        });
      }
      return withdrawn;
    },
  };

  async function meetingOf(participantId: string): Promise<string> {
    const id = await store.meetingOfParticipant(participantId);
    if (!id) throw linkInvalid();
    return id;
  }
}

const linkInvalid = () => notFound("SILTA_MEETING_NOT_FOUND", "invitation");

const PRINTABLE: Record<Language, (title: string, when: string, where: string) => string> = {
  fi: (t, w, p) => `Kutsu: ${t}\nAika: ${w}\nPaikka: ${p}\nVastaa kutsuun linkin kautta, jonka sait työntekijältä.`,
  sv: (t, w, p) => `Inbjudan: ${t}\nTid: ${w}\nPlats: ${p}\nSvara på inbjudan via länken som du fick av arbetstagaren.`,
  en: (t, w, p) => `Invitation: ${t}\nTime: ${w}\nPlace: ${p}\nAnswer the invitation through the link you were given.`,
};

/** A printable invitation in the participant's language: the coded title, times and place, never a name. */
function printable(m: Meeting, p: Participant): string {
  const lang = (LANGUAGES as readonly string[]).includes(p.language) ? p.language : "fi";
  const fmt = new Intl.DateTimeFormat(lang === "en" ? "en-GB" : `${lang}-FI`, { timeZone: HELSINKI, dateStyle: "full", timeStyle: "short" });
  const when = occurrencesOf(m, p)
    .filter((o) => !o.cancelled)
    .slice(0, 12)
    .map((o) => fmt.format(new Date(o.start)))
    .join("; ");
  return PRINTABLE[lang](titleOf(m.kind, m.reference, lang), when, m.videoLink || m.location || "–");
}

const localStamp = (t: number) => {
  const d = new Date(t);
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", {
      timeZone: HELSINKI,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    })
      .formatToParts(d)
      .map((x) => [x.type, x.value]),
  );
  return `${parts.year}${parts.month}${parts.day}T${parts.hour}${parts.minute}${parts.second}`;
};

/** The series as iCalendar: RRULE (+ EXDATE of cancelled occurrences), and an override per moved occurrence. */
export function icsOf(m: Meeting, p: Participant | undefined, now: Date): string {
  const lang = p && (LANGUAGES as readonly string[]).includes(p.language) ? p.language : "fi";
  const summary = `Silta: ${titleOf(m.kind, m.reference, lang)}`;
  const withdrawn = p !== undefined && p.invitation !== "invited";
  const method = m.status === "cancelled" || withdrawn ? "CANCEL" : "REQUEST";
  const base = {
    uid: m.icalUid,
    sequence: m.sequence,
    zone: HELSINKI,
    summary,
    stamp: now,
    ...(m.location ? { location: m.location } : {}),
    ...(m.videoLink ? { url: m.videoLink } : {}),
  };
  const len = m.lengthMinutes * MIN;
  if (m.recurrence === "") {
    const o = m.occurrences[0] as Occurrence;
    return writeCalendar(method, [{ ...base, start: o.start, end: o.end, cancelled: m.status === "cancelled" }]);
  }
  const exdates = m.occurrences.filter((o) => o.cancelled).map((o) => o.recurrenceId);
  const moved = m.occurrences.filter((o) => !o.cancelled && (o.start !== o.recurrenceId || o.end - o.start !== len));
  const rrule = [`RRULE:${m.recurrence}`, ...(exdates.length ? [`EXDATE;TZID=${HELSINKI}:${exdates.map(localStamp).join(",")}`] : [])].join("\n");
  return writeCalendar(method, [
    { ...base, start: m.startsAt, end: m.startsAt.getTime() + len, rrule, cancelled: m.status === "cancelled" },
    ...moved.map((o) => ({ ...base, start: o.start, end: o.end, recurrenceId: o.recurrenceId })),
  ]);
}
