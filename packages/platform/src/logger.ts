// pino with privacy by default: every object logged passes through `redact` (sensitive keys,
// henkilötunnus anywhere), and so does every message string. Never log a whole request,
// command or event anyway: log ids.

import { trace } from "@opentelemetry/api";
import { type DestinationStream, type Logger, type LoggerOptions, pino } from "pino";
import { maskHetu, redact } from "./privacy.ts";

export type { Logger } from "pino";

export interface LoggerSettings {
  service: string;
  level?: string;
  /** Where lines go; stdout by default. Tests pass a capturing stream. */
  destination?: DestinationStream;
}

export function createLogger(settings: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? "info",
    base: { service: settings.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    messageKey: "msg",
    formatters: {
      level: (label) => ({ level: label }),
      log: (obj) => redact(obj) as Record<string, unknown>,
    },
    // The trace id of the active span, so a log line can be found from a trace and back.
    mixin: () => {
      const span = trace.getActiveSpan()?.spanContext();
      return span && span.traceId !== "00000000000000000000000000000000" ? { traceId: span.traceId, spanId: span.spanId } : {};
    },
    hooks: {
      logMethod(args, method) {
        const masked = args.map((a) => (typeof a === "string" ? maskHetu(a) : a)) as Parameters<typeof method>;
        return method.apply(this, masked);
      },
    },
    serializers: { err: (e: unknown) => redact(e) },
  };
  return settings.destination ? pino(options, settings.destination) : pino(options);
}
