// Metrics: an OpenTelemetry MeterProvider per service whose reader is the Prometheus exporter
// (no server of its own: the admin server serves /metrics). Traces: the global tracer provider,
// registered by telemetry-start.ts (loaded with `node --import`) or by a test; the kit's
// gRPC and Kafka adapters create spans and carry W3C trace context in metadata and headers.
import type { IncomingMessage, ServerResponse } from "node:http";
import { type Meter, type Tracer, trace } from "@opentelemetry/api";
import { PrometheusExporter } from "@opentelemetry/exporter-prometheus";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { MeterProvider } from "@opentelemetry/sdk-metrics";

export interface Metrics {
  meter: Meter;
  /** Serves the Prometheus text format (for the admin server's /metrics). */
  handle(req: IncomingMessage, res: ServerResponse): void;
  shutdown(): Promise<void>;
}

export function createMetrics(service: string): Metrics {
  const exporter = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true });
  const provider = new MeterProvider({ resource: resourceFromAttributes({ "service.name": service }), readers: [exporter] });
  return {
    meter: provider.getMeter("silta"),
    handle: (req, res) => exporter.getMetricsRequestHandler(req, res),
    shutdown: () => provider.shutdown(),
  };
}

export function tracer(): Tracer {
  return trace.getTracer("silta");
}
