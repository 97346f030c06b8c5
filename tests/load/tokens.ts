// The load run's tokens: one per persona the scenarios act as, and one education-event publisher
// per municipality of the CSV the referrals service loads (each may publish only its own
// municipality's events). `make load-tokens` writes them, signed with `make up`'s development key,
// to tests/load/k6/.tokens.json (8 hours, under the gateway's lifetime cap); a staging run brings
// its identity provider's tokens in the same shape (SILTA_TOKENS_FILE).
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { TokenClaims } from "@silta/gateway/dev-token";
import { municipalitiesPath, parseMunicipalities } from "@silta/platform";
import { personas } from "../support/personas.ts";

/** Who the scenarios act as: the tests' personas (area 13, Pohjois-Savo; Kuopio 297), and the notifications administrator of the worker's own organisation (it sets the intake desk). */
export const LOAD_PERSONAS = {
  teacher: personas.teacher,
  worker13: personas.worker13,
  coordinator13: personas.coordinator13,
  specialist13: personas.specialist13,
  deskAdmin13: { ...personas.worker13, sub: "desk-admin-1", roles: ["notifications_admin"] },
} satisfies Record<string, TokenClaims>;

/** The publisher of municipality `code` (its education department's system). */
export const publisherOf = (code: string): TokenClaims => ({
  sub: `load-sync-${code}`,
  org_id: `education-${code}`,
  org_type: "municipality",
  roles: ["education_event_publisher"],
  municipality_codes: [code],
});

export async function loadTokens(mint: (claims: TokenClaims) => Promise<string>) {
  const codes = [...parseMunicipalities(readFileSync(municipalitiesPath, "utf8")).keys()];
  const personas = Object.fromEntries(await Promise.all(Object.entries(LOAD_PERSONAS).map(async ([k, c]) => [k, await mint(c)] as const)));
  const publishers = Object.fromEntries(await Promise.all(codes.map(async (code) => [code, await mint(publisherOf(code))] as const)));
  return { personas, publishers };
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { dir: { type: "string" }, out: { type: "string" } } });
  const { ensureDevKeys, mintToken } = await import("@silta/gateway/dev-token");
  const keys = await ensureDevKeys(values.dir ?? ".cache/dev-jwt");
  const out = values.out ?? "tests/load/k6/.tokens.json";
  writeFileSync(out, JSON.stringify(await loadTokens((c) => mintToken(keys.privateJwk, c, { expiresIn: "8h" }))), { mode: 0o600 });
  process.stdout.write(`wrote ${out} (valid 8 h): SILTA_TOKENS_FILE=$PWD/${out}\n`);
}
