// A recorded statutory basis: the disclosure rests on a legal provision instead of consent.
import type { Recipient, Violation } from "./consent.ts";
import { validateRecipient } from "./consent.ts";
import type { BasisType, DataCategory, Purpose } from "./vocabulary.ts";
import { AREA_CODE, PSEUDONYM } from "./vocabulary.ts";

export interface StatutoryBasis {
  basisId: string;
  subjectPseudonym: string;
  areaCode: string;
  basisType: BasisType;
  legalProvision: string;
  justification: string;
  recipient: Recipient;
  purposes: Purpose[];
  dataCategories: DataCategory[];
  validFrom: Date;
  validUntil: Date | undefined;
  recordedByUser: string;
  recordedByOrganisation: string;
  recordedAt: Date;
}

export type BasisInput = Omit<StatutoryBasis, "basisId" | "recordedByUser" | "recordedByOrganisation" | "recordedAt" | "basisType" | "recipient"> & {
  basisType: BasisType | undefined;
  recipient: Recipient | undefined;
};

export function validateBasis(b: BasisInput, now: Date): Violation[] {
  const v: Violation[] = [];
  if (!PSEUDONYM.test(b.subjectPseudonym)) v.push({ field: "subject_pseudonym", reason: "must be a pseudonym: 16–128 characters of A–Z, a–z, 0–9, _ or -" });
  if (!AREA_CODE.test(b.areaCode)) v.push({ field: "area_code", reason: "must be a wellbeing-area code (01–21, 90, 91)" });
  if (!b.basisType) v.push({ field: "basis_type", reason: "name the kind of legal basis" });
  if (b.legalProvision.trim().length < 3 || b.legalProvision.length > 200)
    v.push({ field: "legal_provision", reason: 'name the provision, e.g. "LSL 25 §" (3–200 characters)' });
  if (b.justification.trim().length < 10 || b.justification.length > 4000)
    v.push({ field: "justification", reason: "a justification of 10–4000 characters is mandatory" });
  if (!b.recipient) v.push({ field: "recipient", reason: "the recipient is required" });
  else validateRecipient(b.recipient, "recipient", v);
  if (b.purposes.length === 0) v.push({ field: "purposes", reason: "at least one purpose is required" });
  if (b.dataCategories.length === 0) v.push({ field: "data_categories", reason: "at least one data category is required" });
  if (b.validUntil) {
    if (b.validUntil.getTime() <= b.validFrom.getTime()) v.push({ field: "valid_until", reason: "must be after valid_from" });
    else if (b.validUntil.getTime() <= now.getTime()) v.push({ field: "valid_until", reason: "must be in the future" });
  }
  return v;
}
