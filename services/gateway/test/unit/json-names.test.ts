import { describe, expect, it } from "vitest";
import { protoSchemas } from "../../src/openapi/proto-schemas.ts";

const schemas = protoSchemas();
const submit = schemas.jsonNames("silta.referrals.v1.SubmitReferralRequest");

describe("original proto field names in a request body", () => {
  it("are renamed to the JSON names, in nested messages too", () => {
    const { value, twice } = submit({
      request_id: "r-1",
      notifier: { type: "NOTIFIER_TYPE_MANDATORY_PROFESSIONAL", organisation_id: "kuopio-school-12" },
      home_municipality_code: "297",
      concern: "x",
    });
    expect(twice).toEqual([]);
    expect(value).toEqual({
      requestId: "r-1",
      notifier: { type: "NOTIFIER_TYPE_MANDATORY_PROFESSIONAL", organisationId: "kuopio-school-12" },
      homeMunicipalityCode: "297",
      concern: "x",
    });
  });

  it("leave a body already in JSON names as it is (the same object)", () => {
    const body = { requestId: "r-1", notifier: { organisationId: "o" } };
    expect(submit(body).value).toBe(body);
  });

  it("keep a key neither name knows, for the schema to refuse", () => {
    expect(submit({ request_id: "r", childName: "Eetu" }).value).toEqual({ requestId: "r", childName: "Eetu" });
  });

  it("report a field given under both names, with its path", () => {
    expect(submit({ requestId: "a", request_id: "b", notifier: { organisation_id: "o", organisationId: "p" } }).twice).toEqual([
      { field: "requestId", reason: "given twice: as requestId and as request_id" },
      { field: "notifier.organisationId", reason: "given twice: as organisationId and as organisation_id" },
    ]);
  });

  it("rename inside repeated messages, naming the item", () => {
    const grant = schemas.jsonNames("silta.consent.v1.GrantConsentRequest");
    const { value, twice } = grant({
      subject_pseudonym: "p",
      given_by: [
        { role: "GIVER_ROLE_CUSTODIAN", person_ref: "a" },
        { personRef: "b", person_ref: "c" },
      ],
      recipients: [{ organisation_id: "o", roles: ["teacher"] }],
    });
    expect(value).toEqual({
      subjectPseudonym: "p",
      givenBy: [{ role: "GIVER_ROLE_CUSTODIAN", personRef: "a" }, { personRef: "b" }],
      recipients: [{ organisationId: "o", roles: ["teacher"] }],
    });
    expect(twice).toEqual([{ field: "givenBy.1.personRef", reason: "given twice: as personRef and as person_ref" }]);
  });
});
