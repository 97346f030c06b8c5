// A server span per request, continuing the caller's W3C trace context, made active for the
// rest of the request so the gRPC client kit and the Kafka producer carry it on: one trace
// from the HTTP request through the services and Kafka to the consumers.
import { context, propagation, type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { tracer } from "@silta/platform";
import type { FastifyInstance } from "fastify";

declare module "fastify" {
  interface FastifyRequest {
    span?: Span;
  }
}

export function traceRequests(app: FastifyInstance): void {
  app.addHook("onRequest", (req, _reply, done) => {
    const parent = propagation.extract(context.active(), req.headers);
    const route = req.routeOptions.url ?? "unknown";
    const span = tracer().startSpan(
      `HTTP ${req.method} ${route}`,
      { kind: SpanKind.SERVER, attributes: { "http.request.method": req.method, "http.route": route } },
      parent,
    );
    req.span = span;
    // Everything after this hook (auth, validation, the handler) runs inside the span's context.
    context.with(trace.setSpan(parent, span), done);
  });
  app.addHook("onResponse", (req, reply, done) => {
    req.span?.setAttribute("http.response.status_code", reply.statusCode);
    if (reply.statusCode >= 500) req.span?.setStatus({ code: SpanStatusCode.ERROR });
    req.span?.end();
    done();
  });
}
