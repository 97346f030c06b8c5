import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { areaCodes } from "../../src/domain/municipalities.ts";
import { loadMunicipalities, municipalitiesPath } from "../../src/municipality-data.ts";

const m = loadMunicipalities();

describe("home municipality → responsible wellbeing area", () => {
  it("loads all 309 municipalities into 21 areas, Helsinki and Åland", () => {
    expect(m.size).toBe(309);
    expect(areaCodes(m)).toEqual([...Array.from({ length: 21 }, (_, i) => String(i + 1).padStart(2, "0")), "90", "91"]);
  });

  it.each([
    ["297", "Kuopio", "13", "Pohjois-Savon hyvinvointialue"],
    ["049", "Espoo", "03", "Länsi-Uudenmaan hyvinvointialue"],
    ["091", "Helsinki", "90", "Helsingin kaupunki"],
    ["837", "Tampere", "08", "Pirkanmaan hyvinvointialue"],
    ["478", "Maarianhamina", "91", "Ahvenanmaa"],
  ])("%s %s → %s", (code, name, area, areaName) => {
    expect(m.get(code)).toMatchObject({ nameFi: name, areaCode: area, areaNameFi: areaName });
  });

  it("is the same data as the project's shared municipalities.csv", () => {
    const shared = new URL("../../../../../shared/domain/municipalities.csv", import.meta.url);
    // The shared folder sits beside every checkout (CI's too); the copy must not drift from it.
    expect(existsSync(shared)).toBe(true);
    expect(readFileSync(municipalitiesPath, "utf8")).toBe(readFileSync(shared, "utf8"));
  });
});
