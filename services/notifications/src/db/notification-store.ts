// The notifications store (PostgreSQL): the directory, and the deliveries — each row its own job
// (due at next_attempt_at while queued), created with its receipt in one transaction and claimed
// by one replica at a time (FOR UPDATE SKIP LOCKED) while it is attempted.
import { randomUUID } from "node:crypto";
import { appendAllToOutbox, outboxInsert, type Pool, type PoolClient, withTransaction } from "@silta/postgres";
import {
  type AttemptOptions,
  type Channel,
  type Delivery,
  type DeliveryStatus,
  type DueDelivery,
  FAMILY,
  type Group,
  type NewDelivery,
  type NotificationStore,
  type Outcome,
  type Person,
  type Preferences,
  type Scope,
  type Webhook,
} from "../app/ports.ts";
import type { Language } from "../domain/messages.ts";
import type { PreferenceRule, QuietHours } from "../domain/preferences.ts";
import { receipt } from "../events/receipts.ts";

/** The NOTIFY channel of inbox changes (the migration's trigger announces created items on it). */
export const INBOX_CHANNEL = "silta_inbox";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const toDelivery = (r: Record<string, unknown>): Delivery => ({
  deliveryId: r.delivery_id as string,
  eventId: r.event_id as string,
  kind: r.kind as string,
  mustDeliver: r.must_deliver as boolean,
  channel: r.channel as Channel,
  organisationId: r.organisation_id as string,
  recipientRef: r.recipient_ref as string,
  language: r.language as Language,
  reference: r.reference as string,
  title: r.title as string,
  body: r.body as string,
  link: r.link as string,
  vars: (r.vars as Record<string, string | number> | null) ?? {},
  status: r.status as DeliveryStatus,
  attempts: r.attempts as number,
  firstAttemptAt: (r.first_attempt_at as Date | null) ?? undefined,
  nextAttemptAt: (r.next_attempt_at as Date | null) ?? undefined,
  lastError: r.last_error as string,
  createdAt: r.created_at as Date,
  readAt: (r.read_at as Date | null) ?? undefined,
});
const toPerson = (r: Record<string, unknown>): Person => ({
  organisationId: r.organisation_id as string,
  personRef: r.person_ref as string,
  language: r.language as Language,
  email: r.email as string,
  channels: r.channels as Channel[],
});

export class PgNotificationStore implements NotificationStore {
  readonly #pool: Pool;
  readonly #source: string;
  constructor(pool: Pool, source: string) {
    this.#pool = pool;
    this.#source = source;
  }

  async putPerson(p: Person, scope: Scope) {
    await this.#pool.query(
      `INSERT INTO people (organisation_id, person_ref, organisation_type, area_codes, language, email, channels, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,now())
       ON CONFLICT (organisation_id, person_ref) DO UPDATE SET organisation_type = excluded.organisation_type, area_codes = excluded.area_codes,
         language = excluded.language, email = excluded.email, channels = excluded.channels, updated_at = now()`,
      [p.organisationId, p.personRef, scope.organisationType, scope.areaCodes, p.language, p.email, p.channels],
    );
  }

  async putGroup(g: Group, scope: Scope) {
    await this.#pool.query(
      `INSERT INTO group_addresses (organisation_id, group_ref, organisation_type, area_codes, member_refs, updated_at) VALUES ($1,$2,$3,$4,$5,now())
       ON CONFLICT (organisation_id, group_ref) DO UPDATE SET organisation_type = excluded.organisation_type, area_codes = excluded.area_codes,
         member_refs = excluded.member_refs, updated_at = now()`,
      [g.organisationId, g.groupRef, scope.organisationType, scope.areaCodes, g.memberRefs],
    );
  }

  async addWebhook(w: Webhook) {
    await this.#pool.query("INSERT INTO webhooks (webhook_id, organisation_id, url, secret, created_at) VALUES ($1,$2,$3,$4,$5)", [
      w.webhookId,
      w.organisationId,
      w.url,
      w.secret,
      w.createdAt,
    ]);
  }

  async peopleMany(keys: { organisationId: string; personRef: string }[]) {
    const out = new Map<string, Person>();
    if (keys.length === 0) return out;
    const r = await this.#pool.query(
      "SELECT p.* FROM people p JOIN unnest($1::text[], $2::text[]) AS k(org, ref) ON p.organisation_id = k.org AND p.person_ref = k.ref",
      [keys.map((k) => k.organisationId), keys.map((k) => k.personRef)],
    );
    for (const x of r.rows) out.set(`${x.organisation_id}/${x.person_ref}`, toPerson(x));
    return out;
  }

  async peopleInAreaMany(personRefs: string[], areaCode: string) {
    const out = new Map<string, Person>();
    if (personRefs.length === 0) return out;
    const r = await this.#pool.query(
      `SELECT DISTINCT ON (person_ref) * FROM people WHERE person_ref = ANY($1::text[]) AND organisation_type = 'wellbeing_area' AND $2 = ANY(area_codes)
        ORDER BY person_ref, updated_at DESC`,
      [personRefs, areaCode],
    );
    for (const x of r.rows) out.set(x.person_ref as string, toPerson(x));
    return out;
  }

  async webhooksOfMany(organisationIds: string[]) {
    const out = new Map<string, Webhook[]>();
    if (organisationIds.length === 0) return out;
    const r = await this.#pool.query("SELECT * FROM webhooks WHERE organisation_id = ANY($1::text[]) ORDER BY created_at", [organisationIds]);
    for (const w of r.rows)
      out.set(w.organisation_id as string, [
        ...(out.get(w.organisation_id as string) ?? []),
        {
          webhookId: w.webhook_id as string,
          organisationId: w.organisation_id as string,
          url: w.url as string,
          secret: w.secret as string,
          createdAt: w.created_at as Date,
        },
      ]);
    return out;
  }

  /** The members of the first group address `where` picks, each as the directory knows them (or by reference only), in one read. */
  async #members(where: string, params: unknown[]) {
    const r = await this.#pool.query(
      `WITH g AS (SELECT organisation_id, member_refs FROM group_addresses WHERE ${where} ORDER BY updated_at DESC LIMIT 1)
       SELECT g.organisation_id AS group_organisation_id, m.ref, p.*
         FROM g CROSS JOIN unnest(g.member_refs) WITH ORDINALITY AS m(ref, i)
         LEFT JOIN people p ON p.organisation_id = g.organisation_id AND p.person_ref = m.ref
        ORDER BY m.i`,
      params,
    );
    return r.rows.map((x) => (x.person_ref ? toPerson(x) : { organisationId: x.group_organisation_id as string, personRef: x.ref as string }));
  }

  async areaGroup(groupRef: string, areaCode: string) {
    const members = await this.#members("group_ref = $1 AND organisation_type = 'wellbeing_area' AND $2 = ANY(area_codes)", [groupRef, areaCode]);
    return members.length === 0 ? undefined : { organisationId: (members[0] as { organisationId: string }).organisationId, members };
  }

  organisationGroup(organisationId: string, groupRef: string) {
    return this.#members("organisation_id = $1 AND group_ref = $2", [organisationId, groupRef]);
  }

  async setPreference(organisationId: string, personRef: string, r: PreferenceRule) {
    await this.#pool.query(
      `INSERT INTO preferences (organisation_id, person_ref, kind, channel, enabled, locked, updated_at) VALUES ($1,$2,$3,$4,$5,$6,now())
       ON CONFLICT (organisation_id, person_ref, kind, channel) DO UPDATE SET enabled = excluded.enabled, locked = excluded.locked, updated_at = now()`,
      [organisationId, personRef, r.kind, r.channel, r.enabled, r.locked],
    );
  }

  async setQuietHours(organisationId: string, personRef: string, q: QuietHours) {
    await this.#pool.query(
      `INSERT INTO quiet_hours (organisation_id, person_ref, time_zone, windows, updated_at) VALUES ($1,$2,$3,$4,now())
       ON CONFLICT (organisation_id, person_ref) DO UPDATE SET time_zone = excluded.time_zone, windows = excluded.windows, updated_at = now()`,
      [organisationId, personRef, q.zone, JSON.stringify(q.windows)],
    );
  }

  async preferencesOf(organisationId: string, personRef: string): Promise<Preferences> {
    return (await this.preferencesOfMany([{ organisationId, personRef }])).get(`${organisationId}/${personRef}`) as Preferences;
  }

  async preferencesOfMany(people: { organisationId: string; personRef: string }[]) {
    const out = new Map<string, Preferences>(people.map((p) => [`${p.organisationId}/${p.personRef}`, { organisation: [], person: [], quiet: undefined }]));
    if (people.length === 0) return out;
    // The organisations' rules (person ''), the people's own, and their quiet hours, in one read.
    const r = await this.#pool.query(
      `WITH who AS (SELECT DISTINCT * FROM unnest($1::text[], $2::text[]) AS w(org, ref))
       SELECT p.organisation_id, p.person_ref, p.kind, p.channel, p.enabled, p.locked, NULL AS time_zone, NULL AS windows
         FROM preferences p WHERE (p.organisation_id, p.person_ref) IN (SELECT org, ref FROM who) OR (p.person_ref = '' AND p.organisation_id IN (SELECT org FROM who))
       UNION ALL
       SELECT q.organisation_id, q.person_ref, NULL, NULL, NULL, NULL, q.time_zone, q.windows FROM quiet_hours q WHERE (q.organisation_id, q.person_ref) IN (SELECT org, ref FROM who)`,
      [people.map((p) => p.organisationId), people.map((p) => p.personRef)],
    );
    for (const x of r.rows) {
      const rule = { kind: x.kind as string, channel: x.channel as PreferenceRule["channel"], enabled: x.enabled as boolean, locked: x.locked as boolean };
      if (x.time_zone !== null) {
        const p = out.get(`${x.organisation_id}/${x.person_ref}`);
        if (p) p.quiet = { zone: x.time_zone as string, windows: x.windows as QuietHours["windows"] };
      } else if (x.person_ref === "") {
        for (const [k, p] of out) if (k.startsWith(`${x.organisation_id}/`)) p.organisation.push(rule);
      } else out.get(`${x.organisation_id}/${x.person_ref}`)?.person.push(rule);
    }
    return out;
  }

  async addToDigest(d: NewDelivery, day: string, dueAt: Date, now: Date) {
    const key = `${d.organisationId}/${d.recipientRef}/${d.kind}/${day}`;
    return withTransaction(this.#pool, async (c) => {
      // The digest's one e-mail: created with its first item, due when the day ends.
      await this.#create(c, [{ ...d, eventId: `digest:${key}`, kind: "digest", title: "", body: "", notBefore: dueAt, vars: { digest: key } }], now);
      const gone = await c.query("SELECT 1 FROM deliveries WHERE event_id = $1 AND status <> 'queued' FOR UPDATE", [`digest:${key}`]);
      if ((gone.rowCount ?? 0) > 0) return false;
      // Concurrent and out-of-order items of one key meet on its row (ON CONFLICT takes its lock);
      // an event already counted is not counted again.
      await c.query(
        `INSERT INTO digests (digest_key, organisation_id, recipient_ref, kind, day, language, event_ids, refs) VALUES ($1,$2,$3,$4,$5,$6,ARRAY[$7],ARRAY[$8])
         ON CONFLICT (digest_key) DO UPDATE SET event_ids = digests.event_ids || excluded.event_ids, refs = digests.refs || excluded.refs, updated_at = now()
          WHERE NOT ($7 = ANY(digests.event_ids))`,
        [key, d.organisationId, d.recipientRef, d.kind, day, d.language, d.eventId, d.reference],
      );
      return true;
    });
  }

  async digest(key: string) {
    const r = await this.#pool.query("SELECT kind, to_char(day, 'YYYY-MM-DD') AS day, language, refs FROM digests WHERE digest_key = $1", [key]);
    const x = r.rows[0];
    return x ? { kind: x.kind as string, day: x.day as string, language: x.language as string, refs: x.refs as string[] } : undefined;
  }

  createDeliveries(ds: NewDelivery[], now: Date) {
    return this.#create(this.#pool, ds, now);
  }

  /**
   * The deliveries not created before and their first receipts, in one statement (one round trip,
   * atomic without a transaction): each receipt is written only if its delivery was (a duplicate
   * event's rows hit the unique key and leave no receipt).
   */
  async #create(c: Pool | PoolClient, ds: NewDelivery[], now: Date): Promise<number> {
    const col = <K extends keyof NewDelivery>(k: K) => ds.map((d) => d[k]);
    const ids = ds.map(() => randomUUID());
    // In-app items are in the inbox when written; the others wait for their first attempt.
    const receipts = ds.map((d, i) =>
      receipt({ ...d, deliveryId: ids[i] as string, status: d.channel === "in_app" ? "delivered" : "queued", attempts: 0 }, now, this.#source),
    );
    const events = outboxInsert(receipts, 16, "v.aggregate_id IN (SELECT delivery_id::text FROM created)");
    const r = await c.query(
      `WITH created AS (
         INSERT INTO deliveries (delivery_id, event_id, kind, must_deliver, channel, organisation_id, recipient_ref, language, reference, title, body, link,
                                 status, next_attempt_at, done_at, created_at, vars)
         SELECT u.id, u.event_id, u.kind, u.must, u.channel, u.org, u.ref, u.lang, u.reference, u.title, u.body, u.link,
                CASE WHEN u.channel = 'in_app' THEN 'delivered' ELSE 'queued' END,
                CASE WHEN u.channel = 'in_app' THEN NULL ELSE coalesce(u.not_before, $13::timestamptz) END,
                CASE WHEN u.channel = 'in_app' THEN $13::timestamptz END, $13, coalesce(u.vars, '{}')
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bool[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $14::timestamptz[], $15::jsonb[])
             AS u(id, event_id, kind, must, channel, org, ref, lang, reference, title, body, link, not_before, vars)
         ON CONFLICT (event_id, kind, channel, organisation_id, recipient_ref) DO NOTHING
         RETURNING delivery_id),
       receipts AS (${events.sql} RETURNING 1)
       SELECT (SELECT count(*) FROM created)::int AS n`,
      [
        ids,
        col("eventId"),
        col("kind"),
        col("mustDeliver"),
        col("channel"),
        col("organisationId"),
        col("recipientRef"),
        col("language"),
        col("reference"),
        col("title"),
        col("body"),
        col("link"),
        now,
        ds.map((d) => d.notBefore ?? null),
        ds.map((d) => (d.vars ? JSON.stringify(d.vars) : null)),
        ...events.params,
      ],
    );
    return r.rows[0].n as number;
  }

  attemptDue(now: Date, send: (d: DueDelivery) => Promise<Outcome>, retryAt: (d: Delivery, now: Date) => Date | undefined, options: AttemptOptions = {}) {
    const { escalation, endpointFailing, breaker, horizonMs, limit = 1 } = options;
    return withTransaction(this.#pool, async (c) => {
      // Claimed together (no other replica takes them until this commits), sent side by side,
      // recorded in one statement with their receipts. A process that dies in between leaves them
      // queued: the next claim sends them again with the same ids.
      const r = await c.query(
        `SELECT d.*, p.email AS person_email, w.url AS webhook_url, w.secret AS webhook_secret, w.created_at AS webhook_created_at, h.open_until
           FROM deliveries d
           LEFT JOIN people p ON d.channel = 'email' AND p.organisation_id = d.organisation_id AND p.person_ref = d.recipient_ref
           LEFT JOIN webhooks w ON d.channel = 'webhook' AND w.webhook_id::text = d.recipient_ref
           LEFT JOIN endpoint_health h ON h.webhook_id = w.webhook_id
          WHERE d.status = 'queued' AND d.next_attempt_at <= $1
          ORDER BY d.next_attempt_at LIMIT $2
          FOR UPDATE OF d SKIP LOCKED`,
        [now, limit],
      );
      const results = await Promise.all(
        r.rows.map(async (row) => {
          const d = toDelivery(row);
          // An endpoint whose breaker is open is not called: the delivery waits until it half-opens
          // (no attempt counted), or fails if that is past its horizon.
          if (row.open_until && (row.open_until as Date) > now) {
            const first = d.firstAttemptAt ?? now;
            const openUntil = row.open_until as Date;
            if (horizonMs === undefined || openUntil.getTime() <= first.getTime() + horizonMs)
              return {
                delivery: { ...d, firstAttemptAt: first, nextAttemptAt: openUntil } as Delivery,
                outcome: { ok: false, permanent: false, error: d.lastError } as Outcome,
                escalate: [],
                paused: true,
              };
            const error = `the endpoint's breaker is open past the horizon (${d.lastError || "no answer"})`;
            const escalate = d.mustDeliver && escalation ? await escalation(d) : [];
            return {
              delivery: { ...d, firstAttemptAt: first, status: "failed", nextAttemptAt: undefined, lastError: error } as Delivery,
              outcome: { ok: false, permanent: true, error } as Outcome,
              escalate,
              paused: true,
            };
          }
          const outcome = await send({
            delivery: d,
            ...(row.person_email ? { email: row.person_email as string } : {}),
            ...(row.webhook_url
              ? {
                  webhook: {
                    webhookId: d.recipientRef,
                    organisationId: d.organisationId,
                    url: row.webhook_url,
                    secret: row.webhook_secret,
                    createdAt: row.webhook_created_at,
                  },
                }
              : {}),
          });
          const tried: Delivery = { ...d, attempts: d.attempts + 1, firstAttemptAt: d.firstAttemptAt ?? now };
          const next = outcome.ok || outcome.permanent ? undefined : retryAt(tried, now);
          const status: DeliveryStatus = outcome.ok ? (d.channel === "email" ? "sent" : "delivered") : next ? "queued" : "failed";
          const error = outcome.ok ? "" : outcome.error.slice(0, 500);
          const escalate = status === "failed" && d.mustDeliver && escalation ? await escalation(d) : [];
          return { delivery: { ...tried, status, nextAttemptAt: next, lastError: error } as Delivery, outcome, escalate, paused: false };
        }),
      );
      if (results.length === 0) return [];
      const col = <T>(f: (x: (typeof results)[number]) => T) => results.map(f);
      await c.query(
        `UPDATE deliveries d SET attempts = u.attempts, first_attempt_at = u.first, status = u.status, next_attempt_at = u.next, last_error = u.error,
                done_at = CASE WHEN u.status = 'queued' THEN NULL ELSE $8::timestamptz END, escalated = u.escalated
           FROM unnest($1::uuid[], $2::int[], $3::timestamptz[], $4::text[], $5::timestamptz[], $6::text[], $7::bool[]) AS u(id, attempts, first, status, next, error, escalated)
          WHERE d.delivery_id = u.id`,
        [
          col((x) => x.delivery.deliveryId),
          col((x) => x.delivery.attempts),
          col((x) => x.delivery.firstAttemptAt),
          col((x) => x.delivery.status),
          col((x) => x.delivery.nextAttemptAt ?? null),
          col((x) => x.delivery.lastError),
          col((x) => x.escalate.length > 0),
          now,
        ],
      );
      await appendAllToOutbox(
        c,
        results.filter((x) => x.delivery.status !== "queued").map((x) => receipt(x.delivery, now, this.#source, x.escalate.length > 0)),
      );
      const escalations = results.flatMap((x) => x.escalate);
      if (escalations.length > 0) await this.#create(c, escalations, now);
      // Each endpoint's breaker, in two statements for the whole claim: a success closes it; the
      // failures add up, and once they reach `after` in a row it opens (again on each failure
      // while it half-opens) and, the time they first reach it, tells the organisation's
      // administrators (once per outage). An endpoint that both failed and answered in one claim
      // counts as answering.
      if (breaker) {
        const hooks = results.filter((y) => !y.paused && y.delivery.channel === "webhook" && y.delivery.organisationId !== FAMILY);
        const answered = new Set(hooks.filter((x) => x.outcome.ok).map((x) => x.delivery.recipientRef));
        const failedCalls = new Map<string, number>();
        for (const x of hooks)
          if (!x.outcome.ok && !answered.has(x.delivery.recipientRef))
            failedCalls.set(x.delivery.recipientRef, (failedCalls.get(x.delivery.recipientRef) ?? 0) + 1);
        if (answered.size > 0)
          await c.query(
            "UPDATE endpoint_health SET consecutive_failures = 0, open_until = NULL WHERE webhook_id::text = ANY($1::text[]) AND (consecutive_failures > 0 OR open_until IS NOT NULL)",
            [[...answered]],
          );
        if (failedCalls.size > 0) {
          const h = await c.query(
            `INSERT INTO endpoint_health (webhook_id, consecutive_failures, open_until)
             SELECT w.webhook_id, f.n, CASE WHEN f.n >= $3 THEN $4::timestamptz END
               FROM unnest($1::text[], $2::int[]) AS f(id, n) JOIN webhooks w ON w.webhook_id::text = f.id
             ON CONFLICT (webhook_id) DO UPDATE SET
               consecutive_failures = endpoint_health.consecutive_failures + excluded.consecutive_failures,
               open_until = CASE WHEN endpoint_health.consecutive_failures + excluded.consecutive_failures >= $3 THEN $4::timestamptz ELSE endpoint_health.open_until END
             RETURNING webhook_id::text AS id, consecutive_failures AS n`,
            [[...failedCalls.keys()], [...failedCalls.values()], breaker.after, new Date(now.getTime() + breaker.openMs)],
          );
          for (const x of h.rows as { id: string; n: number }[]) {
            const before = x.n - (failedCalls.get(x.id) ?? 0);
            if (!(before < breaker.after && x.n >= breaker.after) || !endpointFailing) continue;
            const w = (await c.query("SELECT * FROM webhooks WHERE webhook_id::text = $1", [x.id])).rows[0];
            if (w)
              await this.#create(
                c,
                await endpointFailing({ webhookId: w.webhook_id, organisationId: w.organisation_id, url: w.url, secret: "", createdAt: w.created_at }),
                now,
              );
          }
        }
      }
      return results.map(({ delivery, outcome }) => ({ delivery, outcome }));
    });
  }

  async inbox(organisationId: string, personRef: string, unreadOnly: boolean, limit: number) {
    const r = await this.#pool.query(
      `SELECT *, count(*) FILTER (WHERE status <> 'read') OVER () AS unread_total FROM deliveries
        WHERE channel = 'in_app' AND organisation_id = $1 AND recipient_ref = $2 ${unreadOnly ? "AND status <> 'read'" : ""}
        ORDER BY created_at DESC, delivery_id LIMIT $3`,
      [organisationId, personRef, limit],
    );
    const unread = unreadOnly ? (r.rows.length < limit ? r.rows.length : await this.unread(organisationId, personRef)) : Number(r.rows[0]?.unread_total ?? 0);
    return { items: r.rows.map(toDelivery), unread };
  }

  markRead(deliveryId: string, organisationId: string, personRef: string, now: Date) {
    if (!UUID.test(deliveryId)) return Promise.resolve(undefined);
    return withTransaction(this.#pool, async (c) => {
      const r = await c.query(
        `UPDATE deliveries SET status = 'read', read_at = $4 WHERE delivery_id = $1 AND channel = 'in_app' AND organisation_id = $2 AND recipient_ref = $3 AND status <> 'read'
         RETURNING *`,
        [deliveryId, organisationId, personRef, now],
      );
      if (r.rows[0]) {
        const d = toDelivery(r.rows[0]);
        await appendAllToOutbox(c, [receipt(d, now, this.#source)]);
        // The person's live inboxes (any replica) hear of it when this commits.
        await c.query("SELECT pg_notify($1, $2)", [INBOX_CHANNEL, JSON.stringify({ o: organisationId, p: personRef, r: deliveryId })]);
        return d;
      }
      const again = await c.query("SELECT * FROM deliveries WHERE delivery_id = $1 AND channel = 'in_app' AND organisation_id = $2 AND recipient_ref = $3", [
        deliveryId,
        organisationId,
        personRef,
      ]);
      return again.rows[0] ? toDelivery(again.rows[0]) : undefined;
    });
  }

  async inboxItems(organisationId: string, personRef: string, ids: string[]) {
    const valid = ids.filter((i) => UUID.test(i));
    if (valid.length === 0) return [];
    const r = await this.#pool.query(
      `SELECT * FROM deliveries WHERE delivery_id = ANY($3::uuid[]) AND channel = 'in_app' AND organisation_id = $1 AND recipient_ref = $2
        ORDER BY created_at, delivery_id`,
      [organisationId, personRef, valid],
    );
    return r.rows.map(toDelivery);
  }

  async inboxAfter(organisationId: string, personRef: string, afterId: string, limit: number) {
    if (!UUID.test(afterId)) return undefined;
    const r = await this.#pool.query(
      `WITH cursor AS (SELECT created_at, delivery_id FROM deliveries WHERE delivery_id = $3 AND channel = 'in_app' AND organisation_id = $1 AND recipient_ref = $2)
       SELECT d.*, true AS found FROM cursor
         LEFT JOIN deliveries d ON d.channel = 'in_app' AND d.organisation_id = $1 AND d.recipient_ref = $2
                                AND (d.created_at, d.delivery_id) > (cursor.created_at, cursor.delivery_id)
        ORDER BY d.created_at, d.delivery_id LIMIT $4`,
      [organisationId, personRef, afterId, limit],
    );
    if (r.rows.length === 0) return undefined;
    return r.rows.filter((x) => x.delivery_id !== null).map(toDelivery);
  }

  async unread(organisationId: string, personRef: string) {
    const r = await this.#pool.query(
      "SELECT count(*) AS n FROM deliveries WHERE channel = 'in_app' AND organisation_id = $1 AND recipient_ref = $2 AND status <> 'read'",
      [organisationId, personRef],
    );
    return Number(r.rows[0].n);
  }

  async deliveries(organisationIds: string[], status: DeliveryStatus | undefined, limit: number) {
    const r = await this.#pool.query(
      `SELECT * FROM deliveries WHERE organisation_id = ANY($1::text[]) ${status ? "AND status = $3" : ""} ORDER BY created_at DESC, delivery_id LIMIT $2`,
      status ? [organisationIds, limit, status] : [organisationIds, limit],
    );
    return r.rows.map(toDelivery);
  }

  replay(deliveryId: string, organisationIds: string[], now: Date) {
    if (!UUID.test(deliveryId)) return Promise.resolve(undefined);
    return withTransaction(this.#pool, async (c) => {
      // Sent again with the same id (a receiver that dedupes sees it once), with a new horizon.
      const r = await c.query(
        `UPDATE deliveries SET status = 'queued', next_attempt_at = $3, first_attempt_at = NULL, last_error = '', done_at = NULL
          WHERE delivery_id = $1 AND organisation_id = ANY($2::text[]) AND channel <> 'in_app' RETURNING *`,
        [deliveryId, organisationIds, now],
      );
      if (!r.rows[0]) return undefined;
      const d = toDelivery(r.rows[0]);
      // An administrator's replay is a deliberate try: the endpoint's breaker lets it through.
      if (d.channel === "webhook") await c.query("UPDATE endpoint_health SET open_until = NULL WHERE webhook_id::text = $1", [d.recipientRef]);
      await appendAllToOutbox(c, [receipt(d, now, this.#source)]);
      return d;
    });
  }
}
