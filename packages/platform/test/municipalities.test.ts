import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { AREA_CODE, allAreaCodes, areaCodes, loadMunicipalities, MUNICIPALITY_CODE, municipalitiesPath } from "../src/index.ts";

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

  it("is the data users get: the repository's copy, with its SOURCES, and nothing outside the repository", () => {
    // A fresh clone has nothing beside it: the copy in packages/platform/data is the data.
    const csv = readFileSync(municipalitiesPath, "utf8");
    const rows = csv.trim().split(/\r?\n/).slice(1);
    expect(rows).toHaveLength(309);
    expect(new Set(rows.map((r) => r.split(",")[0])).size).toBe(309);
    for (const row of rows) {
      const [code, , , area] = row.split(",");
      expect(code).toMatch(MUNICIPALITY_CODE);
      expect(area).toMatch(AREA_CODE);
    }
    expect(allAreaCodes()).toHaveLength(23);
    expect(readFileSync(new URL("../data/SOURCES.md", import.meta.url), "utf8")).toMatch(/309 rows/);
  });
});
