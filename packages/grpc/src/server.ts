// gRPC server kit. Handlers are `async (request, ctx) => response`; the kit adds, for every
// call: the caller's identity from metadata, the deadline, a server span continuing the
// caller's trace, one log line, request metrics, and the mapping of errors to status codes.
// Every server also gets the standard health checking protocol (driven by the service's
// readiness checks, not a constant SERVING) and server reflection (grpcurl list/describe).
import {
  status as Code,
  type handleServerStreamingCall,
  type handleUnaryCall,
  type Metadata,
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type ServerWritableStream,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import { loadFileDescriptorSetFromBuffer } from "@grpc/proto-loader";
import { ReflectionService } from "@grpc/reflection";
import { context, type Meter, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { loadDescriptorSet } from "@silta/contracts/descriptor";
import {
  IDENTITY_PROOF_METADATA_KEY,
  type Identity,
  type IdentityVerifier,
  invalidArgument,
  type Logger,
  nulCharacterPath,
  protoFieldName,
  type ReadinessCheck,
  runReadiness,
  SiltaError,
  tracer,
} from "@silta/platform";
import { HealthImplementation } from "grpc-health-check";
import { toStatus } from "./status.ts";
import { metadataGetter } from "./trace-metadata.ts";

export interface CallContext {
  /** The caller, proven by a trusted signer's assertion; undefined only on `public` methods called without one. */
  identity: Identity | undefined;
  /** The trusted signer that vouched for the caller (a party's gateway, or a service itself). */
  signer: string | undefined;
  /** The method called, e.g. `silta.referrals.v1.ReferralService/GetReferral`. */
  method: string;
  /** The caller's identity, or UNAUTHENTICATED. */
  requireIdentity(): Identity;
  deadline: Date | undefined;
  metadata: Metadata;
  logger: Logger;
  /** Aborted when the caller cancels or the deadline passes. */
  signal: AbortSignal;
}

export type UnaryHandler<Req, Res> = (request: Req, ctx: CallContext) => Promise<Res>;

/**
 * A server-streaming method (a live feed, e.g. notifications' inbox): `send` each message; the
 * stream ends when the promise resolves, with the error's status when it rejects. Stop when
 * `ctx.signal` aborts (the client went away or the deadline passed) and when the server closes.
 */
export type ServerStreamHandler<Req, Res> = (request: Req, ctx: CallContext, send: (message: Res) => void) => Promise<void>;

/** The promise-style handlers for a ts-proto `XServer` interface. */
export type Handlers<S> = {
  // `string extends K` drops the index signature that ts-proto's XServer inherits.
  [K in keyof S as string extends K ? never : K]: S[K] extends handleUnaryCall<infer Req, infer Res>
    ? UnaryHandler<Req, Res>
    : S[K] extends handleServerStreamingCall<infer Req, infer Res>
      ? ServerStreamHandler<Req, Res>
      : never;
};

export interface ServiceRegistration {
  definition: ServiceDefinition;
  handlers: Record<string, UnaryHandler<unknown, unknown> | ServerStreamHandler<unknown, unknown>>;
  /** Fully qualified name, e.g. `silta.consent.v1.ConsentService` (health and reflection). */
  name: string;
  /** Methods (by handler key) callable without identity. */
  publicMethods?: string[];
}

/** Pairs a generated service definition with its handlers, type-checked against ts-proto's `XServer`. */
export function service<S extends UntypedServiceImplementation>(
  definition: ServiceDefinition,
  handlers: Handlers<S>,
  options: { publicMethods?: (keyof S & string)[] } = {},
): ServiceRegistration {
  const first = Object.values(definition)[0];
  const name = first ? (first.path.split("/")[1] ?? "") : "";
  return {
    definition,
    handlers: handlers as unknown as ServiceRegistration["handlers"],
    name,
    publicMethods: options.publicMethods ?? [],
  };
}

export interface GrpcServerOptions {
  logger: Logger;
  meter: Meter;
  services: ServiceRegistration[];
  /** Verifies the signed caller identity of every call (identityVerifier of @silta/platform). */
  verifyIdentity: IdentityVerifier;
  readiness: ReadinessCheck[];
  /** How often health status follows readiness (ms). */
  healthIntervalMs?: number;
  credentials?: ServerCredentials;
}

export interface GrpcServer {
  server: Server;
  /** Binds and starts; returns the bound port (port 0 picks a free one). */
  listen(port: number, host?: string): Promise<number>;
  /** Marks NOT_SERVING, lets in-flight calls finish for up to `graceMs`, then stops. */
  close(graceMs?: number): Promise<void>;
}

export function createGrpcServer(options: GrpcServerOptions): GrpcServer {
  const server = new Server({ "grpc.max_receive_message_length": 4 * 1024 * 1024 });
  const { logger, meter } = options;
  const requests = meter.createCounter("silta_grpc_server_requests", { description: "gRPC calls handled, by method and status code" });
  const duration = meter.createHistogram("silta_grpc_server_duration_seconds", {
    description: "gRPC call duration",
    unit: "s",
    advice: { explicitBucketBoundaries: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] },
  });

  for (const reg of options.services) {
    const impl: UntypedServiceImplementation = {};
    for (const [key, method] of Object.entries(reg.definition)) {
      const handler = reg.handlers[key];
      if (!handler) throw new Error(`service ${reg.name} has no handler for ${key}`);
      if (method.requestStream) throw new Error(`${reg.name}.${key}: client-streaming methods are not supported by the kit`);
      const isPublic = reg.publicMethods?.includes(key) ?? false;
      impl[key] = method.responseStream
        ? wrapServerStream(method.path, handler as ServerStreamHandler<unknown, unknown>, isPublic)
        : wrapUnary(method.path, handler as UnaryHandler<unknown, unknown>, isPublic);
    }
    server.addService(reg.definition, impl);
  }

  // Health follows readiness: NOT_SERVING while a dependency is down.
  const names = ["", ...options.services.map((s) => s.name)];
  const health = new HealthImplementation(Object.fromEntries(names.map((n) => [n, "NOT_SERVING" as const])));
  health.addToServer(server);
  let closing = false;
  const refreshHealth = async () => {
    const r = closing ? { ready: false } : await runReadiness(options.readiness);
    for (const n of names) health.setStatus(n, r.ready ? "SERVING" : "NOT_SERVING");
  };
  const healthTimer = setInterval(() => void refreshHealth(), options.healthIntervalMs ?? 5000);
  healthTimer.unref();

  // The descriptor set (make gen) holds Silta's protos and grpc.health.v1 (compiled by buf:
  // proto-loader's own re-serialisation of health.proto gives a map grpcurl rejects).
  const reflection = new ReflectionService(loadFileDescriptorSetFromBuffer(loadDescriptorSet()), {
    services: options.services.map((s) => s.name).concat("grpc.health.v1.Health"),
  });
  reflection.addToServer(server);

  // What every call gets, unary or streaming: a server span continuing the caller's trace, the
  // proven identity (verified even on a public method when present), the deadline as an abort
  // signal, NUL refused, one log line and the request metrics when it ends.
  function handle<T>(
    path: string,
    isPublic: boolean,
    call: ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>,
    run: (ctx: CallContext) => Promise<T>,
    ok: (value: T) => void,
    fail: (status: ReturnType<typeof toStatus>) => void,
  ): void {
    const [, service = "", rpc = ""] = path.split("/");
    const attributes = { "rpc.system": "grpc", "rpc.service": service, "rpc.method": rpc };
    const started = performance.now();
    const parent = propagation.extract(ROOT_CONTEXT, call.metadata, metadataGetter);
    const span = tracer().startSpan(`${service}/${rpc}`, { kind: SpanKind.SERVER, attributes }, parent);
    const abort = new AbortController();
    let settled = false;
    call.on("cancelled", () => {
      if (!settled) abort.abort(new SiltaError("SILTA_GRPC_CANCELLED", "aborted", "call cancelled"));
    });
    const finish = (code: Code, err: unknown) => {
      settled = true;
      const seconds = (performance.now() - started) / 1000;
      const labels = { method: path, code: Code[code] ?? String(code) };
      requests.add(1, labels);
      duration.record(seconds, labels);
      span.setAttribute("rpc.grpc.status_code", code);
      if (code !== Code.OK) span.setStatus({ code: SpanStatusCode.ERROR, message: Code[code] });
      span.end();
      const line = { method: path, code: labels.code, ms: Math.round(seconds * 1000) };
      if (code === Code.INTERNAL || code === Code.UNKNOWN) logger.error({ ...line, err }, "grpc call failed");
      else logger.info(line, "grpc call");
    };
    void context.with(trace.setSpan(parent, span), async () => {
      try {
        const raw = call.metadata.get(IDENTITY_PROOF_METADATA_KEY)[0];
        const proof = typeof raw === "string" ? raw : undefined;
        const caller = proof !== undefined || !isPublic ? await options.verifyIdentity(proof) : undefined;
        const identity = caller?.identity;
        const deadlineRaw = call.getDeadline();
        const deadline = deadlineRaw instanceof Date ? deadlineRaw : Number.isFinite(deadlineRaw) ? new Date(deadlineRaw) : undefined;
        if (deadline && deadline.getTime() <= Date.now()) {
          throw new SiltaError("SILTA_GRPC_DEADLINE", "deadline_exceeded", "deadline passed before the call was handled");
        }
        let deadlineTimer: NodeJS.Timeout | undefined;
        if (deadline) {
          deadlineTimer = setTimeout(
            () => abort.abort(new SiltaError("SILTA_GRPC_DEADLINE", "deadline_exceeded", "deadline exceeded")),
            deadline.getTime() - Date.now(),
          );
          deadlineTimer.unref();
        }
        const ctx: CallContext = {
          identity,
          signer: caller?.signer,
          method: `${service}/${rpc}`,
          requireIdentity: () => {
            if (!identity) throw new SiltaError("SILTA_AUTH_PROOF_MISSING", "unauthenticated", "the call carries no signed caller identity");
            return identity;
          },
          deadline,
          metadata: call.metadata,
          get logger() {
            return logger.child({ method: path, organisationId: identity?.organisationId });
          },
          signal: abort.signal,
        };
        try {
          const nul = nulCharacterPath(call.request, protoFieldName);
          if (nul !== undefined) {
            throw invalidArgument("SILTA_NUL_CHARACTER", [{ field: nul || "(request)", reason: "must not contain the NUL character (U+0000)" }]);
          }
          const value = await run(ctx);
          finish(Code.OK, undefined);
          ok(value);
        } finally {
          clearTimeout(deadlineTimer);
        }
      } catch (err) {
        const st = toStatus(err);
        finish(st.code, err);
        fail(st);
      }
    });
  }

  function wrapUnary(path: string, handler: UnaryHandler<unknown, unknown>, isPublic: boolean): handleUnaryCall<unknown, unknown> {
    return (call, callback) =>
      handle(
        path,
        isPublic,
        call,
        (ctx) => handler(call.request, ctx),
        (response) => callback(null, response),
        (st) => callback(st, null),
      );
  }

  function wrapServerStream(path: string, handler: ServerStreamHandler<unknown, unknown>, isPublic: boolean): handleServerStreamingCall<unknown, unknown> {
    return (call) => {
      // A closing server ends its open streams (a live feed would otherwise hold the shutdown).
      const onClose = () => call.end();
      streams.add(onClose);
      handle(
        path,
        isPublic,
        call,
        (ctx) =>
          // The handler's signal also aborts when the server closes, so a live feed's loop ends.
          handler(call.request, { ...ctx, signal: AbortSignal.any([ctx.signal, closed.signal]) }, (message) => {
            if (!call.cancelled && call.writable) call.write(message);
          }),
        () => {
          streams.delete(onClose);
          if (!call.cancelled) call.end();
        },
        (st) => {
          streams.delete(onClose);
          if (!call.cancelled) call.emit("error", st);
        },
      );
    };
  }
  const streams = new Set<() => void>();
  const closed = new AbortController();

  return {
    server,
    listen(port, host = "127.0.0.1") {
      return new Promise((resolve, reject) => {
        server.bindAsync(`${host}:${port}`, options.credentials ?? ServerCredentials.createInsecure(), (err, bound) => {
          if (err) return reject(err);
          void refreshHealth().then(() => resolve(bound), reject);
        });
      });
    },
    async close(graceMs = 10_000) {
      closing = true;
      closed.abort(new SiltaError("SILTA_GRPC_CLOSING", "unavailable", "the server is closing"));
      for (const end of streams) end();
      streams.clear();
      clearInterval(healthTimer);
      for (const n of names) health.setStatus(n, "NOT_SERVING");
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
    },
  };
}
