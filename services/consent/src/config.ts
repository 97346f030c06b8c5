// The consent service's configuration: the common parts (serviceConfig of @silta/host) and its own.
import { env, type ServiceConfig, serviceConfig } from "@silta/host";
import { loadConfig } from "@silta/platform";
import { z } from "zod";

export const configShape = serviceConfig(
  "consent",
  { grpcPort: 50051, adminPort: 9101, outbox: true },
  {
    /** The `ce_source` of this deployment's events, e.g. /silta/consent/13. */
    SILTA_EVENT_SOURCE: z
      .string()
      .regex(/^\/[\w./-]+$/)
      .default("/silta/consent"),
    SILTA_CONSENT_EXPIRY_INTERVAL_MS: env.int(10_000, 50),
    SILTA_CONSENT_AUDIT_CHAIN_INTERVAL_MS: env.int(200, 10),
    /**
     * Disclosure checks one organisation may make about one child per minute (per replica); every
     * check is audited, so this is what keeps a caller from flooding a child's audit trail.
     * Silta's own services are not limited (they check for their participants).
     */
    SILTA_CONSENT_CHECKS_PER_MINUTE: env.int(120, 1),
  },
);

export type Config = ServiceConfig<typeof configShape>;
export const loadConsentConfig = (e: Record<string, string | undefined> = process.env): Config => loadConfig(configShape, e);
