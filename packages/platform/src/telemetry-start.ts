// Loaded before the application with `node --import @silta/platform/telemetry-start`, so the
// SDK and the instrumentations (instrumentations.ts: PostgreSQL and Redis statements) are in
// place before any client module is imported: the loader hook lets them patch ES-module imports.
// Traces go to OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT (or ..._TRACES_ENDPOINT) is set;
// otherwise spans are not exported, but trace context is still carried across HTTP, gRPC and
// Kafka. OTEL_SERVICE_NAME names the service (the chart and compose set it).
import { register } from "node:module";

// Only the modules the instrumentations patch go through the import hook: wrapping every module
// would change how their exports resolve (a name two `export *` provide becomes ambiguous).
export const INSTRUMENTED_MODULES = ["pg", "pg-pool", "ioredis"];
register("@opentelemetry/instrumentation/hook.mjs", import.meta.url, { data: { include: INSTRUMENTED_MODULES } });

const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-http");
const { NodeSDK } = await import("@opentelemetry/sdk-node");
const { siltaInstrumentations } = await import("./instrumentations.ts");

const exporting = Boolean(process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
const sdk = new NodeSDK({
  ...(exporting ? { traceExporter: new OTLPTraceExporter() } : {}),
  // Metrics are served by each service's own /metrics (see telemetry.ts).
  instrumentations: siltaInstrumentations(),
});
sdk.start();

const stop = () => {
  sdk.shutdown().catch(() => undefined);
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
