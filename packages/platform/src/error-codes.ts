// Every SILTA_* error code, declared once: its kind (which gives the gRPC status and the HTTP
// status), a title and one line of meaning for an integrator. SiltaError takes only a declared
// code (ErrorCode); docs/errors.md is rendered from this table (make errors) and a test fails on
// a code used but not declared, declared but not used, or a stale docs/errors.md.
import type { ErrorKind } from "./errors.ts";

export interface ErrorCodeSpec {
  kind: ErrorKind;
  title: string;
  meaning: string;
  /** An HTTP status other than the kind's (the gateway's answers to malformed HTTP). */
  http?: number;
  /** Answered by the gateway itself, never sent over gRPC. */
  httpOnly?: true;
}

/** The gRPC status and HTTP status of each kind (the gRPC kit and the gateway map by these). */
export const KIND_STATUS: Record<ErrorKind, { grpc: string; http: number }> = {
  invalid_argument: { grpc: "INVALID_ARGUMENT", http: 400 },
  unauthenticated: { grpc: "UNAUTHENTICATED", http: 401 },
  permission_denied: { grpc: "PERMISSION_DENIED", http: 403 },
  not_found: { grpc: "NOT_FOUND", http: 404 },
  already_exists: { grpc: "ALREADY_EXISTS", http: 409 },
  failed_precondition: { grpc: "FAILED_PRECONDITION", http: 409 },
  aborted: { grpc: "ABORTED", http: 409 },
  resource_exhausted: { grpc: "RESOURCE_EXHAUSTED", http: 429 },
  deadline_exceeded: { grpc: "DEADLINE_EXCEEDED", http: 504 },
  unavailable: { grpc: "UNAVAILABLE", http: 503 },
  internal: { grpc: "INTERNAL", http: 500 },
};

const c = (kind: ErrorKind, title: string, meaning: string, extra: Partial<ErrorCodeSpec> = {}): ErrorCodeSpec => ({ kind, title, meaning, ...extra });
const edge = (http: number, title: string, meaning: string): ErrorCodeSpec => ({
  kind: http === 500 ? "internal" : "invalid_argument",
  title,
  meaning,
  http,
  httpOnly: true,
});

export const ERROR_CODES = {
  // Identity: proven on every call.
  SILTA_AUTH_TOKEN_MISSING: c("unauthenticated", "Token missing", "The request has no `Authorization: Bearer <jwt>` header."),
  SILTA_AUTH_TOKEN_INVALID: c(
    "unauthenticated",
    "Token invalid",
    "The bearer token is malformed, expired, not yet valid, lives too long, or is not signed by the identity provider's key.",
  ),
  SILTA_AUTH_ROLE_REQUIRED: c("permission_denied", "Role required", "The route is for users holding one of the roles it names."),
  SILTA_AUTH_ORGANISATION_TYPE: c("permission_denied", "Organisation type not allowed", "The route is for organisations of the types it names."),
  SILTA_AUTH_PROOF_MISSING: c("unauthenticated", "Identity proof missing", "A gRPC call carried no signed caller identity (`x-silta-identity-proof`)."),
  SILTA_AUTH_PROOF_INVALID: c(
    "unauthenticated",
    "Identity proof invalid",
    "The signed caller identity is malformed, expired, issued in the future, for another audience, or its signature does not verify.",
  ),
  SILTA_AUTH_PROOF_UNTRUSTED: c("unauthenticated", "Identity proof untrusted", "The caller identity is signed by a signer this service does not trust."),
  SILTA_AUTH_LINK_INVALID: c(
    "unauthenticated",
    "Link invalid",
    "A link (e.g. an invitation) is malformed, expired, for something else, or not issued by this service.",
  ),
  SILTA_AUTH_SIGNER_NOT_ALLOWED: c(
    "permission_denied",
    "Signer may not assert this",
    "A trusted signer asserted an organisation, type, area or municipality beyond what its entry allows.",
  ),
  // The kit.
  SILTA_NUL_CHARACTER: c(
    "invalid_argument",
    "NUL character",
    "A string field of a gRPC request holds U+0000, which no Silta store accepts; the field is named.",
  ),
  SILTA_DEPENDENCY_UNAVAILABLE: c("unavailable", "Dependency unavailable", "The service's database is not reachable; nothing was written. Retry shortly."),
  SILTA_GRPC_UNAVAILABLE: c("unavailable", "Service unreachable", "A service this one calls could not be reached."),
  SILTA_GRPC_DEADLINE: c("deadline_exceeded", "Deadline passed", "The call's deadline passed before the service handled it."),
  SILTA_GRPC_CANCELLED: c("aborted", "Call cancelled", "The caller cancelled the call."),
  SILTA_GRPC_CLOSING: c("unavailable", "Server closing", "The service instance is stopping and ended the stream; open it again (another instance answers)."),
  SILTA_GRPC_STATUS: c(
    "internal",
    "Upstream error without a code",
    "A called service answered with an error status and no Silta code (the status is in the message).",
  ),
  SILTA_GRPC_NO_PROVER: c("internal", "Client without identity", "A client was asked to prove a caller but was built without a signing key (a wiring fault)."),
  // Gateway.
  SILTA_GATEWAY_NO_SUCH_ROUTE: c("not_found", "No such route", "No route answers this method and path."),
  SILTA_GATEWAY_INVALID_REQUEST: c(
    "invalid_argument",
    "Invalid request",
    "The body, query or path does not match the route's schema; each invalid field is named.",
  ),
  SILTA_GATEWAY_FIELD_GIVEN_TWICE: c("invalid_argument", "Field given twice", "A field was given under both its JSON name and its proto name."),
  SILTA_GATEWAY_NUL_CHARACTER: c("invalid_argument", "NUL character", "A field holds U+0000; the field is named."),
  SILTA_GATEWAY_INVALID_UTF8: c("invalid_argument", "Invalid UTF-8", "The body is not valid UTF-8; the first field affected is named."),
  SILTA_GATEWAY_MALFORMED_JSON: c("invalid_argument", "Malformed JSON", "The body is not valid JSON."),
  SILTA_GATEWAY_EMPTY_BODY: c("invalid_argument", "Empty body", "The route takes a JSON body and none came."),
  SILTA_GATEWAY_RATE_LIMITED: c(
    "resource_exhausted",
    "Rate limited",
    "Your organisation made more requests this minute than the gateway allows; retry after `Retry-After`.",
  ),
  SILTA_GATEWAY_UNAUTHENTICATED_RATE_LIMITED: c(
    "resource_exhausted",
    "Rate limited before authentication",
    "Too many requests without a valid token from your address this minute.",
  ),
  SILTA_GATEWAY_STREAM_TICKET: c(
    "unauthenticated",
    "Stream ticket not valid",
    "The live inbox's ticket is unknown, used already or expired (30 s, once): get a new one with the bearer token (`POST /v1/notifications/stream-tickets`).",
  ),
  SILTA_GATEWAY_SHUTTING_DOWN: c("unavailable", "Shutting down", "This gateway instance is stopping; retry (another instance answers)."),
  SILTA_GATEWAY_UPSTREAM_UNAVAILABLE: c("unavailable", "Service unavailable", "The service behind the route is not reachable; retry shortly."),
  SILTA_GATEWAY_INTERNAL: c("internal", "Internal error", "Something unexpected failed; quote the problem's `instance` when reporting it."),
  SILTA_GATEWAY_BAD_REQUEST: edge(400, "Bad request", "The HTTP request could not be taken as it is (the detail says why)."),
  SILTA_GATEWAY_BAD_URL: edge(400, "Bad URL", "The URL is malformed."),
  SILTA_GATEWAY_BAD_CONTENT_LENGTH: edge(400, "Bad Content-Length", "The body's length does not match its Content-Length header."),
  SILTA_GATEWAY_MALFORMED_REQUEST: edge(400, "Malformed request", "The request is not valid HTTP."),
  SILTA_GATEWAY_REQUEST_TIMEOUT: edge(408, "Request timeout", "The request was not received in time."),
  SILTA_GATEWAY_BODY_TOO_LARGE: edge(413, "Body too large", "The body is larger than the route accepts."),
  SILTA_GATEWAY_PARAMETER_TOO_LONG: edge(414, "Parameter too long", "A path parameter is longer than accepted."),
  SILTA_GATEWAY_UNSUPPORTED_MEDIA_TYPE: edge(415, "Unsupported media type", "The body is not `application/json`."),
  SILTA_GATEWAY_HEADERS_TOO_LARGE: edge(431, "Headers too large", "The request's headers are larger than accepted."),
  // Education-event intake.
  SILTA_INTAKE_INVALID_BATCH: c("invalid_argument", "Invalid batch", "The body is not a batch of 1–500 events."),
  SILTA_INTAKE_KAFKA_UNAVAILABLE: c(
    "unavailable",
    "Event log unavailable",
    "Kafka did not confirm the batch in time; nothing is promised, send the batch again.",
  ),
  SILTA_EDUCATION_EVENT_INVALID: c(
    "invalid_argument",
    "Invalid education event",
    "An education event on the topic is invalid (it is dead-lettered with the fields named).",
  ),
  // Consent.
  SILTA_CONSENT_INVALID_GRANT: c("invalid_argument", "Invalid consent", "The consent to record is invalid; each field is named."),
  SILTA_CONSENT_INVALID_REVOKE: c("invalid_argument", "Invalid revocation", "The revocation is invalid (its reason is missing or too long)."),
  SILTA_CONSENT_INVALID_BASIS: c("invalid_argument", "Invalid statutory basis", "The statutory basis to record is invalid; each field is named."),
  SILTA_CONSENT_INVALID_CHECK: c("invalid_argument", "Invalid disclosure check", "The disclosure question is invalid; each field is named."),
  SILTA_CONSENT_INVALID_AUDIT_QUERY: c("invalid_argument", "Invalid audit query", "The audit query is invalid; each field is named."),
  SILTA_CONSENT_INVALID_ID: c("invalid_argument", "Invalid consent id", "The consent id is not a UUID."),
  SILTA_CONSENT_INVALID_SUBJECT: c("invalid_argument", "Invalid subject", "The subject is not a pseudonym."),
  SILTA_CONSENT_NOT_FOUND: c("not_found", "Consent not found", "No such consent in your areas (another area's answers the same)."),
  SILTA_CONSENT_SUBJECT_NOT_FOUND: c("not_found", "Subject not found", "No disclosure log of this subject in your areas."),
  SILTA_CONSENT_NOT_ACTIVE: c("failed_precondition", "Consent not active", "The consent is revoked or expired, so it cannot be revoked again."),
  SILTA_CONSENT_ROLE_REQUIRED: c("permission_denied", "Role required", "Only a wellbeing area's child-protection roles manage consents."),
  SILTA_CONSENT_AUDITOR_REQUIRED: c(
    "permission_denied",
    "Auditor required",
    "The audit trail is read by a wellbeing area's data protection officer or auditor.",
  ),
  SILTA_CONSENT_OTHER_AREA: c("permission_denied", "Other area", "The caller does not act for the wellbeing area named."),
  SILTA_CONSENT_CHECK_FOR_OTHERS: c("permission_denied", "Check for another", "An organisation checks disclosures only to itself, in a role its user holds."),
  SILTA_CONSENT_CHECK_RATE_LIMITED: c(
    "resource_exhausted",
    "Too many checks",
    "Too many disclosure checks about one child from your organisation this minute.",
  ),
  // Referrals.
  // Consultations: booking the paired-worker model's specialists.
  SILTA_CONSULTATION_INVALID: c(
    "invalid_argument",
    "Invalid booking request",
    "A field or rule of the request is invalid; each field is named (never with its value).",
  ),
  SILTA_CONSULTATION_NOT_FOUND: c("not_found", "Not found", "No such specialist or booking, or not one the caller's organisation may see."),
  SILTA_CONSULTATION_FORBIDDEN: c(
    "permission_denied",
    "Not for this caller",
    "Booking is for the social workers of the area and its municipalities; managing specialists and fairness for its coordinators.",
  ),
  SILTA_CONSULTATION_SLOT_TAKEN: c("already_exists", "Time taken", "Another booking (or its buffers) holds this time of the specialist: list the slots again."),
  SILTA_CONSULTATION_NOT_BOOKABLE: c(
    "failed_precondition",
    "Time not bookable",
    "A rule refuses the time (outside the schedule, a holiday or day off, out of office, notice, window, a cap, or the share reserved for municipalities without a specialist); the rule is named.",
  ),
  SILTA_CONSULTATION_NO_SPECIALIST_FREE: c(
    "failed_precondition",
    "No specialist free",
    "No qualified specialist is free for every time asked (a series stays with one specialist).",
  ),
  SILTA_CONSULTATION_HOLD_EXPIRED: c("failed_precondition", "Hold expired", "The hold expired before it was confirmed: hold a time again."),
  SILTA_CONSULTATION_WRONG_STATE: c(
    "failed_precondition",
    "Wrong state",
    "The booking's state does not allow this step (e.g. it was already rescheduled: use the new booking).",
  ),
  SILTA_CONSULTATION_SESSION_FULL: c("failed_precondition", "Session full", "Every seat of the training session is taken."),
  SILTA_CONSULTATION_CONSENT_DENIED: c(
    "permission_denied",
    "No consent for co-work",
    "The family's consent does not cover co-work with the specialist's organisation; the consent service's reason is given. Nothing was written.",
  ),
  SILTA_CONSULTATION_FEED_INVALID: c("unauthenticated", "Feed URL invalid", "The calendar feed's secret is unknown or was replaced by a newer one."),
  // Meetings: multi-agency meetings with the family.
  SILTA_MEETING_INVALID: c(
    "invalid_argument",
    "Invalid meeting request",
    "A field or rule of the request is invalid; each field is named (never with its value). Nothing was written.",
  ),
  SILTA_MEETING_NOT_FOUND: c("not_found", "Not found", "No such meeting or participant, or not one the caller's organisation may see."),
  SILTA_MEETING_FORBIDDEN: c(
    "permission_denied",
    "Not for this caller",
    "Meetings are organised by the area's child-protection roles (and Sisukas follow-ups by the school's named support role); contacts go only to the notifications service.",
  ),
  SILTA_MEETING_WRONG_STATE: c(
    "failed_precondition",
    "Wrong state",
    "The meeting's state does not allow this step (e.g. it was cancelled, or the occurrence has passed).",
  ),
  SILTA_MEETING_NOT_INVITED: c("failed_precondition", "Not invited", "The participant is not (or no longer) invited to this meeting: no answer is taken."),
  SILTA_MEETING_LINK_LIMITED: c("resource_exhausted", "Too many tries", "Too many invitation-link requests from one address in a minute: wait and try again."),
  // Notifications: in-app, e-mail and signed webhooks.
  SILTA_NOTIFICATION_INVALID: c(
    "invalid_argument",
    "Invalid notifications request",
    "A field of the request is invalid (an unknown language or channel, a webhook URL that is not https); each field is named. Nothing was written.",
  ),
  SILTA_NOTIFICATION_NOT_FOUND: c("not_found", "Not found", "No such inbox item or delivery of the caller (or of the caller's organisation)."),
  SILTA_NOTIFICATION_FORBIDDEN: c(
    "permission_denied",
    "Not for this caller",
    "An organisation's directory, webhooks and deliveries are kept by its notifications administrators (notifications_admin).",
  ),
  SILTA_REFERRAL_INVALID: c("invalid_argument", "Invalid referral", "The referral is invalid; each field is named (never with its value)."),
  SILTA_REFERRAL_INVALID_ID: c("invalid_argument", "Invalid referral id", "The referral id is not a UUID."),
  SILTA_REFERRAL_INVALID_QUERY: c("invalid_argument", "Invalid query", "The referral query is invalid; each field is named."),
  SILTA_REFERRAL_INVALID_TRANSITION: c("invalid_argument", "Invalid step", "The step asked for is not one the referral process has, or lacks what it needs."),
  SILTA_REFERRAL_WRONG_STATE: c("failed_precondition", "Wrong state", "The referral is not in a state that allows this step."),
  SILTA_REFERRAL_NOT_FOUND: c("not_found", "Referral not found", "No such referral visible to you (another area's answers the same)."),
  SILTA_REFERRAL_NOT_YOUR_ORGANISATION: c("permission_denied", "Not your organisation", "A professional notifies on behalf of their own organisation only."),
  SILTA_REFERRAL_OTHER_AREA: c("permission_denied", "Other area", "The caller does not act for the wellbeing area named."),
  SILTA_REFERRAL_ROLE_REQUIRED: c("permission_denied", "Role required", "Only a wellbeing area's child-protection roles handle referrals."),
  SILTA_REFERRAL_PRIVATE_VIA_SERVICE: c(
    "permission_denied",
    "Private notification via a service",
    "A private person's notification is filed by a service inside the area's deployment, not through a professional's organisation.",
  ),
  // Usage log.
  SILTA_USAGE_INVALID_QUERY: c("invalid_argument", "Invalid usage-log query", "The usage-log query is invalid; each field is named."),
  SILTA_USAGE_AUDITOR_REQUIRED: c("permission_denied", "Auditor required", "The usage log is read by a wellbeing area's data protection officer or auditor."),
  // The kit's conformance fixture (not deployed).
  SILTA_FIXTURE_INVALID_NOTE: c("invalid_argument", "Invalid note", "The fixture's note is invalid; each field is named."),
  SILTA_FIXTURE_NOTE_NOT_FOUND: c("not_found", "Note not found", "No such note of your organisation."),
} as const satisfies Record<string, ErrorCodeSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

export const isErrorCode = (code: string): code is ErrorCode => Object.hasOwn(ERROR_CODES, code);

/** docs/errors.md: the table, rendered. */
export function renderErrorCodes(): string {
  const rows = Object.entries(ERROR_CODES as Record<string, ErrorCodeSpec>).map(([code, s]) => {
    const grpc = s.httpOnly ? "—" : KIND_STATUS[s.kind].grpc;
    const http = s.http ?? KIND_STATUS[s.kind].http;
    return `| \`${code}\` | ${grpc} | ${http} | ${s.title} | ${s.meaning.replaceAll("|", "\\|")} |`;
  });
  return [
    "# Error codes",
    "",
    "<!-- Generated from packages/platform/src/error-codes.ts by `make errors`; a test fails when this file is stale. -->",
    "",
    "Every error a Silta service or gateway answers carries one of these codes: over gRPC in the",
    "`google.rpc.ErrorInfo` detail (`reason`) and the `x-silta-error-code` trailer, over REST in the",
    "problem details' `code` (RFC 9457). Invalid fields are named in `google.rpc.BadRequest` / the",
    "problem's `errors`. A message never carries personal data.",
    "",
    "| code | gRPC status | HTTP status | title | meaning |",
    "|---|---|---|---|---|",
    ...rows,
    "",
  ].join("\n");
}
