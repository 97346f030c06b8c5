// Domain words ⇄ proto enums and messages, in one place for the gRPC adapter and the events.
import {
  BasisType as PBasisType,
  type Consent as PConsent,
  ConsentStatus as PConsentStatus,
  DataCategory as PDataCategory,
  DenyReason as PDenyReason,
  GiverRole as PGiverRole,
  ObtainedBy as PObtainedBy,
  OrganisationType as POrganisationType,
  Purpose as PPurpose,
  type Recipient as PRecipient,
  type StatutoryBasis as PStatutoryBasis,
} from "@silta/contracts/consent/v1/consent.ts";
import { enumTable } from "@silta/grpc";
import type { Consent, ConsentStatus, Recipient } from "./domain/consent.ts";
import type { StatutoryBasis } from "./domain/statutory-basis.ts";
import type { BasisType, DataCategory, DenyReason, GiverRole, ObtainedBy, OrganisationType, Purpose } from "./domain/vocabulary.ts";

export const purpose = enumTable<PPurpose, Purpose>([
  [PPurpose.PURPOSE_REFERRAL_FOLLOW_UP, "referral_follow_up"],
  [PPurpose.PURPOSE_MEETING_PARTICIPATION, "meeting_participation"],
  [PPurpose.PURPOSE_PAIRED_WORK, "paired_work"],
  [PPurpose.PURPOSE_SCHOOL_SUPPORT, "school_support"],
  [PPurpose.PURPOSE_EARLY_EDUCATION_SUPPORT, "early_education_support"],
  [PPurpose.PURPOSE_SERVICE_NEED_ASSESSMENT, "service_need_assessment"],
]);
export const dataCategory = enumTable<PDataCategory, DataCategory>([
  [PDataCategory.DATA_CATEGORY_REFERRAL_STATUS, "referral_status"],
  [PDataCategory.DATA_CATEGORY_CASE_SUMMARY, "case_summary"],
  [PDataCategory.DATA_CATEGORY_MEETING_INFORMATION, "meeting_information"],
  [PDataCategory.DATA_CATEGORY_EDUCATION_EVENTS, "education_events"],
  [PDataCategory.DATA_CATEGORY_HEALTH_INFORMATION, "health_information"],
  [PDataCategory.DATA_CATEGORY_CONTACT_INFORMATION, "contact_information"],
  [PDataCategory.DATA_CATEGORY_ASSESSMENT_SUMMARY, "assessment_summary"],
]);
export const organisationType = enumTable<POrganisationType, OrganisationType>([
  [POrganisationType.ORGANISATION_TYPE_MUNICIPALITY, "municipality"],
  [POrganisationType.ORGANISATION_TYPE_WELLBEING_AREA, "wellbeing_area"],
  [POrganisationType.ORGANISATION_TYPE_NGO, "ngo"],
  [POrganisationType.ORGANISATION_TYPE_HEALTH, "health"],
  [POrganisationType.ORGANISATION_TYPE_EXPERT_CENTRE, "expert_centre"],
]);
export const giverRole = enumTable<PGiverRole, GiverRole>([
  [PGiverRole.GIVER_ROLE_CHILD, "child"],
  [PGiverRole.GIVER_ROLE_CUSTODIAN, "custodian"],
  [PGiverRole.GIVER_ROLE_GUARDIAN_AD_LITEM, "guardian_ad_litem"],
]);
export const obtainedBy = enumTable<PObtainedBy, ObtainedBy>([
  [PObtainedBy.OBTAINED_BY_WRITTEN, "written"],
  [PObtainedBy.OBTAINED_BY_ELECTRONIC, "electronic"],
  [PObtainedBy.OBTAINED_BY_RECORDED_VERBAL, "recorded_verbal"],
]);
export const basisType = enumTable<PBasisType, BasisType>([
  [PBasisType.BASIS_TYPE_STATUTORY_NOTIFICATION, "statutory_notification"],
  [PBasisType.BASIS_TYPE_STATUTORY_RIGHT_TO_OBTAIN, "statutory_right_to_obtain"],
  [PBasisType.BASIS_TYPE_CHILD_INTEREST_NECESSITY, "child_interest_necessity"],
  [PBasisType.BASIS_TYPE_OTHER_LAW, "other_law"],
]);
export const denyReason = enumTable<PDenyReason, DenyReason>([
  [PDenyReason.DENY_REASON_NO_CONSENT, "no_consent"],
  [PDenyReason.DENY_REASON_RECIPIENT_NOT_COVERED, "recipient_not_covered"],
  [PDenyReason.DENY_REASON_PURPOSE_NOT_COVERED, "purpose_not_covered"],
  [PDenyReason.DENY_REASON_CATEGORY_NOT_COVERED, "category_not_covered"],
  [PDenyReason.DENY_REASON_CONSENT_REVOKED, "consent_revoked"],
  [PDenyReason.DENY_REASON_CONSENT_EXPIRED, "consent_expired"],
  [PDenyReason.DENY_REASON_NOT_YET_VALID, "not_yet_valid"],
]);
export const consentStatus = enumTable<PConsentStatus, ConsentStatus>([
  [PConsentStatus.CONSENT_STATUS_ACTIVE, "active"],
  [PConsentStatus.CONSENT_STATUS_REVOKED, "revoked"],
  [PConsentStatus.CONSENT_STATUS_EXPIRED, "expired"],
]);

export function recipientToProto(r: Recipient): PRecipient {
  return { organisationId: r.organisationId, organisationType: organisationType.proto(r.organisationType) as PRecipient["organisationType"], roles: r.roles };
}

const iso = (d: Date | undefined) => (d ? d.toISOString() : "");

export function consentToProto(c: Consent): PConsent {
  return {
    consentId: c.consentId,
    subjectPseudonym: c.subjectPseudonym,
    areaCode: c.areaCode,
    givenBy: c.givenBy.map((g) => ({ role: giverRole.proto(g.role) as PGiverRole, personRef: g.personRef })),
    childViewRecorded: c.childViewRecorded,
    childTwelveOrOver: c.childTwelveOrOver,
    recipients: c.recipients.map(recipientToProto),
    purposes: c.purposes.map((p) => purpose.proto(p) as PPurpose),
    dataCategories: c.dataCategories.map((d) => dataCategory.proto(d) as PDataCategory),
    validFrom: iso(c.validFrom),
    validUntil: iso(c.validUntil),
    obtainedBy: obtainedBy.proto(c.obtainedBy) as PObtainedBy,
    recordedByUser: c.recordedByUser,
    recordedByOrganisation: c.recordedByOrganisation,
    recordedAt: iso(c.recordedAt),
    status: consentStatus.proto(c.status) as PConsentStatus,
    revokedAt: iso(c.revokedAt),
    revocationReason: c.revocationReason ?? "",
  };
}

export function basisToProto(b: StatutoryBasis): PStatutoryBasis {
  return {
    basisId: b.basisId,
    subjectPseudonym: b.subjectPseudonym,
    areaCode: b.areaCode,
    basisType: basisType.proto(b.basisType) as PBasisType,
    legalProvision: b.legalProvision,
    justification: b.justification,
    recipient: recipientToProto(b.recipient),
    purposes: b.purposes.map((p) => purpose.proto(p) as PPurpose),
    dataCategories: b.dataCategories.map((d) => dataCategory.proto(d) as PDataCategory),
    validFrom: iso(b.validFrom),
    validUntil: iso(b.validUntil),
    recordedByUser: b.recordedByUser,
    recordedByOrganisation: b.recordedByOrganisation,
    recordedAt: iso(b.recordedAt),
  };
}
