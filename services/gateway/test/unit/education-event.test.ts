import type { Identity } from "@silta/platform";
import { describe, expect, it } from "vitest";
import { educationEventChecker } from "../../src/intake/education-event.ts";
import { protoSchemas } from "../../src/openapi/proto-schemas.ts";

const schemas = protoSchemas();
const check = educationEventChecker(
  schemas.inline("silta.education.v1.EducationEventRecorded"),
  schemas.jsonNames("silta.education.v1.EducationEventRecorded"),
);
const publisher: Identity = {
  subject: "s",
  organisationId: "kuopio-education",
  organisationType: "municipality",
  roles: ["education_event_publisher"],
  areaCodes: [],
  municipalityCodes: ["297"],
};
const valid = {
  eventId: "e-1",
  municipalityCode: "297",
  unitId: "kuopio-school-12",
  pupilId: "p-1",
  pupilHetu: "010515A123H",
  level: "EDUCATION_LEVEL_BASIC_EDUCATION",
  occurredOn: "2026-11-02",
  supportDecision: { change: "SUPPORT_CHANGE_MADE", level: "SUPPORT_LEVEL_INTENSIFIED" },
};
const fields = (raw: unknown) => {
  const r = check(raw, publisher, "2026-11-23");
  return r.ok ? [] : r.errors.map((e) => e.field);
};

describe("an education event of an intake batch", () => {
  it("accepts a complete event and turns it into the proto message", () => {
    const r = check(valid, publisher, "2026-11-23");
    expect(r.ok && r.event.detail).toEqual({ $case: "supportDecision", value: { change: 1, level: 4 } });
  });

  it.each([
    ["a broken check character", { pupilHetu: "010515A123N" }, ["pupilHetu"]],
    ["an unknown century sign", { pupilHetu: "010515G123H" }, ["pupilHetu"]],
    ["a henkilötunnus as the pupil id (the record key)", { pupilId: "010515A123H" }, ["pupilId"]],
    ["another municipality than the token's", { municipalityCode: "091" }, ["municipalityCode"]],
    ["a future date", { occurredOn: "2026-12-24" }, ["occurredOn"]],
    ["an impossible date", { occurredOn: "2026-02-30" }, ["occurredOn"]],
    ["two details", { incident: { kind: "INCIDENT_KIND_SUSPECTED_ABUSE" } }, ["detail"]],
    ["an unknown field", { name: "Eetu" }, ["name"]],
    ["a wrong type", { level: 3 }, ["level"]],
    ["a support decision without its level", { supportDecision: { change: "SUPPORT_CHANGE_MADE" } }, ["supportDecision.level"]],
  ])("refuses %s, naming the field", (_what, over, expected) => {
    expect(fields({ ...valid, ...over })).toEqual(expected);
  });

  it("accepts the original proto field names, as proto3 JSON parsers do", () => {
    const r = check(
      {
        event_id: "e-1",
        municipality_code: "297",
        unit_id: "kuopio-school-12",
        pupil_id: "p-1",
        pupil_hetu: "010515A123H",
        level: "EDUCATION_LEVEL_BASIC_EDUCATION",
        occurred_on: "2026-11-02",
        support_decision: { change: "SUPPORT_CHANGE_MADE", level: "SUPPORT_LEVEL_INTENSIFIED" },
      },
      publisher,
      "2026-11-23",
    );
    expect(r).toEqual(check(valid, publisher, "2026-11-23"));
  });

  it("refuses a field given under both names", () => {
    const r = check({ ...valid, pupil_id: "p-2" }, publisher, "2026-11-23");
    expect(r).toEqual({ ok: false, eventId: "e-1", errors: [{ field: "pupilId", reason: "given twice: as pupilId and as pupil_id" }] });
  });

  it("refuses what is not an event at all", () => {
    expect(fields("hello")).toEqual(["(event)"]);
    expect(fields(null)).toEqual(["(event)"]);
  });
});
