// The HTTP admin server every service runs beside its gRPC port (ARCHITECTURE.md ports):
// /healthz (the process answers and is not shutting down), /readyz (its dependencies answer),
// /metrics (Prometheus text). Kubernetes probes: liveness /healthz, readiness /readyz.
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { Logger } from "./logger.ts";
import { type ReadinessCheck, runReadiness } from "./readiness.ts";
import type { Metrics } from "./telemetry.ts";

export interface AdminServer {
  app: FastifyInstance;
  /** Starts listening; returns the port (useful with port 0 in tests). */
  listen(port: number, host?: string): Promise<number>;
  /** From now on /healthz and /readyz answer 503, so load balancers stop sending traffic. */
  draining(): void;
  close(): Promise<void>;
}

export function createAdminServer(options: { logger: Logger; metrics: Metrics; checks: ReadinessCheck[] }): AdminServer {
  let isDraining = false;
  const app = Fastify({ loggerInstance: options.logger.child({ component: "admin" }) as FastifyBaseLogger });
  // Probes and scrapes arrive every few seconds: not worth a log line each.
  const quiet = { logLevel: "silent" as const };
  app.get("/healthz", quiet, async (_req, reply) => {
    if (isDraining) return reply.code(503).send({ status: "draining" });
    return { status: "ok" };
  });
  app.get("/readyz", quiet, async (_req, reply) => {
    if (isDraining) return reply.code(503).send({ status: "draining", checks: {} });
    const result = await runReadiness(options.checks);
    return reply.code(result.ready ? 200 : 503).send({ status: result.ready ? "ready" : "not ready", checks: result.checks });
  });
  app.get("/metrics", quiet, (req, reply) => {
    reply.hijack();
    options.metrics.handle(req.raw, reply.raw);
  });
  return {
    app,
    async listen(port, host = "127.0.0.1") {
      await app.listen({ port, host });
      const address = app.server.address();
      return typeof address === "object" && address ? address.port : port;
    },
    draining() {
      isDraining = true;
    },
    close: () => app.close(),
  };
}
