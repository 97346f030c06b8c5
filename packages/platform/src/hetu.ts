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

const CANDIDATE = /(?<![0-9])([0-3]\d)([01]\d)(\d\d)([^0-9A-Za-z]|[A-FU-Y+])?(\d{3})([0-9A-Y])(?![0-9A-Za-z])/gi;

/**
 * Whether an identifier (an event id, a pupil or unit id, a request id) holds a henkilötunnus
 * anywhere in it, with any separator or none (`DDMMYY-NNNC`, `DDMMYYNNNC`, `DDMMYY.NNNC`,
 * `pupil_DDMMYYANNNC`): a real day and month and a matching check character. Identifiers become record
 * keys, CloudEvents ids and idempotency keys, which travel and are kept where a henkilötunnus
 * must never be. The one rule for every place an identifier enters (ARCHITECTURE.md).
 */
export function holdsHetu(identifier: string): boolean {
  CANDIDATE.lastIndex = 0;
  for (const m of identifier.matchAll(CANDIDATE)) {
    const [, dd, mm, yy, , nnn, check] = m as unknown as [string, string, string, string, string, string, string];
    const day = Number(dd);
    const month = Number(mm);
    if (day < 1 || day > 31 || month < 1 || month > 12) continue;
    if (CHECK_CHARS[Number(`${dd}${mm}${yy}${nnn}`) % 31] === check.toUpperCase()) return true;
  }
  return false;
}
