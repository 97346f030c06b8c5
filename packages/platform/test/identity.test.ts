import { describe, expect, it } from "vitest";
import { SiltaError } from "../src/errors.ts";
import { decodeIdentity, encodeIdentity, type Identity } from "../src/identity.ts";

const teacher: Identity = {
  subject: "u-42",
  organisationId: "kuopio-schools",
  organisationType: "municipality",
  roles: ["teacher"],
  areaCodes: [],
  municipalityCodes: ["297"],
};

describe("caller identity in metadata", () => {
  it("round-trips", () => {
    expect(decodeIdentity(encodeIdentity(teacher))).toEqual(teacher);
  });

  it.each([
    ["not base64 JSON", "%%%"],
    ["an unknown organisation type", Buffer.from(JSON.stringify({ ...teacher, organisationType: "bank" })).toString("base64url")],
    ["a malformed area code", Buffer.from(JSON.stringify({ ...teacher, areaCodes: ["1"] })).toString("base64url")],
    ["no organisation", Buffer.from(JSON.stringify({ subject: "x" })).toString("base64url")],
  ])("rejects %s as unauthenticated", (_what, value) => {
    let err: unknown;
    try {
      decodeIdentity(value);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SiltaError);
    expect((err as SiltaError).kind).toBe("unauthenticated");
    expect((err as SiltaError).code).toBe("SILTA_AUTH_IDENTITY_MALFORMED");
  });
});
