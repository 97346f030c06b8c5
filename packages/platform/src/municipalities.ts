// Home municipality → responsible wellbeing area, from data/municipalities.csv (Statistics Finland
// codes; provenance in data/SOURCES.md): one copy for every service of an area.
import { readFileSync } from "node:fs";
import { AREA_CODE, MUNICIPALITY_CODE } from "./vocabulary.ts";

export interface Municipality {
  code: string;
  nameFi: string;
  nameSv: string;
  areaCode: string;
  areaNameFi: string;
}

export function parseMunicipalities(csv: string): Map<string, Municipality> {
  const lines = csv.trim().split(/\r?\n/);
  const header = lines.shift()?.split(",") ?? [];
  const want = ["municipality_code", "municipality_name_fi", "municipality_name_sv", "wellbeing_area_code", "wellbeing_area_name_fi"];
  if (want.some((w, i) => header[i] !== w)) throw new Error(`unexpected municipalities.csv header: ${header.join(",")}`);
  const out = new Map<string, Municipality>();
  for (const line of lines) {
    const [code, nameFi, nameSv, areaCode, areaNameFi] = line.split(",");
    if (!code || !MUNICIPALITY_CODE.test(code) || !areaCode || !AREA_CODE.test(areaCode)) throw new Error(`bad municipalities.csv row: ${line}`);
    out.set(code, { code, nameFi: nameFi ?? "", nameSv: nameSv ?? "", areaCode, areaNameFi: areaNameFi ?? "" });
  }
  return out;
}

/** The wellbeing areas in the data (01–21, 90 Helsinki, 91 Åland), sorted. */
export function areaCodes(municipalities: Map<string, Municipality>): string[] {
  return [...new Set([...municipalities.values()].map((m) => m.areaCode))].sort();
}

export const municipalitiesPath = new URL("../data/municipalities.csv", import.meta.url);

let loaded: Map<string, Municipality> | undefined;
/** The 309 municipalities by code (read once). */
export function loadMunicipalities(): Map<string, Municipality> {
  loaded ??= parseMunicipalities(readFileSync(municipalitiesPath, "utf8"));
  return loaded;
}

/** Every wellbeing area's code (01–21, 90, 91), from the data. */
export const allAreaCodes = (): string[] => areaCodes(loadMunicipalities());
