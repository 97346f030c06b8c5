// SiltaError ⇄ gRPC status, in one place. Details travel as google.rpc.Status in the
// `grpc-status-details-bin` trailer (ErrorInfo with the Silta code, BadRequest with the
// invalid fields, PreconditionFailure with the state), the standard gRPC rich-error model
// that grpcurl and other clients understand.
import { status as Code, Metadata, type ServiceError, type StatusObject } from "@grpc/grpc-js";
import { BadRequest, ErrorInfo, PreconditionFailure } from "@silta/contracts/google/rpc/error_details.ts";
import { Status } from "@silta/contracts/google/rpc/status.ts";
import { type ErrorCode, type ErrorKind, isErrorCode, maskHetu, SiltaError } from "@silta/platform";

const DETAILS_KEY = "grpc-status-details-bin";
const TYPE_PREFIX = "type.googleapis.com/";

const kindToCode: Record<ErrorKind, Code> = {
  invalid_argument: Code.INVALID_ARGUMENT,
  not_found: Code.NOT_FOUND,
  already_exists: Code.ALREADY_EXISTS,
  permission_denied: Code.PERMISSION_DENIED,
  unauthenticated: Code.UNAUTHENTICATED,
  failed_precondition: Code.FAILED_PRECONDITION,
  resource_exhausted: Code.RESOURCE_EXHAUSTED,
  deadline_exceeded: Code.DEADLINE_EXCEEDED,
  unavailable: Code.UNAVAILABLE,
  aborted: Code.ABORTED,
  internal: Code.INTERNAL,
};
const codeToKind = new Map<Code, ErrorKind>(Object.entries(kindToCode).map(([k, c]) => [c, k as ErrorKind]));

/**
 * A dependency that is down, as its client reports it: PostgreSQL refusing or dropping
 * connections (SQLSTATE class 08, 57P01–57P03 while it shuts down or starts, the pool's connect
 * timeout, a connection ended under a query) or a socket error. The caller can retry those.
 */
export function dependencyDown(err: unknown): "database" | undefined {
  const e = err as { code?: unknown; message?: unknown } | undefined;
  const code = typeof e?.code === "string" ? e.code : "";
  const message = typeof e?.message === "string" ? e.message : "";
  if (/^08|^57P0[123]$/.test(code) || ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN"].includes(code)) return "database";
  if (/Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/.test(message)) return "database";
  return undefined;
}

/** The status a handler's error becomes. A dependency that is down is UNAVAILABLE; anything else but a SiltaError is INTERNAL, without details. */
export function toStatus(err: unknown): Partial<StatusObject> & { code: Code; details: string } {
  if (!(err instanceof SiltaError)) {
    const down = dependencyDown(err);
    if (down) return toStatus(new SiltaError("SILTA_DEPENDENCY_UNAVAILABLE", "unavailable", `the service's ${down} is not reachable; retry shortly`));
    return { code: Code.INTERNAL, details: "internal error", metadata: new Metadata() };
  }
  const code = kindToCode[err.kind];
  const message = maskHetu(err.message);
  const details = [
    { typeUrl: `${TYPE_PREFIX}google.rpc.ErrorInfo`, value: Buffer.from(ErrorInfo.encode({ reason: err.code, domain: "silta.fi", metadata: {} }).finish()) },
  ];
  if (err.fields.length > 0) {
    details.push({
      typeUrl: `${TYPE_PREFIX}google.rpc.BadRequest`,
      value: Buffer.from(
        BadRequest.encode({
          fieldViolations: err.fields.map((f) => ({ field: f.field, description: maskHetu(f.reason), reason: err.code })),
        }).finish(),
      ),
    });
  }
  if (err.preconditions.length > 0) {
    details.push({
      typeUrl: `${TYPE_PREFIX}google.rpc.PreconditionFailure`,
      value: Buffer.from(PreconditionFailure.encode({ violations: err.preconditions }).finish()),
    });
  }
  const metadata = new Metadata();
  metadata.set(DETAILS_KEY, Buffer.from(Status.encode({ code, message, details }).finish()));
  metadata.set("x-silta-error-code", err.code);
  return { code, details: message, metadata };
}

/** A client-side error back as a SiltaError, with the code and fields the server sent. */
export function fromServiceError(err: ServiceError): SiltaError {
  const kind = codeToKind.get(err.code) ?? (err.code === Code.CANCELLED ? "aborted" : "internal");
  // A server that sent no Silta code: the status named in the code where the kit knows it.
  let code: ErrorCode =
    err.code === Code.UNAVAILABLE
      ? "SILTA_GRPC_UNAVAILABLE"
      : err.code === Code.DEADLINE_EXCEEDED
        ? "SILTA_GRPC_DEADLINE"
        : err.code === Code.CANCELLED
          ? "SILTA_GRPC_CANCELLED"
          : "SILTA_GRPC_STATUS";
  const fields: { field: string; reason: string }[] = [];
  const preconditions: { type: string; subject: string; description: string }[] = [];
  const raw = err.metadata?.get(DETAILS_KEY)[0];
  if (Buffer.isBuffer(raw)) {
    try {
      for (const any of Status.decode(raw).details) {
        const type = any.typeUrl.slice(TYPE_PREFIX.length);
        if (type === "google.rpc.ErrorInfo") {
          const reason = ErrorInfo.decode(any.value).reason;
          // A newer service may send a code this version does not declare: it is still its code.
          if (reason) code = isErrorCode(reason) ? reason : (reason as ErrorCode);
        }
        if (type === "google.rpc.BadRequest") {
          for (const v of BadRequest.decode(any.value).fieldViolations) fields.push({ field: v.field, reason: v.description });
        }
        if (type === "google.rpc.PreconditionFailure") preconditions.push(...PreconditionFailure.decode(any.value).violations);
      }
    } catch {
      // Undecodable details: keep the status code and message.
    }
  }
  const message = code === "SILTA_GRPC_STATUS" ? `${Code[err.code] ?? err.code}: ${err.details || err.message}` : err.details || err.message;
  return new SiltaError(code, kind, message, { fields, preconditions, cause: err });
}

export function isServiceError(e: unknown): e is ServiceError {
  return typeof e === "object" && e !== null && "code" in e && "metadata" in e && "details" in e;
}
