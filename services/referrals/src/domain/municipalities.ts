// Home municipality → responsible wellbeing area, from municipalities.csv (Statistics Finland
// codes; provenance in data/SOURCES.md). Parsing is pure; reading the file is the adapter's.

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
    if (!code || !/^\d{3}$/.test(code) || !areaCode || !/^\d{2}$/.test(areaCode)) throw new Error(`bad municipalities.csv row: ${line}`);
    out.set(code, { code, nameFi: nameFi ?? "", nameSv: nameSv ?? "", areaCode, areaNameFi: areaNameFi ?? "" });
  }
  return out;
}

/** The wellbeing areas in the data (01–21, 90 Helsinki, 91 Åland), sorted. */
export function areaCodes(municipalities: Map<string, Municipality>): string[] {
  return [...new Set([...municipalities.values()].map((m) => m.areaCode))].sort();
}
