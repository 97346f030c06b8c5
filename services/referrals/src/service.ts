// The referrals service assembled: config → telemetry → pool, Kafka, consent client → store →
// use cases → gRPC server, education consumer, outbox relay, deadline watcher → admin server.
import { fileURLToPath } from "node:url";
import { createEventProducer, createKafka, ensureTopics, kafkaSettingsOf, startEventConsumer } from "@silta/events";
import { createGrpcServer, grpcCredentials, usageLogService } from "@silta/grpc";
import { createAdminServer, createMetrics, identityProver, identityVerifier, type Logger, startPeriodic } from "@silta/platform";
import { createPool, LeaderLock, migrate, OutboxRelay, PgUsageLog, postgresReadiness } from "@silta/postgres";
import type { Clock, ReferralSettings } from "./app/ports.ts";
import { hmacPseudonymiser } from "./app/pseudonymiser.ts";
import { getReferral, getReferralStatus, listReferrals } from "./app/read-referrals.ts";
import { recordEducationEvent } from "./app/record-education-event.ts";
import { submitReferral } from "./app/submit-referral.ts";
import { transitionReferral } from "./app/transition-referral.ts";
import { watchDeadlines } from "./app/watch-deadlines.ts";
import { consentClient } from "./clients/consent-client.ts";
import type { Config } from "./config.ts";
import { PgReferralStore } from "./db/referral-store.ts";
import { areaCodes } from "./domain/municipalities.ts";
import { toOutboxEntries } from "./events/integration-events.ts";
import { subscriptions } from "./events/subscriptions.ts";
import { consumedTopics, producedTopics } from "./events/topics.ts";
import { referralHandlers } from "./grpc/referral-handlers.ts";
import { loadMunicipalities } from "./municipality-data.ts";

export async function startReferralsService(config: Config, logger: Logger, options: { clock?: Clock; host?: string; consumerGroup?: string } = {}) {
  const clock = options.clock ?? { now: () => new Date() };
  const metrics = createMetrics("referrals");
  const municipalities = loadMunicipalities();
  const areaNames = new Map([...municipalities.values()].map((m) => [m.areaCode, m.areaNameFi]));
  const areaName = (code: string) => areaNames.get(code) ?? code;
  const settings: ReferralSettings = {
    evesOff: config.SILTA_REFERRALS_EVES_OFF,
    urgencyHours: config.SILTA_REFERRALS_URGENCY_HOURS,
    linkWindowDays: config.SILTA_REFERRALS_LINK_WINDOW_DAYS,
    atRiskLeadHours: config.SILTA_REFERRALS_AT_RISK_LEAD_HOURS,
    municipalities,
    areaName,
  };

  await migrate({ databaseUrl: config.SILTA_DATABASE_URL, dir: fileURLToPath(new URL("../migrations", import.meta.url)), logger });
  const pool = createPool(config.SILTA_DATABASE_URL, { max: config.SILTA_DB_POOL_SIZE, applicationName: "silta-referrals" });
  const kafka = createKafka({ ...kafkaSettingsOf(config), clientId: "silta-referrals", logger });
  if (config.SILTA_KAFKA_CREATE_TOPICS)
    await ensureTopics(kafka, [...producedTopics(areaCodes(municipalities)), ...consumedTopics(config.SILTA_EDUCATION_TOPIC)]);
  const producer = await createEventProducer(kafka);
  const relay = new OutboxRelay({ pool, connectionString: config.SILTA_DATABASE_URL, producer, logger, meter: metrics.meter });
  const tls = grpcCredentials(config);
  const prover = identityProver(config.SILTA_IDENTITY_SIGNING_KEY_FILE);
  const consent = consentClient(config.SILTA_CONSENT_ADDRESS, config.SILTA_AREA_CODE, tls.client, {
    prover,
    audience: config.SILTA_CONSENT_AUDIENCE,
    legacyHeader: config.SILTA_IDENTITY_LEGACY_HEADER,
  });
  const pseudonymiser = hmacPseudonymiser(config.SILTA_PSEUDONYM_KEY);
  const source = `/silta/referrals/${config.SILTA_AREA_CODE}`;
  const store = new PgReferralStore(pool, (e) => toOutboxEntries(e, source, areaName));

  // What a manager asks: referrals by area and kind, decisions within 7 working days, time to
  // decision, open assessments nearing their 3 months.
  const m = metrics.meter;
  const submitted = m.createCounter("silta_referrals_submitted", { description: "referrals submitted, by area and kind (rate by day in PromQL)" });
  const decisions = m.createCounter("silta_referrals_decisions", { description: "decisions, by area and whether within the 7-working-day deadline" });
  const timeToDecision = m.createHistogram("silta_referrals_time_to_decision_days", {
    description: "calendar days from receipt to decision",
    unit: "d",
    advice: { explicitBucketBoundaries: [1, 2, 3, 5, 7, 9, 11, 14, 21, 30] },
  });
  const educationOutcomes = m.createCounter("silta_referrals_education_events", {
    description: "education events: attached, dropped_no_case or dropped_no_consent (neither stored), or duplicate",
  });
  m.createObservableGauge("silta_referrals_open_assessments_near_deadline", { description: "started assessments due within 14 days, by area" }).addCallback(
    async (r) => {
      const q = await pool.query<{ area_code: string; n: number }>(
        `SELECT r.area_code, count(*)::int AS n FROM referral_deadlines d JOIN referrals r USING (referral_id)
        WHERE d.kind = 'assessment_completion' AND d.met_at IS NULL AND r.status = 'assessment_started' AND d.due_at < now() + interval '14 days' GROUP BY r.area_code`,
      );
      for (const row of q.rows) r.observe(row.n, { area: row.area_code });
    },
  );

  const deps = { store, clock };
  const submit = submitReferral({ ...deps, pseudonymiser, settings });
  const transition = transitionReferral(deps);
  const useCases = {
    submit: async (...a: Parameters<typeof submit>) => {
      const receipt = await submit(...a);
      submitted.add(1, { area: receipt.areaCode, kind: a[0].kind ?? "unknown" });
      return receipt;
    },
    transition: async (...a: Parameters<typeof transition>) => {
      const r = await transition(...a);
      if (a[1].type === "decide") {
        const d = r.deadlines.find((x) => x.kind === "decision");
        decisions.add(1, { area: r.areaCode, within_deadline: String(!!d?.metAt && d.metAt <= d.dueAt) });
        timeToDecision.record((clock.now().getTime() - r.receivedAt.getTime()) / 86_400_000, { area: r.areaCode });
      }
      return r;
    },
    get: getReferral(deps),
    list: listReferrals(deps),
    status: getReferralStatus({ store, settings }),
  };
  const record = recordEducationEvent({ store, pseudonymiser, consent, areaOf: (c) => municipalities.get(c)?.areaCode });
  const consumer = await startEventConsumer({
    kafka,
    groupId: options.consumerGroup ?? "silta-referrals",
    topics: [config.SILTA_EDUCATION_TOPIC],
    subscriptions: subscriptions({ pool, record, outcomes: educationOutcomes }),
    logger,
    meter: m,
  });

  // One active watcher across replicas (and claims that make each alert happen once anyway).
  const watcherLock = new LeaderLock(config.SILTA_DATABASE_URL, "silta.referrals.deadline-watcher");
  const watch = watchDeadlines({ store, clock, settings, batchSize: config.SILTA_REFERRALS_DEADLINE_BATCH });
  const watcher = startPeriodic(
    "deadline-watcher",
    config.SILTA_REFERRALS_DEADLINE_INTERVAL_MS,
    async () => {
      if (await watcherLock.tryAcquire()) await watch();
    },
    logger,
  );

  const usage = new PgUsageLog(pool);
  const readiness = [postgresReadiness(pool), relay.readiness(config.SILTA_OUTBOX_DEGRADED_AFTER_MS)];
  const grpc = createGrpcServer({
    logger,
    meter: m,
    services: [referralHandlers(useCases, areaName, usage), usageLogService(usage)],
    verifyIdentity: identityVerifier(config.SILTA_IDENTITY_TRUST_FILE, config.SILTA_IDENTITY_AUDIENCE),
    readiness,
    credentials: tls.server,
  });
  const grpcPort = await grpc.listen(config.SILTA_GRPC_PORT, options.host ?? config.SILTA_BIND_ADDRESS);
  relay.start();
  const admin = createAdminServer({ logger, metrics, checks: readiness });
  const adminPort = await admin.listen(config.SILTA_ADMIN_PORT, options.host ?? config.SILTA_BIND_ADDRESS);
  logger.info({ grpcPort, adminPort, mutualTls: tls.mutualTls }, "referrals service started");

  return {
    grpcPort,
    adminPort,
    pool,
    watcher,
    isWatcherLeader: () => watcherLock.isLeader,
    async stop() {
      admin.draining();
      await grpc.close(5000);
      await watcher.stop();
      await watcherLock.release();
      await consumer.stop();
      await relay.stop();
      await producer.disconnect();
      consent.close();
      await admin.close();
      await pool.end();
      await metrics.shutdown();
    },
  };
}
