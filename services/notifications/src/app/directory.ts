// The organisation's directory (its notifications administrators), a person's inbox, and the
// organisation's deliveries. An organisation sees and changes only its own; another's is
// "not found".
import { randomBytes, randomUUID } from "node:crypto";
import { isLocalTime, type WeeklyRule } from "@silta/calendar";
import { type FieldViolation, hasRole, type Identity, invalidArgument, notFound, PERSON_REFERENCE, permissionDenied } from "@silta/platform";
import { isLanguage, LANGUAGES, type Language } from "../domain/messages.ts";
import { isTimeZone } from "../domain/preferences.ts";
import { type Channel, type DeliveryStatus, FAMILY, type NotificationStore } from "./ports.ts";

const EMAIL = /^[^\s@<>(),;:"]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,}$/;
const invalid = (p: FieldViolation[]) => invalidArgument("SILTA_NOTIFICATION_INVALID", p);

function assertAdmin(caller: Identity) {
  if (!hasRole(caller, "notifications_admin"))
    throw permissionDenied("SILTA_NOTIFICATION_FORBIDDEN", "an organisation's directory, webhooks and deliveries are kept by its notifications administrators");
}
const scopeOf = (caller: Identity) => ({ organisationType: caller.organisationType, areaCodes: caller.areaCodes });

export function directoryUseCases(deps: {
  store: NotificationStore;
  clock: { now(): Date };
  /** Why a webhook URL cannot be registered (undefined: it can). */
  webhookUrlProblem(url: string): string | undefined;
  /** The kinds of message there are (a preference names one, or all). */
  kinds: string[];
  /** The area this service runs for: its own organisations' administrators also see the deliveries to families. */
  areaCode: string;
}) {
  const { store, clock } = deps;
  /** Whose deliveries an administrator sees: their organisation's, and the area's to families (its meetings) when they are of the area. */
  const deliveriesOf = (caller: Identity) =>
    caller.organisationType === "wellbeing_area" && caller.areaCodes.includes(deps.areaCode) ? [caller.organisationId, FAMILY] : [caller.organisationId];
  return {
    async putPerson(q: { personRef: string; language: string; email: string; channels: string[] }, caller: Identity) {
      assertAdmin(caller);
      const p: FieldViolation[] = [];
      if (!PERSON_REFERENCE.test(q.personRef)) p.push({ field: "person.person_ref", reason: "an opaque reference (the sub of the person's tokens)" });
      if (!isLanguage(q.language)) p.push({ field: "person.language", reason: `one of ${LANGUAGES.join(", ")}` });
      q.channels.forEach((c, i) => {
        if (c !== "in_app" && c !== "email") p.push({ field: `person.channels[${i}]`, reason: "in_app or email (webhooks are an organisation's)" });
      });
      if (q.email !== "" && !EMAIL.test(q.email)) p.push({ field: "person.email", reason: "an e-mail address" });
      if (q.channels.includes("email") && q.email === "") p.push({ field: "person.email", reason: "needed for the e-mail channel" });
      if (p.length > 0) throw invalid(p);
      const person = {
        organisationId: caller.organisationId,
        personRef: q.personRef,
        language: q.language as Language,
        email: q.email,
        channels: [...new Set(q.channels)] as Channel[],
      };
      await store.putPerson(person, scopeOf(caller));
      return person;
    },

    async putGroup(q: { groupRef: string; memberRefs: string[] }, caller: Identity) {
      assertAdmin(caller);
      const p: FieldViolation[] = [];
      if (!PERSON_REFERENCE.test(q.groupRef)) p.push({ field: "group.group_ref", reason: "an opaque reference (e.g. intake_desk, duty_desk)" });
      if (q.memberRefs.length > 500) p.push({ field: "group.member_refs", reason: "at most 500" });
      q.memberRefs.forEach((m, i) => {
        if (!PERSON_REFERENCE.test(m)) p.push({ field: `group.member_refs[${i}]`, reason: "an opaque person reference" });
      });
      if (p.length > 0) throw invalid(p);
      const group = { organisationId: caller.organisationId, groupRef: q.groupRef, memberRefs: [...new Set(q.memberRefs)] };
      await store.putGroup(group, scopeOf(caller));
      return group;
    },

    async registerWebhook(q: { url: string }, caller: Identity) {
      assertAdmin(caller);
      const problem = q.url.length > 2000 ? "at most 2000 characters" : deps.webhookUrlProblem(q.url);
      if (problem) throw invalid([{ field: "url", reason: problem }]);
      const secret = `whsec_${randomBytes(32).toString("base64")}`;
      const webhook = { webhookId: randomUUID(), organisationId: caller.organisationId, url: q.url, secret, createdAt: clock.now() };
      await store.addWebhook(webhook);
      return webhook;
    },

    async setPreference(q: { kind: string; channel: string; enabled: boolean; organisationLevel: boolean; locked: boolean }, caller: Identity) {
      if (q.organisationLevel) assertAdmin(caller);
      const p: FieldViolation[] = [];
      if (q.kind !== "" && !deps.kinds.includes(q.kind))
        p.push({ field: "preference.kind", reason: `a kind of message (${deps.kinds.join(", ")}), or empty for all` });
      if (q.channel !== "in_app" && q.channel !== "email") p.push({ field: "preference.channel", reason: "in_app or email" });
      if (q.locked && !q.organisationLevel) p.push({ field: "preference.locked", reason: "only an organisation's rule is locked" });
      if (p.length > 0) throw invalid(p);
      const rule = { kind: q.kind || "*", channel: q.channel as "in_app" | "email", enabled: q.enabled, locked: q.locked };
      await store.setPreference(caller.organisationId, q.organisationLevel ? "" : caller.subject, rule);
      return rule;
    },

    async setQuietHours(q: { zone: string; windows: WeeklyRule[] }, caller: Identity) {
      const zone = q.zone || "Europe/Helsinki";
      const p: FieldViolation[] = [];
      if (!isTimeZone(zone)) p.push({ field: "time_zone", reason: "an IANA time zone, e.g. Europe/Helsinki" });
      if (q.windows.length > 28) p.push({ field: "windows", reason: "at most 28" });
      q.windows.forEach((w, i) => {
        if (!Number.isInteger(w.weekday) || w.weekday < 1 || w.weekday > 7) p.push({ field: `windows[${i}].weekday`, reason: "1 (Monday) … 7 (Sunday)" });
        if (!isLocalTime(w.start)) p.push({ field: `windows[${i}].start`, reason: "a local time HH:MM" });
        if (!(isLocalTime(w.end) || w.end === "24:00") || w.end <= w.start)
          p.push({ field: `windows[${i}].end`, reason: "a local time HH:MM (or 24:00) after start" });
      });
      if (p.length > 0) throw invalid(p);
      const quiet = { zone, windows: q.windows };
      await store.setQuietHours(caller.organisationId, caller.subject, quiet);
      return quiet;
    },

    inbox(q: { unreadOnly: boolean; limit: number }, caller: Identity) {
      if (q.limit < 0 || q.limit > 200) throw invalid([{ field: "limit", reason: "0–200 (0: 50)" }]);
      return store.inbox(caller.organisationId, caller.subject, q.unreadOnly, q.limit || 50);
    },

    async markRead(itemId: string, caller: Identity) {
      const item = await store.markRead(itemId, caller.organisationId, caller.subject, clock.now());
      if (!item) throw notFound("SILTA_NOTIFICATION_NOT_FOUND", `inbox item ${itemId}`);
      return item;
    },

    deliveries(q: { status: DeliveryStatus | undefined; limit: number }, caller: Identity) {
      assertAdmin(caller);
      if (q.limit < 0 || q.limit > 500) throw invalid([{ field: "limit", reason: "0–500 (0: 100)" }]);
      return store.deliveries(deliveriesOf(caller), q.status, q.limit || 100);
    },

    async replay(deliveryId: string, caller: Identity) {
      assertAdmin(caller);
      const d = await store.replay(deliveryId, deliveriesOf(caller), clock.now());
      if (!d) throw notFound("SILTA_NOTIFICATION_NOT_FOUND", `delivery ${deliveryId}`);
      return d;
    },
  };
}
