// Proofs a method carries of its own, instead of a user's identity: a link the service gave to
// someone who has no Silta account (a family's invitation to its meeting). The token names what
// it opens (one object, for one purpose), expires, and is signed with the service's own secret
// (HMAC-SHA256: the service that issues the link is the one that verifies it). A method that
// takes one is a `publicMethods` entry of its registration, and verifies the token first.
import { createSecretKey, type KeyObject } from "node:crypto";
import { errors, jwtVerify, SignJWT } from "jose";
import { SiltaError } from "./errors.ts";

export interface LinkTokens {
  /** A token opening `objectId` for `purpose`, valid for `ttlSeconds`. */
  issue(objectId: string, purpose: string, ttlSeconds: number): Promise<string>;
  /** The object a valid token for `purpose` opens; UNAUTHENTICATED (SILTA_AUTH_LINK_INVALID) otherwise. */
  verify(token: string, purpose: string): Promise<{ objectId: string; expiresAt: Date }>;
}

export function linkTokens(secret: Buffer, issuer: string, options: { now?: () => number } = {}): LinkTokens {
  if (secret.length < 32) throw new Error("a link-token secret must be at least 32 bytes");
  const key: KeyObject = createSecretKey(secret);
  const now = options.now ?? Date.now;
  const invalid = (reason: string, cause?: unknown) =>
    new SiltaError("SILTA_AUTH_LINK_INVALID", "unauthenticated", `the link is not valid: ${reason}`, cause === undefined ? {} : { cause });
  return {
    async issue(objectId, purpose, ttlSeconds) {
      const iat = Math.floor(now() / 1000);
      return new SignJWT({ pur: purpose })
        .setProtectedHeader({ alg: "HS256" })
        .setIssuer(issuer)
        .setSubject(objectId)
        .setIssuedAt(iat)
        .setExpirationTime(iat + ttlSeconds)
        .sign(key);
    },
    async verify(token, purpose) {
      if (typeof token !== "string" || token.length === 0 || token.length > 2048) throw invalid("missing or malformed");
      try {
        const { payload } = await jwtVerify(token, key, { issuer, algorithms: ["HS256"], currentDate: new Date(now()) });
        if (payload.pur !== purpose || typeof payload.sub !== "string") throw invalid("not for this");
        return { objectId: payload.sub, expiresAt: new Date((payload.exp ?? 0) * 1000) };
      } catch (err) {
        if (err instanceof SiltaError) throw err;
        throw invalid(err instanceof errors.JWTExpired ? "expired" : "malformed or not signed by this service", err);
      }
    },
  };
}
