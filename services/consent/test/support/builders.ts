// Builders: valid by default, override per test.
import type { Identity } from "@silta/platform";
import type { Consent, GrantInput } from "../../src/domain/consent.ts";
import type { StatutoryBasis } from "../../src/domain/statutory-basis.ts";

export const NOW = new Date("2026-11-23T12:00:00Z");
export const DAY = 86_400_000;

export function grantInput(over: Partial<GrantInput> = {}): GrantInput {
  return {
    subjectPseudonym: "ps_child_0001_abcdefgh",
    areaCode: "13",
    givenBy: [{ role: "custodian", personRef: "person-1" }],
    childViewRecorded: false,
    childBirthDate: "2018-05-01",
    recipients: [{ organisationId: "kuopio-school-12", organisationType: "municipality", roles: [] }],
    purposes: ["school_support"],
    dataCategories: ["education_events"],
    validFrom: NOW,
    validUntil: new Date(NOW.getTime() + 365 * DAY),
    obtainedBy: "written",
    ...over,
  };
}

export function consent(over: Partial<Consent> = {}): Consent {
  const g = grantInput();
  return {
    consentId: "c-1",
    subjectPseudonym: g.subjectPseudonym,
    areaCode: "13",
    givenBy: g.givenBy,
    childViewRecorded: false,
    childTwelveOrOver: false,
    recipients: g.recipients,
    purposes: g.purposes,
    dataCategories: g.dataCategories,
    validFrom: new Date(NOW.getTime() - DAY),
    validUntil: new Date(NOW.getTime() + DAY),
    obtainedBy: "written",
    recordedByUser: "u",
    recordedByOrganisation: "o",
    recordedAt: NOW,
    status: "active",
    revokedAt: undefined,
    revocationReason: undefined,
    ...over,
  };
}

export function basis(over: Partial<StatutoryBasis> = {}): StatutoryBasis {
  return {
    basisId: "b-1",
    subjectPseudonym: "ps_child_0001_abcdefgh",
    areaCode: "13",
    basisType: "statutory_notification",
    legalProvision: "LSL 25 §",
    justification: "notification duty of the school",
    recipient: { organisationId: "kuopio-police", organisationType: undefined, roles: [] },
    purposes: ["referral_follow_up"],
    dataCategories: ["referral_status"],
    validFrom: new Date(NOW.getTime() - DAY),
    validUntil: undefined,
    recordedByUser: "u",
    recordedByOrganisation: "o",
    recordedAt: NOW,
    ...over,
  };
}

export const worker: Identity = {
  subject: "worker-1",
  organisationId: "pohjois-savo-child-protection",
  organisationType: "wellbeing_area",
  roles: ["child_protection_worker"],
  areaCodes: ["13"],
  municipalityCodes: [],
};
export const manager: Identity = { ...worker, subject: "manager-1", roles: ["child_protection_manager"] };
/** The area's data protection officer: reads and verifies the audit trail of area 13. */
export const dpo: Identity = { ...worker, subject: "dpo-1", organisationId: "pohjois-savo-tietosuoja", roles: ["data_protection_officer"] };
/** A Silta service of area 13 checking for its participants (and told why a disclosure is denied). */
export const meetingsService: Identity = {
  subject: "silta-meetings",
  organisationId: "silta-meetings-13",
  organisationType: "service",
  roles: [],
  areaCodes: ["13"],
  municipalityCodes: [],
};
export const school: Identity = {
  subject: "teacher-1",
  organisationId: "kuopio-school-12",
  organisationType: "municipality",
  roles: ["teacher"],
  areaCodes: [],
  municipalityCodes: ["297"],
};
