// RFC 9457 problem details: every error answer of the gateway is made here, in one place, from
// a SiltaError (own or a service's, via the gRPC kit), a fastify error, or anything else.
// No stack traces, no internals: an unexpected error is a plain 500 with the request id.
import { type ErrorCode, type ErrorKind, type FieldViolation, isSiltaError, KIND_STATUS, type PreconditionViolation, SiltaError } from "@silta/platform";

export const PROBLEM_CONTENT_TYPE = "application/problem+json";
const TYPE_BASE = "https://silta.fi/problems/";

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** The SILTA_* error code, for programs (docs/errors.md). */
  code: ErrorCode;
  instance?: string;
  /** Invalid fields (proto3 JSON names, dotted paths). */
  errors?: FieldViolation[];
  /** Unmet preconditions, e.g. the referral's current state. */
  preconditions?: PreconditionViolation[];
}

// The HTTP status of each kind is the error-code table's (KIND_STATUS of @silta/platform).
const titles: Record<ErrorKind, string> = {
  invalid_argument: "Invalid request",
  unauthenticated: "Authentication required",
  permission_denied: "Forbidden",
  not_found: "Not found",
  already_exists: "Already exists",
  failed_precondition: "Not allowed in the current state",
  aborted: "Conflict, try again",
  resource_exhausted: "Too many requests",
  deadline_exceeded: "A service did not answer in time",
  unavailable: "Service unavailable",
  internal: "Internal error",
};

/** `home_municipality_code` → `homeMunicipalityCode` (the proto3 JSON name), per path segment. */
export function jsonFieldPath(path: string): string {
  return path
    .split(".")
    .map((s) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()))
    .join(".");
}

export function problemFromSiltaError(e: SiltaError, instance?: string): Problem {
  const status = KIND_STATUS[e.kind].http;
  const title = titles[e.kind];
  const slug = e.code
    .replace(/^SILTA_/, "")
    .toLowerCase()
    .replaceAll("_", "-");
  return {
    type: TYPE_BASE + slug,
    title,
    status,
    // A 500's message may be internal: only the code and the request id go out.
    detail: status >= 500 && e.kind === "internal" ? "an unexpected error occurred; quote the instance when reporting it" : e.message,
    code: e.code,
    ...(instance ? { instance } : {}),
    ...(e.fields.length ? { errors: e.fields.map((f) => ({ field: jsonFieldPath(f.field), reason: f.reason })) } : {}),
    ...(e.preconditions.length ? { preconditions: e.preconditions } : {}),
  };
}

interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  message?: string;
  validation?: { instancePath?: string; message?: string; params?: Record<string, unknown>; keyword?: string }[];
  validationContext?: string;
}

/** Any thrown value → a problem. */
export function toProblem(err: unknown, instance?: string): Problem {
  if (isSiltaError(err)) return problemFromSiltaError(err, instance);
  const e = (err ?? {}) as FastifyLikeError;
  if (e.validation) {
    const where = e.validationContext ?? "body";
    const fields = e.validation.map((v) => ({ field: validationField(where, v), reason: v.message ?? "invalid" }));
    return problemFromSiltaError(new SiltaError("SILTA_GATEWAY_INVALID_REQUEST", "invalid_argument", `invalid ${where}`, { fields }), instance);
  }
  const known = FRAMEWORK_ERRORS[e.code ?? ""];
  if (known) return frameworkProblem(known, instance);
  const status = e.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return frameworkProblem(
      {
        code: status === 404 ? "SILTA_GATEWAY_NO_SUCH_ROUTE" : "SILTA_GATEWAY_BAD_REQUEST",
        status,
        title: status === 404 ? "Not found" : "Bad request",
        detail: "the request cannot be handled as sent",
      },
      instance,
    );
  }
  return problemFromSiltaError(new SiltaError("SILTA_GATEWAY_INTERNAL", "internal", "unexpected"), instance);
}

interface FrameworkError {
  code: ErrorCode;
  status: number;
  title: string;
  detail: string;
}

// Fastify's own refusals, answered with fixed texts (their messages echo input back).
const FRAMEWORK_ERRORS: Record<string, FrameworkError> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    code: "SILTA_GATEWAY_BODY_TOO_LARGE",
    status: 413,
    title: "Request body too large",
    detail: "the request body is larger than this route accepts",
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: "SILTA_GATEWAY_UNSUPPORTED_MEDIA_TYPE",
    status: 415,
    title: "Unsupported media type",
    detail: "send application/json",
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: "SILTA_GATEWAY_BAD_CONTENT_LENGTH",
    status: 400,
    title: "Bad request",
    detail: "the Content-Length does not match the body",
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: "SILTA_GATEWAY_EMPTY_BODY", status: 400, title: "Invalid request", detail: "the JSON body is empty" },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: "SILTA_GATEWAY_MALFORMED_JSON", status: 400, title: "Invalid request", detail: "the body is not valid JSON" },
  FST_ERR_BAD_URL: { code: "SILTA_GATEWAY_BAD_URL", status: 400, title: "Bad request", detail: "the URL is malformed" },
  FST_ERR_MAX_PARAM_LENGTH: { code: "SILTA_GATEWAY_PARAMETER_TOO_LONG", status: 414, title: "URI too long", detail: "a path parameter is too long" },
};

function frameworkProblem(f: FrameworkError, instance: string | undefined): Problem {
  return {
    type:
      TYPE_BASE +
      f.code
        .replace(/^SILTA_/, "")
        .toLowerCase()
        .replaceAll("_", "-"),
    title: f.title,
    status: f.status,
    detail: f.detail,
    code: f.code,
    ...(instance ? { instance } : {}),
  };
}

function validationField(where: string, v: NonNullable<FastifyLikeError["validation"]>[number]): string {
  const path = (v.instancePath ?? "").replace(/^\//, "").replaceAll("/", ".");
  const missing = typeof v.params?.missingProperty === "string" ? v.params.missingProperty : undefined;
  const extra = typeof v.params?.additionalProperty === "string" ? v.params.additionalProperty : undefined;
  const leaf = missing ?? extra;
  const full = [path, leaf].filter(Boolean).join(".");
  return full || where;
}

/**
 * The HTTP parser's refusals (headers too large, a timed-out or garbled request), before any
 * route: written on the socket as a problem, like every other error answer (fastify's
 * clientErrorHandler, https://nodejs.org/api/http.html#event-clienterror).
 */
export function clientErrorProblem(err: { code?: string }, socket: import("node:stream").Duplex): void {
  if (err.code === "ECONNRESET" || socket.destroyed) return;
  const [status, reason, code, title, detail]: [number, string, ErrorCode, string, string] =
    err.code === "ERR_HTTP_REQUEST_TIMEOUT"
      ? [408, "Request Timeout", "SILTA_GATEWAY_REQUEST_TIMEOUT", "Request timeout", "the request was not received in time"]
      : err.code === "HPE_HEADER_OVERFLOW"
        ? [
            431,
            "Request Header Fields Too Large",
            "SILTA_GATEWAY_HEADERS_TOO_LARGE",
            "Request headers too large",
            "the request's headers are larger than accepted",
          ]
        : [400, "Bad Request", "SILTA_GATEWAY_MALFORMED_REQUEST", "Bad request", "the request is not valid HTTP"];
  const body = JSON.stringify(frameworkProblem({ code, status, title, detail }, undefined));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\n${
        // Oversized headers are most often an oversized token: say so as a 401 would (RFC 6750 § 3).
        status === 431 ? 'WWW-Authenticate: Bearer realm="silta", error="invalid_request", error_description="the request\'s headers are too large"\r\n' : ""
      }Connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
