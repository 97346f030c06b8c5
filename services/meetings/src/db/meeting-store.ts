// The meetings store (PostgreSQL): a meeting with its participants, occurrences and outcomes; busy
// times; events into the outbox in the same transaction as the change they announce. Each change
// of a meeting happens under its row lock, so two replicas (or a redelivered event) see each
// other's result and never both act.
import type { BusyBlock } from "@silta/calendar";
import { appendAllToOutbox, epochMs, type OutboxEntry, type Pool, type PoolClient, withTransaction } from "@silta/postgres";
import {
  type Actor,
  MAX_BLOCK_DAYS,
  type MeetingEvent,
  type MeetingFigures,
  type MeetingStore,
  type MeetingTx,
  type PersonBusy,
  personKey,
  type ReferralFact,
} from "../app/ports.ts";
import type { AgreedAction, Meeting, Occurrence, Outcome, Participant } from "../domain/meeting.ts";
import { BusyCache, readSpan, within } from "./busy-cache.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ms = epochMs;

function toParticipant(r: Record<string, unknown>): Participant {
  return {
    participantId: r.participant_id as string,
    kind: r.kind as Participant["kind"],
    organisationId: r.organisation_id as string,
    organisationType: r.organisation_type as string,
    role: r.role as string,
    personRef: r.person_ref as string,
    ...(r.family_role ? { familyRole: r.family_role as Participant["familyRole"] } : {}),
    email: r.email as string,
    phone: r.phone as string,
    language: r.language as Participant["language"],
    interpreterLanguage: r.interpreter_language as string,
    required: r.required as boolean,
    invitation: r.invitation as Participant["invitation"],
    invitationReason: r.invitation_reason as string,
    ...(r.withdrawn_from ? { withdrawnFrom: r.withdrawn_from as Date } : {}),
    answer: r.answer as Participant["answer"],
    answerNote: r.answer_note as string,
    linkVersion: r.link_version as number,
    linkRevoked: r.link_revoked as boolean,
  };
}

function toMeeting(r: Record<string, unknown>, participants: Participant[], occurrences: Occurrence[], outcomes: Outcome[]): Meeting {
  return {
    meetingId: r.meeting_id as string,
    kind: r.kind as Meeting["kind"],
    status: r.status as Meeting["status"],
    subjectPseudonym: r.subject_pseudonym as string,
    reference: r.reference as string,
    ...(r.referral_id ? { referralId: r.referral_id as string } : {}),
    organiserOrganisationId: r.organiser_organisation_id as string,
    organiserRef: r.organiser_ref as string,
    startsAt: r.starts_at as Date,
    lengthMinutes: r.length_minutes as number,
    recurrence: r.recurrence as string,
    icalUid: r.ical_uid as string,
    sequence: r.sequence as number,
    location: r.location as string,
    videoLink: r.video_link as string,
    ...(r.answer_by ? { answerBy: r.answer_by as Date } : {}),
    ...(r.continues_meeting_id ? { continuesMeetingId: r.continues_meeting_id as string } : {}),
    ...(r.continued_by_meeting_id ? { continuedByMeetingId: r.continued_by_meeting_id as string } : {}),
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
    participants,
    occurrences,
    outcomes,
  };
}

/** Reads whole meetings (participants, occurrences, outcomes) for the rows given, one statement per part. */
async function loadMeetings(c: Pool | PoolClient, rows: Record<string, unknown>[]): Promise<Meeting[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.meeting_id as string);
  const p = await c.query("SELECT * FROM participants WHERE meeting_id = ANY($1::uuid[]) ORDER BY meeting_id, position", [ids]);
  const o = await c.query(
    `SELECT meeting_id, ${ms("recurrence_id")} AS rid, ${ms("starts_at")} AS s, ${ms("ends_at")} AS e, cancelled FROM occurrences WHERE meeting_id = ANY($1::uuid[]) ORDER BY recurrence_id`,
    [ids],
  );
  const x = await c.query(`SELECT *, ${ms("recurrence_id")} AS rid FROM outcomes WHERE meeting_id = ANY($1::uuid[]) ORDER BY recurrence_id`, [ids]);
  const by = <T>(list: Record<string, unknown>[], map: (r: Record<string, unknown>) => T) => {
    const m = new Map<string, T[]>();
    for (const r of list) {
      const k = r.meeting_id as string;
      const v = m.get(k) ?? [];
      v.push(map(r));
      m.set(k, v);
    }
    return m;
  };
  const parts = by(p.rows, toParticipant);
  const occs = by(o.rows, (r) => ({ recurrenceId: r.rid as number, start: r.s as number, end: r.e as number, cancelled: r.cancelled as boolean }));
  const outs = by(x.rows, (r) => ({
    recurrenceId: r.rid as number,
    attended: r.attended as string[],
    familyTookPart: r.family_took_part as boolean,
    childTookPart: r.child_took_part as boolean,
    childHeard: r.child_heard as Outcome["childHeard"],
    childNotHeardReason: r.child_not_heard_reason as string,
    recordedAt: r.recorded_at as Date,
    recordedBy: r.recorded_by as string,
  }));
  return rows.map((r) => {
    const id = r.meeting_id as string;
    return toMeeting(r, parts.get(id) ?? [], occs.get(id) ?? [], outs.get(id) ?? []);
  });
}

class PgMeetingTx implements MeetingTx {
  readonly #c: PoolClient;
  readonly #toOutbox: (e: MeetingEvent) => OutboxEntry;
  constructor(c: PoolClient, toOutbox: (e: MeetingEvent) => OutboxEntry) {
    this.#c = c;
    this.#toOutbox = toOutbox;
  }

  async lock(meetingId: string) {
    if (!UUID.test(meetingId)) return undefined;
    const r = await this.#c.query("SELECT * FROM meetings WHERE meeting_id = $1 FOR UPDATE", [meetingId]);
    return (await loadMeetings(this.#c, r.rows))[0];
  }

  async claimRequest(key: string, meetingId: string) {
    // A concurrent duplicate waits in the INSERT for the first one's commit (then inserts nothing),
    // and the next statement's snapshot sees the first one's meeting.
    const r = await this.#c.query("INSERT INTO meeting_requests (request_key, meeting_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", [key, meetingId]);
    if (r.rowCount === 1) return undefined;
    const theirs = await this.#c.query("SELECT meeting_id FROM meeting_requests WHERE request_key = $1", [key]);
    return theirs.rows[0]?.meeting_id as string | undefined;
  }

  async insert(m: Meeting) {
    await this.#c.query(
      `INSERT INTO meetings (meeting_id, kind, status, subject_pseudonym, reference, referral_id, organiser_organisation_id, organiser_ref, starts_at, length_minutes,
                             recurrence, ical_uid, sequence, location, video_link, answer_by, continues_meeting_id, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
      [
        m.meetingId,
        m.kind,
        m.status,
        m.subjectPseudonym,
        m.reference,
        m.referralId ?? null,
        m.organiserOrganisationId,
        m.organiserRef,
        m.startsAt,
        m.lengthMinutes,
        m.recurrence,
        m.icalUid,
        m.sequence,
        m.location,
        m.videoLink,
        m.answerBy ?? null,
        m.continuesMeetingId ?? null,
        m.createdAt,
        m.updatedAt,
      ],
    );
    await this.#writeParticipants(m, m.participants);
    await this.#writeOccurrences(m);
  }

  async saveParticipants(m: Meeting, changed: Participant[]) {
    await this.#c.query("UPDATE meetings SET sequence = $2, updated_at = $3 WHERE meeting_id = $1", [m.meetingId, m.sequence, m.updatedAt]);
    await this.#writeParticipants(m, changed);
  }

  async save(m: Meeting) {
    await this.#c.query(
      `UPDATE meetings SET status = $2, starts_at = $3, length_minutes = $4, recurrence = $5, sequence = $6, location = $7, video_link = $8,
              continued_by_meeting_id = $9, updated_at = $10 WHERE meeting_id = $1`,
      [m.meetingId, m.status, m.startsAt, m.lengthMinutes, m.recurrence, m.sequence, m.location, m.videoLink, m.continuedByMeetingId ?? null, m.updatedAt],
    );
    await this.#writeParticipants(m, m.participants);
    await this.#writeOccurrences(m);
  }

  /** Inserts or updates these participants of the meeting (their positions are their places in it). */
  async #writeParticipants(m: Meeting, p: Participant[]) {
    await this.#c.query(
      `INSERT INTO participants (participant_id, meeting_id, position, kind, organisation_id, organisation_type, role, person_ref, family_role, email, phone, language,
                                 interpreter_language, required, invitation, invitation_reason, withdrawn_from, answer, answer_note, answered_at, link_version, link_revoked)
       SELECT u.id, $1, u.pos, u.kind, u.org, u.org_type, u.role, u.person, u.family_role, u.email, u.phone, u.lang, u.interp, u.req, u.inv, u.inv_reason, u.wfrom,
              u.answer, u.note, CASE WHEN u.answer = 'pending' THEN NULL ELSE $2::timestamptz END, u.lv, u.lr
         FROM unnest($3::uuid[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[],
                     $15::bool[], $16::text[], $17::text[], $18::timestamptz[], $19::text[], $20::text[], $21::int[], $22::bool[])
           AS u(id, pos, kind, org, org_type, role, person, family_role, email, phone, lang, interp, req, inv, inv_reason, wfrom, answer, note, lv, lr)
       ON CONFLICT (participant_id) DO UPDATE SET invitation = excluded.invitation, invitation_reason = excluded.invitation_reason, withdrawn_from = excluded.withdrawn_from,
              answered_at = CASE WHEN participants.answer IS DISTINCT FROM excluded.answer OR participants.answer_note IS DISTINCT FROM excluded.answer_note
                                 THEN excluded.answered_at ELSE participants.answered_at END,
              answer = excluded.answer, answer_note = excluded.answer_note, link_version = excluded.link_version, link_revoked = excluded.link_revoked`,
      [
        m.meetingId,
        m.updatedAt,
        p.map((x) => x.participantId),
        p.map((x) => m.participants.indexOf(x)),
        p.map((x) => x.kind),
        p.map((x) => x.organisationId),
        p.map((x) => x.organisationType),
        p.map((x) => x.role),
        p.map((x) => x.personRef),
        p.map((x) => x.familyRole ?? null),
        p.map((x) => x.email),
        p.map((x) => x.phone),
        p.map((x) => x.language),
        p.map((x) => x.interpreterLanguage),
        p.map((x) => x.required),
        p.map((x) => x.invitation),
        p.map((x) => x.invitationReason),
        p.map((x) => x.withdrawnFrom ?? null),
        p.map((x) => x.answer),
        p.map((x) => x.answerNote),
        p.map((x) => x.linkVersion),
        p.map((x) => x.linkRevoked),
      ],
    );
  }

  /** The occurrences as they are now (those no longer in the meeting deleted). */
  async #writeOccurrences(m: Meeting) {
    const o = m.occurrences;
    await this.#c.query(
      `WITH gone AS (DELETE FROM occurrences WHERE meeting_id = $1 AND NOT (recurrence_id = ANY($2::timestamptz[])))
       INSERT INTO occurrences (meeting_id, recurrence_id, starts_at, ends_at, cancelled)
       SELECT $1, u.rid, u.s, u.e, u.c FROM unnest($2::timestamptz[], $3::timestamptz[], $4::timestamptz[], $5::bool[]) AS u(rid, s, e, c)
       ON CONFLICT (meeting_id, recurrence_id) DO UPDATE SET starts_at = excluded.starts_at, ends_at = excluded.ends_at, cancelled = excluded.cancelled`,
      [m.meetingId, o.map((x) => new Date(x.recurrenceId)), o.map((x) => new Date(x.start)), o.map((x) => new Date(x.end)), o.map((x) => x.cancelled)],
    );
  }

  async recordOutcome(m: Meeting, o: Outcome, actions: AgreedAction[], seriesRootId: string) {
    await this.#c.query(
      `INSERT INTO outcomes (meeting_id, recurrence_id, attended, family_took_part, child_took_part, child_heard, child_not_heard_reason, recorded_at, recorded_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [m.meetingId, new Date(o.recurrenceId), o.attended, o.familyTookPart, o.childTookPart, o.childHeard, o.childNotHeardReason, o.recordedAt, o.recordedBy],
    );
    if (actions.length > 0)
      await this.#c.query(
        `INSERT INTO agreed_actions (series_root_id, meeting_id, recurrence_id, title, owner_organisation_id, due_date)
         SELECT $1, $2, $3, u.t, u.o, u.d FROM unnest($4::text[], $5::text[], $6::date[]) WITH ORDINALITY AS u(t, o, d, n) ORDER BY u.n`,
        [
          seriesRootId,
          m.meetingId,
          new Date(o.recurrenceId),
          actions.map((a) => a.title),
          actions.map((a) => a.ownerOrganisationId),
          actions.map((a) => a.dueDate),
        ],
      );
  }

  async history(meetingId: string, action: string, actor: Actor, at: Date, detail = "") {
    await this.#c.query("INSERT INTO meeting_history (meeting_id, action, actor_ref, actor_organisation_id, detail, at) VALUES ($1, $2, $3, $4, $5, $6)", [
      meetingId,
      action,
      actor.ref,
      actor.organisationId,
      detail,
      at,
    ]);
  }

  async publish(events: MeetingEvent[]) {
    await appendAllToOutbox(this.#c, events.map(this.#toOutbox));
  }
}

/**
 * Common-time search's read ($1/$2 the people's organisations and references, [$3, $4) the span,
 * $5 the versions held, null where none): one row per person with their version, and their blocks
 * only where the version held differs. Exported for the bench, which issues it straight from pg.
 */
export const BUSY_OF = `SELECT p.i::int AS i, coalesce(v.version, 0)::text AS v,
    CASE WHEN p.known = coalesce(v.version, 0) THEN NULL ELSE
      (SELECT coalesce(json_agg(json_build_array(${ms("b.starts_at")}, ${ms("b.ends_at")}, b.kind)), '[]') FROM busy_blocks b
        WHERE b.organisation_id = p.o AND b.person_ref = p.r AND b.starts_at < $4 AND b.ends_at > $3
          AND b.starts_at > $3::timestamptz - interval '${MAX_BLOCK_DAYS} days')
    END AS b
  FROM unnest($1::text[], $2::text[], $5::int8[]) WITH ORDINALITY AS p(o, r, known, i)
  LEFT JOIN busy_versions v ON v.organisation_id = p.o AND v.person_ref = p.r`;

export class PgMeetingStore implements MeetingStore {
  readonly #pool: Pool;
  readonly #toOutbox: (e: MeetingEvent) => OutboxEntry;
  readonly #busy: BusyCache;
  /** `busyCacheBlocks`: how many busy blocks a search may keep for the next (0: none kept). */
  constructor(pool: Pool, toOutbox: (e: MeetingEvent) => OutboxEntry, options: { busyCacheBlocks?: number } = {}) {
    this.#pool = pool;
    this.#toOutbox = toOutbox;
    this.#busy = new BusyCache(options.busyCacheBlocks ?? 0);
  }

  transaction<T>(fn: (tx: MeetingTx) => Promise<T>): Promise<T> {
    return withTransaction(this.#pool, (c) => fn(new PgMeetingTx(c, this.#toOutbox)));
  }

  async get(meetingId: string) {
    if (!UUID.test(meetingId)) return undefined;
    const r = await this.#pool.query("SELECT * FROM meetings WHERE meeting_id = $1", [meetingId]);
    return (await loadMeetings(this.#pool, r.rows))[0];
  }

  async requestAnswer(key: string) {
    const r = await this.#pool.query("SELECT meeting_id FROM meeting_requests WHERE request_key = $1", [key]);
    return r.rows[0]?.meeting_id as string | undefined;
  }

  async meetingOfParticipant(participantId: string) {
    if (!UUID.test(participantId)) return undefined;
    const r = await this.#pool.query("SELECT meeting_id FROM participants WHERE participant_id = $1", [participantId]);
    return r.rows[0]?.meeting_id as string | undefined;
  }

  async list(q: { organisationId: string; from: Date; limit: number; referralId?: string }) {
    const r = await this.#pool.query(
      `SELECT m.* FROM meetings m
        WHERE (m.organiser_organisation_id = $1 OR EXISTS (SELECT 1 FROM participants p WHERE p.meeting_id = m.meeting_id AND p.kind = 'staff' AND p.organisation_id = $1 AND p.invitation <> 'not_invited'))
          AND EXISTS (SELECT 1 FROM occurrences o WHERE o.meeting_id = m.meeting_id AND o.ends_at >= $2)
          AND ($4::uuid IS NULL OR m.referral_id = $4)
        ORDER BY m.starts_at, m.meeting_id LIMIT $3`,
      [q.organisationId, q.from, q.limit, q.referralId ?? null],
    );
    return loadMeetings(this.#pool, r.rows);
  }

  async openMeetingsOf(subjectPseudonym: string, after: Date) {
    const r = await this.#pool.query(
      `SELECT m.meeting_id FROM meetings m WHERE m.subject_pseudonym = $1 AND m.status IN ('proposed', 'booked')
          AND EXISTS (SELECT 1 FROM occurrences o WHERE o.meeting_id = m.meeting_id AND o.starts_at > $2 AND NOT o.cancelled) ORDER BY m.meeting_id`,
      [subjectPseudonym, after],
    );
    return r.rows.map((x) => x.meeting_id as string);
  }

  async seriesRoot(meetingId: string) {
    const r = await this.#pool.query(
      `WITH RECURSIVE up AS (SELECT meeting_id, continues_meeting_id FROM meetings WHERE meeting_id = $1
                             UNION ALL SELECT m.meeting_id, m.continues_meeting_id FROM meetings m JOIN up ON m.meeting_id = up.continues_meeting_id)
       SELECT meeting_id FROM up WHERE continues_meeting_id IS NULL`,
      [meetingId],
    );
    return (r.rows[0]?.meeting_id as string) ?? meetingId;
  }

  async actionsOf(seriesRootId: string) {
    const r = await this.#pool.query(
      `SELECT title, owner_organisation_id, to_char(due_date, 'YYYY-MM-DD') AS due, ${ms("recurrence_id")} AS rid FROM agreed_actions WHERE series_root_id = $1 ORDER BY action_id`,
      [seriesRootId],
    );
    return r.rows.map((x) => ({
      title: x.title as string,
      ownerOrganisationId: x.owner_organisation_id as string,
      dueDate: x.due as string,
      agreedAt: x.rid as number,
    }));
  }

  async replaceBusy(person: PersonBusy, from: Date, to: Date, blocks: BusyBlock[]) {
    return withTransaction(this.#pool, async (c) => {
      // One publisher of a person at a time (a calendar sync and the person themself).
      await c.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [`busy:${personKey(person)}`]);
      await c.query("DELETE FROM busy_blocks WHERE organisation_id = $1 AND person_ref = $2 AND source = 'published' AND starts_at < $4 AND ends_at > $3", [
        person.organisationId,
        person.personRef,
        from,
        to,
      ]);
      const r = await c.query(
        `INSERT INTO busy_blocks (organisation_id, person_ref, starts_at, ends_at, kind, source)
         SELECT $1, $2, greatest(u.s, $6), least(u.e, $7), u.k, 'published' FROM unnest($3::timestamptz[], $4::timestamptz[], $5::text[]) AS u(s, e, k)
          WHERE u.s < $7 AND u.e > $6`,
        [
          person.organisationId,
          person.personRef,
          blocks.map((b) => new Date(b.start)),
          blocks.map((b) => new Date(b.end)),
          blocks.map((b) => b.kind),
          from,
          to,
        ],
      );
      return r.rowCount ?? 0;
    });
  }

  async busyOf(people: PersonBusy[], from: Date, to: Date) {
    // One statement (one snapshot): every person's version, and their blocks (one JSON array,
    // [start ms, end ms, kind], …) only where the calendar held here is missing, too short or of
    // another version. A block is at most MAX_BLOCK_DAYS long (publishing clips to its span), which
    // bounds the index scan from below.
    const f = from.getTime();
    const t = to.getTime();
    const span = this.#busy.maxBlocks > 0 ? readSpan(f, t) : { from: f, to: t };
    const held = people.map((p) => this.#busy.covering(personKey(p), f, t));
    const r = await this.#pool.query(BUSY_OF, [
      people.map((p) => p.organisationId),
      people.map((p) => p.personRef),
      new Date(span.from),
      new Date(span.to),
      held.map((h) => h?.version ?? null),
    ]);
    const out = new Map<string, BusyBlock[]>();
    for (const x of r.rows) {
      const i = (x.i as number) - 1;
      const key = personKey(people[i] as PersonBusy);
      const h = held[i];
      if (x.b === null && h) {
        out.set(key, h.from === f && h.to === t ? h.blocks : within(h.blocks, f, t));
        continue;
      }
      const blocks = (x.b as [number, number, BusyBlock["kind"]][]).map(([start, end, kind]) => ({ start, end, kind }));
      this.#busy.hold(key, { version: x.v as string, ...span, blocks });
      out.set(key, span.from === f && span.to === t ? blocks : within(blocks, f, t));
    }
    return out;
  }

  async projectBooking(bookingId: string, person: PersonBusy, start: Date, end: Date, kind: BusyBlock["kind"] | undefined) {
    if (kind === undefined) {
      await this.#pool.query("DELETE FROM busy_blocks WHERE source = 'consultations' AND source_id = $1", [bookingId]);
      return;
    }
    await this.#pool.query(
      `INSERT INTO busy_blocks (organisation_id, person_ref, starts_at, ends_at, kind, source, source_id) VALUES ($1, $2, $3, $4, $5, 'consultations', $6)
       ON CONFLICT (source_id) WHERE source = 'consultations' DO UPDATE SET starts_at = excluded.starts_at, ends_at = excluded.ends_at, kind = excluded.kind`,
      [person.organisationId, person.personRef, start, end, kind, bookingId],
    );
  }

  async recordReferral(f: ReferralFact) {
    await this.#pool.query(
      `INSERT INTO referral_facts (referral_id, submitted_at, assessment_due_date) VALUES ($1, $2, $3)
       ON CONFLICT (referral_id) DO UPDATE SET submitted_at = excluded.submitted_at, assessment_due_date = excluded.assessment_due_date`,
      [f.referralId, f.submittedAt, f.assessmentDueDate ?? null],
    );
  }

  async referralFact(referralId: string) {
    if (!UUID.test(referralId)) return undefined;
    const r = await this.#pool.query("SELECT submitted_at, to_char(assessment_due_date, 'YYYY-MM-DD') AS due FROM referral_facts WHERE referral_id = $1", [
      referralId,
    ]);
    const x = r.rows[0];
    return x ? { referralId, submittedAt: x.submitted_at as Date, ...(x.due ? { assessmentDueDate: x.due as string } : {}) } : undefined;
  }

  async figures(now: Date): Promise<MeetingFigures> {
    const r = await this.#pool.query(
      `SELECT
         (SELECT count(*) FROM outcomes o JOIN meetings m USING (meeting_id) WHERE m.kind = 'systemic_weekly')::int AS systemic_held,
         (SELECT count(*) FROM outcomes o JOIN meetings m USING (meeting_id) WHERE m.kind = 'systemic_weekly' AND o.family_took_part)::int AS systemic_with_family,
         (SELECT count(*) FROM outcomes)::int AS outcomes,
         (SELECT count(*) FROM outcomes WHERE child_heard <> 'not_heard')::int AS child_heard,
         (SELECT count(*) FROM participants p JOIN meetings m USING (meeting_id)
           WHERE p.invitation = 'invited' AND p.answer = 'pending' AND m.status IN ('proposed', 'booked')
             AND EXISTS (SELECT 1 FROM occurrences o WHERE o.meeting_id = m.meeting_id AND o.starts_at > $1))::int AS pending,
         (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM f.first - r.submitted_at) / 86400)
            FROM (SELECT m.referral_id, min(o.starts_at) AS first FROM meetings m JOIN occurrences o USING (meeting_id)
                   WHERE m.referral_id IS NOT NULL AND m.status <> 'cancelled' AND NOT o.cancelled GROUP BY m.referral_id) f
            JOIN referral_facts r USING (referral_id))::float8 AS to_first,
         (SELECT count(DISTINCT m.referral_id) FROM meetings m JOIN referral_facts r USING (referral_id) WHERE m.status <> 'cancelled')::int AS with_meeting`,
      [now],
    );
    const x = r.rows[0];
    return {
      systemicHeld: x.systemic_held,
      systemicWithFamily: x.systemic_with_family,
      outcomesRecorded: x.outcomes,
      childHeard: x.child_heard,
      answersPending: x.pending,
      referralToFirstMeetingDays: x.to_first ?? undefined,
      referralsWithMeeting: x.with_meeting,
    };
  }
}
