// Who may do what (ARCHITECTURE.md "Protection of the child's data"). Every refusal is a
// PERMISSION_DENIED with a reason, never an empty success.
import { hasRole, type Identity, permissionDenied } from "@silta/platform";
import { auditRoles, managingRoles } from "../domain/vocabulary.ts";

/** Grant, revoke, record bases, read consents: child-protection roles of the responsible area. */
export function assertManages(caller: Identity, areaCode: string): void {
  if (caller.organisationType !== "wellbeing_area" || !managingRoles.some((r) => hasRole(caller, r))) {
    throw permissionDenied("SILTA_CONSENT_ROLE_REQUIRED", "only child-protection roles of a wellbeing area may manage consents");
  }
  if (!caller.areaCodes.includes(areaCode)) {
    throw permissionDenied("SILTA_CONSENT_OTHER_AREA", `the caller does not act for wellbeing area ${areaCode}`);
  }
}

export function manages(caller: Identity, areaCode: string): boolean {
  try {
    assertManages(caller, areaCode);
    return true;
  } catch {
    return false;
  }
}

/** A recipient organisation may Check only for itself; Silta's own services check on behalf of others. */
export function assertMayCheckFor(caller: Identity, recipientOrganisationId: string): void {
  if (caller.organisationType === "service") return;
  if (caller.organisationId !== recipientOrganisationId) {
    throw permissionDenied("SILTA_CONSENT_CHECK_FOR_OTHERS", "an organisation may check disclosures only to itself");
  }
}

export function assertAuditor(caller: Identity): void {
  if (!auditRoles.some((r) => hasRole(caller, r))) {
    throw permissionDenied("SILTA_CONSENT_AUDITOR_REQUIRED", "verifying the audit log needs an auditor, data protection officer or manager role");
  }
}
