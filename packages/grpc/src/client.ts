// gRPC client kit: every call gets a deadline, the caller's identity as a signed assertion
// (identity-proof.ts of @silta/platform, for the called service as audience) and the current
// trace context; a failure comes back as a SiltaError with the server's code and fields.
// One generic `unary` instead of a hand-written promise wrapper per RPC.
import {
  type CallOptions,
  type ChannelCredentials,
  type Client,
  type ClientReadableStream,
  type ClientUnaryCall,
  credentials,
  Metadata,
  type ServiceError,
} from "@grpc/grpc-js";
import { context, propagation, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { IDENTITY_PROOF_METADATA_KEY, type Identity, type IdentityProver, SiltaError, tracer } from "@silta/platform";
import { fromServiceError } from "./status.ts";
import { metadataSetter } from "./trace-metadata.ts";

export interface CallSettings {
  /** Who the call is made for; the client's prover signs it for the client's audience. */
  identity?: Identity;
  /** Milliseconds; 5 s by default. */
  deadlineMs?: number;
}

/** How a client proves its callers: the signer's prover and the audience (the called service's name). */
export interface ClientIdentity {
  prover: IdentityProver;
  audience: string;
  /**
   * Also send the identity unsigned in the metadata services before the signed assertions read
   * (`x-silta-identity`), for the upgrade window only (docs/operations.md); upgraded services ignore it.
   */
  legacyHeader?: boolean;
}

const proving = new WeakMap<Client, ClientIdentity>();

/** Makes `client` sign the identities of its calls with `how`. */
export function proveCallsOf<C extends Client>(client: C, how: ClientIdentity): C {
  proving.set(client, how);
  return client;
}

export type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => ClientUnaryCall;

/** Calls `client[method]` and resolves with the response or rejects with a SiltaError. */
export async function unary<C extends Client, Req, Res>(client: C, method: UnaryMethod<Req, Res>, request: Req, settings: CallSettings = {}): Promise<Res> {
  const metadata = new Metadata();
  if (settings.identity) {
    const how = proving.get(client);
    if (!how) throw new SiltaError("SILTA_GRPC_NO_PROVER", "internal", "this client has no identity prover (createClient's identity option)");
    metadata.set(IDENTITY_PROOF_METADATA_KEY, await how.prover.prove(settings.identity, how.audience));
    if (how.legacyHeader) metadata.set("x-silta-identity", Buffer.from(JSON.stringify(settings.identity)).toString("base64url"));
  }
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

export type ServerStreamMethod<Req, Res> = (request: Req, metadata: Metadata, options?: Partial<CallOptions>) => ClientReadableStream<Res>;

/**
 * Reads a server-streaming method (a live feed) as an async iterable, the caller's identity signed
 * like a unary call's. Ends when the server ends the stream; a failure comes back as a SiltaError
 * with the server's code. `signal` (or leaving the loop) cancels the call. No deadline unless given.
 */
export async function* serverStream<C extends Client, Req, Res>(
  client: C,
  method: ServerStreamMethod<Req, Res>,
  request: Req,
  settings: Omit<CallSettings, "deadlineMs"> & { deadlineMs?: number; signal?: AbortSignal } = {},
): AsyncGenerator<Res> {
  const metadata = new Metadata();
  if (settings.identity) {
    const how = proving.get(client);
    if (!how) throw new SiltaError("SILTA_GRPC_NO_PROVER", "internal", "this client has no identity prover (createClient's identity option)");
    metadata.set(IDENTITY_PROOF_METADATA_KEY, await how.prover.prove(settings.identity, how.audience));
  }
  propagation.inject(context.active(), metadata, metadataSetter);
  const call = method.call(client, request, metadata, settings.deadlineMs ? { deadline: new Date(Date.now() + settings.deadlineMs) } : {});
  const cancel = () => call.cancel();
  settings.signal?.addEventListener("abort", cancel, { once: true });
  try {
    for await (const message of call as AsyncIterable<Res>) yield message;
  } catch (err) {
    if (settings.signal?.aborted) return;
    throw isServiceErrorLike(err) ? fromServiceError(err) : err;
  } finally {
    settings.signal?.removeEventListener("abort", cancel);
    call.cancel();
  }
}

const isServiceErrorLike = (e: unknown): e is ServiceError => typeof e === "object" && e !== null && "code" in e && "metadata" in e;

export type ClientConstructor<C> = new (address: string, creds: ChannelCredentials, options?: object) => C;

/**
 * A client whose channel reconnects quickly after the server comes back (grpc-js backs off up to
 * 120 s by default; a restarted upstream would then be answered 503 for seconds after it is up).
 */
export function createClient<C extends Client>(
  Ctor: ClientConstructor<C>,
  address: string,
  creds: ChannelCredentials = credentials.createInsecure(),
  identity?: ClientIdentity,
): C {
  const client = new Ctor(address, creds, {
    "grpc.keepalive_time_ms": 30_000,
    "grpc.initial_reconnect_backoff_ms": 100,
    "grpc.max_reconnect_backoff_ms": 1000,
  });
  return identity ? proveCallsOf(client, identity) : client;
}
