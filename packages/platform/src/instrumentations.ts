// The OpenTelemetry instrumentations Silta uses, configured so no personal data reaches a span:
// - pg: a span per statement under the caller's span (never a root span of its own), with the
//   statement text (parameterised: `$1`, never a value) and no parameter values
//   (enhancedDatabaseReporting off), no connect spans;
// - ioredis: a span per command with the command's name only (a key can hold an organisation's
//   or an event's id: no key, no argument, no reply).
// gRPC, HTTP and Kafka keep the kit's own spans (@silta/grpc server/client, the gateway's
// http/tracing.ts, @silta/events): they already continue the caller's trace and carry it through
// the transactional outbox into Kafka headers, which the grpc, http and kafkajs instrumentations
// would duplicate (two spans per call) and, for Kafka, could not do across the outbox.
import type { Instrumentation } from "@opentelemetry/instrumentation";
import { IORedisInstrumentation } from "@opentelemetry/instrumentation-ioredis";
import { PgInstrumentation } from "@opentelemetry/instrumentation-pg";

export function siltaInstrumentations(): Instrumentation[] {
  return [
    new PgInstrumentation({ requireParentSpan: true, enhancedDatabaseReporting: false, ignoreConnectSpans: true }),
    new IORedisInstrumentation({ requireParentSpan: true, dbStatementSerializer: (command) => command }),
  ] as unknown as Instrumentation[];
}
