// The load run's tokens: one per persona the scenarios act as, and one education-event publisher
// per municipality of the CSV the referrals service loads (each may publish only its own
// municipality's events). `make load-tokens` writes them, signed with `make up`'s development key,
// to tests/load/k6/.tokens.json (8 hours, under the gateway's lifetime cap); a staging run brings
// its identity provider's tokens in the same shape (SILTA_TOKENS_FILE).
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { TokenClaims } from "@silta/gateway/dev-token";
import { municipalitiesPath, parseMunicipalities } from "@silta/platform";

/** Who the scenarios act as (area 13, Pohjois-Savo; Kuopio 297). */
export const LOAD_PERSONAS = {
  teacher: { sub: "teacher-7", org_id: "kuopio-school-12", org_type: "municipality", roles: ["teacher"], municipality_codes: ["297"] },
  worker13: { sub: "sw-1", org_id: "pohjois-savo-lastensuojelu", org_type: "wellbeing_area", roles: ["child_protection_worker"], area_codes: ["13"] },
  coordinator13: {
    sub: "coord-1",
    org_id: "pohjois-savo-hyvinvointialue",
    org_type: "wellbeing_area",
    roles: ["consultation_coordinator"],
    area_codes: ["13"],
  },
  specialist13: { sub: "spec-1", org_id: "pohjois-savo-erityispalvelut", org_type: "wellbeing_area", roles: ["consultation_specialist"], area_codes: ["13"] },
  /** The notifications administrator of the worker's own organisation (it sets the intake desk). */
  deskAdmin13: { sub: "desk-admin-1", org_id: "pohjois-savo-lastensuojelu", org_type: "wellbeing_area", roles: ["notifications_admin"], area_codes: ["13"] },
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
