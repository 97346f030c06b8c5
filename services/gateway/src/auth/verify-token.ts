// Bearer JWTs verified against a JWKS (jose): signature, issuer, audience, expiry (with a small
// clock tolerance) and an algorithm allow-list, so `alg: none` and HMAC-with-the-public-key
// tricks are refused before anything else is looked at. The claims become the Identity the
// gateway forwards to services in gRPC metadata.
//
// Claims: sub (opaque user id), org_id, org_type (municipality | wellbeing_area | ngo | health),
// roles [..], area_codes ["13"], municipality_codes ["297"].
import { type Identity, organisationTypes, SiltaError } from "@silta/platform";
import { createLocalJWKSet, createRemoteJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey, jwtVerify } from "jose";
import { z } from "zod";

export interface TokenSettings {
  issuer: string;
  audience: string;
  algorithms: string[];
  /** A JWKS URL (the identity provider's), or a JWKS document (development key). */
  jwks: URL | JSONWebKeySet;
  clockToleranceSeconds?: number;
  /** The longest lifetime (exp − iat) accepted; a token issued for longer is refused. */
  maxLifetimeSeconds?: number;
}

const claimsSchema = z.object({
  sub: z.string().min(1).max(200),
  org_id: z.string().min(1).max(100),
  // "service" is for Silta's own services, never for a token from outside.
  org_type: z.enum(organisationTypes.filter((t) => t !== "service") as [string, ...string[]]),
  roles: z.array(z.string().min(1).max(100)).max(50).default([]),
  area_codes: z
    .array(z.string().regex(/^\d{2}$/))
    .max(30)
    .default([]),
  municipality_codes: z
    .array(z.string().regex(/^\d{3}$/))
    .max(400)
    .default([]),
});

/** `authorization` is the header's value; an array (the header sent twice) is refused. */
export type TokenVerifier = ((authorization: string | string[] | undefined) => Promise<Identity>) & {
  /** The identity of this header's token if it was verified before and has not expired (no signature to check). */
  known(authorization: string | undefined): Identity | undefined;
};

/** Verified tokens are remembered (bounded) until they expire, at most this long. */
const CACHE_MS = 5 * 60_000;
const CACHE_MAX = 10_000;

export function tokenVerifier(settings: TokenSettings): TokenVerifier {
  // A caller sends the same token with every request: verifying its signature once per token
  // (not per request) spares the CPU; an expired token falls out and is verified (refused) again.
  const verified = new Map<string, { identity: Identity; until: number }>();
  const maxLifetime = settings.maxLifetimeSeconds ?? 12 * 3600;
  const tolerance = settings.clockToleranceSeconds ?? 30;
  const remote = settings.jwks instanceof URL ? createRemoteJWKSet(settings.jwks, { cooldownDuration: 30_000, cacheMaxAge: 600_000 }) : undefined;
  const base: JWTVerifyGetKey = remote ?? createLocalJWKSet(settings.jwks as JSONWebKeySet);
  const keyCount = () => (remote ? (remote.jwks()?.keys.length ?? 0) : (settings.jwks as JSONWebKeySet).keys.length);
  // Without a kid, jose tries every key of the set: with several keys, the token must name its key.
  const keys: JWTVerifyGetKey = async (header, token) => {
    if (!header.kid) {
      if (remote && remote.jwks() === undefined) await remote.reload();
      if (keyCount() > 1) throw new SiltaError("SILTA_AUTH_TOKEN_INVALID", "unauthenticated", "the token names no key (kid) and the key set has several");
    }
    return base(header, token);
  };
  const tokenOf = (authorization: string | undefined) => /^bearer ([A-Za-z0-9_=-]+\.[A-Za-z0-9_=-]*\.[A-Za-z0-9_=-]*)$/i.exec(authorization ?? "")?.[1];
  const verify = async (authorization: string | string[] | undefined): Promise<Identity> => {
    if (Array.isArray(authorization)) {
      throw new SiltaError("SILTA_AUTH_TOKEN_INVALID", "unauthenticated", "send one Authorization header, not several");
    }
    // The scheme is case-insensitive (RFC 7235 § 2.1); the token is not.
    const token = tokenOf(authorization);
    if (!token) {
      throw new SiltaError("SILTA_AUTH_TOKEN_MISSING", "unauthenticated", "a bearer token is required (Authorization: Bearer <jwt>)");
    }
    const hit = verified.get(token);
    if (hit && hit.until > Date.now()) return hit.identity;
    if (hit) verified.delete(token);
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: settings.issuer,
        audience: settings.audience,
        algorithms: settings.algorithms,
        clockTolerance: tolerance,
        // With maxTokenAge jose also refuses an iat in the future (beyond the tolerance).
        maxTokenAge: maxLifetime,
        requiredClaims: ["exp", "iat", "sub"],
      }));
    } catch (err) {
      if (err instanceof SiltaError) throw err;
      throw new SiltaError("SILTA_AUTH_TOKEN_INVALID", "unauthenticated", reasonOf(err), { cause: err });
    }
    if (Number(payload.exp) - Number(payload.iat) > maxLifetime) {
      throw new SiltaError("SILTA_AUTH_TOKEN_INVALID", "unauthenticated", `the token lives longer than the ${maxLifetime} s this gateway accepts`);
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) {
      const fields = claims.error.issues.map((i) => i.path.join(".") || "(claims)").join(", ");
      throw new SiltaError("SILTA_AUTH_TOKEN_INVALID", "unauthenticated", `the token's claims are incomplete or invalid: ${fields}`);
    }
    const c = claims.data;
    const identity: Identity = Object.freeze({
      subject: c.sub,
      organisationId: c.org_id,
      organisationType: c.org_type as Identity["organisationType"],
      roles: Object.freeze(c.roles) as string[],
      areaCodes: Object.freeze(c.area_codes) as string[],
      municipalityCodes: Object.freeze(c.municipality_codes) as string[],
    });
    if (verified.size >= CACHE_MAX) verified.delete(verified.keys().next().value as string);
    verified.set(token, { identity, until: Math.min(Number(payload.exp) * 1000, Date.now() + CACHE_MS) });
    return identity;
  };
  return Object.assign(verify, {
    known: (authorization: string | undefined) => {
      const token = tokenOf(authorization);
      const hit = token === undefined ? undefined : verified.get(token);
      return hit !== undefined && hit.until > Date.now() ? hit.identity : undefined;
    },
  });
}

/** A reason a client can act on, without echoing the token. */
function reasonOf(err: unknown): string {
  if (err instanceof errors.JWTExpired) return "the token has expired";
  if (err instanceof errors.JWTClaimValidationFailed) return `the token's ${err.claim} claim is not accepted`;
  if (err instanceof errors.JOSEAlgNotAllowed) return "the token's signing algorithm is not accepted";
  if (err instanceof errors.JWSSignatureVerificationFailed) return "the token's signature does not verify";
  if (err instanceof errors.JWKSNoMatchingKey) return "the token was not signed by a known key";
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JOSENotSupported) return "the token cannot be verified";
  return "the token is malformed";
}
