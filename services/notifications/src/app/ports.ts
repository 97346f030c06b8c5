// What the notification use cases need from the world: the store (PostgreSQL; deliveries and
// their receipts in one transaction), an SMTP server and webhook endpoints.
import type { Language } from "../domain/messages.ts";
import type { PreferenceRule, QuietHours } from "../domain/preferences.ts";

export type Channel = "in_app" | "email" | "webhook";
export type DeliveryStatus = "queued" | "sent" | "delivered" | "failed" | "read";

export interface Person {
  organisationId: string;
  personRef: string;
  language: Language;
  email: string;
  /** Besides in-app (always). */
  channels: Channel[];
}

export interface Group {
  organisationId: string;
  groupRef: string;
  memberRefs: string[];
}

export interface Webhook {
  webhookId: string;
  organisationId: string;
  url: string;
  secret: string;
  createdAt: Date;
}

/** Where an organisation acts (from its administrator's proven identity): whose desks and people an area's events reach. */
export interface Scope {
  organisationType: string;
  areaCodes: string[];
}

export interface NewDelivery {
  eventId: string;
  kind: string;
  mustDeliver: boolean;
  channel: Channel;
  organisationId: string;
  /** A person reference, or the webhook's id. */
  recipientRef: string;
  language: Language;
  reference: string;
  title: string;
  body: string;
  link: string;
  /** Not attempted before this (the end of the recipient's quiet hours); now when absent. */
  notBefore?: Date;
  /** The message's variables, for a delivery rendered at sending (a family member's: title and body empty until then). */
  vars?: Record<string, string | number>;
}

/** Deliveries to a family member: organisation "family", recipient `<meeting id>/<participant id>`. */
export const FAMILY = "family";

/** A family member's address, language, invitation link and .ics, from the meetings service at sending. */
export type FamilyContact = { found: true; email: string; language: string; linkToken: string; ical: string } | { found: false; reason: string };
export interface FamilyContacts {
  contact(meetingId: string, participantId: string): Promise<FamilyContact>;
}

/** What decides whether and when a person is told: the organisation's rules, the person's, their quiet hours. */
export interface Preferences {
  organisation: PreferenceRule[];
  person: PreferenceRule[];
  quiet: QuietHours | undefined;
}

export interface Delivery extends NewDelivery {
  deliveryId: string;
  status: DeliveryStatus;
  attempts: number;
  firstAttemptAt: Date | undefined;
  nextAttemptAt: Date | undefined;
  lastError: string;
  createdAt: Date;
  readAt: Date | undefined;
}

/** What an attempt came to. */
export type Outcome = { ok: true } | { ok: false; permanent: boolean; error: string };

export interface DueDelivery {
  delivery: Delivery;
  /** The person's e-mail now (e-mail), or the endpoint (webhook). */
  email?: string;
  webhook?: Webhook;
}

/** A circuit breaker per webhook endpoint: open after `after` consecutive failures, for `openMs`. */
export interface Breaker {
  after: number;
  openMs: number;
}

export interface AttemptOptions {
  /** For a must-deliver delivery that failed: what tells others of it, created in the same transaction. */
  escalation?: (d: Delivery) => Promise<NewDelivery[]>;
  /** When an endpoint's breaker opens (once per outage): what tells the organisation's administrators. */
  endpointFailing?: (w: Webhook) => Promise<NewDelivery[]>;
  breaker?: Breaker;
  /** How long after its first attempt a delivery is tried at all (a breaker open past it fails the delivery). */
  horizonMs?: number;
  /** Deliveries claimed at once. */
  limit?: number;
}

export interface NotificationStore {
  putPerson(p: Person, scope: Scope): Promise<void>;
  putGroup(g: Group, scope: Scope): Promise<void>;
  addWebhook(w: Webhook): Promise<void>;
  /** The members of the group address `groupRef` of the wellbeing area `areaCode`, as people (those not in the directory get in-app only). */
  areaGroup(
    groupRef: string,
    areaCode: string,
  ): Promise<{ organisationId: string; members: (Person | { organisationId: string; personRef: string })[] } | undefined>;
  /** People by organisation and reference, keyed `organisation/person` (those not in the directory are missing). */
  peopleMany(keys: { organisationId: string; personRef: string }[]): Promise<Map<string, Person>>;
  /** The area's people named by reference, keyed by reference. */
  peopleInAreaMany(personRefs: string[], areaCode: string): Promise<Map<string, Person>>;
  /** Organisations' webhooks, keyed by organisation. */
  webhooksOfMany(organisationIds: string[]): Promise<Map<string, Webhook[]>>;
  /** `personRef` '' for the organisation's rule. */
  setPreference(organisationId: string, personRef: string, rule: PreferenceRule): Promise<void>;
  setQuietHours(organisationId: string, personRef: string, quiet: QuietHours): Promise<void>;
  preferencesOf(organisationId: string, personRef: string): Promise<Preferences>;
  /** The preferences of several people at once, by `organisation/person`. */
  preferencesOfMany(people: { organisationId: string; personRef: string }[]): Promise<Map<string, Preferences>>;
  /**
   * Adds the e-mail of `d` (an event of day `day`) to its daily digest (one per organisation,
   * person, kind and day; the event counted once) and creates the digest's one delivery, due at
   * `dueAt`. False when that day's digest has already gone out (then `d` is sent on its own).
   */
  addToDigest(d: NewDelivery, day: string, dueAt: Date, now: Date): Promise<boolean>;
  /** What a digest holds, for rendering it at sending. */
  digest(key: string): Promise<{ kind: string; day: string; language: string; refs: string[] } | undefined>;
  /** Creates the deliveries not created before (unique per event, kind, channel and recipient) with their receipts; returns how many were new. */
  createDeliveries(d: NewDelivery[], now: Date): Promise<number>;
  /**
   * Claims up to `limit` deliveries due at `now` (no other replica can claim them until this
   * returns), sends them side by side with `send` and records what came of each with the next
   * attempt `retryAt` gives; none claimed: [].
   */
  attemptDue(
    now: Date,
    send: (d: DueDelivery) => Promise<Outcome>,
    retryAt: (d: Delivery, now: Date) => Date | undefined,
    options?: AttemptOptions,
  ): Promise<{ delivery: Delivery; outcome: Outcome }[]>;
  /** The members of an organisation's group address (e.g. its `notifications_admins`). */
  organisationGroup(organisationId: string, groupRef: string): Promise<(Person | { organisationId: string; personRef: string })[]>;
  inbox(organisationId: string, personRef: string, unreadOnly: boolean, limit: number): Promise<{ items: Delivery[]; unread: number }>;
  /** Marks an item read (announced to the person's live inbox when it commits). */
  markRead(deliveryId: string, organisationId: string, personRef: string, now: Date): Promise<Delivery | undefined>;
  /** The person's items among `ids`, oldest first (another's are not among them). */
  inboxItems(organisationId: string, personRef: string, ids: string[]): Promise<Delivery[]>;
  /** The person's items after their item `afterId`, oldest first; undefined when `afterId` is not one of theirs. */
  inboxAfter(organisationId: string, personRef: string, afterId: string, limit: number): Promise<Delivery[] | undefined>;
  unread(organisationId: string, personRef: string): Promise<number>;
  /** The deliveries of these organisations (FAMILY: those to family members). */
  deliveries(organisationIds: string[], status: DeliveryStatus | undefined, limit: number): Promise<Delivery[]>;
  replay(deliveryId: string, organisationIds: string[], now: Date): Promise<Delivery | undefined>;
}

/** What the live inbox hears: an item created for a person, or one of theirs read (on any replica). */
export type InboxChange = { organisationId: string; personRef: string } & ({ created: string } | { read: string });

/** The announcements of inbox changes, for the streams this replica holds. */
export interface InboxFeed {
  /** Calls `on` with each change of the person's inbox, and with "resync" when changes may have been missed (a lost connection); returns the unsubscribe. */
  subscribe(organisationId: string, personRef: string, on: (change: InboxChange | "resync") => void): Promise<() => void>;
}

/** The iCalendar invitations e-mails carry, read at sending: the .ics of `booking/<id>` or `meeting/<id>/<participant>`; undefined when there is none (no such booking or participant, or no service to ask). */
export interface Calendars {
  ics(ref: string): Promise<string | undefined>;
}
