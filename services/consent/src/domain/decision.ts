// The disclosure decision (DOMAIN.md "Consent and disclosure"): ALLOW only with an active,
// currently valid consent or recorded statutory basis that covers this recipient, purpose and
// data category. Otherwise DENY with the reason of the record that came closest.
import type { Consent, Recipient } from "./consent.ts";
import type { StatutoryBasis } from "./statutory-basis.ts";
import type { DataCategory, DenyReason, OrganisationType, Purpose } from "./vocabulary.ts";

export interface DisclosureRequest {
  subjectPseudonym: string;
  recipient: { organisationId: string; organisationType: OrganisationType | undefined; role: string };
  purpose: Purpose;
  dataCategory: DataCategory;
}

export type DisclosureDecision =
  | {
      decision: "allow";
      by: { kind: "consent"; consentId: string } | { kind: "basis"; basisId: string; basisType: StatutoryBasis["basisType"]; legalProvision: string };
    }
  | { decision: "deny"; reason: DenyReason };

export function recipientCovers(r: Recipient, who: DisclosureRequest["recipient"]): boolean {
  const orgMatches = r.organisationId
    ? r.organisationId === who.organisationId
    : r.organisationType !== undefined && r.organisationType === who.organisationType;
  const roleMatches = r.roles.length === 0 || (who.role !== "" && r.roles.includes(who.role));
  return orgMatches && roleMatches;
}

// How far a record got before it failed: a later stage means a more telling reason.
const stage: Record<DenyReason, number> = {
  no_consent: 0,
  recipient_not_covered: 1,
  purpose_not_covered: 2,
  category_not_covered: 3,
  consent_revoked: 4,
  not_yet_valid: 5,
  consent_expired: 5,
};

function failure(
  rec: {
    recipients: Recipient[];
    purposes: Purpose[];
    dataCategories: DataCategory[];
    validFrom: Date;
    validUntil: Date | undefined;
    status?: Consent["status"];
  },
  req: DisclosureRequest,
  now: Date,
): DenyReason | undefined {
  if (!rec.recipients.some((r) => recipientCovers(r, req.recipient))) return "recipient_not_covered";
  if (!rec.purposes.includes(req.purpose)) return "purpose_not_covered";
  if (!rec.dataCategories.includes(req.dataCategory)) return "category_not_covered";
  if (rec.status === "revoked") return "consent_revoked";
  if (rec.validFrom.getTime() > now.getTime()) return "not_yet_valid";
  if (rec.status === "expired" || (rec.validUntil && rec.validUntil.getTime() <= now.getTime())) return "consent_expired";
  return undefined;
}

export function decide(consents: Consent[], bases: StatutoryBasis[], req: DisclosureRequest, now: Date): DisclosureDecision {
  let closest: DenyReason = "no_consent";
  for (const c of consents) {
    if (c.subjectPseudonym !== req.subjectPseudonym) continue;
    const f = failure(c, req, now);
    if (!f) return { decision: "allow", by: { kind: "consent", consentId: c.consentId } };
    if (stage[f] > stage[closest]) closest = f;
  }
  for (const b of bases) {
    if (b.subjectPseudonym !== req.subjectPseudonym) continue;
    const f = failure({ ...b, recipients: [b.recipient] }, req, now);
    if (!f) return { decision: "allow", by: { kind: "basis", basisId: b.basisId, basisType: b.basisType, legalProvision: b.legalProvision } };
    if (stage[f] > stage[closest]) closest = f;
  }
  return { decision: "deny", reason: closest };
}
