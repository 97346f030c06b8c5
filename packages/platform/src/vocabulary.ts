// Silta's shared vocabulary, one validator each (proto/silta/common/v1 documents the same terms
// for the protos): every service, the gateway and the kit check these with the same limits.

/** A wellbeing-area code of Statistics Finland: 01–21, 90 Helsinki (a city with the duties of one), 91 Åland. */
export const AREA_CODE = /^(0[1-9]|1\d|2[01]|90|91)$/;
/** A municipality code of Statistics Finland: three digits (which ones exist: municipalities.ts). */
export const MUNICIPALITY_CODE = /^\d{3}$/;
/**
 * A pseudonym: an opaque, URL-safe string, 16–128 characters. Area pseudonyms are keyed HMACs
 * (pseudonymiser.ts, `ps1_…`; `ps_…` before key versions); others (a fixture's, a test's) only
 * need the shape.
 */
export const PSEUDONYM = /^[A-Za-z0-9_-]{16,128}$/;
/** An opaque reference to a person in another organisation's system (never a henkilötunnus). */
export const PERSON_REFERENCE = /^[A-Za-z0-9._:-]{1,100}$/;

export const organisationTypes = ["municipality", "wellbeing_area", "ngo", "health", "service", "expert_centre"] as const;
export type OrganisationType = (typeof organisationTypes)[number];

export const isAreaCode = (s: string): boolean => AREA_CODE.test(s);
export const isMunicipalityCode = (s: string): boolean => MUNICIPALITY_CODE.test(s);
export const isPseudonym = (s: string): boolean => PSEUDONYM.test(s);
