// Who may do what (ARCHITECTURE.md "Protection of the child's data"). Every refusal is a
// PERMISSION_DENIED with a reason, never an empty success.
import { AUDIT_ROLES, hasRole, type Identity, notFound, permissionDenied } from "@silta/platform";
import { managingRoles } from "../domain/vocabulary.ts";

/** Child-protection roles of a wellbeing area manage consents: checked before any record is looked up. */
export function assertManagingRole(caller: Identity): void {
  if (caller.organisationType !== "wellbeing_area" || !managingRoles.some((r) => hasRole(caller, r))) {
    throw permissionDenied("SILTA_CONSENT_ROLE_REQUIRED", "only child-protection roles of a wellbeing area may manage consents");
  }
}

/** An existing consent of another area is answered exactly as an unknown one: its existence is information. */
export function assertManagesExisting(caller: Identity, areaCode: string, consentId: string): void {
  assertManagingRole(caller);
  if (!caller.areaCodes.includes(areaCode)) throw notFound("SILTA_CONSENT_NOT_FOUND", `consent ${consentId}`);
}

/** Grant, record bases (new records): child-protection roles of the responsible area. */
export function assertManages(caller: Identity, areaCode: string): void {
  assertManagingRole(caller);
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

/** Audit roles (AUDIT_ROLES: data protection officer, auditor) of a wellbeing area: what they read is scoped to its areas. */
export function assertAuditor(caller: Identity): void {
  if (caller.organisationType !== "wellbeing_area" || !AUDIT_ROLES.some((r) => hasRole(caller, r))) {
    throw permissionDenied("SILTA_CONSENT_AUDITOR_REQUIRED", `this needs a wellbeing area's ${AUDIT_ROLES.join(" or ")} role`);
  }
}

/** Who reads a child's disclosure log: the area's child-protection roles and its audit roles, for its own areas only. */
export function readsAuditOf(caller: Identity, areaCode: string): boolean {
  if (caller.organisationType !== "wellbeing_area" || !caller.areaCodes.includes(areaCode)) return false;
  return managingRoles.some((r) => hasRole(caller, r)) || AUDIT_ROLES.some((r) => hasRole(caller, r));
}
