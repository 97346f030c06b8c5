// Henkilötunnus (personal identity code): DDMMYY + century sign + NNN + check character.
// DOMAIN.md: signs + (1800s); - Y X W V U (1900s); A B C D E F (2000s, the new signs since 2023).
// The sign is part of the identity: never stripped or normalised. NNN 900–999: temporary ids.
// Check = DDMMYYNNN mod 31 indexed into 0123456789ABCDEFHJKLMNPRSTUVWXY. Sex is never inferred.

const CHECK_CHARS = "0123456789ABCDEFHJKLMNPRSTUVWXY";
const CENTURY: Record<string, number> = {
  "+": 1800,
  "-": 1900,
  Y: 1900,
  X: 1900,
  W: 1900,
  V: 1900,
  U: 1900,
  A: 2000,
  B: 2000,
  C: 2000,
  D: 2000,
  E: 2000,
  F: 2000,
};
const SHAPE = /^(\d{2})(\d{2})(\d{2})([-+A-FU-Y])(\d{3})([0-9A-Y])$/;

export type HetuResult = { valid: true; hetu: string; birthDate: string; temporary: boolean } | { valid: false; reason: string };

export function validateHetu(input: string): HetuResult {
  const m = SHAPE.exec(input);
  if (!m) {
    if (/^\d{6}[A-Z+-]\d{3}[0-9A-Z]$/.test(input)) return { valid: false, reason: "unknown century sign" };
    return { valid: false, reason: "must be DDMMYY, a century sign, three digits and a check character" };
  }
  const [, dd, mm, yy, sign, nnn, check] = m as unknown as [string, string, string, string, string, string, string];
  const year = (CENTURY[sign] as number) + Number(yy);
  const birthDate = `${year}-${mm}-${dd}`;
  const d = new Date(`${birthDate}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== birthDate) return { valid: false, reason: "the date part is not a real date" };
  if (Number(nnn) < 2) return { valid: false, reason: "the individual number must be 002–999" };
  const expected = CHECK_CHARS[Number(`${dd}${mm}${yy}${nnn}`) % 31];
  if (check !== expected) return { valid: false, reason: "the check character does not match" };
  return { valid: true, hetu: input, birthDate, temporary: Number(nnn) >= 900 };
}
