// The meetings service's configuration: the common parts (serviceConfig of @silta/host) and its own.
import { env, type ServiceConfig, serviceConfig } from "@silta/host";
import { AREA_CODE, loadConfig, pseudonymConfigShape } from "@silta/platform";
import { z } from "zod";

export const configShape = serviceConfig(
  "meetings",
  { grpcPort: 50054, adminPort: 9104, outbox: true, redis: true, callsServices: true },
  {
    ...pseudonymConfigShape,
    /** The consent service of this wellbeing area (host:port): inviting an organisation needs the family's consent. */
    SILTA_CONSENT_ADDRESS: z.string().regex(/^[\w.-]+:\d+$/, "host:port"),
    SILTA_CONSENT_AUDIENCE: z.string().min(1).default("silta-consent"),
    /** The area this deployment runs for (its identity towards consent, its ce_source, its municipalities). */
    SILTA_AREA_CODE: z.string().regex(AREA_CODE, "a wellbeing-area code"),
    /** The secret signing the family's invitation links (base64, at least 32 bytes). */
    SILTA_MEETINGS_LINK_SECRET: z
      .string()
      .transform((s) => Buffer.from(s, "base64"))
      .refine((b) => b.length >= 32, "at least 32 bytes, base64"),
    /** The longest a family's link stays valid, in days (it ends a day after the meeting's last occurrence anyway). */
    SILTA_MEETINGS_LINK_TTL_DAYS: env.int(60, 1),
    /** Uses of one family link per minute (reading the page and answering). */
    SILTA_MEETINGS_LINK_PER_MINUTE: env.int(30, 1),
    /** How far ahead a series may reach, in days (a series beyond it, or without end, is refused). */
    SILTA_MEETINGS_SERIES_HORIZON_DAYS: env.int(400, 1),
    /** The most occurrences a series may have. */
    SILTA_MEETINGS_SERIES_MAX: env.int(60, 1),
    /** Busy blocks a replica keeps from one common-time search for the next, checked against each calendar's version on every search (0: none). */
    SILTA_MEETINGS_BUSY_CACHE_BLOCKS: env.int(200_000, 0),
    /** How often the managers' figures are read for the metrics. */
    SILTA_MEETINGS_METRICS_INTERVAL_MS: env.int(60_000, 100),
  },
);

export type Config = ServiceConfig<typeof configShape>;
export const loadMeetingsConfig = (e: Record<string, string | undefined> = process.env): Config => loadConfig(configShape, e);
