// Signing keys and a trusted-signer list for tests, made fresh per test file: what a party's
// gateway, a service calling on its own behalf and an attacker with a valid key of its own hold.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Identity, type IdentityProver, identityProver, newSigningKey, type SigningKey, type TrustedSigner } from "@silta/platform";

/** The callers the services' tests prove: a Kuopio teacher and child-protection workers of areas 13 and 03. */
export const callers = {
  teacher: {
    subject: "teacher-7",
    organisationId: "kuopio-school-12",
    organisationType: "municipality",
    roles: ["teacher"],
    areaCodes: [],
    municipalityCodes: ["297"],
  },
  worker13: {
    subject: "sw-1",
    organisationId: "pohjois-savo-lastensuojelu",
    organisationType: "wellbeing_area",
    roles: ["child_protection_worker"],
    areaCodes: ["13"],
    municipalityCodes: [],
  },
  worker03: {
    subject: "sw-2",
    organisationId: "lansi-uusimaa-lastensuojelu",
    organisationType: "wellbeing_area",
    roles: ["child_protection_worker"],
    areaCodes: ["03"],
    municipalityCodes: [],
  },
} satisfies Record<string, Identity>;

type Allowance = Omit<TrustedSigner, "name" | "keys">;

/** The signers every test trust list holds. */
const SIGNERS = {
  /** A development gateway: may assert any organisation (the tests' personas of every party). */
  gateway: { organisationIds: "*", organisationTypes: "*", areaCodes: "*", municipalityCodes: "*" },
  /** The referrals service calling consent on its own behalf. */
  referrals: { organisationIds: ["silta-referrals-*"], organisationTypes: ["service"], areaCodes: "*", municipalityCodes: [] },
  /** The consultations service calling consent on its own behalf (co-work). */
  consultations: { organisationIds: ["silta-consultations-*"], organisationTypes: ["service"], areaCodes: "*", municipalityCodes: [] },
  /** The meetings service calling consent on its own behalf (consent before invitation). */
  meetings: { organisationIds: ["silta-meetings-*"], organisationTypes: ["service"], areaCodes: "*", municipalityCodes: [] },
  /** The notifications service (the only one handed a family's contact details, at sending). */
  notifications: { organisationIds: ["silta-notifications-*"], organisationTypes: ["service"], areaCodes: "*", municipalityCodes: [] },
  /** Kuopio's gateway: its own schools and offices, municipality 297, nothing else. */
  kuopio: { organisationIds: ["kuopio-*"], organisationTypes: ["municipality"], areaCodes: [], municipalityCodes: ["297"] },
} satisfies Record<string, Allowance>;
export type TestSigner = keyof typeof SIGNERS;

export interface TestIdentities {
  dir: string;
  trustFile: string;
  keyFile: Record<TestSigner, string>;
  key: Record<TestSigner, SigningKey>;
  prover: Record<TestSigner, IdentityProver>;
  /** The variables a service under test needs: trust the list, sign as `signer` (the gateway by default). */
  env(signer?: TestSigner): { SILTA_IDENTITY_TRUST_FILE: string; SILTA_IDENTITY_SIGNING_KEY_FILE: string };
}

export async function testIdentities(): Promise<TestIdentities> {
  const dir = mkdtempSync(join(tmpdir(), "silta-identity-"));
  const names = Object.keys(SIGNERS) as TestSigner[];
  const made = await Promise.all(names.map((n) => newSigningKey(`test-${n}`)));
  const signers: TrustedSigner[] = names.map((n, i) => ({ name: `test-${n}`, keys: [made[i]?.publicJwk as TrustedSigner["keys"][number]], ...SIGNERS[n] }));
  const trustFile = join(dir, "trusted-signers.json");
  writeFileSync(trustFile, JSON.stringify({ signers }));
  const keyFile = {} as Record<TestSigner, string>;
  const key = {} as Record<TestSigner, SigningKey>;
  const prover = {} as Record<TestSigner, IdentityProver>;
  names.forEach((n, i) => {
    const signing = made[i]?.signing as SigningKey;
    keyFile[n] = join(dir, `${n}.signing-key.json`);
    writeFileSync(keyFile[n], JSON.stringify(signing), { mode: 0o600 });
    key[n] = signing;
    prover[n] = identityProver(signing);
  });
  return {
    dir,
    trustFile,
    keyFile,
    key,
    prover,
    env: (signer = "gateway") => ({ SILTA_IDENTITY_TRUST_FILE: trustFile, SILTA_IDENTITY_SIGNING_KEY_FILE: keyFile[signer] }),
  };
}

let shared: Promise<TestIdentities> | undefined;
/** One set per test process (a test file), made on first use. */
export function sharedTestIdentities(): Promise<TestIdentities> {
  shared ??= testIdentities();
  return shared;
}
