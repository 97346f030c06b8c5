// Typed, coded errors. A domain or use case throws a SiltaError; the gRPC kit maps its kind to
// a status code once (grpc/src/status.ts) and the gateway maps it to HTTP problem details.
// Codes follow SILTA_<DOMAIN>_<REASON>, each declared once in error-codes.ts (docs/errors.md);
// messages never carry personal data.
import type { ErrorCode } from "./error-codes.ts";

export type ErrorKind =
  | "invalid_argument"
  | "not_found"
  | "already_exists"
  | "permission_denied"
  | "unauthenticated"
  | "failed_precondition"
  | "resource_exhausted"
  | "deadline_exceeded"
  | "unavailable"
  | "aborted"
  | "internal";

export interface FieldViolation {
  /** Path of the field in the request, e.g. `child.homeMunicipalityCode`. */
  field: string;
  /** Why it is invalid, in words a caller can act on. */
  reason: string;
}

export interface PreconditionViolation {
  /** What kind of precondition, e.g. `STATE`. */
  type: string;
  /** What it is about, e.g. `referral/<id>`. */
  subject: string;
  description: string;
}

export interface SiltaErrorOptions {
  fields?: FieldViolation[];
  preconditions?: PreconditionViolation[];
  /** Whether a retry of the same operation may succeed (used by event consumers). */
  retryable?: boolean;
  cause?: unknown;
}

export class SiltaError extends Error {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  readonly fields: FieldViolation[];
  readonly preconditions: PreconditionViolation[];
  readonly retryable: boolean;

  constructor(code: ErrorCode, kind: ErrorKind, message: string, options: SiltaErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "SiltaError";
    this.code = code;
    this.kind = kind;
    this.fields = options.fields ?? [];
    this.preconditions = options.preconditions ?? [];
    this.retryable = options.retryable ?? (kind === "unavailable" || kind === "aborted" || kind === "deadline_exceeded");
  }
}

export function isSiltaError(e: unknown): e is SiltaError {
  return e instanceof SiltaError;
}

/** INVALID_ARGUMENT naming every invalid field. */
export function invalidArgument(code: ErrorCode, fields: FieldViolation[]): SiltaError {
  const summary = fields.map((f) => `${f.field}: ${f.reason}`).join("; ");
  return new SiltaError(code, "invalid_argument", `invalid request: ${summary}`, { fields });
}

export function notFound(code: ErrorCode, what: string): SiltaError {
  return new SiltaError(code, "not_found", `${what} not found`);
}

export function permissionDenied(code: ErrorCode, reason: string): SiltaError {
  return new SiltaError(code, "permission_denied", reason);
}

export function unauthenticated(code: ErrorCode, reason: string): SiltaError {
  return new SiltaError(code, "unauthenticated", reason);
}

export function alreadyExists(code: ErrorCode, what: string): SiltaError {
  return new SiltaError(code, "already_exists", `${what} already exists`);
}

/** FAILED_PRECONDITION, e.g. a state transition from the wrong state (names the state). */
export function failedPrecondition(code: ErrorCode, description: string, subject: string, type = "STATE"): SiltaError {
  return new SiltaError(code, "failed_precondition", description, { preconditions: [{ type, subject, description }] });
}

/** Collects field violations while validating a request, then throws them all at once. */
export class FieldErrors {
  readonly list: FieldViolation[] = [];
  add(field: string, reason: string): this {
    this.list.push({ field, reason });
    return this;
  }
  get empty(): boolean {
    return this.list.length === 0;
  }
  throwIfAny(code: ErrorCode): void {
    if (this.list.length > 0) throw invalidArgument(code, this.list);
  }
}
