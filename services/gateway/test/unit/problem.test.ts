import { type ErrorCode, SiltaError } from "@silta/platform";
import { describe, expect, it } from "vitest";
import { jsonFieldPath, toProblem } from "../../src/http/problem.ts";

describe("problem details (RFC 9457)", () => {
  it.each([
    ["invalid_argument", 400],
    ["unauthenticated", 401],
    ["permission_denied", 403],
    ["not_found", 404],
    ["already_exists", 409],
    ["failed_precondition", 409],
    ["resource_exhausted", 429],
    ["unavailable", 503],
    ["deadline_exceeded", 504],
    ["internal", 500],
  ] as const)("maps %s to %i", (kind, status) => {
    const p = toProblem(new SiltaError("SILTA_TEST_REASON" as ErrorCode, kind, "what happened"), "urn:silta:request:1");
    expect(p).toMatchObject({ status, code: "SILTA_TEST_REASON", type: "https://silta.fi/problems/test-reason", instance: "urn:silta:request:1" });
  });

  it("names invalid fields by their proto3 JSON path", () => {
    const p = toProblem(
      new SiltaError("SILTA_REFERRAL_INVALID", "invalid_argument", "bad", { fields: [{ field: "child.home_municipality_code", reason: "unknown" }] }),
    );
    expect(p.errors).toEqual([{ field: "child.homeMunicipalityCode", reason: "unknown" }]);
    expect(jsonFieldPath("notifier.organisation_id")).toBe("notifier.organisationId");
  });

  it("never shows the message of an internal error, nor of something unexpected", () => {
    expect(toProblem(new SiltaError("SILTA_X" as ErrorCode, "internal", "pg: relation referrals_secret does not exist")).detail).not.toContain(
      "referrals_secret",
    );
    const p = toProblem(new TypeError("Cannot read properties of undefined (reading 'hetu') at handler.ts:12"));
    expect(p).toMatchObject({ status: 500, code: "SILTA_GATEWAY_INTERNAL" });
    expect(JSON.stringify(p)).not.toContain("hetu");
  });

  it("answers fastify's refusals with fixed texts that echo nothing back", () => {
    const p = toProblem({ statusCode: 415, code: "FST_ERR_CTP_INVALID_MEDIA_TYPE", message: "Unsupported Media Type: text/131052-308T" });
    expect(p).toMatchObject({ status: 415, code: "SILTA_GATEWAY_UNSUPPORTED_MEDIA_TYPE" });
    expect(JSON.stringify(p)).not.toContain("131052-308T");
  });

  it("lists a schema violation's field, including a missing or an unknown one", () => {
    const p = toProblem({
      statusCode: 400,
      validationContext: "body",
      validation: [
        { instancePath: "/notifier", keyword: "required", params: { missingProperty: "type" }, message: "must have required property 'type'" },
        { instancePath: "", keyword: "additionalProperties", params: { additionalProperty: "colour" }, message: "must NOT have additional properties" },
      ],
    });
    expect(p.status).toBe(400);
    expect(p.errors?.map((e) => e.field)).toEqual(["notifier.type", "colour"]);
  });
});
