// The area's pseudonyms: one key, the same pseudonym in every service; the key version in each
// pseudonym; during a rotation the previous key's pseudonym is still found.
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { areaPseudonymiser, isPseudonym, pseudonymConfigShape, pseudonymiserOf } from "../src/index.ts";

const key = (b: number) => Buffer.alloc(32, b);
const child = { hetu: "010110A123B", temporaryId: "", birthDate: "", givenNames: "", familyName: "" };

describe("the area pseudonymiser", () => {
  it("gives the same child the same pseudonym in two services holding the area's key, and another area's key another", () => {
    const a = areaPseudonymiser({ key: key(1), version: 0 }).pseudonymFor(child);
    expect(areaPseudonymiser({ key: key(1), version: 0 }).pseudonymFor(child)).toBe(a);
    expect(areaPseudonymiser({ key: key(2), version: 0 }).pseudonymFor(child)).not.toBe(a);
    expect(a).not.toContain("010110");
    expect(isPseudonym(a)).toBe(true);
  });

  it("names the key version in each pseudonym (ps_ is version 0, the key before versions)", () => {
    expect(areaPseudonymiser({ key: key(1), version: 0 }).pseudonymFor(child)).toMatch(/^ps_[A-Za-z0-9_-]{43}$/);
    expect(areaPseudonymiser({ key: key(1), version: 3 }).pseudonymFor(child)).toMatch(/^ps3_[A-Za-z0-9_-]{43}$/);
  });

  it("during a rotation makes new pseudonyms with the new key and still matches the previous key's", () => {
    const before = areaPseudonymiser({ key: key(1), version: 0 }).pseudonymFor(child);
    const rotating = areaPseudonymiser({ key: key(2), version: 1 }, { key: key(1), version: 0 });
    const [current, previous] = rotating.candidatesFor(child);
    expect(current).toMatch(/^ps1_/);
    expect(rotating.pseudonymFor(child)).toBe(current);
    expect(previous).toBe(before);
    expect(rotating.keyVersion).toBe(1);
  });

  it("refuses a short key, and a previous key of the same version", () => {
    expect(() => areaPseudonymiser({ key: Buffer.alloc(16), version: 0 })).toThrow(/at least 32 bytes/);
    expect(() => areaPseudonymiser({ key: key(1), version: 1 }, { key: key(2), version: 1 })).toThrow(/another version/);
  });

  it("reads its configuration: the key (a secret), its version and the previous one", () => {
    const config = loadConfig(pseudonymConfigShape, {
      SILTA_PSEUDONYM_KEY: key(2).toString("base64"),
      SILTA_PSEUDONYM_KEY_VERSION: "1",
      SILTA_PSEUDONYM_PREVIOUS_KEY: key(1).toString("base64"),
    });
    const p = pseudonymiserOf(config);
    expect(p.candidatesFor(child)).toEqual(areaPseudonymiser({ key: key(2), version: 1 }, { key: key(1), version: 0 }).candidatesFor(child));
    expect(() => loadConfig(pseudonymConfigShape, { SILTA_PSEUDONYM_KEY: Buffer.alloc(8).toString("base64") })).toThrow(/SILTA_PSEUDONYM_KEY/);
  });
});
