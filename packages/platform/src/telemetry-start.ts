// Loaded before the application with `node --import @silta/platform/telemetry-start`, so the
// SDK is registered before any client is created. Traces go to OTLP/HTTP when
// OTEL_EXPORTER_OTLP_ENDPOINT (or ..._TRACES_ENDPOINT) is set; otherwise spans are not
// exported, but trace context is still carried across HTTP, gRPC and Kafka.
// OTEL_SERVICE_NAME names the service (the chart and compose set it).
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { NodeSDK } from "@opentelemetry/sdk-node";

const exporting = Boolean(process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
const sdk = new NodeSDK({
  ...(exporting ? { traceExporter: new OTLPTraceExporter() } : {}),
  // Metrics are served by each service's own /metrics (see telemetry.ts).
  instrumentations: [],
});
sdk.start();

const stop = () => {
  sdk.shutdown().catch(() => undefined);
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
