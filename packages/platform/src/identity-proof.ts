// A caller's identity is proven on every gRPC call, not asserted (ARCHITECTURE.md, "Protection of
// the child's data"). The party that verified the person (its gateway, against its identity
// provider) or a service acting on its own behalf signs a short-lived assertion of that identity
// with its own key; the called service verifies it against a list of trusted signers, each of
// which may assert only its own organisations, organisation types and municipality/area codes.
// So a municipality's gateway can never assert "wellbeing area 13", and holding a client
// certificate or reaching the port proves nothing by itself.
//
// The assertion is a JWS compact JWT (RFC 7519; jose): header {alg, kid}, claims
// {iss: signer, aud: the called service, iat, exp (≤ 60 s after iat), idn: the Identity}.
// Both sides cache: a prover re-uses an assertion for half its lifetime, a verifier remembers a
// verified assertion until it expires, so the hot path signs and verifies once per identity and
// half-minute, not once per call.
import { readFileSync } from "node:fs";
import { createLocalJWKSet, decodeJwt, errors, exportJWK, generateKeyPair, importJWK, type JWK, jwtVerify, SignJWT } from "jose";
import { z } from "zod";
import type { ErrorCode } from "./error-codes.ts";
import { SiltaError } from "./errors.ts";
import { type Identity, identitySchema } from "./identity.ts";
import { AREA_CODE, MUNICIPALITY_CODE, type OrganisationType, organisationTypes } from "./vocabulary.ts";

/** gRPC metadata key of the signed assertion. */
export const IDENTITY_PROOF_METADATA_KEY = "x-silta-identity-proof";
/** The longest lifetime a verifier accepts (seconds). */
export const PROOF_MAX_LIFETIME_SECONDS = 60;
const ALGORITHMS = ["EdDSA", "ES256"];
const CLOCK_SKEW_SECONDS = 5;

// ---------------------------------------------------------------------------------------------
// Keys and the trust list (files; mounted from Secrets in a cluster)

const jwkSchema = z.looseObject({ kty: z.string(), kid: z.string().min(1).max(200) });

/** A signing key file: `{"signer": "kuopio-gateway", "key": <private JWK with kid and alg>}`. */
const signingKeySchema = z.object({
  signer: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,99}$/, "a signer name: lowercase letters, digits, . _ -"),
  key: jwkSchema.extend({ d: z.string().min(1), alg: z.enum(["EdDSA", "ES256"]) }),
});
export type SigningKey = z.infer<typeof signingKeySchema>;

const anyOr = <T extends z.ZodType>(item: T) => z.union([z.literal("*"), z.array(item).max(1000)]);

/**
 * One trusted signer: its public keys (several while a key is rotated) and what it may assert.
 * `"*"` allows anything in that dimension (a development gateway); organisation ids are exact or
 * a prefix ending in `*` (`kuopio-*`). An identity may name only codes the signer is allowed.
 */
const trustedSignerSchema = z.object({
  name: z.string().min(1).max(100),
  keys: z.array(jwkSchema).min(1).max(10),
  organisationIds: anyOr(z.string().min(1).max(101)),
  organisationTypes: anyOr(z.enum(organisationTypes)),
  areaCodes: anyOr(z.string().regex(AREA_CODE)).default([]),
  municipalityCodes: anyOr(z.string().regex(MUNICIPALITY_CODE)).default([]),
});
export type TrustedSigner = z.infer<typeof trustedSignerSchema>;
const trustFileSchema = z.object({
  signers: z
    .array(trustedSignerSchema)
    .min(1)
    .max(500)
    .refine((s) => new Set(s.map((x) => x.name)).size === s.length, "each signer name once (a second entry would silently replace the first)"),
});

function readJsonFile<T>(file: string, schema: z.ZodType<T>, what: string): T {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`${what} ${file} cannot be read as JSON: ${(e as Error).message}`);
  }
  const r = schema.safeParse(raw);
  if (!r.success) throw new Error(`${what} ${file} is invalid: ${r.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`);
  return r.data;
}

export const readSigningKey = (file: string): SigningKey => readJsonFile(file, signingKeySchema, "the identity signing key");
export const readTrustedSigners = (file: string): TrustedSigner[] => readJsonFile(file, trustFileSchema, "the trusted-signer list").signers;

/** A new Ed25519 signing key for `signer`, and its public half for the services' trust lists. */
export async function newSigningKey(
  signer: string,
  kid = `${signer}-${new Date().toISOString().slice(0, 10)}`,
): Promise<{ signing: SigningKey; publicJwk: JWK }> {
  const { publicKey, privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: "EdDSA", use: "sig" };
  const key = { ...(await exportJWK(privateKey)), kid, alg: "EdDSA" as const };
  return { signing: signingKeySchema.parse({ signer, key }), publicJwk };
}

// ---------------------------------------------------------------------------------------------
// Proving (the caller's side)

export interface IdentityProver {
  readonly signer: string;
  /** A signed assertion of `identity` for the service `audience` (cached for half its lifetime). */
  prove(identity: Identity, audience: string): Promise<string>;
}

export function identityProver(key: SigningKey, options: { lifetimeSeconds?: number; now?: () => number } = {}): IdentityProver {
  const lifetime = Math.min(options.lifetimeSeconds ?? PROOF_MAX_LIFETIME_SECONDS, PROOF_MAX_LIFETIME_SECONDS);
  const now = options.now ?? Date.now;
  const keyObject = importJWK(key.key, key.key.alg);
  // The same identity object comes with every request of one token (the gateway's verifier
  // caches them), so a WeakMap per audience is the cache; a new object is signed anew.
  const cache = new Map<string, WeakMap<Identity, { token: string; renewAt: number }>>();
  return {
    signer: key.signer,
    async prove(identity, audience) {
      let byIdentity = cache.get(audience);
      if (!byIdentity) {
        byIdentity = new WeakMap();
        cache.set(audience, byIdentity);
      }
      const hit = byIdentity.get(identity);
      const t = now();
      if (hit && hit.renewAt > t) return hit.token;
      const iat = Math.floor(t / 1000);
      const token = await new SignJWT({ idn: identitySchema.parse(identity) })
        .setProtectedHeader({ alg: key.key.alg, kid: key.key.kid, typ: "silta-identity+jwt" })
        .setIssuer(key.signer)
        .setAudience(audience)
        .setIssuedAt(iat)
        .setExpirationTime(iat + lifetime)
        .sign(await keyObject);
      byIdentity.set(identity, { token, renewAt: t + (lifetime * 1000) / 2 });
      return token;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Verifying (the called service's side)

export interface ProvenCaller {
  identity: Identity;
  /** The trusted signer that vouched for it. */
  signer: string;
}
export type IdentityVerifier = (proof: string | undefined) => Promise<ProvenCaller>;

const unauthenticated = (code: ErrorCode, message: string, cause?: unknown) =>
  new SiltaError(code, "unauthenticated", message, cause === undefined ? {} : { cause });

/** The first thing in `identity` that `signer` may not assert, or undefined. */
export function beyondAllowance(signer: TrustedSigner, identity: Identity): string | undefined {
  const allows = <T>(list: "*" | readonly T[], value: T) => list === "*" || list.includes(value);
  if (!allows(signer.organisationTypes, identity.organisationType as OrganisationType)) return `organisation type ${identity.organisationType}`;
  const ids = signer.organisationIds;
  if (ids !== "*" && !ids.some((p) => (p.endsWith("*") ? identity.organisationId.startsWith(p.slice(0, -1)) : p === identity.organisationId))) {
    return `organisation ${identity.organisationId}`;
  }
  const area = identity.areaCodes.find((a) => !allows(signer.areaCodes, a));
  if (area !== undefined) return `wellbeing area ${area}`;
  const municipality = identity.municipalityCodes.find((m) => !allows(signer.municipalityCodes, m));
  if (municipality !== undefined) return `municipality ${municipality}`;
  return undefined;
}

export function identityVerifier(signers: TrustedSigner[], audience: string, options: { now?: () => number; cacheMax?: number } = {}): IdentityVerifier {
  const now = options.now ?? Date.now;
  const cacheMax = options.cacheMax ?? 10_000;
  const bySigner = new Map(signers.map((s) => [s.name, { signer: s, keys: createLocalJWKSet({ keys: s.keys as JWK[] }) }]));
  const verified = new Map<string, ProvenCaller & { until: number }>();
  return async (proof) => {
    if (!proof) throw unauthenticated("SILTA_AUTH_PROOF_MISSING", "the call carries no signed caller identity");
    const hit = verified.get(proof);
    if (hit) {
      if (hit.until > now()) return hit;
      verified.delete(proof);
    }
    let issuer: string | undefined;
    try {
      issuer = decodeJwt(proof).iss;
    } catch {
      throw unauthenticated("SILTA_AUTH_PROOF_INVALID", "the caller identity proof is malformed");
    }
    const trusted = issuer === undefined ? undefined : bySigner.get(issuer);
    if (!trusted) throw unauthenticated("SILTA_AUTH_PROOF_UNTRUSTED", "the caller identity proof is not signed by a trusted signer");
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(proof, trusted.keys, {
        issuer: trusted.signer.name,
        audience,
        algorithms: ALGORITHMS,
        clockTolerance: CLOCK_SKEW_SECONDS,
        maxTokenAge: PROOF_MAX_LIFETIME_SECONDS + CLOCK_SKEW_SECONDS,
        requiredClaims: ["iat", "exp", "idn"],
        currentDate: new Date(now()),
      }));
    } catch (err) {
      throw unauthenticated("SILTA_AUTH_PROOF_INVALID", proofReason(err), err);
    }
    const iat = Number(payload.iat);
    const exp = Number(payload.exp);
    if (exp - iat > PROOF_MAX_LIFETIME_SECONDS) {
      throw unauthenticated("SILTA_AUTH_PROOF_INVALID", `the caller identity proof lives longer than ${PROOF_MAX_LIFETIME_SECONDS} s`);
    }
    if (iat * 1000 > now() + CLOCK_SKEW_SECONDS * 1000) throw unauthenticated("SILTA_AUTH_PROOF_INVALID", "the caller identity proof is issued in the future");
    const parsed = identitySchema.safeParse(payload.idn);
    if (!parsed.success) {
      const fields = parsed.error.issues.map((i) => i.path.join(".") || "(identity)").join(", ");
      throw unauthenticated("SILTA_AUTH_PROOF_INVALID", `the proven identity is invalid: ${fields}`);
    }
    const identity = freezeIdentity(parsed.data);
    const beyond = beyondAllowance(trusted.signer, identity);
    if (beyond !== undefined) {
      throw unauthenticated("SILTA_AUTH_SIGNER_NOT_ALLOWED", `signer ${trusted.signer.name} may not assert ${beyond}`);
    }
    const caller = { identity, signer: trusted.signer.name };
    if (verified.size >= cacheMax) verified.delete(verified.keys().next().value as string);
    verified.set(proof, { ...caller, until: exp * 1000 });
    return caller;
  };
}

function freezeIdentity(identity: Identity): Identity {
  Object.freeze(identity.roles);
  Object.freeze(identity.areaCodes);
  Object.freeze(identity.municipalityCodes);
  return Object.freeze(identity);
}

function proofReason(err: unknown): string {
  if (err instanceof errors.JWTExpired) return "the caller identity proof has expired";
  if (err instanceof errors.JWTClaimValidationFailed) return `the caller identity proof's ${err.claim} claim is not accepted`;
  if (err instanceof errors.JOSEAlgNotAllowed) return "the caller identity proof's algorithm is not accepted";
  if (err instanceof errors.JWSSignatureVerificationFailed) return "the caller identity proof's signature does not verify";
  if (err instanceof errors.JWKSNoMatchingKey) return "the caller identity proof is signed by an unknown key of its signer";
  return "the caller identity proof is malformed";
}
