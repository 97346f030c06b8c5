// The configuration every service shares, from one helper: a service names the parts it has
// (a gRPC server, an HTTP server, a database, Kafka, an outbox, Redis, calls to other services)
// with their default ports, and adds its own variables. The host reads the same parts.
import {
  env,
  grpcTlsConfigShape,
  identitySigningConfigShape,
  identityTrustConfigShape,
  kafkaConfigShape,
  listenConfigShape,
  outboxConfigShape,
} from "@silta/platform";
import { z } from "zod";

export interface ConfigParts {
  /** Default gRPC port: the service serves gRPC, verifying every caller's signed identity. */
  grpcPort?: number;
  /** Default HTTP port (the gateway). */
  httpPort?: number;
  adminPort: number;
  database?: boolean;
  kafka?: boolean;
  /** A transactional outbox (and its relay). Implies database and kafka. */
  outbox?: boolean;
  redis?: boolean;
  /** Calls other services with its own signing key (its identity, or the user's it serves). */
  callsServices?: boolean;
}

const always = (adminPort: number) => ({
  SILTA_ADMIN_PORT: env.port(adminPort),
  SILTA_LOG_LEVEL: env.logLevel(),
  ...listenConfigShape,
});
const grpcServer = (port: number, audience: string) => ({ SILTA_GRPC_PORT: env.port(port), ...grpcTlsConfigShape, ...identityTrustConfigShape(audience) });
const httpServer = (port: number) => ({ SILTA_HTTP_PORT: env.port(port) });
const database = { SILTA_DATABASE_URL: env.url(), SILTA_DB_POOL_SIZE: env.int(20, 1) };
const redis = { SILTA_REDIS_URL: env.url() };
const caller = { ...grpcTlsConfigShape, ...identitySigningConfigShape };

type Has<P, K extends keyof ConfigParts, Shape> = P extends Record<K, number | true> ? Shape : unknown;
export type CommonShape<P extends ConfigParts> = ReturnType<typeof always> &
  Has<P, "grpcPort", ReturnType<typeof grpcServer>> &
  Has<P, "httpPort", ReturnType<typeof httpServer>> &
  Has<P, "database", typeof database> &
  Has<P, "kafka", typeof kafkaConfigShape> &
  Has<P, "outbox", typeof database & typeof kafkaConfigShape & typeof outboxConfigShape> &
  Has<P, "redis", typeof redis> &
  Has<P, "callsServices", typeof caller>;

/**
 * The config shape of service `name`: the common parts it names, then its own variables (which
 * may override a common one, e.g. a stricter default).
 */
export function serviceConfig<const P extends ConfigParts, S extends z.ZodRawShape>(name: string, parts: P, own: S): CommonShape<P> & S {
  const shape: z.ZodRawShape = { ...always(parts.adminPort) };
  if (parts.grpcPort !== undefined) Object.assign(shape, grpcServer(parts.grpcPort, `silta-${name}`));
  if (parts.httpPort !== undefined) Object.assign(shape, httpServer(parts.httpPort));
  if (parts.database || parts.outbox) Object.assign(shape, database);
  if (parts.kafka || parts.outbox) Object.assign(shape, kafkaConfigShape);
  if (parts.outbox) Object.assign(shape, outboxConfigShape);
  if (parts.redis) Object.assign(shape, redis);
  if (parts.callsServices) Object.assign(shape, caller);
  return { ...shape, ...own } as CommonShape<P> & S;
}

/** What the host reads of a service's configuration (each part present only when the service has it). */
export interface HostConfig {
  SILTA_ADMIN_PORT: number;
  SILTA_LOG_LEVEL: string;
  SILTA_BIND_ADDRESS: string;
  SILTA_GRPC_PORT?: number;
  SILTA_HTTP_PORT?: number;
  SILTA_DATABASE_URL?: string;
  SILTA_DB_POOL_SIZE?: number;
  SILTA_KAFKA_BROKERS?: string[];
  SILTA_KAFKA_CREATE_TOPICS?: boolean;
  SILTA_KAFKA_TOPIC_PREFIX?: string;
  SILTA_OUTBOX_DEGRADED_AFTER_MS?: number;
  SILTA_REDIS_URL?: string;
}

/**
 * A topic whose name a deployment may set (the education topic both the gateway and referrals
 * name): the declared name by default.
 */
export const topicNameVariable = (declared: string) =>
  z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{0,200}$/, "a topic name")
    .default(declared);

/** The parsed configuration of a shape made by serviceConfig. */
export type ServiceConfig<S extends z.ZodRawShape> = z.infer<z.ZodObject<S>>;
export { env } from "@silta/platform";
