// The gateway's configuration: the common parts (serviceConfig of @silta/host), its upstreams
// (upstreams.ts) and its own.
import { EDUCATION_TOPIC } from "@silta/contracts/events";
import { env, type ServiceConfig, serviceConfig, topicNameVariable } from "@silta/host";
import { ConfigError, loadConfig } from "@silta/platform";
import { z } from "zod";

const address = () => z.string().regex(/^[\w.-]+:\d+$/, "host:port");

export const configShape = serviceConfig(
  "gateway",
  { httpPort: 8080, adminPort: 9100, kafka: true, redis: true, callsServices: true },
  {
    SILTA_CONSENT_ADDRESS: address(),
    SILTA_REFERRALS_ADDRESS: address(),
    /** The area's consultations service; unset where the deployment has none (no consultation routes then). */
    SILTA_CONSULTATIONS_ADDRESS: address().optional(),
    /** The area's meetings service; unset where the deployment has none (no meeting routes or invitation pages then). */
    SILTA_MEETINGS_ADDRESS: address().optional(),
    /** The area's notifications service; unset where the deployment has none (no inbox or notification routes then). */
    SILTA_NOTIFICATIONS_ADDRESS: address().optional(),
    /** The audiences the services verify this gateway's identity proofs for (their SILTA_IDENTITY_AUDIENCE). */
    SILTA_CONSENT_AUDIENCE: z.string().min(1).default("silta-consent"),
    SILTA_REFERRALS_AUDIENCE: z.string().min(1).default("silta-referrals"),
    SILTA_CONSULTATIONS_AUDIENCE: z.string().min(1).default("silta-consultations"),
    SILTA_MEETINGS_AUDIENCE: z.string().min(1).default("silta-meetings"),
    SILTA_NOTIFICATIONS_AUDIENCE: z.string().min(1).default("silta-notifications"),
    /** The identity provider's JWKS (https://…), or a file with a JWKS document (development key). */
    SILTA_JWKS_URL: env.url().optional(),
    SILTA_JWKS_FILE: z.string().min(1).optional(),
    SILTA_JWT_ISSUER: env.string(),
    SILTA_JWT_AUDIENCE: env.string(),
    /** Asymmetric algorithms only: never `none`, never HS* (a JWKS holds public keys). */
    SILTA_JWT_ALGORITHMS: z
      .string()
      .default("ES256,RS256,PS256,EdDSA")
      .transform((s) => s.split(",").map((x) => x.trim()))
      .pipe(z.array(z.enum(["ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "EdDSA"])).min(1)),
    /** Requests per organisation per minute (all routes together). */
    SILTA_RATE_LIMIT_PER_MINUTE: env.int(1200, 1),
    /** Requests without a valid token per client address per minute, counted before any verification. */
    SILTA_UNAUTHENTICATED_PER_MINUTE: env.int(300, 1),
    /**
     * The proxies (addresses or CIDRs, comma-separated) whose X-Forwarded-For names the client, e.g.
     * the ingress controller's pod network. Empty: the peer address is the client.
     */
    SILTA_TRUSTED_PROXIES: env.list().optional(),
    /** The longest token lifetime (exp − iat) accepted, in seconds. */
    SILTA_TOKEN_MAX_LIFETIME_SECONDS: env.int(12 * 3600, 60),
    /** Body limit of ordinary routes; the education-event intake allows a 500-event batch. */
    SILTA_BODY_LIMIT_BYTES: env.int(256 * 1024, 1024),
    SILTA_INTAKE_BODY_LIMIT_BYTES: env.int(4 * 1024 * 1024, 1024),
    /** A request (headers to response) and a call to a service may take this long. */
    SILTA_REQUEST_TIMEOUT_MS: env.int(15_000, 100),
    SILTA_SERVICE_DEADLINE_MS: env.int(5_000, 50),
    /** How long an intake batch waits for Kafka before it is answered 503 (under the request timeout). */
    SILTA_INTAKE_DEADLINE_MS: env.int(8_000, 100),
    /** After SIGTERM, how long new requests are answered 503 (Connection: close) before the server closes. */
    SILTA_DRAIN_MS: env.int(2_000, 0),
    /** The topic of school and early-education events (the same name the referrals service reads). */
    SILTA_EDUCATION_TOPIC: topicNameVariable(EDUCATION_TOPIC.name),
    /** How long an accepted education event id is remembered (a retried batch adds nothing). */
    SILTA_INTAKE_DEDUP_SECONDS: env.int(7 * 24 * 3600, 60),
  },
);

export type Config = ServiceConfig<typeof configShape>;

export const loadGatewayConfig = (e: Record<string, string | undefined> = process.env): Config => {
  const config = loadConfig(configShape, e);
  if (!config.SILTA_JWKS_URL === !config.SILTA_JWKS_FILE) {
    throw new ConfigError([{ variable: "SILTA_JWKS_URL", reason: "set exactly one of SILTA_JWKS_URL and SILTA_JWKS_FILE" }]);
  }
  return config;
};
