import { env, grpcTlsConfigShape, identityTrustConfigShape, kafkaConfigShape, listenConfigShape, loadConfig, outboxConfigShape } from "@silta/platform";
import { z } from "zod";

export const configShape = {
  SILTA_GRPC_PORT: env.port(50051),
  SILTA_ADMIN_PORT: env.port(9101),
  SILTA_DATABASE_URL: env.url(),
  ...kafkaConfigShape,
  ...grpcTlsConfigShape,
  ...listenConfigShape,
  ...outboxConfigShape,
  ...identityTrustConfigShape("silta-consent"),
  SILTA_LOG_LEVEL: env.logLevel(),
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
  SILTA_DB_POOL_SIZE: env.int(20, 1),
};

export type Config = ReturnType<typeof loadConsentConfig>;
export const loadConsentConfig = (e: Record<string, string | undefined> = process.env) => loadConfig(configShape, e);
