// The service host. A service is a specification — its name, config shape, migrations, topics
// and a `compose` function that builds its store, use cases and handlers from the kit — and the
// host does the rest, the same way for every service:
//   start: metrics → migrations → pool, Redis → Kafka, topics, producer, outbox relay →
//          compose (the service's own part) → consumer → jobs → gRPC → HTTP → admin;
//   stop:  the reverse, through one shutdown registry (each step bounded in time, a failing
//          step logged and the rest still run), after readiness has turned to "draining".
// Guarantees: every gRPC call's identity is verified (the service's trust file and audience);
// calls the service makes carry its own signed proof; a job marked `oneAcrossReplicas` runs in
// one replica at a time (an advisory lock taken before each run); a start that fails half-way
// stops what it had started before rethrowing.
import type { ChannelCredentials, Client } from "@grpc/grpc-js";
import type { Meter } from "@opentelemetry/api";
import {
  createEventProducer,
  createKafka,
  type EventProducer,
  ensureTopics,
  kafkaSettingsOf,
  type Subscription,
  startEventConsumer,
  type TopicSpec,
} from "@silta/events";
import { type ClientConstructor, createClient, createGrpcServer, grpcCredentials, type ServiceRegistration, usageLogService } from "@silta/grpc";
import {
  configOrExit,
  createAdminServer,
  createLogger,
  createMetrics,
  createRedis,
  createShutdown,
  type Identity,
  type IdentityProver,
  identityProver,
  identityVerifier,
  type Logger,
  loadConfig,
  type Metrics,
  type Periodic,
  type ReadinessCheck,
  type Redis,
  redisReadiness,
  type Shutdown,
  type SigningKey,
  startPeriodic,
  type TrustedSigner,
} from "@silta/platform";
import { createPool, LeaderLock, migrate, OutboxRelay, PgUsageLog, type Pool, postgresReadiness } from "@silta/postgres";
import type { Kafka } from "kafkajs";
import type { z } from "zod";
import type { HostConfig } from "./config.ts";

/** The time every timed rule reads; tests inject their own. */
export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

/** What a service's `compose` gets from the host. Parts the service's config lacks throw when read. */
export interface Kit<C> {
  name: string;
  config: C;
  logger: Logger;
  clock: Clock;
  meter: Meter;
  pool: Pool;
  kafka: Kafka;
  /** Publishes directly (the gateway's intake); services with an outbox publish through it instead. */
  producer: EventProducer;
  redis: Redis;
  /** The usage log (who read which person's records), kept in the service's own database. */
  usage: PgUsageLog;
  /** The name a declared topic has on this deployment's cluster (SILTA_KAFKA_TOPIC_PREFIX + name). */
  topicName(declared: string): string;
  /** This service's own signing key (callsServices). */
  prover: IdentityProver;
  /** gRPC credentials towards other services (mutual TLS when configured). */
  clientCredentials: ChannelCredentials;
  /**
   * A client of another service whose calls carry this service's signed proof for `audience`
   * (the identity it proves is the call's: the service's own or the user's it serves). Closed at stop.
   */
  client<T extends Client>(Ctor: ClientConstructor<T>, address: string, audience: string): T;
  /** The identity of this service acting on its own behalf (e.g. a consent check for its participants). */
  serviceIdentity(areaCode?: string): Identity;
  /** Something the service opened itself, closed at stop (in reverse order of registration). */
  onStop(name: string, close: () => Promise<void> | void): void;
}

export interface Job {
  name: string;
  intervalMs: number;
  run(): Promise<unknown>;
  /** One active runner across replicas: the host takes an advisory lock before each run. */
  oneAcrossReplicas?: boolean;
}

/** An HTTP server the host starts after gRPC and stops before it (the gateway's REST edge). */
export interface HttpPart {
  listen(port: number, host: string): Promise<number>;
  /** Stops taking requests and closes (bounded by the host's step timeout). */
  close(): Promise<void>;
}

export interface Composition<X> {
  grpc?: ServiceRegistration[];
  http?: HttpPart;
  consume?: {
    topics: string[];
    subscriptions: Subscription<unknown>[];
    maxAttempts?: number;
    retryBackoffMs?: number;
    /** Partitions handled side by side (order within each kept); 1 by default. */
    partitionsConcurrently?: number;
  };
  jobs?: Job[];
  readiness?: ReadinessCheck[];
  /** Whatever the service wants its tests to reach (e.g. the gateway's app for its OpenAPI document). */
  exports?: X;
}

export interface ServiceSpec<S extends z.ZodRawShape, X = undefined> {
  /** `referrals` → metrics service name, client id `silta-referrals`, audience `silta-referrals`. */
  name: string;
  config: S;
  /** Reads the configuration when the shape alone cannot say it (variables that go together); loadConfig(config) by default. */
  load?(env: Record<string, string | undefined>): z.infer<z.ZodObject<S>>;
  /**
   * Publishes through a transactional outbox (the relay runs in the host). True when the config
   * has the outbox part (serviceConfig `outbox`), which also adds the relay's readiness check.
   */
  outbox?: boolean;
  /** The service's own migrations directory (the kit's run first). */
  migrations?: URL;
  /** The topics it produces and consumes (declared in @silta/contracts); created at start unless SILTA_KAFKA_CREATE_TOPICS=false. */
  topics?(config: z.infer<z.ZodObject<S>>): TopicSpec[];
  compose(kit: Kit<z.infer<z.ZodObject<S>>>): Promise<Composition<X>> | Composition<X>;
}

export interface HostOptions {
  clock?: Clock;
  /** Overrides SILTA_BIND_ADDRESS (tests bind 127.0.0.1). */
  host?: string;
  /** Overrides the consumer group (tests give each file its own). */
  consumerGroup?: string;
  /** Poll interval of the outbox relay (ms). */
  relayPollMs?: number;
  /** Run the outbox relay in this process (a test of a separate relay process turns it off). */
  relay?: boolean;
  /** How often gRPC health follows readiness (ms). */
  healthIntervalMs?: number;
  /** How long stop() lets gRPC calls in flight finish (ms). */
  grpcGraceMs?: number;
}

export interface RunningJob extends Periodic {
  isLeader(): boolean;
}

export interface RunningService<X> {
  name: string;
  grpcPort: number | undefined;
  httpPort: number | undefined;
  adminPort: number;
  pool: Pool;
  relay: OutboxRelay | undefined;
  job(name: string): RunningJob;
  exports: X;
  stop(): Promise<void>;
}

const missing = (name: string, part: string, variable: string) => () => {
  throw new Error(`service ${name} reads ${part} but its config has no ${variable} (serviceConfig parts)`);
};

function lazy<T>(value: T | undefined, orElse: () => never): T {
  return value ?? orElse();
}

export async function startService<S extends z.ZodRawShape, X>(
  spec: ServiceSpec<S, X>,
  config: z.infer<z.ZodObject<S>>,
  logger: Logger,
  options: HostOptions = {},
): Promise<RunningService<X>> {
  const c = config as unknown as HostConfig & Record<string, unknown>;
  const stops = createShutdown(logger, { exit: false });
  const bind = options.host ?? c.SILTA_BIND_ADDRESS;
  const serviceId = `silta-${spec.name}`;
  try {
    const metrics: Metrics = createMetrics(spec.name);
    stops.add("metrics", () => metrics.shutdown());
    const readiness: ReadinessCheck[] = [];

    let pool: Pool | undefined;
    let usage: PgUsageLog | undefined;
    if (c.SILTA_DATABASE_URL) {
      await migrate({ databaseUrl: c.SILTA_DATABASE_URL, ...(spec.migrations ? { dir: new URL(spec.migrations).pathname } : {}), logger });
      const p = createPool(c.SILTA_DATABASE_URL, { max: c.SILTA_DB_POOL_SIZE ?? 20, applicationName: serviceId });
      pool = p;
      stops.add("database pool", () => p.end());
      usage = new PgUsageLog(p);
      readiness.push(postgresReadiness(p));
    }
    let redis: Redis | undefined;
    if (c.SILTA_REDIS_URL) {
      const r = createRedis(c.SILTA_REDIS_URL, (err) => logger.warn({ err: err.message }, "redis connection error (reconnecting)"));
      redis = r;
      stops.add("redis", () => r.disconnect());
      readiness.push(redisReadiness(r));
    }
    // The admin server closes late (after everything that serves), but is opened last.
    let admin: ReturnType<typeof createAdminServer> | undefined;
    stops.add("admin server", () => admin?.close());

    const prefix = String(c.SILTA_KAFKA_TOPIC_PREFIX ?? "");
    const topicName = (declared: string) => prefix + declared;
    let kafka: Kafka | undefined;
    let producer: EventProducer | undefined;
    let relay: OutboxRelay | undefined;
    if (c.SILTA_KAFKA_BROKERS) {
      kafka = createKafka({ ...kafkaSettingsOf(config as unknown as Parameters<typeof kafkaSettingsOf>[0]), clientId: serviceId, logger });
      if (c.SILTA_KAFKA_CREATE_TOPICS !== false && spec.topics)
        await ensureTopics(
          kafka,
          spec.topics(config).map((t) => ({ ...t, name: topicName(t.name) })),
        );
      const prod = await createEventProducer(kafka);
      producer = prod;
      stops.add("producer", () => prod.disconnect());
      if ((spec.outbox ?? c.SILTA_OUTBOX_DEGRADED_AFTER_MS !== undefined) && pool && c.SILTA_DATABASE_URL) {
        const rel = new OutboxRelay({
          pool,
          connectionString: c.SILTA_DATABASE_URL,
          producer: prod,
          logger,
          meter: metrics.meter,
          topicPrefix: prefix,
          ...(options.relayPollMs ? { pollMs: options.relayPollMs } : {}),
        });
        relay = rel;
        stops.add("outbox relay", () => rel.stop());
        if (c.SILTA_OUTBOX_DEGRADED_AFTER_MS !== undefined) readiness.push(rel.readiness(c.SILTA_OUTBOX_DEGRADED_AFTER_MS));
      }
    }

    const tls = grpcCredentials(config as unknown as Parameters<typeof grpcCredentials>[0]);
    const signingKey = c.SILTA_IDENTITY_SIGNING_KEY_FILE as SigningKey | undefined;
    const prover: IdentityProver | undefined = signingKey ? identityProver(signingKey) : undefined;
    const legacyHeader = c.SILTA_IDENTITY_LEGACY_HEADER === true;
    const kit: Kit<z.infer<z.ZodObject<S>>> = {
      name: spec.name,
      config,
      logger,
      clock: options.clock ?? systemClock,
      meter: metrics.meter,
      get pool() {
        return lazy(pool, missing(spec.name, "pool", "SILTA_DATABASE_URL"));
      },
      get kafka() {
        return lazy(kafka, missing(spec.name, "kafka", "SILTA_KAFKA_BROKERS"));
      },
      get producer() {
        return lazy(producer, missing(spec.name, "producer", "SILTA_KAFKA_BROKERS"));
      },
      get redis() {
        return lazy(redis, missing(spec.name, "redis", "SILTA_REDIS_URL"));
      },
      get usage() {
        return lazy(usage, missing(spec.name, "usage", "SILTA_DATABASE_URL"));
      },
      get prover() {
        return lazy(prover, missing(spec.name, "prover", "SILTA_IDENTITY_SIGNING_KEY_FILE"));
      },
      topicName,
      clientCredentials: tls.client,
      client(Ctor, address, audience) {
        const client = createClient(Ctor, address, tls.client, { prover: kit.prover, audience, legacyHeader });
        stops.add(`client of ${audience}`, () => client.close());
        return client;
      },
      serviceIdentity: (areaCode) => ({
        subject: serviceId,
        organisationId: areaCode ? `${serviceId}-${areaCode}` : serviceId,
        organisationType: "service",
        roles: [],
        areaCodes: areaCode ? [areaCode] : [],
        municipalityCodes: [],
      }),
      onStop: (name, close) => stops.add(name, close),
    };

    const parts = await spec.compose(kit);
    readiness.push(...(parts.readiness ?? []));

    if (parts.consume) {
      const consumer = await startEventConsumer({
        kafka: kit.kafka,
        groupId: options.consumerGroup ?? serviceId,
        topics: parts.consume.topics.map(topicName),
        subscriptions: parts.consume.subscriptions,
        logger,
        meter: metrics.meter,
        ...(parts.consume.maxAttempts ? { maxAttempts: parts.consume.maxAttempts } : {}),
        ...(parts.consume.retryBackoffMs ? { retryBackoffMs: parts.consume.retryBackoffMs } : {}),
        ...(parts.consume.partitionsConcurrently ? { partitionsConcurrently: parts.consume.partitionsConcurrently } : {}),
      });
      stops.add("consumer", () => consumer.stop());
    }

    const jobs = new Map<string, RunningJob>();
    for (const job of parts.jobs ?? []) jobs.set(job.name, startJob(job, spec.name, c.SILTA_DATABASE_URL, logger, stops));

    let grpcPort: number | undefined;
    if (c.SILTA_GRPC_PORT !== undefined) {
      const trust = c.SILTA_IDENTITY_TRUST_FILE as TrustedSigner[];
      const grpc = createGrpcServer({
        logger,
        meter: metrics.meter,
        services: [...(parts.grpc ?? []), ...(usage ? [usageLogService(usage)] : [])],
        verifyIdentity: identityVerifier(trust, String(c.SILTA_IDENTITY_AUDIENCE)),
        readiness,
        credentials: tls.server,
        ...(options.healthIntervalMs ? { healthIntervalMs: options.healthIntervalMs } : {}),
      });
      grpcPort = await grpc.listen(c.SILTA_GRPC_PORT, bind);
      stops.add("gRPC server", () => grpc.close(options.grpcGraceMs ?? 5000));
    }
    if (relay && options.relay !== false) relay.start();

    let httpPort: number | undefined;
    if (parts.http && c.SILTA_HTTP_PORT !== undefined) {
      const http = parts.http;
      httpPort = await http.listen(c.SILTA_HTTP_PORT, bind);
      stops.add("HTTP server", () => http.close());
    }

    const adminServer = createAdminServer({ logger, metrics, checks: readiness });
    admin = adminServer;
    const adminPort = await adminServer.listen(c.SILTA_ADMIN_PORT, bind);
    // Runs first on stop: readiness answers "draining" while the servers finish.
    stops.add("readiness", () => adminServer.draining());
    logger.info({ grpcPort, httpPort, adminPort, mutualTls: tls.mutualTls }, `${spec.name} service started`);

    return {
      name: spec.name,
      grpcPort,
      httpPort,
      adminPort,
      get pool() {
        return kit.pool;
      },
      relay,
      job(name) {
        const j = jobs.get(name);
        if (!j) throw new Error(`service ${spec.name} has no job ${name}`);
        return j;
      },
      exports: parts.exports as X,
      stop: () => stops.run("stop"),
    };
  } catch (err) {
    await stops.run("start failed");
    throw err;
  }
}

function startJob(job: Job, service: string, databaseUrl: string | undefined, logger: Logger, stops: Shutdown): RunningJob {
  let lock: LeaderLock | undefined;
  if (job.oneAcrossReplicas) {
    if (!databaseUrl) throw new Error(`job ${job.name}: oneAcrossReplicas needs the service's database (its advisory lock)`);
    const l = new LeaderLock(databaseUrl, `silta.${service}.${job.name}`);
    lock = l;
    stops.add(`${job.name} lock`, () => l.release());
  }
  const periodic = startPeriodic(
    job.name,
    job.intervalMs,
    async () => {
      if (!lock || (await lock.tryAcquire())) await job.run();
    },
    logger,
  );
  stops.add(`job ${job.name}`, () => periodic.stop());
  return { ...periodic, isLeader: () => lock?.isLeader ?? true };
}

/**
 * A service's `main.ts`: reads the configuration (a bad one exits 78 naming the variable), starts
 * the service and stops it on SIGTERM/SIGINT.
 */
export async function runService<S extends z.ZodRawShape, X>(spec: ServiceSpec<S, X>): Promise<void> {
  const config = configOrExit(() => loadServiceConfig(spec, process.env));
  const logger = createLogger({ service: spec.name, level: String((config as { SILTA_LOG_LEVEL?: string }).SILTA_LOG_LEVEL ?? "info") });
  const shutdown = createShutdown(logger);
  const service = await startService(spec, config, logger);
  shutdown.add(`${spec.name} service`, () => service.stop());
}

/** The service's configuration from `env` (its `load`, or its shape). */
export function loadServiceConfig<S extends z.ZodRawShape, X>(spec: ServiceSpec<S, X>, env: Record<string, string | undefined>): z.infer<z.ZodObject<S>> {
  return spec.load ? spec.load(env) : loadConfig(spec.config, env);
}
