// One place that creates kafkajs clients, with kafkajs' own log lines routed to pino.

import type { Logger } from "@silta/platform";
import { Kafka, type LogEntry, logLevel } from "kafkajs";

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  logger: Logger;
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
    logLevel: logLevel.WARN,
    connectionTimeout: 3000,
    retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 5000 },
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, broker, groupId, error } = entry as { message: string; broker?: string; groupId?: string; error?: string };
        // Retries are bounded on purpose: a publish that gives up is retried by the outbox relay
        // and deduplicated by consumers (ce_id), so this warning says nothing actionable.
        const lvl = message.startsWith("Limiting retries for the idempotent producer") ? "debug" : (levels[level] ?? "info");
        log[lvl]({ broker, groupId, error }, message);
      },
  });
}
