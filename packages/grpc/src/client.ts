// gRPC client kit: every call gets a deadline, the caller's identity in metadata and the
// current trace context; a failure comes back as a SiltaError with the server's code and fields.
// One generic `unary` instead of a hand-written promise wrapper per RPC.
import { type CallOptions, type ChannelCredentials, type Client, type ClientUnaryCall, credentials, Metadata, type ServiceError } from "@grpc/grpc-js";
import { context, propagation, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { encodeIdentity, IDENTITY_METADATA_KEY, type Identity, tracer } from "@silta/platform";
import { fromServiceError } from "./status.ts";
import { metadataSetter } from "./trace-metadata.ts";

export interface CallSettings {
  identity?: Identity;
  /** Milliseconds; 5 s by default. */
  deadlineMs?: number;
}

type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => ClientUnaryCall;

/** Calls `client[method]` and resolves with the response or rejects with a SiltaError. */
export function unary<C extends Client, Req, Res>(client: C, method: UnaryMethod<Req, Res>, request: Req, settings: CallSettings = {}): Promise<Res> {
  const metadata = new Metadata();
  if (settings.identity) metadata.set(IDENTITY_METADATA_KEY, encodeIdentity(settings.identity));
  const name = method.name || "call";
  const span = tracer().startSpan(`grpc.client/${name}`, { kind: SpanKind.CLIENT, attributes: { "rpc.system": "grpc", "rpc.method": name } });
  propagation.inject(trace.setSpan(context.active(), span), metadata, metadataSetter);
  const deadline = new Date(Date.now() + (settings.deadlineMs ?? 5000));
  return new Promise<Res>((resolve, reject) => {
    method.call(client, request, metadata, { deadline }, (err, response) => {
      if (err) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: String(err.code) });
        span.end();
        reject(fromServiceError(err));
      } else {
        span.end();
        resolve(response);
      }
    });
  });
}

export type ClientConstructor<C> = new (address: string, creds: ChannelCredentials, options?: object) => C;

export function createClient<C extends Client>(Ctor: ClientConstructor<C>, address: string, creds: ChannelCredentials = credentials.createInsecure()): C {
  return new Ctor(address, creds, { "grpc.keepalive_time_ms": 30_000 });
}
