// Identity assertions without a server: what a prover signs, what a verifier accepts, and what
// each trusted signer may assert. The conformance suite proves the same over real gRPC calls.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, identityTrustConfigShape, loadConfig } from "../src/config.ts";
import { SiltaError } from "../src/errors.ts";
import type { Identity } from "../src/identity.ts";
import { beyondAllowance, identityProver, identityVerifier, newSigningKey, type TrustedSigner } from "../src/identity-proof.ts";

const teacher: Identity = {
  subject: "u-42",
  organisationId: "kuopio-school-12",
  organisationType: "municipality",
  roles: ["teacher"],
  areaCodes: [],
  municipalityCodes: ["297"],
};
const kuopio = { organisationIds: ["kuopio-*"], organisationTypes: ["municipality"], areaCodes: [], municipalityCodes: ["297"] } satisfies Omit<
  TrustedSigner,
  "name" | "keys"
>;

async function refusal(p: Promise<unknown>): Promise<SiltaError> {
  const err = await p.then(
    () => undefined,
    (e) => e,
  );
  expect(err).toBeInstanceOf(SiltaError);
  expect((err as SiltaError).kind).toBe("unauthenticated");
  return err as SiltaError;
}

describe("identity proofs", () => {
  it("round-trips through the signer's key, and both sides sign and verify an identity once per half lifetime", async () => {
    const { signing, publicJwk } = await newSigningKey("kuopio-gateway");
    let t = Date.parse("2026-12-01T10:00:00Z");
    const prover = identityProver(signing, { now: () => t });
    const verify = identityVerifier([{ name: "kuopio-gateway", keys: [publicJwk as TrustedSigner["keys"][number]], ...kuopio }], "silta-referrals", {
      now: () => t,
    });
    const first = await prover.prove(teacher, "silta-referrals");
    expect(await verify(first)).toEqual({ identity: teacher, signer: "kuopio-gateway" });
    t += 29_000;
    expect(await prover.prove(teacher, "silta-referrals")).toBe(first);
    t += 2000;
    const renewed = await prover.prove(teacher, "silta-referrals");
    expect(renewed).not.toBe(first);
    expect((await verify(renewed)).identity).toEqual(teacher);
    // The first one expired at 60 s (5 s of clock skew allowed), cached or not.
    t += 36_000;
    expect((await refusal(verify(first))).code).toBe("SILTA_AUTH_PROOF_INVALID");
    expect((await refusal(verify(await prover.prove(teacher, "silta-consent")))).message).toContain("aud");
    expect((await refusal(verify(undefined))).code).toBe("SILTA_AUTH_PROOF_MISSING");
  });

  it.each<[string, Partial<Identity>, string | undefined]>([
    ["its own school", {}, undefined],
    ["its own office by prefix", { organisationId: "kuopio-sosiaalitoimi" }, undefined],
    ["a wellbeing area's type", { organisationType: "wellbeing_area" }, "organisation type wellbeing_area"],
    ["wellbeing area 13", { areaCodes: ["13"] }, "wellbeing area 13"],
    ["another municipality", { municipalityCodes: ["297", "091"] }, "municipality 091"],
    ["another organisation", { organisationId: "espoo-school-1" }, "organisation espoo-school-1"],
    ["a name that only starts like the prefix's stem", { organisationId: "kuopio" }, "organisation kuopio"],
  ])("Kuopio's gateway asserting %s: %s", (_what, change, beyond) => {
    expect(beyondAllowance({ name: "k", keys: [], ...kuopio }, { ...teacher, ...change })).toBe(beyond);
  });

  it("a trust file that is missing, invalid or names a signer twice stops the service naming the variable", () => {
    const dir = mkdtempSync(join(tmpdir(), "trust-"));
    const bad = join(dir, "trust.json");
    writeFileSync(bad, JSON.stringify({ signers: [{ name: "x", keys: [], organisationIds: "*", organisationTypes: ["bank"] }] }));
    const twice = join(dir, "twice.json");
    const entry = { name: "kuopio-gateway", keys: [{ kty: "OKP", kid: "k1", crv: "Ed25519", x: "AA" }], organisationIds: "*", organisationTypes: "*" };
    writeFileSync(twice, JSON.stringify({ signers: [entry, { ...entry, organisationTypes: ["municipality"] }] }));
    for (const file of [join(dir, "missing.json"), bad, twice]) {
      let err: unknown;
      try {
        loadConfig(identityTrustConfigShape("silta-x"), { SILTA_IDENTITY_TRUST_FILE: file });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).variables).toEqual(["SILTA_IDENTITY_TRUST_FILE"]);
    }
  });
});
