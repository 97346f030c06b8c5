// The gateway's fastify app, built apart from listen() so tests inject or listen on port 0.
// Order per request: trace span → authentication (and the route's role gate) → rate limit per
// organisation (Redis) → schema validation → handler → gRPC/Kafka. Every error answer is an
// RFC 9457 problem made in http/problem.ts.
import { randomUUID } from "node:crypto";
import helmet from "@fastify/helmet";
import rateLimit from "@fastify/rate-limit";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { Meter } from "@opentelemetry/api";
import type { Upstream } from "@silta/host";
import { invalidArgument, type Logger, nulCharacterPath, type Redis, SiltaError } from "@silta/platform";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, LogController } from "fastify";
import { authenticate } from "./auth/authenticate.ts";
import { unauthenticatedLimit } from "./auth/unauthenticated-limit.ts";
import type { TokenVerifier } from "./auth/verify-token.ts";
import { parseJsonBody } from "./http/json-body.ts";
import { clientErrorProblem, PROBLEM_CONTENT_TYPE, toProblem } from "./http/problem.ts";
import { traceRequests } from "./http/tracing.ts";
import type { educationIntake } from "./intake/intake.ts";
import { problemSchema } from "./openapi/problem-schema.ts";
import type { ProtoSchemas } from "./openapi/proto-schemas.ts";
import { educationEventRoutes } from "./routes/education-events.ts";
import { usageLogRoutes } from "./routes/usage-log.ts";
import type { GatewayUpstream } from "./upstreams.ts";

export interface GatewaySettings {
  bodyLimitBytes: number;
  intakeBodyLimitBytes: number;
  requestTimeoutMs: number;
  serviceDeadlineMs: number;
  rateLimitPerMinute: number;
  unauthenticatedPerMinute: number;
  /** Addresses or CIDRs of the proxies whose X-Forwarded-For is believed. */
  trustedProxies: string[];
}

export interface GatewayDeps {
  settings: GatewaySettings;
  logger: Logger;
  meter: Meter;
  verify: TokenVerifier;
  schemas: ProtoSchemas;
  /** The services behind the gateway (upstreams.ts), each with its kit upstream. */
  upstreams: { entry: GatewayUpstream; upstream: Upstream }[];
  intake: ReturnType<typeof educationIntake>;
  redis: Redis;
}

export const API_VERSION = "1.0.0";

declare module "fastify" {
  interface FastifyInstance {
    /** Requests received so far, and those not yet answered (what a drain waits for). */
    requestCounts(): { received: number; inFlight: number };
    /**
     * From now on every new request, on a new or a kept-alive connection, is answered 503 with
     * `Connection: close` and `Retry-After` (SIGTERM): clients move on instead of being reset.
     */
    startDraining(): void;
  }
}

export async function buildGateway(deps: GatewayDeps): Promise<FastifyInstance> {
  const s = deps.settings;
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: "http" }) as FastifyBaseLogger,
    // Never log a whole request (bodies carry henkilötunnus and concern texts): method, route, status.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: s.bodyLimitBytes,
    requestTimeout: s.requestTimeoutMs,
    connectionTimeout: s.requestTimeoutMs,
    // While closing (SIGTERM), requests on open connections get 503; in-flight ones finish.
    return503OnClosing: true,
    genReqId: () => randomUUID(),
    // A family's invitation link carries its signed token in the path (~250 characters); each
    // route's own schema bounds its parameters (ids at 200).
    routerOptions: { maxParamLength: 2048 },
    // req.ip is the client's address as the trusted proxies report it, the peer's otherwise.
    trustProxy: s.trustedProxies.length > 0 ? s.trustedProxies : false,
    clientErrorHandler: clientErrorProblem,
    // The router's own refusals (malformed URL, over-long parameter) as problems too.
    frameworkErrors: (err, req, reply) => {
      const problem = toProblem(err, `urn:silta:request:${req.id}`);
      (reply as unknown as FastifyReply).code(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
    },
    // Unknown fields are refused (400 naming them), not silently dropped.
    ajv: { customOptions: { removeAdditional: false, allErrors: true, coerceTypes: "array" } },
  });
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(body as Buffer));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  // The schemas document and validate; answers are the proto3 JSON the codecs made.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  let inFlight = 0;
  let received = 0;
  let draining = false;
  app.decorate("requestCounts", () => ({ received, inFlight }));
  app.decorate("startDraining", () => {
    draining = true;
  });
  app.addHook("onRequest", (req, reply, done) => {
    if (!draining) return done();
    const problem = toProblem(
      new SiltaError("SILTA_GATEWAY_SHUTTING_DOWN", "unavailable", "this gateway instance is shutting down; retry (another instance answers)"),
      `urn:silta:request:${req.id}`,
    );
    reply.header("connection", "close").header("retry-after", "1").code(503).type(PROBLEM_CONTENT_TYPE).send(problem);
  });
  app.addHook("onRequest", (_req, reply, done) => {
    inFlight++;
    received++;
    // "close" comes for an answered request and for one the client gave up on.
    reply.raw.once("close", () => inFlight--);
    done();
  });
  deps.meter.createObservableGauge("silta_gateway_requests_in_flight", { description: "HTTP requests being handled" }).addCallback((r) => r.observe(inFlight));
  const requests = deps.meter.createCounter("silta_gateway_requests", { description: "HTTP requests, by route and status" });
  const duration = deps.meter.createHistogram("silta_gateway_request_duration_seconds", {
    description: "HTTP request duration, by route",
    unit: "s",
    advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] },
  });
  app.addHook("onResponse", (req, reply, done) => {
    const route = req.routeOptions.url ?? "unknown";
    requests.add(1, { route, method: req.method, status: String(reply.statusCode) });
    duration.record(reply.elapsedTime / 1000, { route, method: req.method });
    if (reply.statusCode >= 500) req.log.warn({ route, status: reply.statusCode, requestId: req.id }, "request failed");
    done();
  });

  app.setErrorHandler((err, req, reply) => {
    const problem = toProblem(err, `urn:silta:request:${req.id}`);
    if (problem.status >= 500) req.log.error({ err, route: req.routeOptions.url, requestId: req.id }, "request failed");
    if (problem.status === 401) {
      const description =
        problem.code === "SILTA_AUTH_TOKEN_MISSING" ? "" : `, error="invalid_token", error_description="${problem.detail.replaceAll('"', "'")}"`;
      reply.header("www-authenticate", `Bearer realm="silta"${description}`);
    }
    // When to come back: a dependency that is down is usually back within seconds; a rate limit
    // that is not the plugin's own (which sets its own) resets within the minute.
    if (problem.status === 503 && !reply.hasHeader("retry-after")) reply.header("retry-after", "5");
    if (problem.status === 429 && !reply.hasHeader("retry-after")) reply.header("retry-after", "60");
    reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
  });
  app.setNotFoundHandler((req, reply) => {
    reply
      .code(404)
      .type(PROBLEM_CONTENT_TYPE)
      .send(
        toProblem(
          new SiltaError("SILTA_GATEWAY_NO_SUCH_ROUTE", "not_found", `no route ${req.method} ${req.url.split("?")[0]?.slice(0, 200)}`),
          `urn:silta:request:${req.id}`,
        ),
      );
  });

  traceRequests(app);
  authenticate(app, deps.verify, unauthenticatedLimit(deps.redis, s.unauthenticatedPerMinute, deps.logger));
  // PostgreSQL text cannot hold a NUL character: refused here, naming the field, rather than
  // failing deep inside a service (the fuzz test found it).
  app.addHook("preValidation", async (req) => {
    for (const value of [req.params, req.query, req.body]) {
      const field = nulCharacterPath(value);
      if (field !== undefined) {
        throw invalidArgument("SILTA_GATEWAY_NUL_CHARACTER", [{ field: field || "(value)", reason: "must not contain a NUL character" }]);
      }
    }
  });
  await app.register(helmet, { global: true });
  await app.register(rateLimit, {
    global: true,
    hook: "preValidation",
    max: s.rateLimitPerMinute,
    timeWindow: 60_000,
    redis: deps.redis,
    nameSpace: "silta:gateway:rate:",
    // Per organisation (the token's); per address for the public documents.
    keyGenerator: (req) => (req.identity ? `org:${req.identity.organisationId}` : `ip:${req.ip}`),
    // Redis down: serve rather than refuse everyone (rate limits may be lost, ARCHITECTURE.md).
    skipOnError: true,
    errorResponseBuilder: (_req, ctx) =>
      new SiltaError(
        "SILTA_GATEWAY_RATE_LIMITED",
        "resource_exhausted",
        `more than ${ctx.max} requests a minute from your organisation; retry after ${ctx.after}`,
      ),
  });

  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Silta API",
        version: API_VERSION,
        description:
          "The REST edge of Silta. Bodies are the gRPC messages of `proto/` in proto3 JSON (lowerCamelCase names, enums by name; the original proto field names are accepted in requests too). Errors are RFC 9457 problem details (`application/problem+json`) with the invalid fields. Authenticate with a bearer JWT from your organisation's identity provider.",
      },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } } },
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => (typeof json.$id === "string" ? json.$id : `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: "/docs", staticCSP: true, uiConfig: { deepLinking: true } });
  app.addSchema(problemSchema);
  const open = { config: { public: true }, schema: { hide: true } };
  app.get("/openapi.json", open, async () => app.swagger());

  for (const { entry, upstream } of deps.upstreams) entry.routes(app, deps.schemas, upstream, s.serviceDeadlineMs, { redis: deps.redis });
  const logs = deps.upstreams.flatMap(({ entry, upstream }) => (entry.usageLog ? [{ upstream, path: entry.usageLog }] : []));
  usageLogRoutes(app, deps.schemas, logs, s.serviceDeadlineMs);
  educationEventRoutes(app, deps.schemas, deps.intake, s.intakeBodyLimitBytes);
  // Shared schemas (the proto messages the routes referred to) become OpenAPI components.
  for (const schema of deps.schemas.all()) app.addSchema(schema);
  return app;
}
