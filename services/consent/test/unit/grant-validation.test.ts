import { describe, expect, it } from "vitest";
import { ageOn, validateGrant } from "../../src/domain/consent.ts";
import { validateBasis } from "../../src/domain/statutory-basis.ts";
import { basis, DAY, grantInput, NOW } from "../support/builders.ts";

const fields = (v: { field: string }[]) => v.map((x) => x.field);

describe("recording a consent", () => {
  it("accepts a complete grant", () => {
    expect(validateGrant(grantInput(), NOW)).toEqual([]);
  });

  it.each([
    ["valid_until before valid_from", { validUntil: new Date(NOW.getTime() - DAY) }, "valid_until"],
    ["no valid_until", { validUntil: undefined }, "valid_until"],
    ["empty recipients", { recipients: [] }, "recipients"],
    ["a malformed pseudonym", { subjectPseudonym: "131052-308T" }, "subject_pseudonym"],
    ["an unknown area", { areaCode: "22" }, "area_code"],
    ["no purposes", { purposes: [] }, "purposes"],
    ["nobody who gave it", { givenBy: [] }, "given_by"],
    ["a name as person_ref", { givenBy: [{ role: "custodian" as const, personRef: "Matti Virtanen" }] }, "given_by[0].person_ref"],
    ["a recipient without organisation or type", { recipients: [{ organisationId: "", organisationType: undefined, roles: [] }] }, "recipients[0]"],
    ["an impossible birth date", { childBirthDate: "2018-02-30" }, "child_birth_date"],
  ])("refuses %s, naming the field", (_what, over, field) => {
    expect(fields(validateGrant(grantInput(over), NOW))).toContain(field);
  });

  it("requires the child's view for a child of 12 or over, and when the child consents", () => {
    expect(fields(validateGrant(grantInput({ childBirthDate: "2014-11-23" }), NOW))).toEqual(["child_view_recorded"]);
    expect(validateGrant(grantInput({ childBirthDate: "2014-11-24" }), NOW)).toEqual([]); // turns 12 tomorrow
    expect(fields(validateGrant(grantInput({ givenBy: [{ role: "child", personRef: "p" }] }), NOW))).toEqual(["child_view_recorded"]);
    expect(validateGrant(grantInput({ childBirthDate: "2014-11-23", childViewRecorded: true }), NOW)).toEqual([]);
  });

  it("computes age in whole years on the day of the act", () => {
    expect(ageOn("2014-11-23", NOW)).toBe(12);
    expect(ageOn("2014-11-24", NOW)).toBe(11);
    expect(ageOn("2012-02-29", new Date("2026-02-28T10:00:00Z"))).toBe(13);
  });
});

describe("recording a statutory basis", () => {
  it("demands a justification and the provision", () => {
    const v = validateBasis({ ...basis(), justification: "", legalProvision: "" }, NOW);
    expect(fields(v)).toEqual(["legal_provision", "justification"]);
  });
});
