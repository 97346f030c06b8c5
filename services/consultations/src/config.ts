// The consultations service's configuration: the common parts (serviceConfig of @silta/host) and its own.
import { env, type ServiceConfig, serviceConfig } from "@silta/host";
import { AREA_CODE, loadConfig, pseudonymConfigShape } from "@silta/platform";
import { z } from "zod";

export const configShape = serviceConfig(
  "consultations",
  { grpcPort: 50053, adminPort: 9103, outbox: true, callsServices: true },
  {
    ...pseudonymConfigShape,
    /** The consent service of this wellbeing area (host:port): co-work needs the family's consent. */
    SILTA_CONSENT_ADDRESS: z.string().regex(/^[\w.-]+:\d+$/, "host:port"),
    SILTA_CONSENT_AUDIENCE: z.string().min(1).default("silta-consent"),
    /** The area this deployment runs for (its identity towards consent, its ce_source, its municipalities). */
    SILTA_AREA_CODE: z.string().regex(AREA_CODE, "a wellbeing-area code"),
    /** How long a hold keeps a time while the requester fills in the form. */
    SILTA_CONSULTATIONS_HOLD_MINUTES: env.int(10, 1),
    /** The most occurrences a mentoring series may have. */
    SILTA_CONSULTATIONS_SERIES_MAX: env.int(26, 1),
    /** How often the share each municipality got is read for the metrics. */
    SILTA_CONSULTATIONS_METRICS_INTERVAL_MS: env.int(60_000, 100),
  },
);

export type Config = ServiceConfig<typeof configShape>;
export const loadConsultationsConfig = (e: Record<string, string | undefined> = process.env): Config => loadConfig(configShape, e);
