// Attempts of due e-mail and webhook deliveries: claimed by one replica a batch at a time, sent
// side by side, and recorded with their outcomes. A failure is tried again after a backoff with
// jitter until its horizon; a permanent refusal or the end of the horizon fails it (dead-lettered,
// with a receipt), and a failed must-deliver message is escalated to the area's duty desk by the
// store. The delivery id is the webhook-id and the e-mail's Message-ID on every attempt, so a
// receiver that dedupes sees one message even when this process dies between sending and recording.
// A family member's invitation and a daily digest are rendered here, at sending.
import { type Backoff, nextAttempt } from "../domain/backoff.ts";
import { isLanguage, type Language, render, TEMPLATES } from "../domain/messages.ts";
import { localWhen } from "./notify.ts";
import {
  type Breaker,
  type Calendars,
  type Delivery,
  type DueDelivery,
  FAMILY,
  type FamilyContact,
  type FamilyContacts,
  type NewDelivery,
  type NotificationStore,
  type Outcome,
  type Webhook,
} from "./ports.ts";

export interface Senders {
  /** `ical`: an iCalendar invitation attached as text/calendar. */
  email(d: Delivery, to: string, ical?: string): Promise<Outcome>;
  webhook(d: Delivery, w: NonNullable<DueDelivery["webhook"]>): Promise<Outcome>;
}

export function deliverDue(deps: {
  store: NotificationStore;
  clock: { now(): Date };
  senders: Senders;
  backoff: Backoff;
  /** What tells the area's duty desk that a must-deliver delivery failed. */
  escalation: (d: Delivery) => Promise<NewDelivery[]>;
  /** The meetings service's family contacts (none: family deliveries fail, named). */
  family?: FamilyContacts;
  /** The .ics of bookings and meetings, attached to the e-mails about them (none: e-mails without). */
  calendars?: Calendars;
  /** Where the family's invitation page is: the gateway's base URL. */
  linkBase: string;
  defaultLanguage: Language;
  /** A circuit breaker per webhook endpoint, and what tells the organisation's administrators when it opens. */
  breaker?: Breaker;
  endpointFailing?: (w: Webhook) => Promise<NewDelivery[]>;
  /** Told of each delivery that failed for good (a metric; the alert on must-deliver ones). */
  onFailed?: (d: Delivery) => void;
  random?: () => number;
  /** Deliveries claimed and sent side by side in one transaction. */
  concurrency?: number;
  /** Claims per run, per worker. */
  rounds?: number;
  /** Claim loops side by side (each claims its own deliveries: SKIP LOCKED), hiding each one's waits. */
  workers?: number;
}) {
  const random = deps.random ?? Math.random;
  const send = async (d: DueDelivery): Promise<Outcome> => {
    if (d.delivery.organisationId === FAMILY) return sendToFamily(d.delivery);
    if (d.delivery.kind === "digest") return sendDigest(d);
    if (d.delivery.channel === "email") {
      if (!d.email) return { ok: false, permanent: true, error: "the person has no e-mail address in the directory" };
      const ref = d.delivery.vars?.calendar;
      if (!ref || !deps.calendars) return deps.senders.email(d.delivery, d.email);
      let ics: string | undefined;
      try {
        ics = await deps.calendars.ics(String(ref));
      } catch (e) {
        return { ok: false, permanent: false, error: `calendar: ${(e as Error).message}` };
      }
      return deps.senders.email(d.delivery, d.email, ics);
    }
    if (d.delivery.channel === "webhook")
      return d.webhook ? deps.senders.webhook(d.delivery, d.webhook) : { ok: false, permanent: true, error: "the webhook was removed" };
    return { ok: false, permanent: true, error: `no attempts on channel ${d.delivery.channel}` };
  };
  /** A family member's invitation: address, language, link and .ics from the meetings service now, rendered now. */
  async function sendToFamily(d: Delivery): Promise<Outcome> {
    if (!deps.family) return { ok: false, permanent: true, error: "no meetings service to ask for the family's contact" };
    const [meetingId = "", participantId = ""] = d.recipientRef.split("/");
    let contact: FamilyContact;
    try {
      contact = await deps.family.contact(meetingId, participantId);
    } catch (e) {
      return { ok: false, permanent: false, error: `meetings: ${(e as Error).message}` };
    }
    if (!contact.found) return { ok: false, permanent: true, error: contact.reason };
    if (!contact.email) return { ok: false, permanent: true, error: "the family member has no e-mail address" };
    // A revoked link: the organiser took the family member's access away; nothing to send (the duty
    // desk is told). A cancellation needs no link: it is told with the cancelling .ics.
    const cancelled = d.kind === "family_meeting_cancelled";
    if (!contact.linkToken && !cancelled) return { ok: false, permanent: true, error: "the family member's invitation link is revoked or over" };
    const language = isLanguage(contact.language) ? contact.language : deps.defaultLanguage;
    const vars = d.vars ?? {};
    const { title, body } = render(TEMPLATES, d.kind, language, { ...vars, ...(vars.at ? { when: localWhen(String(vars.at), language) } : {}) });
    const link = contact.linkToken ? `${deps.linkBase}/v1/meetings/invitations/${contact.linkToken}` : "";
    return deps.senders.email({ ...d, language, title, body, link }, contact.email, contact.ical || undefined);
  }
  /** A daily digest: what it gathered, rendered now in the person's language. */
  async function sendDigest(d: DueDelivery): Promise<Outcome> {
    const g = await deps.store.digest(String(d.delivery.vars?.digest ?? ""));
    if (!g || !d.email) return { ok: false, permanent: true, error: g ? "the person has no e-mail address in the directory" : "no such digest" };
    const language = isLanguage(g.language) ? g.language : deps.defaultLanguage;
    const day = new Intl.DateTimeFormat({ fi: "fi-FI", sv: "sv-FI", en: "en-GB" }[language], {
      timeZone: "UTC",
      day: "numeric",
      month: "numeric",
      year: "numeric",
    }).format(new Date(`${g.day}T00:00:00Z`));
    const { title, body } = render(TEMPLATES, "digest", language, { count: g.refs.length, day, kind: g.kind, reference: g.refs.join(", ") });
    return deps.senders.email({ ...d.delivery, language, title, body }, d.email);
  }
  const retryAt = (d: Delivery, now: Date) => {
    const at = nextAttempt(d.attempts, (d.firstAttemptAt ?? now).getTime(), now.getTime(), deps.backoff, random());
    return at === undefined ? undefined : new Date(at);
  };
  /** Attempts what is due now, `workers` loops each claiming up to `concurrency` deliveries at a time; returns how many were attempted. */
  return async (): Promise<number> => {
    let n = 0;
    const worker = async () => {
      for (let round = 0; round < (deps.rounds ?? 20); round++) {
        const tried = await deps.store.attemptDue(deps.clock.now(), send, retryAt, {
          escalation: deps.escalation,
          ...(deps.endpointFailing ? { endpointFailing: deps.endpointFailing } : {}),
          ...(deps.breaker ? { breaker: deps.breaker } : {}),
          horizonMs: deps.backoff.horizonMs,
          limit: deps.concurrency ?? 16,
        });
        for (const t of tried) if (t.delivery.status === "failed") deps.onFailed?.(t.delivery);
        n += tried.length;
        if (tried.length === 0) break;
      }
    };
    await Promise.all(Array.from({ length: deps.workers ?? 1 }, worker));
    return n;
  };
}
