// The consent service assembled (STYLE.md composition root): config → telemetry → pool and
// clients → store → use cases → gRPC server, relay, jobs → admin server. main.ts adds the
// process concerns (signals); tests start this in-process on port 0.
import { fileURLToPath } from "node:url";
import { createEventProducer, createKafka, ensureTopics, kafkaSettingsOf } from "@silta/events";
import { createGrpcServer, grpcCredentials, usageLogService } from "@silta/grpc";
import { createAdminServer, createMetrics, identityVerifier, type Logger, startPeriodic } from "@silta/platform";
import { createPool, migrate, OutboxRelay, PgUsageLog, postgresReadiness } from "@silta/postgres";
import { listAudit, verifyAudit } from "./app/audit.ts";
import { checkDisclosure, checkRateLimit } from "./app/check-disclosure.ts";
import { expireConsents } from "./app/expire-consents.ts";
import { grantConsent } from "./app/grant-consent.ts";
import { type Clock, systemClock } from "./app/ports.ts";
import { getConsent, listConsents } from "./app/read-consents.ts";
import { recordStatutoryBasis } from "./app/record-basis.ts";
import { revokeConsent } from "./app/revoke-consent.ts";
import type { Config } from "./config.ts";
import { chainPending } from "./db/audit-chain.ts";
import { PgConsentStore } from "./db/consent-store.ts";
import { toOutboxEntry } from "./events/integration-events.ts";
import { producedTopics } from "./events/topics.ts";
import { consentHandlers } from "./grpc/consent-handlers.ts";

export async function startConsentService(config: Config, logger: Logger, options: { clock?: Clock; host?: string } = {}) {
  const clock = options.clock ?? systemClock;
  const metrics = createMetrics("consent");
  await migrate({ databaseUrl: config.SILTA_DATABASE_URL, dir: fileURLToPath(new URL("../migrations", import.meta.url)), logger });
  const pool = createPool(config.SILTA_DATABASE_URL, { max: config.SILTA_DB_POOL_SIZE, applicationName: "silta-consent" });
  const kafka = createKafka({ ...kafkaSettingsOf(config), clientId: "silta-consent", logger });
  if (config.SILTA_KAFKA_CREATE_TOPICS) await ensureTopics(kafka, producedTopics);
  const producer = await createEventProducer(kafka);
  const relay = new OutboxRelay({ pool, connectionString: config.SILTA_DATABASE_URL, producer, logger, meter: metrics.meter });

  const store = new PgConsentStore(pool, (e) => toOutboxEntry(e, config.SILTA_EVENT_SOURCE));
  const deps = { store, clock };
  const useCases = {
    grantConsent: grantConsent(deps),
    revokeConsent: revokeConsent(deps),
    getConsent: getConsent(deps),
    listConsents: listConsents(deps),
    recordStatutoryBasis: recordStatutoryBasis(deps),
    checkDisclosure: checkDisclosure({ ...deps, rateLimit: checkRateLimit(config.SILTA_CONSENT_CHECKS_PER_MINUTE) }),
    listAudit: listAudit(deps),
    verifyAudit: verifyAudit(deps),
  };
  const expire = expireConsents(deps);

  const usage = new PgUsageLog(pool);
  const readiness = [postgresReadiness(pool), relay.readiness(config.SILTA_OUTBOX_DEGRADED_AFTER_MS)];
  const tls = grpcCredentials(config);
  const grpc = createGrpcServer({
    logger,
    meter: metrics.meter,
    services: [consentHandlers(useCases, usage), usageLogService(usage)],
    verifyIdentity: identityVerifier(config.SILTA_IDENTITY_TRUST_FILE, config.SILTA_IDENTITY_AUDIENCE),
    readiness,
    credentials: tls.server,
  });
  const grpcPort = await grpc.listen(config.SILTA_GRPC_PORT, options.host ?? config.SILTA_BIND_ADDRESS);
  relay.start();
  const expiry = startPeriodic("consent-expiry", config.SILTA_CONSENT_EXPIRY_INTERVAL_MS, () => expire(), logger);
  const chain = startPeriodic("audit-chain", config.SILTA_CONSENT_AUDIT_CHAIN_INTERVAL_MS, () => chainPending(pool), logger);
  const admin = createAdminServer({ logger, metrics, checks: readiness });
  const adminPort = await admin.listen(config.SILTA_ADMIN_PORT, options.host ?? config.SILTA_BIND_ADDRESS);
  logger.info({ grpcPort, adminPort, mutualTls: tls.mutualTls }, "consent service started");

  return {
    grpcPort,
    adminPort,
    pool,
    jobs: { expiry, chain },
    async stop() {
      admin.draining();
      await grpc.close(5000);
      await expiry.stop();
      await chain.stop();
      await relay.stop();
      await producer.disconnect();
      await admin.close();
      await pool.end();
      await metrics.shutdown();
    },
  };
}
