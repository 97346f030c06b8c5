// The notifications service (STYLE.md composition root): the trigger table checked against the
// topics it reads and the templates against the kinds it sends (refused at start otherwise), the
// directory and inbox, the subscriptions, and the job that attempts due e-mails and webhooks.

import { ConsultationServiceClient } from "@silta/contracts/consultations/v1/consultations.ts";
import { CONSENT_TOPIC, CONSULTATION_TOPIC, MEETING_TOPIC, NOTIFICATION_TOPIC, REFERRAL_TOPIC } from "@silta/contracts/events";
import { MeetingServiceClient } from "@silta/contracts/meetings/v1/meetings.ts";
import { unary } from "@silta/grpc";
import type { ServiceSpec } from "@silta/host";
import { isSiltaError } from "@silta/platform";
import { deliverDue } from "./app/deliver.ts";
import { directoryUseCases } from "./app/directory.ts";
import { liveInbox } from "./app/live-inbox.ts";
import { endpointNoticeOf, escalationOf, notifyMany } from "./app/notify.ts";
import type { Calendars, FamilyContacts } from "./app/ports.ts";
import { TRIGGERS, triggerProblems } from "./app/triggers.ts";
import { configShape } from "./config.ts";
import { PgInboxFeed } from "./db/inbox-feed.ts";
import { PgNotificationStore } from "./db/notification-store.ts";
import { TEMPLATES, templateProblems } from "./domain/messages.ts";
import { subscriptions } from "./events/subscriptions.ts";
import { notificationHandlers } from "./grpc/notification-handlers.ts";
import { senders, webhookUrlProblem } from "./senders.ts";

/** The topics whose events trigger notifications. */
export const CONSUMED = [REFERRAL_TOPIC, MEETING_TOPIC, CONSULTATION_TOPIC, CONSENT_TOPIC];

export const notificationsService: ServiceSpec<typeof configShape, { store: PgNotificationStore }> = {
  name: "notifications",
  config: configShape,
  migrations: new URL("../migrations", import.meta.url),
  topics: () => [NOTIFICATION_TOPIC, ...CONSUMED],
  compose(kit) {
    const { config, pool, clock } = kit;
    const problems = [
      ...triggerProblems(TRIGGERS, CONSUMED),
      ...templateProblems(TEMPLATES, [...new Set(TRIGGERS.map((t) => t.kind)), "must_deliver_failed", "digest"]),
    ];
    if (problems.length > 0) throw new Error(`notifications: the trigger table or templates cannot be used: ${problems.join("; ")}`);
    const areaCode = config.SILTA_AREA_CODE;
    const store = new PgNotificationStore(pool, `/silta/notifications/${areaCode}`);
    const settings = { linkBase: config.SILTA_NOTIFICATIONS_LINK_BASE.replace(/\/$/, ""), defaultLanguage: config.SILTA_NOTIFICATIONS_DEFAULT_LANGUAGE };
    const out = senders({
      smtp: {
        host: config.SILTA_SMTP_HOST,
        port: config.SILTA_SMTP_PORT,
        secure: config.SILTA_SMTP_SECURE,
        ...(config.SILTA_SMTP_USER ? { user: config.SILTA_SMTP_USER, password: config.SILTA_SMTP_PASSWORD ?? "" } : {}),
      },
      from: config.SILTA_SMTP_FROM,
      allowPrivateWebhooks: config.SILTA_NOTIFICATIONS_ALLOW_PRIVATE_WEBHOOKS,
      webhookTimeoutMs: config.SILTA_NOTIFICATIONS_WEBHOOK_TIMEOUT_MS,
      now: () => clock.now(),
    });
    kit.onStop("smtp", () => out.close());
    const directory = directoryUseCases({
      store,
      clock,
      webhookUrlProblem: (u) => webhookUrlProblem(u, config.SILTA_NOTIFICATIONS_ALLOW_PRIVATE_WEBHOOKS),
      kinds: Object.keys(TEMPLATES),
      areaCode: config.SILTA_AREA_CODE,
    });
    // A family member's contact, at sending, as this area's notifications service (the only caller meetings answers).
    const meetingsAddress = config.SILTA_MEETINGS_ADDRESS;
    const meetings = meetingsAddress ? kit.client(MeetingServiceClient, meetingsAddress, config.SILTA_MEETINGS_AUDIENCE) : undefined;
    const family: FamilyContacts | undefined = meetings && {
      async contact(meetingId, participantId) {
        try {
          const c = await unary(
            meetings,
            meetings.getFamilyContact,
            { meetingId, participantId },
            { identity: kit.serviceIdentity(areaCode), deadlineMs: 10_000 },
          );
          return { found: true, email: c.email, language: c.language, linkToken: c.linkToken, ical: c.ical };
        } catch (e) {
          // No longer invited, or no such meeting: a lasting answer. Anything else is tried again.
          if (isSiltaError(e) && (e.kind === "not_found" || e.kind === "failed_precondition")) return { found: false, reason: `meetings: ${e.code}` };
          throw e;
        }
      },
    };
    // The live inbox hears of items created and read on any replica (PostgreSQL NOTIFY).
    const feed = new PgInboxFeed(pool, kit.logger);
    kit.onStop("inbox feed", () => feed.stop());
    // The .ics of a booking (consultations) or of a staff participant of a meeting (meetings), at sending.
    const consultationsAddress = config.SILTA_CONSULTATIONS_ADDRESS;
    const consultations = consultationsAddress ? kit.client(ConsultationServiceClient, consultationsAddress, config.SILTA_CONSULTATIONS_AUDIENCE) : undefined;
    const calendars: Calendars = {
      async ics(ref) {
        const [of, id = "", participantId = ""] = ref.split("/");
        const settings = { identity: kit.serviceIdentity(areaCode), deadlineMs: 10_000 };
        try {
          if (of === "booking" && consultations) return (await unary(consultations, consultations.getInvitation, { bookingId: id }, settings)).ics;
          if (of === "meeting" && meetings) return (await unary(meetings, meetings.getCalendar, { meetingId: id, participantId }, settings)).ical;
          return undefined;
        } catch (e) {
          // Gone: the e-mail goes without it. Anything else is tried again.
          if (isSiltaError(e) && (e.kind === "not_found" || e.kind === "failed_precondition")) return undefined;
          throw e;
        }
      },
    };
    const failed = kit.meter.createCounter("silta_notifications_failed", {
      description: "deliveries failed for good (refused, or past their horizon), by channel and must_deliver (alert on must_deliver=true)",
    });
    const deliver = deliverDue({
      store,
      clock,
      senders: out,
      backoff: {
        baseMs: config.SILTA_NOTIFICATIONS_RETRY_BASE_MS,
        capMs: config.SILTA_NOTIFICATIONS_RETRY_CAP_MS,
        horizonMs: config.SILTA_NOTIFICATIONS_RETRY_HORIZON_MS,
      },
      escalation: escalationOf({ store, settings, areaCode }),
      concurrency: config.SILTA_NOTIFICATIONS_DELIVERY_CONCURRENCY,
      workers: config.SILTA_NOTIFICATIONS_DELIVERY_WORKERS,
      ...(family ? { family } : {}),
      calendars,
      linkBase: settings.linkBase,
      defaultLanguage: settings.defaultLanguage,
      onFailed: (d) => failed.add(1, { channel: d.channel, must_deliver: String(d.mustDeliver) }),
      breaker: { after: config.SILTA_NOTIFICATIONS_BREAKER_AFTER, openMs: config.SILTA_NOTIFICATIONS_BREAKER_OPEN_MS },
      endpointFailing: endpointNoticeOf({ store, settings, clock }),
    });
    return {
      grpc: [notificationHandlers(directory, liveInbox({ store, feed }))],
      consume: {
        topics: CONSUMED.map((t) => t.name),
        subscriptions: subscriptions(TRIGGERS, notifyMany({ store, clock, settings })),
        // Events of different keys keep no order between them: partitions side by side.
        partitionsConcurrently: config.SILTA_NOTIFICATIONS_CONSUMER_PARTITIONS,
      },
      jobs: [{ name: "deliveries", intervalMs: config.SILTA_NOTIFICATIONS_DELIVERY_INTERVAL_MS, run: deliver }],
      exports: { store },
    };
  },
};
