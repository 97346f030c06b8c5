// One place that creates kafkajs clients, with kafkajs' own log lines routed to pino.

import { readFileSync } from "node:fs";
import type { Logger } from "@silta/platform";
import { Kafka, type LogEntry, logLevel } from "kafkajs";

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  logger: Logger;
  /** TLS to the brokers: the cluster CA, and a client certificate when the cluster authenticates by it. */
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
}

/** The Kafka part of a service's validated config (`kafkaConfigShape`) as settings for `createKafka`. */
export function kafkaSettingsOf(config: {
  SILTA_KAFKA_BROKERS: string[];
  SILTA_KAFKA_TLS_CA_FILE?: string | undefined;
  SILTA_KAFKA_TLS_CERT_FILE?: string | undefined;
  SILTA_KAFKA_TLS_KEY_FILE?: string | undefined;
}): Pick<KafkaSettings, "brokers" | "tls"> {
  const { SILTA_KAFKA_TLS_CA_FILE: caFile, SILTA_KAFKA_TLS_CERT_FILE: certFile, SILTA_KAFKA_TLS_KEY_FILE: keyFile } = config;
  if (!caFile && !certFile && !keyFile) return { brokers: config.SILTA_KAFKA_BROKERS };
  if (!certFile !== !keyFile) throw new Error("SILTA_KAFKA_TLS_CERT_FILE and SILTA_KAFKA_TLS_KEY_FILE go together");
  return {
    brokers: config.SILTA_KAFKA_BROKERS,
    tls: { ...(caFile ? { caFile } : {}), ...(certFile ? { certFile } : {}), ...(keyFile ? { keyFile } : {}) },
  };
}

/** kafkajs' `ssl` option from the files (read once, at start: Strimzi rotates them by restarting pods). */
export function sslOptions(tls: KafkaSettings["tls"]): { ca?: string[]; cert?: string; key?: string; rejectUnauthorized: true } | undefined {
  if (!tls) return undefined;
  return {
    rejectUnauthorized: true,
    ...(tls.caFile ? { ca: [readFileSync(tls.caFile, "utf8")] } : {}),
    ...(tls.certFile ? { cert: readFileSync(tls.certFile, "utf8") } : {}),
    ...(tls.keyFile ? { key: readFileSync(tls.keyFile, "utf8") } : {}),
  };
}

const levels: Record<number, "error" | "warn" | "info" | "debug"> = {
  [logLevel.ERROR]: "error",
  [logLevel.WARN]: "warn",
  [logLevel.INFO]: "info",
  [logLevel.DEBUG]: "debug",
};

export function createKafka(settings: KafkaSettings): Kafka {
  const log = settings.logger.child({ component: "kafkajs" });
  return new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    ...(settings.tls ? { ssl: sslOptions(settings.tls) } : {}),
    logLevel: logLevel.WARN,
    connectionTimeout: 3000,
    retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 5000 },
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, broker, groupId, error } = entry as { message: string; broker?: string; groupId?: string; error?: string };
        // Retries are bounded on purpose: a publish that gives up is retried by the outbox relay
        // and deduplicated by consumers (ce_id), so this warning says nothing actionable.
        // A new topic's partitions answer "not the leader" / "does not host" until the broker has
        // applied them; kafkajs retries, and ensureTopics waits for them: not an error to report.
        const settling = message.startsWith("Response ") && /not the leader|does not host/i.test(error ?? "");
        const lvl = message.startsWith("Limiting retries for the idempotent producer") || settling ? "debug" : (levels[level] ?? "info");
        log[lvl]({ broker, groupId, error }, message);
      },
  });
}
