// The words of consent and disclosure (DOMAIN.md "Consent and disclosure").
export const purposes = [
  "referral_follow_up",
  "meeting_participation",
  "paired_work", // co-work, consultation and mentoring in the paired-worker model
  "school_support", // Sisukas
  "early_education_support", // Pikku-Sisukas
  "service_need_assessment",
] as const;
export type Purpose = (typeof purposes)[number];

export const dataCategories = [
  "referral_status",
  "case_summary",
  "meeting_information",
  "education_events",
  "health_information",
  "contact_information",
  "assessment_summary",
] as const;
export type DataCategory = (typeof dataCategories)[number];

export const organisationTypes = ["municipality", "wellbeing_area", "ngo", "health", "expert_centre"] as const;
export type OrganisationType = (typeof organisationTypes)[number];

export const giverRoles = ["child", "custodian", "guardian_ad_litem"] as const;
export type GiverRole = (typeof giverRoles)[number];

export const obtainedBy = ["written", "electronic", "recorded_verbal"] as const;
export type ObtainedBy = (typeof obtainedBy)[number];

/** Legal bases other than consent; free-text justification is mandatory for each. [U] exact sections of 703/2023 */
export const basisTypes = ["statutory_notification", "statutory_right_to_obtain", "child_interest_necessity", "other_law"] as const;
export type BasisType = (typeof basisTypes)[number];

export const denyReasons = [
  "no_consent",
  "recipient_not_covered",
  "purpose_not_covered",
  "category_not_covered",
  "consent_revoked",
  "consent_expired",
  "not_yet_valid",
] as const;
export type DenyReason = (typeof denyReasons)[number];

/** Roles that may grant, revoke and record bases: the responsible wellbeing area's child protection. */
export const managingRoles = ["child_protection_worker", "child_protection_manager"] as const;
/** Batches are for a meeting's or a booking's participants: bounded, so nobody floods a child's audit trail. */
export const MAX_CHECK_BATCH = 50;

export const PSEUDONYM = /^[A-Za-z0-9_-]{16,128}$/;
export const AREA_CODE = /^(0[1-9]|1\d|2[01]|90|91)$/;
