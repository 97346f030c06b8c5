import { hasRole, type Identity, permissionDenied } from "@silta/platform";

export const CHILD_PROTECTION_ROLES = ["child_protection_worker", "child_protection_manager", "social_emergency_worker"];

/** The responsible area's child-protection roles handle its referrals. */
export function assertHandles(caller: Identity, areaCode: string): void {
  if (caller.organisationType !== "wellbeing_area" || !CHILD_PROTECTION_ROLES.some((r) => hasRole(caller, r))) {
    throw permissionDenied("SILTA_REFERRAL_ROLE_REQUIRED", "only child-protection roles of a wellbeing area handle referrals");
  }
  if (!caller.areaCodes.includes(areaCode)) {
    throw permissionDenied("SILTA_REFERRAL_OTHER_AREA", "the referral belongs to another wellbeing area");
  }
}
