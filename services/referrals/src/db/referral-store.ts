// PostgreSQL adapter of ReferralStore: rows ⇄ domain, events into the outbox.
import { isAreaCode } from "@silta/platform";
import { appendAllToOutbox, type OutboxEntry, outboxInsert, type Pool, type PoolClient, withTransaction } from "@silta/postgres";
import type { DueDeadline, EducationEventRecord, PriorReferrals, ReferralEvent, ReferralStatusView, ReferralStore, ReferralTx } from "../app/ports.ts";
import type { DeadlineKind } from "../domain/deadlines.ts";
import type { DeadlineState, HistoryEntry, Referral, ReferralStatus } from "../domain/referral.ts";

type Row = Record<string, unknown>;
/** A row of priorFor's read, as json_agg gives it. */
interface PriorRow {
  referral_id: string;
  reference_number: string;
  area_code: string;
  received_at: string;
  status: ReferralStatus;
  same_request: boolean;
}

async function load(q: Pool | PoolClient, where: string, values: unknown[], lock = false): Promise<Referral[]> {
  const rows = (await q.query(`SELECT * FROM referrals WHERE ${where}${lock ? " FOR UPDATE" : ""}`, values)).rows as Row[];
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.referral_id as string);
  const deadlinesOf = () => q.query("SELECT * FROM referral_deadlines WHERE referral_id = ANY($1::uuid[])", [ids]);
  const historyOf = () => q.query("SELECT * FROM referral_history WHERE referral_id = ANY($1::uuid[]) ORDER BY id", [ids]);
  const linksOf = () =>
    q.query(
      "SELECT referral_id, linked_referral_id FROM referral_links WHERE referral_id = ANY($1::uuid[]) UNION SELECT linked_referral_id, referral_id FROM referral_links WHERE linked_referral_id = ANY($1::uuid[])",
      [ids],
    );
  // On the pool the three reads run side by side; on one client (a transaction) one after the
  // other: pg deprecates (and pg 9 refuses) a query while the client is still running another.
  const [deadlines, history, links] =
    "release" in q ? [await deadlinesOf(), await historyOf(), await linksOf()] : await Promise.all([deadlinesOf(), historyOf(), linksOf()]);
  return rows.map((r) => {
    const id = r.referral_id as string;
    return {
      referralId: id,
      referenceNumber: r.reference_number as string,
      kind: r.kind as Referral["kind"],
      status: r.status as ReferralStatus,
      areaCode: r.area_code as string,
      homeMunicipalityCode: r.home_municipality_code as string,
      movingToMunicipalityCode: r.moving_to_municipality_code as string,
      subjectPseudonym: r.subject_pseudonym as string,
      child: {
        hetu: r.child_hetu as string,
        temporaryId: r.child_temporary_id as string,
        givenNames: r.child_given_names as string,
        familyName: r.child_family_name as string,
        birthDate: r.child_birth_date as string,
      },
      notifier: r.notifier as Referral["notifier"],
      concern: r.concern as string,
      urgentClaimed: r.urgent_claimed as boolean,
      urgent: r.urgent as boolean,
      policeNotified: r.police_notified as boolean,
      receivedAt: r.received_at as Date,
      decision: (r.decision as Referral["decision"]) ?? undefined,
      redirectedTo: r.redirected_to as string,
      transferredTo: (r.transferred_to as string | null) ?? undefined,
      transferredFrom: (r.transferred_from as string | null) ?? undefined,
      deadlines: deadlines.rows
        .filter((d) => d.referral_id === id)
        .map((d) => ({
          kind: d.kind,
          dueDate: d.due_date,
          strictDueDate: d.strict_due_date ?? undefined,
          dueAt: d.due_at,
          metAt: d.met_at ?? undefined,
          basis: d.basis,
        }))
        .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime()),
      history: history.rows
        .filter((h) => h.referral_id === id)
        .map((h) => ({ action: h.action, status: h.status, actorUser: h.actor_user, actorOrganisation: h.actor_organisation, at: h.at })),
      linkedReferralIds: links.rows.filter((l) => l.referral_id === id).map((l) => l.linked_referral_id as string),
      responsibleWorkerRef: r.responsible_worker_ref as string,
      responsibleTeamRef: r.responsible_team_ref as string,
    };
  });
}

async function addHistory(c: PoolClient, referralId: string, h: HistoryEntry) {
  await c.query("INSERT INTO referral_history (referral_id, action, status, actor_user, actor_organisation, at) VALUES ($1,$2,$3,$4,$5,$6)", [
    referralId,
    h.action,
    h.status,
    h.actorUser,
    h.actorOrganisation,
    h.at,
  ]);
}

export class PgReferralStore implements ReferralStore {
  private readonly pool: Pool;
  private readonly toOutbox: (e: ReferralEvent) => OutboxEntry[];

  constructor(pool: Pool, toOutbox: (e: ReferralEvent) => OutboxEntry[]) {
    this.pool = pool;
    this.toOutbox = toOutbox;
  }

  transaction<T>(fn: (tx: ReferralTx) => Promise<T>): Promise<T> {
    return withTransaction(this.pool, (c) => fn(this.tx(c)));
  }

  private tx(c: PoolClient): ReferralTx {
    return {
      getForUpdate: async (id) => (await load(c, "referral_id = $1", [id], true))[0],
      saveTransition: async (r, entry, met) => {
        await c.query("UPDATE referrals SET status = $2, urgent = $3, decision = $4, redirected_to = $5 WHERE referral_id = $1", [
          r.referralId,
          r.status,
          r.urgent,
          r.decision ?? null,
          r.redirectedTo,
        ]);
        if (met)
          await c.query("UPDATE referral_deadlines SET met_at = $3 WHERE referral_id = $1 AND kind = $2 AND met_at IS NULL", [r.referralId, met, entry.at]);
        await addHistory(c, r.referralId, entry);
      },
      saveResponsible: async (r, entry) => {
        await c.query("UPDATE referrals SET responsible_worker_ref = $2, responsible_team_ref = $3 WHERE referral_id = $1", [
          r.referralId,
          r.responsibleWorkerRef,
          r.responsibleTeamRef,
        ]);
        await addHistory(c, r.referralId, entry);
      },
      emit: async (e) => {
        await appendAllToOutbox(c, this.toOutbox(e));
      },
      emitAll: async (events) => {
        await appendAllToOutbox(c, events.flatMap(this.toOutbox));
      },
      claimAlerts: async (claims, alert) => {
        if (claims.length === 0) return new Set();
        const r = await c.query<{ referral_id: string; kind: string }>(
          `INSERT INTO deadline_alerts (referral_id, kind, alert)
           SELECT x.referral_id, x.kind, $3 FROM unnest($1::uuid[], $2::text[]) AS x(referral_id, kind)
           ON CONFLICT DO NOTHING RETURNING referral_id, kind`,
          [claims.map((x) => x.referralId), claims.map((x) => x.kind), alert],
        );
        return new Set(r.rows.map((x) => `${x.referral_id}/${x.kind}`));
      },
      insertEducationEvent: async (e) =>
        ((
          await c.query(
            "INSERT INTO education_events (event_id, subject_pseudonym, area_code, unit_id, kind, code, occurred_on) VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT DO NOTHING",
            [e.eventId, e.subjectPseudonym, e.areaCode, e.unitId, e.kind, e.code, e.occurredOn],
          )
        ).rowCount ?? 0) === 1,
    };
  }

  async priorFor(q: { requestKey: string; subjectPseudonyms: string[]; since: Date; areaCode: string }): Promise<PriorReferrals> {
    // The number is drawn only when the request is new (CASE evaluates nextval lazily); the
    // sequence holds no lock until commit, and a number drawn for a call that then fails is a gap.
    if (!isAreaCode(q.areaCode)) throw new Error("not a wellbeing-area code");
    const { rows } = await this.pool.query<{ prior: PriorRow[]; next: string | null }>({
      name: `referrals-prior-${q.areaCode}`,
      text: `WITH prior AS (
         SELECT referral_id, reference_number, area_code, received_at, status, request_key = $1 AS same_request FROM referrals
          WHERE request_key = $1 OR (subject_pseudonym = ANY($2::text[]) AND received_at >= $3))
       SELECT coalesce((SELECT json_agg(prior) FROM prior), '[]') AS prior,
              CASE WHEN EXISTS (SELECT 1 FROM prior WHERE same_request) THEN NULL ELSE nextval('referral_reference_${q.areaCode}') END AS next`,
      values: [q.requestKey, q.subjectPseudonyms, q.since],
    });
    const prior = rows[0]?.prior ?? [];
    const same = prior.find((r) => r.same_request);
    return {
      earlier: same && {
        referralId: same.referral_id,
        referenceNumber: same.reference_number,
        areaCode: same.area_code,
        receivedAt: new Date(same.received_at),
      },
      recent: prior.filter((r) => !r.same_request).map((r) => ({ referralId: r.referral_id, areaCode: r.area_code, status: r.status })),
      nextNumber: rows[0]?.next == null ? undefined : Number(rows[0].next),
    };
  }

  async file(r: Referral, requestKey: string, by: { user: string; organisation: string }, transfer?: { from: string; entry: HistoryEntry }): Promise<boolean> {
    // One statement, so atomic without an explicit transaction and one round trip: the row, its
    // deadlines, history and links, the transfer, and the events (about the referral this very
    // statement creates, so no outbox lock is needed). ON CONFLICT: a concurrent call with the
    // same request key waits for the first to commit, then nothing at all is written.
    const ds = r.deadlines;
    const hs = [...r.history.map((h) => ({ id: r.referralId, h })), ...(transfer ? [{ id: transfer.from, h: transfer.entry }] : [])];
    const params: unknown[] = [
      r.referralId,
      r.referenceNumber,
      requestKey,
      r.kind,
      r.status,
      r.areaCode,
      r.homeMunicipalityCode,
      r.movingToMunicipalityCode,
      r.subjectPseudonym,
      r.child.hetu,
      r.child.temporaryId,
      r.child.givenNames,
      r.child.familyName,
      r.child.birthDate,
      JSON.stringify(r.notifier),
      r.concern,
      r.urgentClaimed,
      r.policeNotified,
      r.receivedAt,
      r.transferredFrom ?? null,
      by.user,
      by.organisation,
      ds.map((d) => d.kind),
      ds.map((d) => d.dueDate),
      ds.map((d) => d.strictDueDate ?? null),
      ds.map((d) => d.dueAt),
      ds.map((d) => d.basis),
      hs.map((x) => x.id),
      hs.map((x) => x.h.action),
      hs.map((x) => x.h.status),
      hs.map((x) => x.h.actorUser),
      hs.map((x) => x.h.actorOrganisation),
      hs.map((x) => x.h.at),
      r.linkedReferralIds,
      transfer?.from ?? null,
    ];
    const events = outboxInsert(this.toOutbox({ type: "submitted", referral: r }), params.length + 1, "EXISTS (SELECT 1 FROM r)");
    const res = await this.pool.query({
      name: "referrals-file",
      text: `WITH r AS (
         INSERT INTO referrals (referral_id, reference_number, request_key, kind, status, area_code, home_municipality_code, moving_to_municipality_code,
           subject_pseudonym, child_hetu, child_temporary_id, child_given_names, child_family_name, child_birth_date, notifier, concern, urgent_claimed,
           police_notified, received_at, transferred_from, submitted_by_user, submitted_by_organisation)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22)
         ON CONFLICT (request_key) DO NOTHING
         RETURNING referral_id
       ), d AS (
         INSERT INTO referral_deadlines (referral_id, kind, due_date, strict_due_date, due_at, basis)
         SELECT r.referral_id, u.* FROM r, unnest($23::text[], $24::text[], $25::text[], $26::timestamptz[], $27::text[]) AS u
       ), h AS (
         INSERT INTO referral_history (referral_id, action, status, actor_user, actor_organisation, at)
         SELECT u.* FROM r, unnest($28::uuid[], $29::text[], $30::text[], $31::text[], $32::text[], $33::timestamptz[]) AS u
       ), l AS (
         INSERT INTO referral_links (referral_id, linked_referral_id) SELECT r.referral_id, o FROM r, unnest($34::uuid[]) AS o ON CONFLICT DO NOTHING
       ), t AS (
         UPDATE referrals SET status = 'closed', transferred_to = r.referral_id FROM r WHERE referrals.referral_id = $35::uuid
       ), o AS (
         ${events.sql}
       )
       SELECT referral_id FROM r`,
      values: [...params, ...events.params],
    });
    return res.rowCount === 1;
  }

  async get(id: string) {
    return (await load(this.pool, "referral_id = $1", [id]))[0];
  }

  async byReference(ref: string) {
    return (await load(this.pool, "reference_number = $1", [ref]))[0];
  }

  async statusByReference(ref: string): Promise<ReferralStatusView | undefined> {
    const { rows } = await this.pool.query<{
      reference_number: string;
      area_code: string;
      received_at: Date;
      notifier_org: string | null;
      history: { action: string; at: string }[];
    }>({
      name: "referrals-status-by-reference",
      text: `SELECT r.reference_number, r.area_code, r.received_at, r.notifier->>'organisationId' AS notifier_org,
                coalesce((SELECT json_agg(json_build_object('action', h.action, 'at', h.at) ORDER BY h.id) FROM referral_history h WHERE h.referral_id = r.referral_id), '[]') AS history
           FROM referrals r WHERE r.reference_number = $1`,
      values: [ref],
    });
    const r = rows[0];
    if (!r) return undefined;
    return {
      referenceNumber: r.reference_number,
      areaCode: r.area_code,
      receivedAt: r.received_at,
      notifier: { organisationId: r.notifier_org ?? "" },
      history: r.history.map((h) => ({ action: h.action, at: new Date(h.at) })),
    };
  }

  list(area: string, statuses: ReferralStatus[], limit: number) {
    return statuses.length > 0
      ? load(this.pool, "area_code = $1 AND status = ANY($2::text[]) ORDER BY received_at LIMIT $3", [area, statuses, limit])
      : load(this.pool, "area_code = $1 ORDER BY received_at LIMIT $2", [area, limit]);
  }

  async hasOpenReferral(subjects: string[], area: string): Promise<boolean> {
    const r = await this.pool.query("SELECT 1 FROM referrals WHERE subject_pseudonym = ANY($1::text[]) AND area_code = $2 AND status <> 'closed' LIMIT 1", [
      subjects,
      area,
    ]);
    return (r.rowCount ?? 0) > 0;
  }

  async openReferralsAmong(subjects: string[]): Promise<Set<string>> {
    const r = await this.pool.query<{ s: string; a: string }>(
      "SELECT DISTINCT subject_pseudonym AS s, area_code AS a FROM referrals WHERE subject_pseudonym = ANY($1::text[]) AND status <> 'closed'",
      [subjects],
    );
    return new Set(r.rows.map((x) => `${x.s}\u0000${x.a}`));
  }

  async educationEventsFor(subject: string, area: string): Promise<EducationEventRecord[]> {
    const r = await this.pool.query("SELECT * FROM education_events WHERE subject_pseudonym = $1 AND area_code = $2 ORDER BY occurred_on, recorded_at", [
      subject,
      area,
    ]);
    return r.rows.map((x) => ({
      eventId: x.event_id,
      subjectPseudonym: x.subject_pseudonym,
      areaCode: x.area_code,
      unitId: x.unit_id,
      kind: x.kind,
      code: x.code,
      occurredOn: x.occurred_on,
    }));
  }

  async deadlinesForAlert(q: { now: Date; alert: "at_risk" | "missed"; leadHours: number }, limit: number): Promise<DueDeadline[]> {
    const r = await this.pool.query(
      `SELECT d.*, r.area_code, r.reference_number, r.responsible_worker_ref, r.responsible_team_ref FROM referral_deadlines d JOIN referrals r USING (referral_id)
        WHERE d.met_at IS NULL AND r.status <> 'closed'
          AND CASE WHEN $2 = 'missed' THEN d.due_at <= $1
                   ELSE d.due_at - LEAST(make_interval(hours => $4), (d.due_at - r.received_at) / 2) <= $1 END
          -- no assessment is due after a decision not to start one
          AND NOT (d.kind = 'assessment_completion' AND r.decision IS NOT NULL AND r.decision <> 'start_assessment')
          AND NOT EXISTS (SELECT 1 FROM deadline_alerts a WHERE a.referral_id = d.referral_id AND a.kind = d.kind AND a.alert = $2)
        ORDER BY d.due_at LIMIT $3`,
      [q.now, q.alert, limit, q.leadHours],
    );
    return r.rows.map((d) => ({
      referral: {
        referralId: d.referral_id,
        areaCode: d.area_code,
        referenceNumber: d.reference_number,
        responsibleWorkerRef: d.responsible_worker_ref,
        responsibleTeamRef: d.responsible_team_ref,
      },
      deadline: {
        kind: d.kind as DeadlineKind,
        dueDate: d.due_date,
        strictDueDate: d.strict_due_date ?? undefined,
        dueAt: d.due_at,
        metAt: undefined,
        basis: d.basis,
      } satisfies DeadlineState,
    }));
  }
}
