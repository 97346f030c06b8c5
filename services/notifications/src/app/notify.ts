// From a domain event to deliveries: the trigger's notice, its recipients resolved through the
// directory (a person's language and channels; a group's members; an organisation's webhooks),
// each message rendered in the recipient's language, on the channels their preferences allow
// (e-mail after their quiet hours; a must-deliver message whatever they chose, at once). One
// delivery per (event, kind, channel,
// recipient), created once however often the event arrives (the store's unique key).
import { HELSINKI, instantAt, localDateOf } from "@silta/calendar";
import { type Language, render, TEMPLATES } from "../domain/messages.ts";
import { allowed, notBefore } from "../domain/preferences.ts";
import { type Delivery, FAMILY, type NewDelivery, type NotificationStore, type Person, type Preferences, type Webhook } from "./ports.ts";
import type { Notice, Recipient, Trigger } from "./triggers.ts";

export interface NotifySettings {
  /** Where links lead: the Silta front end (or the organisation's own system). */
  linkBase: string;
  /** The language of a person not in the directory. */
  defaultLanguage: Language;
}

/** In-app items for the duty desk of the area when a must-deliver delivery failed (once per delivery). */
export function escalationOf(deps: { store: NotificationStore; settings: NotifySettings; areaCode: string }) {
  return async (d: Delivery): Promise<NewDelivery[]> => {
    const desk = await deps.store.areaGroup("duty_desk", deps.areaCode);
    return (desk?.members ?? []).map((p) => {
      const language = "language" in p ? p.language : deps.settings.defaultLanguage;
      const { title, body } = render(TEMPLATES, "must_deliver_failed", language, { reference: d.reference, count: 1 });
      return {
        eventId: `escalation:${d.deliveryId}`,
        kind: "must_deliver_failed",
        mustDeliver: true,
        channel: "in_app" as const,
        organisationId: p.organisationId,
        recipientRef: p.personRef,
        language,
        reference: d.reference,
        title,
        body,
        link: d.link,
      };
    });
  };
}

/** An instant as a person of `language` reads it in Helsinki ("to 14.1.2027 klo 13.00"). */
export function localWhen(iso: string, language: Language): string {
  const locale = { fi: "fi-FI", sv: "sv-FI", en: "en-GB" }[language];
  return new Intl.DateTimeFormat(locale, {
    timeZone: "Europe/Helsinki",
    weekday: "short",
    day: "numeric",
    month: "numeric",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  }).format(new Date(iso));
}

/** In-app items for an organisation's notifications administrators (its group `notifications_admins`) when one of its webhook endpoints keeps failing. */
export function endpointNoticeOf(deps: { store: NotificationStore; settings: NotifySettings; clock: { now(): Date } }) {
  return async (w: Webhook): Promise<NewDelivery[]> => {
    const admins = await deps.store.organisationGroup(w.organisationId, "notifications_admins");
    const host = new URL(w.url).host;
    return admins.map((p) => {
      const language = "language" in p ? p.language : deps.settings.defaultLanguage;
      const { title, body } = render(TEMPLATES, "webhook_failing", language, { reference: host });
      return {
        eventId: `endpoint:${w.webhookId}:${deps.clock.now().toISOString()}`,
        kind: "webhook_failing",
        mustDeliver: false,
        channel: "in_app" as const,
        organisationId: p.organisationId,
        recipientRef: p.personRef,
        language,
        reference: host,
        title,
        body,
        link: `${deps.settings.linkBase}/notifications/deliveries`,
      };
    });
  };
}

/** One event's notice under one trigger: what notifyMany takes. */
export interface NoticeJob {
  eventId: string;
  trigger: Trigger;
  notice: Notice;
  /** The event's ce_time (its digest day). */
  eventTime?: string;
}

type Resolved = {
  people: (Person | { organisationId: string; personRef: string })[];
  webhooks: { organisationId: string; webhookId: string }[];
  family?: Extract<Recipient, { to: "family" }>;
};

/**
 * The deliveries of many notices at once (a batch of events from one partition): the directory
 * read once for all of them (people, the area's people, webhooks, each group address once,
 * everyone's preferences), and every delivery created in one statement.
 */
export function notifyMany(deps: { store: NotificationStore; clock: { now(): Date }; settings: NotifySettings }) {
  const { store, settings } = deps;

  /** The people and endpoints each recipient of `jobs` stands for, by recipient, read in a few statements. */
  async function resolveAll(jobs: NoticeJob[]): Promise<(r: Recipient, areaCode: string) => Resolved> {
    const all = jobs.flatMap((j) => j.notice.recipients.map((r) => ({ r, areaCode: j.notice.areaCode })));
    const personKeys = new Map<string, { organisationId: string; personRef: string }>();
    const areaRefs = new Map<string, Set<string>>();
    const orgs = new Set<string>();
    const groups = new Map<string, Promise<(Person | { organisationId: string; personRef: string })[]>>();
    for (const { r, areaCode } of all) {
      if (r.to === "person") personKeys.set(`${r.organisationId}/${r.personRef}`, { organisationId: r.organisationId, personRef: r.personRef });
      else if (r.to === "area_person") areaRefs.set(areaCode, (areaRefs.get(areaCode) ?? new Set()).add(r.personRef));
      else if (r.to === "webhooks") orgs.add(r.organisationId);
      else if (r.to === "area_group" && !groups.has(`area/${areaCode}/${r.groupRef}`))
        groups.set(
          `area/${areaCode}/${r.groupRef}`,
          store.areaGroup(r.groupRef, areaCode).then((g) => g?.members ?? []),
        );
      else if (r.to === "organisation_group" && !groups.has(`org/${r.organisationId}/${r.groupRef}`))
        groups.set(`org/${r.organisationId}/${r.groupRef}`, store.organisationGroup(r.organisationId, r.groupRef));
    }
    const [people, inArea, webhooks] = await Promise.all([
      store.peopleMany([...personKeys.values()]),
      Promise.all([...areaRefs].map(async ([area, refs]) => [area, await store.peopleInAreaMany([...refs], area)] as const)).then((x) => new Map(x)),
      store.webhooksOfMany([...orgs]),
    ]);
    const members = new Map(await Promise.all([...groups].map(async ([k, g]) => [k, await g] as const)));
    return (r, areaCode) => {
      switch (r.to) {
        case "family":
          return { people: [], webhooks: [], family: r };
        case "person":
          return { people: [people.get(`${r.organisationId}/${r.personRef}`) ?? { organisationId: r.organisationId, personRef: r.personRef }], webhooks: [] };
        case "area_person": {
          const p = inArea.get(areaCode)?.get(r.personRef);
          return { people: p ? [p] : [], webhooks: [] };
        }
        case "area_group":
          return { people: members.get(`area/${areaCode}/${r.groupRef}`) ?? [], webhooks: [] };
        case "organisation_group":
          return { people: members.get(`org/${r.organisationId}/${r.groupRef}`) ?? [], webhooks: [] };
        case "webhooks":
          return { people: [], webhooks: (webhooks.get(r.organisationId) ?? []).map((w) => ({ organisationId: w.organisationId, webhookId: w.webhookId })) };
      }
    };
  }

  /** The Helsinki calendar day of an instant, and the end of that day (when its digest goes out). */
  const dayOf = (at: number) => {
    const day = localDateOf(at, HELSINKI);
    const next = new Date(Date.parse(`${day}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    return { day, endsAt: new Date(instantAt(next, "00:00", HELSINKI)) };
  };

  /** The deliveries of one notice (its digestible e-mails apart). */
  function deliveriesOf(j: NoticeJob, resolved: Resolved[], prefsOf: Map<string, Preferences>, now: number): NewDelivery[] {
    const { eventId, trigger, notice } = j;
    const link = `${settings.linkBase}${notice.linkPath}`;
    const out: NewDelivery[] = [];
    const base = { eventId, kind: trigger.kind, mustDeliver: trigger.mustDeliver, reference: notice.reference, link };
    const people = resolved.flatMap((x, k) => {
      const r = notice.recipients[k];
      const calendar = (r?.to === "person" ? r.calendar : undefined) ?? notice.calendar;
      return x.people.map((p) => ({ p, calendar }));
    });
    for (const { p, calendar } of people) {
      const language = "language" in p ? p.language : settings.defaultLanguage;
      const { title, body } = render(TEMPLATES, trigger.kind, language, { ...notice.vars, ...(notice.at ? { when: localWhen(notice.at, language) } : {}) });
      const prefs = prefsOf.get(`${p.organisationId}/${p.personRef}`) ?? { organisation: [], person: [], quiet: undefined };
      const channels = (["in_app", ...("channels" in p && p.email ? p.channels.filter((c) => c === "email") : [])] as ("in_app" | "email")[]).filter((c) =>
        allowed(trigger.kind, c, trigger.mustDeliver, prefs.organisation, prefs.person),
      );
      // E-mails wait for the end of the person's quiet hours; their inbox takes items at any hour.
      const after = notBefore(now, prefs.quiet, trigger.mustDeliver);
      for (const channel of channels)
        out.push({
          ...base,
          channel,
          organisationId: p.organisationId,
          recipientRef: p.personRef,
          language,
          title,
          body,
          ...(channel === "email" && after > now ? { notBefore: new Date(after) } : {}),
          // The .ics is read at sending (the meeting's or booking's state then).
          ...(channel === "email" && calendar ? { vars: { calendar } } : {}),
        });
    }
    // A family member: one e-mail, rendered and addressed at sending (their address, language and
    // link live in the meetings service and are fetched then); must-deliver invitations fail to
    // the duty desk when there is no address.
    for (const f of resolved.flatMap((x) => (x.family ? [x.family] : [])))
      out.push({
        ...base,
        channel: "email",
        organisationId: FAMILY,
        recipientRef: `${f.meetingId}/${f.participantId}`,
        language: settings.defaultLanguage,
        title: "",
        body: "",
        vars: { ...notice.vars, role: f.role, ...(notice.at ? { at: notice.at } : {}) } as Record<string, string | number>,
      });
    for (const w of resolved.flatMap((x) => x.webhooks))
      out.push({
        ...base,
        channel: "webhook",
        organisationId: w.organisationId,
        recipientRef: w.webhookId,
        language: settings.defaultLanguage,
        title: "",
        body: "",
      });
    return out;
  }

  return async (jobs: NoticeJob[]): Promise<number> => {
    if (jobs.length === 0) return 0;
    const resolve = await resolveAll(jobs);
    const resolved = jobs.map((j) => j.notice.recipients.map((r) => resolve(r, j.notice.areaCode)));
    // Everyone's preferences and quiet hours in one read.
    const prefsOf = await store.preferencesOfMany(resolved.flat().flatMap((x) => x.people));
    const now = deps.clock.now().getTime();
    const out: NewDelivery[] = [];
    let gathered = 0;
    for (const [i, j] of jobs.entries()) {
      const mine = deliveriesOf(j, resolved[i] ?? [], prefsOf, now);
      // A digestible kind's e-mails go into the person's digest of the event's Helsinki day (a day
      // whose digest went out already: the e-mail goes on its own).
      if (j.trigger.digest) {
        const { day, endsAt } = dayOf(j.eventTime ? Date.parse(j.eventTime) : now);
        for (const d of mine.filter((x) => x.channel === "email"))
          if (await store.addToDigest(d, day, endsAt, deps.clock.now())) {
            mine.splice(mine.indexOf(d), 1);
            gathered++;
          }
      }
      out.push(...mine);
    }
    return gathered + (out.length === 0 ? 0 : await store.createDeliveries(out, deps.clock.now()));
  };
}
