// The gateway (STYLE.md composition root): token verification, its upstreams (upstreams.ts), the
// education-event intake and the REST app. The host (@silta/host) does the wiring: Kafka, Redis,
// identity signing, admin server with readiness (every upstream, Redis, Kafka), shutdown.
import { readFileSync } from "node:fs";
import { EDUCATION_TOPIC, renamed } from "@silta/contracts/events";
import { type ServiceSpec, upstream } from "@silta/host";
import type { FastifyInstance } from "fastify";
import { buildGateway } from "./app.ts";
import { tokenVerifier } from "./auth/verify-token.ts";
import { configShape, loadGatewayConfig } from "./config.ts";
import { educationEventChecker } from "./intake/education-event.ts";
import { educationIntake } from "./intake/intake.ts";
import { protoSchemas } from "./openapi/proto-schemas.ts";
import { UPSTREAMS } from "./upstreams.ts";

export const gatewayService: ServiceSpec<typeof configShape, { app: FastifyInstance }> = {
  name: "gateway",
  config: configShape,
  load: loadGatewayConfig,
  topics: (config) => [renamed(EDUCATION_TOPIC, config.SILTA_EDUCATION_TOPIC)],
  async compose(kit) {
    const { config, logger, redis } = kit;
    const verify = tokenVerifier({
      issuer: config.SILTA_JWT_ISSUER,
      audience: config.SILTA_JWT_AUDIENCE,
      algorithms: config.SILTA_JWT_ALGORITHMS,
      maxLifetimeSeconds: config.SILTA_TOKEN_MAX_LIFETIME_SECONDS,
      jwks: config.SILTA_JWKS_URL ? new URL(config.SILTA_JWKS_URL) : JSON.parse(readFileSync(config.SILTA_JWKS_FILE as string, "utf8")),
    });
    // The verified caller reaches the services only as this party's signed assertion.
    const upstreams = UPSTREAMS.flatMap((entry) => {
      const address = entry.address(config);
      return address ? [{ entry, upstream: upstream(kit, { name: entry.name, address, audience: entry.audience(config) }) }] : [];
    });
    const kafkaAdmin = kit.kafka.admin();
    await kafkaAdmin.connect();
    kit.onStop("kafka admin", () => kafkaAdmin.disconnect());
    const schemas = protoSchemas();
    const event = "silta.education.v1.EducationEventRecorded";
    const intake = educationIntake({
      producer: kit.producer,
      redis,
      logger,
      check: educationEventChecker(schemas.inline(event), schemas.jsonNames(event)),
      dedupSeconds: config.SILTA_INTAKE_DEDUP_SECONDS,
      deadlineMs: config.SILTA_INTAKE_DEADLINE_MS,
      topic: kit.topicName(config.SILTA_EDUCATION_TOPIC),
    });
    const settings = {
      bodyLimitBytes: config.SILTA_BODY_LIMIT_BYTES,
      intakeBodyLimitBytes: config.SILTA_INTAKE_BODY_LIMIT_BYTES,
      requestTimeoutMs: config.SILTA_REQUEST_TIMEOUT_MS,
      serviceDeadlineMs: config.SILTA_SERVICE_DEADLINE_MS,
      rateLimitPerMinute: config.SILTA_RATE_LIMIT_PER_MINUTE,
      unauthenticatedPerMinute: config.SILTA_UNAUTHENTICATED_PER_MINUTE,
      trustedProxies: config.SILTA_TRUSTED_PROXIES ?? [],
    };
    const app = await buildGateway({ settings, logger, meter: kit.meter, verify, schemas, upstreams, intake, redis });
    return {
      http: {
        async listen(port, host) {
          await app.listen({ port, host });
          return (app.server.address() as { port: number }).port;
        },
        async close() {
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
        },
      },
      readiness: [...upstreams.map((u) => u.upstream.readiness), { name: "kafka", check: async () => void (await kafkaAdmin.describeCluster()) }],
      exports: { app },
    };
  },
};
