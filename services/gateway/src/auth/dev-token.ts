// Development keys and tokens: `make token` mints a token for any role and organisation,
// signed with a local key the gateway under `make up` trusts (SILTA_JWKS_FILE). Never used in
// production, where the JWKS is the identity provider's (SILTA_JWKS_URL).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from "jose";

export const DEV_ISSUER = "silta-dev";
export const DEV_AUDIENCE = "silta";
const ALG = "ES256";

export interface DevKeys {
  privateJwk: JWK;
  jwks: { keys: JWK[] };
}

export async function newKeys(kid = `dev-${Date.now()}`): Promise<DevKeys> {
  const { publicKey, privateKey } = await generateKeyPair(ALG, { extractable: true });
  const pub = { ...(await exportJWK(publicKey)), kid, alg: ALG, use: "sig" };
  return { privateJwk: { ...(await exportJWK(privateKey)), kid, alg: ALG }, jwks: { keys: [pub] } };
}

/** The development key pair in `dir` (made on first use; the private key readable by its owner only). */
export async function ensureDevKeys(dir: string): Promise<DevKeys & { jwksFile: string }> {
  const privateFile = join(dir, "private.jwk.json");
  const jwksFile = join(dir, "jwks.json");
  if (!existsSync(privateFile) || !existsSync(jwksFile)) {
    mkdirSync(dir, { recursive: true });
    const keys = await newKeys();
    writeFileSync(privateFile, JSON.stringify(keys.privateJwk), { mode: 0o600 });
    writeFileSync(jwksFile, JSON.stringify(keys.jwks, null, 2));
  }
  return { privateJwk: JSON.parse(readFileSync(privateFile, "utf8")), jwks: JSON.parse(readFileSync(jwksFile, "utf8")), jwksFile };
}

export interface TokenClaims {
  sub: string;
  org_id: string;
  org_type: string;
  roles: string[];
  area_codes?: string[];
  municipality_codes?: string[];
}

export async function mintToken(
  privateJwk: JWK,
  claims: TokenClaims,
  options: { issuer?: string; audience?: string; expiresIn?: string | number } = {},
): Promise<string> {
  const key = await importJWK(privateJwk, ALG);
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: ALG, typ: "JWT", ...(privateJwk.kid ? { kid: privateJwk.kid } : {}) })
    .setIssuer(options.issuer ?? DEV_ISSUER)
    .setAudience(options.audience ?? DEV_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? "8h")
    .sign(key);
}
