// PostgreSQL adapter of ConsultationStore. Overlaps are refused by the exclusion constraint
// (migration 1764600000000), seats by a conditional update, and each specialist's bookings are
// decided one at a time under a lock on the specialist's row (caps and the reserved share are
// counts: never count-then-insert without it).
import { appendAllToOutbox, epochMs, type OutboxEntry, outboxInsert, type Pool, type PoolClient, withTransaction } from "@silta/postgres";
import type { BookingEvent, ConsultationStore, ConsultationTx, WaitlistEntry } from "../app/ports.ts";
import type { Booking, FairnessSettings } from "../domain/booking.ts";
import type { Specialist } from "../domain/specialist.ts";

type Row = Record<string, unknown>;
const opt = <T>(v: unknown): T | undefined => (v === null || v === undefined ? undefined : (v as T));

function toBooking(r: Row): Booking {
  return {
    bookingId: r.booking_id as string,
    specialistId: r.specialist_id as string,
    kind: r.kind as Booking["kind"],
    status: r.status as Booking["status"],
    startsAt: r.starts_at as Date,
    endsAt: r.ends_at as Date,
    occupiedFrom: r.occupied_from as Date,
    occupiedTo: r.occupied_to as Date,
    expiresAt: opt<Date>(r.expires_at),
    requesterRef: r.requester_ref as string,
    requesterOrganisationId: r.requester_organisation_id as string,
    responsibleWorkerRef: r.responsible_worker_ref as string,
    municipalityCode: r.municipality_code as string,
    priority: r.priority as boolean,
    subjectPseudonym: opt(r.subject_pseudonym),
    consentDecisionId: opt(r.consent_decision_id),
    topic: opt(r.topic),
    location: r.location as string,
    videoLink: r.video_link as string,
    seriesId: opt(r.series_id),
    capacity: r.capacity as number,
    seatsTaken: r.seats_taken as number,
    icalUid: r.ical_uid as string,
    sequence: r.sequence as number,
    rescheduledTo: opt(r.rescheduled_to),
    rescheduledFrom: opt(r.rescheduled_from),
    cancelledBy: opt(r.cancelled_by),
    cancelReason: opt(r.cancel_reason),
    assignedBy: r.assigned_by as Booking["assignedBy"],
  };
}

function toSpecialist(r: Row): Specialist {
  return {
    specialistId: r.specialist_id as string,
    personRef: r.person_ref as string,
    organisationId: r.organisation_id as string,
    organisationType: r.organisation_type as Specialist["organisationType"],
    displayName: r.display_name as string,
    skills: r.skills as string[],
    languages: r.languages as string[],
    municipalityCodes: r.municipality_codes as string[],
    weight: r.weight as number,
    timeZone: r.time_zone as string,
    schedules: r.schedules as Specialist["schedules"],
    overrides: r.overrides as Specialist["overrides"],
    worksOnHolidays: r.works_on_holidays as boolean,
    rules: r.rules as Specialist["rules"],
    outOfOffice: (r.out_of_office as { from: string; until: string; standIn: string }[]).map((o) => ({
      from: new Date(o.from),
      until: new Date(o.until),
      standIn: o.standIn,
    })),
    lastBookedAt: opt(r.last_booked_at),
  };
}

const BOOKING_COLUMNS = [
  "booking_id",
  "specialist_id",
  "kind",
  "status",
  "starts_at",
  "ends_at",
  "expires_at",
  "requester_ref",
  "requester_organisation_id",
  "responsible_worker_ref",
  "municipality_code",
  "priority",
  "subject_pseudonym",
  "consent_decision_id",
  "topic",
  "location",
  "video_link",
  "series_id",
  "capacity",
  "seats_taken",
  "ical_uid",
  "sequence",
  "rescheduled_to",
  "rescheduled_from",
  "cancelled_by",
  "cancel_reason",
  "assigned_by",
] as const;

const values = (b: Booking): unknown[] => [
  b.bookingId,
  b.specialistId,
  b.kind,
  b.status,
  b.startsAt,
  b.endsAt,
  b.expiresAt ?? null,
  b.requesterRef,
  b.requesterOrganisationId,
  b.responsibleWorkerRef,
  b.municipalityCode,
  b.priority,
  b.subjectPseudonym ?? null,
  b.consentDecisionId ?? null,
  b.topic ?? null,
  b.location,
  b.videoLink,
  b.seriesId ?? null,
  b.capacity,
  b.seatsTaken,
  b.icalUid,
  b.sequence,
  b.rescheduledTo ?? null,
  b.rescheduledFrom ?? null,
  b.cancelledBy ?? null,
  b.cancelReason ?? null,
  b.assignedBy,
];

const OCCUPYING = "status = 'confirmed' OR (status = 'held' AND expires_at > $4)";
const ms = epochMs;
const HELD_TIMES = `${ms("starts_at")} AS s, ${ms("ends_at")} AS e, ${ms("lower(occupied)")} AS of, ${ms("upper(occupied)")} AS ot`;

class PgTx implements ConsultationTx {
  readonly #c: PoolClient;
  readonly #toOutbox: (e: BookingEvent) => OutboxEntry;
  constructor(c: PoolClient, toOutbox: (e: BookingEvent) => OutboxEntry) {
    this.#c = c;
    this.#toOutbox = toOutbox;
  }

  async savepoint(name: string) {
    await this.#c.query(`SAVEPOINT ${name}`);
  }

  async rollbackTo(name: string) {
    await this.#c.query(`ROLLBACK TO SAVEPOINT ${name}`);
  }

  async recordRequest(key: string, bookingIds: string[]) {
    const r = await this.#c.query("INSERT INTO booking_requests (request_key, booking_ids) VALUES ($1, $2) ON CONFLICT DO NOTHING", [key, bookingIds]);
    return r.rowCount === 1;
  }

  async lockSpecialist(id: string) {
    const r = await this.#c.query("SELECT * FROM specialists WHERE specialist_id = $1 FOR UPDATE", [id]);
    return r.rows[0] ? toSpecialist(r.rows[0]) : undefined;
  }

  async occupying(specialistId: string, from: Date, to: Date) {
    // Holds whatever their expiry: the caller tells the live ones from those it must expire.
    const r = await this.#c.query(
      "SELECT *, lower(occupied) AS occupied_from, upper(occupied) AS occupied_to FROM bookings WHERE specialist_id = $1 AND occupied && tstzrange($2, $3) AND status IN ('held', 'confirmed') ORDER BY starts_at",
      [specialistId, from, to],
    );
    return r.rows.map(toBooking);
  }

  async othersBookedMinutes(specialistId: string, from: Date, to: Date, now: Date, excluding?: string) {
    const r = await this.#c.query(
      `SELECT coalesce(sum(extract(epoch FROM ends_at - starts_at) / 60), 0)::int AS minutes FROM bookings
        WHERE specialist_id = $1 AND starts_at >= $2 AND starts_at < $3 AND NOT priority AND (${OCCUPYING}) AND booking_id IS DISTINCT FROM $5`,
      [specialistId, from, to, now, excluding ?? null],
    );
    return r.rows[0].minutes as number;
  }

  async expireHolds(specialistId: string, from: Date, to: Date, now: Date) {
    await this.#c.query(
      "UPDATE bookings SET status = 'expired', updated_at = $4 WHERE specialist_id = $1 AND status = 'held' AND expires_at <= $4 AND occupied && tstzrange($2, $3)",
      [specialistId, from, to, now],
    );
  }

  async insertBooking(b: Booking) {
    const cols = BOOKING_COLUMNS.join(", ");
    const params = BOOKING_COLUMNS.map((_, i) => `$${i + 1}`).join(", ");
    const n = BOOKING_COLUMNS.length;
    // ON CONFLICT DO NOTHING works with the exclusion constraint: an overlap writes nothing and
    // leaves the transaction usable (no savepoint round trips).
    const r = await this.#c.query(`INSERT INTO bookings (${cols}, occupied) VALUES (${params}, tstzrange($${n + 1}, $${n + 2})) ON CONFLICT DO NOTHING`, [
      ...values(b),
      b.occupiedFrom,
      b.occupiedTo,
    ]);
    return r.rowCount === 1 ? ("ok" as const) : ("taken" as const);
  }

  async lockBooking(id: string) {
    const r = await this.#c.query("SELECT *, lower(occupied) AS occupied_from, upper(occupied) AS occupied_to FROM bookings WHERE booking_id = $1 FOR UPDATE", [
      id,
    ]);
    return r.rows[0] ? toBooking(r.rows[0]) : undefined;
  }

  async updateBooking(b: Booking) {
    const sets = BOOKING_COLUMNS.slice(1).map((c, i) => `${c} = $${i + 2}`);
    const n = BOOKING_COLUMNS.length;
    await this.#c.query(`UPDATE bookings SET ${sets.join(", ")}, occupied = tstzrange($${n + 1}, $${n + 2}), updated_at = now() WHERE booking_id = $1`, [
      ...values(b),
      b.occupiedFrom,
      b.occupiedTo,
    ]);
  }

  async addHistory(bookingId: string, action: string, actor: { ref: string; organisationId: string }, reason: string, at: Date) {
    await this.#c.query("INSERT INTO booking_history (booking_id, action, actor_ref, actor_organisation_id, reason, at) VALUES ($1,$2,$3,$4,$5,$6)", [
      bookingId,
      action,
      actor.ref,
      actor.organisationId,
      reason,
      at,
    ]);
  }

  async takeSeat(sessionId: string, worker: { ref: string; organisationId: string }, at: Date) {
    const seat = await this.#c.query(
      "INSERT INTO training_seats (booking_id, worker_ref, worker_organisation_id, taken_at) VALUES ($1,$2,$3,$4) ON CONFLICT DO NOTHING",
      [sessionId, worker.ref, worker.organisationId, at],
    );
    if (seat.rowCount === 0) return "already" as const;
    // The conditional update is the guard: two takers of the last seat cannot both pass it. (No
    // FOR UPDATE after it: the seat rows' foreign-key locks would deadlock with it.)
    const taken = await this.#c.query(
      "UPDATE bookings SET seats_taken = seats_taken + 1, updated_at = $2 WHERE booking_id = $1 AND status = 'confirmed' AND seats_taken < capacity RETURNING *, lower(occupied) AS occupied_from, upper(occupied) AS occupied_to",
      [sessionId, at],
    );
    return taken.rows[0] ? toBooking(taken.rows[0]) : ("full" as const);
  }

  async recordTaken(
    specialistId: string,
    bookingIds: string[],
    action: string,
    actor: { ref: string; organisationId: string },
    at: Date,
    events: BookingEvent[],
  ) {
    // One statement: the history rows, the specialist's last-booked time and the events. The
    // outbox's per-aggregate advisory lock is not needed: the aggregate is the specialist, whose
    // row every writer of its events holds locked until commit.
    const outbox = outboxInsert(events.map(this.#toOutbox), 7);
    await this.#c.query(
      `WITH h AS (INSERT INTO booking_history (booking_id, action, actor_ref, actor_organisation_id, reason, at) SELECT id, $3, $4, $5, '', $6 FROM unnest($2::uuid[]) AS id),
            m AS (UPDATE specialists SET last_booked_at = $6 WHERE specialist_id = $1)
       ${outbox.sql}`,
      [specialistId, bookingIds, action, actor.ref, actor.organisationId, at, ...outbox.params],
    );
  }

  async firstWaiting(s: Specialist, day: string) {
    const r = await this.#c.query(
      `SELECT * FROM waitlist WHERE day = $1 AND offered_booking_id IS NULL AND (specialist_id = $2 OR skill = ANY($3::text[]))
        ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED`,
      [day, s.specialistId, s.skills],
    );
    const w = r.rows[0];
    if (!w) return undefined;
    return {
      entryId: w.entry_id,
      specialistId: opt<string>(w.specialist_id),
      skill: opt<string>(w.skill),
      day,
      kind: w.kind,
      lengthMinutes: w.length_minutes,
      requesterRef: w.requester_ref,
      requesterOrganisationId: w.requester_organisation_id,
      createdAt: w.created_at,
    } satisfies WaitlistEntry;
  }

  async markOffered(entryId: string, bookingId: string) {
    await this.#c.query("UPDATE waitlist SET offered_booking_id = $2 WHERE entry_id = $1", [entryId, bookingId]);
  }

  async emit(events: BookingEvent[]) {
    await appendAllToOutbox(this.#c, events.map(this.#toOutbox));
  }
}

export class PgConsultationStore implements ConsultationStore {
  readonly #pool: Pool;
  readonly #toOutbox: (e: BookingEvent) => OutboxEntry;
  constructor(pool: Pool, toOutbox: (e: BookingEvent) => OutboxEntry) {
    this.#pool = pool;
    this.#toOutbox = toOutbox;
  }

  transaction<T>(fn: (tx: ConsultationTx) => Promise<T>): Promise<T> {
    return withTransaction(this.#pool, (c) => fn(new PgTx(c, this.#toOutbox)));
  }

  async requestAnswer(key: string) {
    const r = await this.#pool.query("SELECT booking_ids FROM booking_requests WHERE request_key = $1", [key]);
    return r.rows[0]?.booking_ids as string[] | undefined;
  }

  async upsertSpecialist(s: Specialist) {
    const r = await this.#pool.query(
      `INSERT INTO specialists (specialist_id, person_ref, organisation_id, organisation_type, display_name, skills, languages, municipality_codes, weight, rules)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)
       ON CONFLICT (organisation_id, person_ref) DO UPDATE SET organisation_type = $4, display_name = $5, skills = $6, languages = $7, municipality_codes = $8, weight = $9
       RETURNING *`,
      [
        s.specialistId,
        s.personRef,
        s.organisationId,
        s.organisationType,
        s.displayName,
        s.skills,
        s.languages,
        s.municipalityCodes,
        s.weight,
        JSON.stringify(s.rules),
      ],
    );
    return toSpecialist(r.rows[0]);
  }

  async getSpecialist(id: string) {
    const r = await this.#pool.query("SELECT * FROM specialists WHERE specialist_id = $1", [id]);
    return r.rows[0] ? toSpecialist(r.rows[0]) : undefined;
  }

  async listSpecialists(q: { skill?: string; language?: string }) {
    const r = await this.#pool.query(
      "SELECT * FROM specialists WHERE ($1::text IS NULL OR $1 = ANY(skills)) AND ($2::text IS NULL OR $2 = ANY(languages)) ORDER BY specialist_id",
      [q.skill ?? null, q.language ?? null],
    );
    return r.rows.map(toSpecialist);
  }

  async saveAvailability(s: Specialist) {
    await this.#pool.query(
      "UPDATE specialists SET time_zone = $2, schedules = $3, overrides = $4, works_on_holidays = $5, rules = $6, out_of_office = $7 WHERE specialist_id = $1",
      [
        s.specialistId,
        s.timeZone,
        JSON.stringify(s.schedules),
        JSON.stringify(s.overrides),
        s.worksOnHolidays,
        JSON.stringify(s.rules),
        JSON.stringify(s.outOfOffice.map((o) => ({ from: o.from.toISOString(), until: o.until.toISOString(), standIn: o.standIn }))),
      ],
    );
  }

  async setFeedHash(specialistId: string, hash: string) {
    await this.#pool.query("UPDATE specialists SET feed_token_hash = $2 WHERE specialist_id = $1", [specialistId, hash]);
  }

  async specialistByFeedHash(hash: string) {
    const r = await this.#pool.query("SELECT * FROM specialists WHERE feed_token_hash = $1", [hash]);
    return r.rows[0] ? toSpecialist(r.rows[0]) : undefined;
  }

  async fairness(): Promise<FairnessSettings> {
    const r = await this.#pool.query("SELECT * FROM fairness_settings");
    const f = r.rows[0];
    return { reservedPercent: f.reserved_percent, releaseHours: f.release_hours, priorityMunicipalityCodes: f.priority_municipality_codes };
  }

  async setFairness(f: FairnessSettings) {
    await this.#pool.query("UPDATE fairness_settings SET reserved_percent = $1, release_hours = $2, priority_municipality_codes = $3", [
      f.reservedPercent,
      f.releaseHours,
      f.priorityMunicipalityCodes,
    ]);
  }

  async recentBookings(specialistIds: string[], since: Date) {
    const r = await this.#pool.query(
      "SELECT specialist_id, count(*)::int AS n FROM bookings WHERE specialist_id = ANY($1::uuid[]) AND starts_at >= $2 AND status IN ('confirmed', 'completed', 'no_show') GROUP BY specialist_id",
      [specialistIds, since],
    );
    return new Map(r.rows.map((x) => [x.specialist_id as string, x.n as number]));
  }

  async heldTimes(specialistIds: string[], from: Date, to: Date, now: Date) {
    // Only the columns a listing uses, the instants as epoch milliseconds: parsing every column of
    // every row (dates above all) was the largest part of a listing's time.
    const r = await this.#pool.query(
      `SELECT specialist_id, priority, ${HELD_TIMES} FROM bookings WHERE specialist_id = ANY($1::uuid[]) AND occupied && tstzrange($2, $3) AND (${OCCUPYING})`,
      [specialistIds, from, to, now],
    );
    return r.rows.map((x) => ({
      specialistId: x.specialist_id as string,
      priority: x.priority as boolean,
      startsAt: x.s as number,
      endsAt: x.e as number,
      occupiedFrom: x.of as number,
      occupiedTo: x.ot as number,
    }));
  }

  async getBooking(id: string) {
    const r = await this.#pool.query("SELECT *, lower(occupied) AS occupied_from, upper(occupied) AS occupied_to FROM bookings WHERE booking_id = $1", [id]);
    return r.rows[0] ? toBooking(r.rows[0]) : undefined;
  }

  async getBookings(ids: string[]) {
    const r = await this.#pool.query(
      "SELECT *, lower(occupied) AS occupied_from, upper(occupied) AS occupied_to FROM bookings WHERE booking_id = ANY($1::uuid[]) ORDER BY starts_at",
      [ids],
    );
    return r.rows.map(toBooking);
  }

  async bookingsOf(q: { ref: string; organisationId: string; from: Date; limit: number; areaWorker: boolean }) {
    const r = await this.#pool.query(
      `SELECT *, lower(occupied) AS occupied_from, upper(occupied) AS occupied_to FROM bookings b WHERE ends_at >= $3 AND status <> 'expired' AND (
          (requester_ref = $1 AND requester_organisation_id = $2)
          OR ($5 AND responsible_worker_ref = $1)
          OR specialist_id IN (SELECT specialist_id FROM specialists WHERE person_ref = $1 AND organisation_id = $2)
          OR EXISTS (SELECT 1 FROM training_seats s WHERE s.booking_id = b.booking_id AND s.worker_ref = $1 AND s.worker_organisation_id = $2))
        ORDER BY starts_at LIMIT $4`,
      [q.ref, q.organisationId, q.from, q.limit, q.areaWorker],
    );
    return r.rows.map(toBooking);
  }

  async hasSeat(sessionId: string, worker: { ref: string; organisationId: string }) {
    const r = await this.#pool.query("SELECT 1 FROM training_seats WHERE booking_id = $1 AND worker_ref = $2 AND worker_organisation_id = $3", [
      sessionId,
      worker.ref,
      worker.organisationId,
    ]);
    return (r.rowCount ?? 0) > 0;
  }

  async feedBookings(specialistId: string, from: Date) {
    const r = await this.#pool.query(
      "SELECT *, lower(occupied) AS occupied_from, upper(occupied) AS occupied_to FROM bookings WHERE specialist_id = $1 AND ends_at >= $2 AND status IN ('confirmed', 'cancelled', 'completed', 'no_show') ORDER BY starts_at LIMIT 1000",
      [specialistId, from],
    );
    return r.rows.map(toBooking);
  }

  async joinWaitlist(e: WaitlistEntry, requestKey: string) {
    await this.#pool.query(
      `INSERT INTO waitlist (entry_id, request_key, specialist_id, skill, day, kind, length_minutes, requester_ref, requester_organisation_id, created_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) ON CONFLICT (request_key) DO NOTHING`,
      [e.entryId, requestKey, e.specialistId ?? null, e.skill ?? null, e.day, e.kind, e.lengthMinutes, e.requesterRef, e.requesterOrganisationId, e.createdAt],
    );
    const r = await this.#pool.query(
      `SELECT w.entry_id, (SELECT count(*)::int FROM waitlist o WHERE o.day = w.day AND o.offered_booking_id IS NULL
          AND o.specialist_id IS NOT DISTINCT FROM w.specialist_id AND o.skill IS NOT DISTINCT FROM w.skill
          AND o.seq <= w.seq) AS position
         FROM waitlist w WHERE request_key = $1`,
      [requestKey],
    );
    return { entryId: r.rows[0].entry_id as string, position: r.rows[0].position as number };
  }

  async minutesByMunicipality(since: Date) {
    const r = await this.#pool.query(
      `SELECT municipality_code, priority, sum(extract(epoch FROM ends_at - starts_at) / 60)::int AS minutes FROM bookings
        WHERE status IN ('confirmed', 'completed', 'no_show') AND starts_at >= $1 AND municipality_code <> '' GROUP BY 1, 2`,
      [since],
    );
    return r.rows.map((x) => ({ municipalityCode: x.municipality_code as string, priority: x.priority as boolean, minutes: x.minutes as number }));
  }
}
