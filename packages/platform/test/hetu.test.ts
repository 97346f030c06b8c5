import { describe, expect, it } from "vitest";
import { holdsHetu, validateHetu } from "../src/hetu.ts";

describe("henkilötunnus", () => {
  it.each([
    ["131052-308T", "1952-10-13", false],
    ["010594Y9021", "1994-05-01", true],
    ["020516C903K", "2016-05-02", true],
    ["020504B904H", "2004-05-02", true],
  ])("accepts the DOMAIN.md test code %s (born %s, temporary %s)", (hetu, birthDate, temporary) => {
    expect(validateHetu(hetu)).toEqual({ valid: true, hetu, birthDate, temporary });
  });

  it("accepts every century sign, including the 2023 ones, and keeps the sign as given", () => {
    // 010101 + NNN 123: 010101123 mod 31 → "N"
    for (const sign of ["-", "Y", "X", "W", "V", "U", "A", "B", "C", "D", "E", "F", "+"]) {
      const r = validateHetu(`010101${sign}123N`);
      expect(r.valid, sign).toBe(true);
      if (r.valid) expect(r.hetu).toBe(`010101${sign}123N`);
    }
    expect(validateHetu("010101A123N")).toMatchObject({ birthDate: "2001-01-01" });
    expect(validateHetu("010101+123N")).toMatchObject({ birthDate: "1801-01-01" });
  });

  it.each([
    ["131052-308X", "the check character does not match"],
    ["131052-309T", "the check character does not match"],
    ["310252-308T", "the date part is not a real date"],
    ["290223-1234", "the date part is not a real date"], // 29.2.1923: not a leap year
    ["131052G308T", "unknown century sign"],
    ["131052Z308T", "unknown century sign"],
    ["131052-001U", "the individual number must be 002–999"],
    ["131052308T", "must be DDMMYY, a century sign, three digits and a check character"],
    ["131052-308t", "must be DDMMYY, a century sign, three digits and a check character"],
    [" 131052-308T", "must be DDMMYY, a century sign, three digits and a check character"],
  ])("refuses %s: %s", (hetu, reason) => {
    expect(validateHetu(hetu)).toEqual({ valid: false, reason });
  });

  it.each(["131052-308T", "131052308T", "131052.308T", "131052_308t", "pupil-131052A308T", "kuopio:131052 308T:x", "010594Y9021"])(
    "finds the henkilötunnus in the identifier %s",
    (id) => {
      expect(holdsHetu(id)).toBe(true);
    },
  );

  it.each(["pupil-4711", "kuopio-school-12", "e-2026-11-02-000123", "131052-308A", "321352308T", "1310523089", "LS-13-2026-000001"])(
    "lets the opaque identifier %s through",
    (id) => {
      expect(holdsHetu(id)).toBe(false);
    },
  );
});
