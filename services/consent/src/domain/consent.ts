// A consent to disclose, and the rules for recording, revoking and expiring one.
import type { DataCategory, GiverRole, ObtainedBy, OrganisationType, Purpose } from "./vocabulary.ts";
import { AREA_CODE, PSEUDONYM } from "./vocabulary.ts";

export interface Violation {
  field: string;
  reason: string;
}

export interface Recipient {
  /** One organisation, or (when empty) every organisation of `organisationType`. */
  organisationId: string;
  organisationType: OrganisationType | undefined;
  /** Empty: any role. */
  roles: string[];
}

export interface ConsentGiver {
  role: GiverRole;
  personRef: string;
}

export type ConsentStatus = "active" | "revoked" | "expired";

export interface Consent {
  consentId: string;
  subjectPseudonym: string;
  areaCode: string;
  givenBy: ConsentGiver[];
  childViewRecorded: boolean;
  childTwelveOrOver: boolean;
  recipients: Recipient[];
  purposes: Purpose[];
  dataCategories: DataCategory[];
  validFrom: Date;
  validUntil: Date;
  obtainedBy: ObtainedBy;
  recordedByUser: string;
  recordedByOrganisation: string;
  recordedAt: Date;
  status: ConsentStatus;
  revokedAt: Date | undefined;
  revocationReason: string | undefined;
}

export interface GrantInput {
  subjectPseudonym: string;
  areaCode: string;
  givenBy: ConsentGiver[];
  childViewRecorded: boolean;
  /** YYYY-MM-DD, or undefined (an unborn child). */
  childBirthDate: string | undefined;
  recipients: Recipient[];
  purposes: Purpose[];
  dataCategories: DataCategory[];
  validFrom: Date;
  validUntil: Date | undefined;
  obtainedBy: ObtainedBy | undefined;
}

export const MAX_VALIDITY_DAYS = 5 * 366;

/** Age in whole years on `at` (Europe/Helsinki calendar date is close enough at day precision). */
export function ageOn(birthDate: string, at: Date): number {
  const [y, m, d] = birthDate.split("-").map(Number) as [number, number, number];
  const ay = at.getUTCFullYear();
  const am = at.getUTCMonth() + 1;
  const ad = at.getUTCDate();
  return ay - y - (am < m || (am === m && ad < d) ? 1 : 0);
}

export function isValidDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

export function validateRecipient(r: Recipient, field: string, out: Violation[]): void {
  if (!r.organisationId && !r.organisationType) out.push({ field, reason: "name an organisation_id or an organisation_type" });
  if (r.organisationId && !/^[A-Za-z0-9._:-]{1,100}$/.test(r.organisationId))
    out.push({ field: `${field}.organisation_id`, reason: "1–100 characters of A–Z, a–z, 0–9, . _ : -" });
  if (r.roles.some((x) => !/^[a-z][a-z0-9_]{0,63}$/.test(x))) out.push({ field: `${field}.roles`, reason: "roles are lower_snake_case names" });
}

/** Every problem with a grant, so the caller can fix them all at once. Empty: valid. */
export function validateGrant(g: GrantInput, now: Date): Violation[] {
  const v: Violation[] = [];
  if (!PSEUDONYM.test(g.subjectPseudonym)) v.push({ field: "subject_pseudonym", reason: "must be a pseudonym: 16–128 characters of A–Z, a–z, 0–9, _ or -" });
  if (!AREA_CODE.test(g.areaCode)) v.push({ field: "area_code", reason: "must be a wellbeing-area code (01–21, 90, 91)" });
  if (g.givenBy.length === 0) v.push({ field: "given_by", reason: "say who gave the consent (child, custodian or guardian ad litem)" });
  g.givenBy.forEach((x, i) => {
    if (!/^[A-Za-z0-9._:-]{1,100}$/.test(x.personRef))
      v.push({ field: `given_by[${i}].person_ref`, reason: "an opaque reference of 1–100 characters, never a name or henkilötunnus" });
  });
  if (g.recipients.length === 0) v.push({ field: "recipients", reason: "at least one recipient is required" });
  for (const [i, r] of g.recipients.entries()) validateRecipient(r, `recipients[${i}]`, v);
  if (g.purposes.length === 0) v.push({ field: "purposes", reason: "at least one purpose is required" });
  if (g.dataCategories.length === 0) v.push({ field: "data_categories", reason: "at least one data category is required" });
  if (!g.obtainedBy) v.push({ field: "obtained_by", reason: "say how the consent was obtained (written, electronic, recorded verbal)" });
  if (!g.validUntil) v.push({ field: "valid_until", reason: "a consent is always limited in time" });
  else {
    if (g.validUntil.getTime() <= g.validFrom.getTime()) v.push({ field: "valid_until", reason: "must be after valid_from" });
    else if (g.validUntil.getTime() <= now.getTime()) v.push({ field: "valid_until", reason: "must be in the future" });
    if (g.validUntil.getTime() - g.validFrom.getTime() > MAX_VALIDITY_DAYS * 86_400_000)
      v.push({ field: "valid_until", reason: `at most ${MAX_VALIDITY_DAYS} days after valid_from` });
  }
  if (g.childBirthDate !== undefined) {
    if (!isValidDate(g.childBirthDate) || new Date(`${g.childBirthDate}T00:00:00Z`) > now)
      v.push({ field: "child_birth_date", reason: "must be a past date YYYY-MM-DD" });
    else if (ageOn(g.childBirthDate, now) >= 18) v.push({ field: "child_birth_date", reason: "the subject is not a child (18 or over)" });
    else if (ageOn(g.childBirthDate, now) >= 12 && !g.childViewRecorded) {
      // LSL 20 §: a child of 12 or over is heard in their own case [C/L].
      v.push({ field: "child_view_recorded", reason: "the child is 12 or over: record the child's view" });
    }
  }
  if (g.givenBy.some((x) => x.role === "child") && !g.childViewRecorded)
    v.push({ field: "child_view_recorded", reason: "the child gave the consent: record the child's view" });
  return v;
}

export function newConsent(id: string, g: GrantInput, by: { user: string; organisation: string }, now: Date): Consent {
  return {
    consentId: id,
    subjectPseudonym: g.subjectPseudonym,
    areaCode: g.areaCode,
    givenBy: g.givenBy,
    childViewRecorded: g.childViewRecorded,
    childTwelveOrOver: g.childBirthDate !== undefined && ageOn(g.childBirthDate, now) >= 12,
    recipients: g.recipients,
    purposes: [...new Set(g.purposes)],
    dataCategories: [...new Set(g.dataCategories)],
    validFrom: g.validFrom,
    validUntil: g.validUntil as Date,
    obtainedBy: g.obtainedBy as ObtainedBy,
    recordedByUser: by.user,
    recordedByOrganisation: by.organisation,
    recordedAt: now,
    status: "active",
    revokedAt: undefined,
    revocationReason: undefined,
  };
}

export type TransitionResult = { ok: true; consent: Consent } | { ok: false; state: ConsentStatus };

/** Only an active consent can be revoked; revoking twice is refused, never a silent no-op. */
export function revoke(c: Consent, reason: string, now: Date): TransitionResult {
  if (c.status !== "active") return { ok: false, state: c.status };
  return { ok: true, consent: { ...c, status: "revoked", revokedAt: now, revocationReason: reason } };
}
