// The gateway assembled: config → keys → gRPC clients, Kafka producer, Redis → app → listen,
// admin server (readiness = consent, referrals, Kafka, Redis). Nothing durable of its own.
import { readFileSync } from "node:fs";
import type { ChannelCredentials } from "@grpc/grpc-js";
import { ConsentServiceClient } from "@silta/contracts/consent/v1/consent.ts";
import { HealthCheckResponse_ServingStatus, HealthClient } from "@silta/contracts/grpc/health/v1/health.ts";
import { ReferralServiceClient } from "@silta/contracts/referrals/v1/referrals.ts";
import { UsageLogServiceClient } from "@silta/contracts/usage/v1/usage.ts";
import { createEventProducer, createKafka, ensureTopics, kafkaSettingsOf } from "@silta/events";
import { createClient, grpcCredentials, unary } from "@silta/grpc";
import { createAdminServer, createMetrics, createRedis, identityProver, type Logger, type ReadinessCheck, redisReadiness } from "@silta/platform";
import { buildGateway } from "./app.ts";
import { tokenVerifier } from "./auth/verify-token.ts";
import type { Config } from "./config.ts";
import { educationEventChecker } from "./intake/education-event.ts";
import { EDUCATION_TOPIC, educationIntake } from "./intake/intake.ts";
import { protoSchemas } from "./openapi/proto-schemas.ts";

function grpcReadiness(name: string, address: string, creds: ChannelCredentials): ReadinessCheck & { close(): void } {
  const health = createClient(HealthClient, address, creds);
  return {
    name,
    check: async () => {
      const r = await unary(health, health.check, { service: "" }, { deadlineMs: 1500 });
      if (r.status !== HealthCheckResponse_ServingStatus.SERVING) throw new Error("not serving");
    },
    close: () => health.close(),
  };
}

export async function startGateway(config: Config, logger: Logger, options: { host?: string } = {}) {
  const metrics = createMetrics("gateway");
  const verify = tokenVerifier({
    issuer: config.SILTA_JWT_ISSUER,
    audience: config.SILTA_JWT_AUDIENCE,
    algorithms: config.SILTA_JWT_ALGORITHMS,
    maxLifetimeSeconds: config.SILTA_TOKEN_MAX_LIFETIME_SECONDS,
    jwks: config.SILTA_JWKS_URL ? new URL(config.SILTA_JWKS_URL) : JSON.parse(readFileSync(config.SILTA_JWKS_FILE as string, "utf8")),
  });
  const tls = grpcCredentials(config);
  // The verified caller reaches the services only as this party's signed assertion.
  const prover = identityProver(config.SILTA_IDENTITY_SIGNING_KEY_FILE);
  const legacyHeader = config.SILTA_IDENTITY_LEGACY_HEADER;
  const toReferrals = { prover, audience: config.SILTA_REFERRALS_AUDIENCE, legacyHeader };
  const toConsent = { prover, audience: config.SILTA_CONSENT_AUDIENCE, legacyHeader };
  const referrals = createClient(ReferralServiceClient, config.SILTA_REFERRALS_ADDRESS, tls.client, toReferrals);
  const consent = createClient(ConsentServiceClient, config.SILTA_CONSENT_ADDRESS, tls.client, toConsent);
  const usageLogs = {
    referrals: createClient(UsageLogServiceClient, config.SILTA_REFERRALS_ADDRESS, tls.client, toReferrals),
    consent: createClient(UsageLogServiceClient, config.SILTA_CONSENT_ADDRESS, tls.client, toConsent),
  };
  const kafka = createKafka({ ...kafkaSettingsOf(config), clientId: "silta-gateway", logger });
  if (config.SILTA_KAFKA_CREATE_TOPICS) await ensureTopics(kafka, [{ ...EDUCATION_TOPIC, name: config.SILTA_EDUCATION_TOPIC }]);
  const producer = await createEventProducer(kafka);
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  const redis = createRedis(config.SILTA_REDIS_URL);
  const schemas = protoSchemas();
  const intake = educationIntake({
    producer,
    redis,
    logger,
    check: educationEventChecker(schemas.inline("silta.education.v1.EducationEventRecorded"), schemas.jsonNames("silta.education.v1.EducationEventRecorded")),
    dedupSeconds: config.SILTA_INTAKE_DEDUP_SECONDS,
    deadlineMs: config.SILTA_INTAKE_DEADLINE_MS,
    topic: config.SILTA_EDUCATION_TOPIC,
  });
  const app = await buildGateway({
    settings: {
      bodyLimitBytes: config.SILTA_BODY_LIMIT_BYTES,
      intakeBodyLimitBytes: config.SILTA_INTAKE_BODY_LIMIT_BYTES,
      requestTimeoutMs: config.SILTA_REQUEST_TIMEOUT_MS,
      serviceDeadlineMs: config.SILTA_SERVICE_DEADLINE_MS,
      rateLimitPerMinute: config.SILTA_RATE_LIMIT_PER_MINUTE,
      unauthenticatedPerMinute: config.SILTA_UNAUTHENTICATED_PER_MINUTE,
      trustedProxies: config.SILTA_TRUSTED_PROXIES ?? [],
    },
    logger,
    meter: metrics.meter,
    verify,
    schemas,
    referrals,
    consent,
    usageLogs,
    intake,
    redis,
  });
  const upstreams = [
    grpcReadiness("consent", config.SILTA_CONSENT_ADDRESS, tls.client),
    grpcReadiness("referrals", config.SILTA_REFERRALS_ADDRESS, tls.client),
  ];
  const checks: ReadinessCheck[] = [...upstreams, redisReadiness(redis), { name: "kafka", check: async () => void (await kafkaAdmin.describeCluster()) }];
  await app.listen({ port: config.SILTA_HTTP_PORT, host: options.host ?? config.SILTA_BIND_ADDRESS });
  const httpPort = (app.server.address() as { port: number }).port;
  const admin = createAdminServer({ logger, metrics, checks });
  const adminPort = await admin.listen(config.SILTA_ADMIN_PORT, options.host ?? config.SILTA_BIND_ADDRESS);
  logger.info({ httpPort, adminPort }, "gateway started");

  return {
    app,
    httpPort,
    adminPort,
    redis,
    async stop() {
      admin.draining();
      // Requests still arriving (kept-alive connections, a load balancer that has not yet seen
      // the readiness change) get 503 with Connection: close for a while, then the server closes.
      app.startDraining();
      await new Promise((r) => setTimeout(r, config.SILTA_DRAIN_MS));
      // In-flight requests finish; new ones get 503 (return503OnClosing) until the server is
      // closed. A keep-alive connection that goes idle after its last answer would hold close()
      // until its keep-alive timeout: idle connections are closed as they appear.
      const sweep = setInterval(() => app.server.closeIdleConnections(), 50);
      try {
        await app.close();
      } finally {
        clearInterval(sweep);
      }
      await producer.disconnect();
      await kafkaAdmin.disconnect();
      referrals.close();
      consent.close();
      usageLogs.referrals.close();
      usageLogs.consent.close();
      for (const u of upstreams) u.close();
      redis.disconnect();
      await admin.close();
      await metrics.shutdown();
    },
  };
}
