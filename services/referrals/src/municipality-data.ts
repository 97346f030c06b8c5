// Reads data/municipalities.csv (a copy of the shared data; see data/SOURCES.md) once.
import { readFileSync } from "node:fs";
import { type Municipality, parseMunicipalities } from "./domain/municipalities.ts";

export const municipalitiesPath = new URL("../data/municipalities.csv", import.meta.url);

export function loadMunicipalities(): Map<string, Municipality> {
  return parseMunicipalities(readFileSync(municipalitiesPath, "utf8"));
}
