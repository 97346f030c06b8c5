// The notifications service's configuration: the common parts (serviceConfig of @silta/host) and its own.
import { env, type ServiceConfig, serviceConfig } from "@silta/host";
import { AREA_CODE, loadConfig } from "@silta/platform";
import { z } from "zod";

export const configShape = serviceConfig(
  "notifications",
  { grpcPort: 50055, adminPort: 9105, outbox: true, callsServices: true },
  {
    /** The area this deployment runs for (whose intake and duty desks its events reach). */
    SILTA_AREA_CODE: z.string().regex(AREA_CODE, "a wellbeing-area code"),
    /** The area's meetings service (host:port): a family member's address, language and invitation link are read from it at sending; unset: no meetings here. */
    SILTA_MEETINGS_ADDRESS: z
      .string()
      .regex(/^[\w.-]+:\d+$/, "host:port")
      .optional(),
    SILTA_MEETINGS_AUDIENCE: z.string().min(1).default("silta-meetings"),
    /** The area's consultations service (host:port): a booking's .ics is read from it at sending, for the e-mails about it; unset: e-mails without. */
    SILTA_CONSULTATIONS_ADDRESS: z
      .string()
      .regex(/^[\w.-]+:\d+$/, "host:port")
      .optional(),
    SILTA_CONSULTATIONS_AUDIENCE: z.string().min(1).default("silta-consultations"),
    /** Where the links in messages lead (the Silta front end, or the organisation's own system). */
    SILTA_NOTIFICATIONS_LINK_BASE: z.url().default("https://silta.example.fi"),
    /** The language of a person not in the directory. */
    SILTA_NOTIFICATIONS_DEFAULT_LANGUAGE: z.enum(["fi", "sv", "en"]).default("fi"),
    /** The SMTP server e-mails go to (host:port) and the sender address. */
    SILTA_SMTP_HOST: z.string().min(1).default("127.0.0.1"),
    SILTA_SMTP_PORT: env.int(1025, 1),
    /** Implicit TLS (port 465); otherwise STARTTLS when the server offers it. */
    SILTA_SMTP_SECURE: env.bool(false),
    SILTA_SMTP_USER: z.string().optional(),
    SILTA_SMTP_PASSWORD: z.string().optional(),
    SILTA_SMTP_FROM: z.string().min(3).default("Silta <ilmoitukset@silta.example.fi>"),
    /** Development only: webhooks to loopback over http, and to addresses that are not public. */
    SILTA_NOTIFICATIONS_ALLOW_PRIVATE_WEBHOOKS: env.bool(false),
    SILTA_NOTIFICATIONS_WEBHOOK_TIMEOUT_MS: env.int(10_000, 100),
    /** Retries: the first step, the longest step, and how long after the first attempt a delivery is tried at all. */
    SILTA_NOTIFICATIONS_RETRY_BASE_MS: env.int(30_000, 10),
    SILTA_NOTIFICATIONS_RETRY_CAP_MS: env.int(3_600_000, 10),
    SILTA_NOTIFICATIONS_RETRY_HORIZON_MS: env.int(24 * 3_600_000, 1000),
    /** Partitions of the consumed topics a replica handles side by side (each partition's events in order). */
    SILTA_NOTIFICATIONS_CONSUMER_PARTITIONS: env.int(6, 1),
    /** Deliveries a replica claims and sends side by side (one transaction records them). */
    SILTA_NOTIFICATIONS_DELIVERY_CONCURRENCY: env.int(32, 1),
    /** Claim loops a replica runs side by side, each with its own claim (and database connection). */
    SILTA_NOTIFICATIONS_DELIVERY_WORKERS: env.int(4, 1),
    /** A webhook endpoint's breaker opens after this many failures in a row, for this long (its administrators are told once). */
    SILTA_NOTIFICATIONS_BREAKER_AFTER: env.int(5, 1),
    SILTA_NOTIFICATIONS_BREAKER_OPEN_MS: env.int(300_000, 1000),
    /** How often each replica looks for due deliveries. */
    SILTA_NOTIFICATIONS_DELIVERY_INTERVAL_MS: env.int(1000, 10),
  },
);

export type Config = ServiceConfig<typeof configShape>;
export const loadNotificationsConfig = (e: Record<string, string | undefined> = process.env): Config => loadConfig(configShape, e);
