// The caller's verified identity. The gateway verifies the JWT and passes this to services in
// gRPC metadata; services authorise each object by it. Between services the channel is
// trusted (mTLS where the deployment enables it), so services parse, they do not verify.
import { z } from "zod";
import { SiltaError } from "./errors.ts";

export const IDENTITY_METADATA_KEY = "x-silta-identity";

export const organisationTypes = ["municipality", "wellbeing_area", "ngo", "health", "service"] as const;
export type OrganisationType = (typeof organisationTypes)[number];

const identitySchema = z.object({
  /** Opaque user id (the token's `sub`); never a henkilötunnus. */
  subject: z.string().min(1).max(200),
  organisationId: z.string().min(1).max(100),
  organisationType: z.enum(organisationTypes),
  roles: z.array(z.string().min(1).max(100)).max(50).default([]),
  /** Wellbeing-area codes (Statistics Finland, e.g. "13", "90") the organisation acts for. */
  areaCodes: z
    .array(z.string().regex(/^\d{2}$/))
    .max(30)
    .default([]),
  /** Municipality codes (three digits) the organisation acts for. */
  municipalityCodes: z
    .array(z.string().regex(/^\d{3}$/))
    .max(400)
    .default([]),
});

export type Identity = z.infer<typeof identitySchema>;

// A caller sends the same identity with every call: both directions keep a small cache of the
// pure encode/decode (bounded; an object is re-validated whenever it is a new object).
const encoded = new WeakMap<Identity, string>();
const decoded = new Map<string, Identity>();
const DECODED_MAX = 1000;

export function encodeIdentity(identity: Identity): string {
  const hit = encoded.get(identity);
  if (hit) return hit;
  const value = Buffer.from(JSON.stringify(identitySchema.parse(identity)), "utf8").toString("base64url");
  encoded.set(identity, value);
  return value;
}

/** The identity in `value`; frozen, because the same object is shared by every call that sends it. */
export function decodeIdentity(value: string): Identity {
  const hit = decoded.get(value);
  if (hit) return hit;
  const identity = parseIdentity(value);
  Object.freeze(identity.roles);
  Object.freeze(identity.areaCodes);
  Object.freeze(identity.municipalityCodes);
  Object.freeze(identity);
  if (decoded.size >= DECODED_MAX) decoded.delete(decoded.keys().next().value as string);
  decoded.set(value, identity);
  return identity;
}

function parseIdentity(value: string): Identity {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, "base64url").toString("utf8"));
  } catch {
    throw new SiltaError("SILTA_AUTH_IDENTITY_MALFORMED", "unauthenticated", "caller identity metadata is not valid base64url JSON");
  }
  const result = identitySchema.safeParse(parsed);
  if (!result.success) {
    const fields = result.error.issues.map((i) => i.path.join(".") || "(identity)").join(", ");
    throw new SiltaError("SILTA_AUTH_IDENTITY_MALFORMED", "unauthenticated", `caller identity metadata is invalid: ${fields}`);
  }
  return result.data;
}

export function hasRole(identity: Identity, role: string): boolean {
  return identity.roles.includes(role);
}
