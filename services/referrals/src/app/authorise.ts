import { hasRole, type Identity, notFound, permissionDenied } from "@silta/platform";

export const CHILD_PROTECTION_ROLES = ["child_protection_worker", "child_protection_manager", "social_emergency_worker"];

/** Child-protection roles of a wellbeing area handle referrals: checked before any referral is looked up. */
export function assertHandlesReferrals(caller: Identity): void {
  if (caller.organisationType !== "wellbeing_area" || !CHILD_PROTECTION_ROLES.some((r) => hasRole(caller, r))) {
    throw permissionDenied("SILTA_REFERRAL_ROLE_REQUIRED", "only child-protection roles of a wellbeing area handle referrals");
  }
}

/** The responsible area's child-protection roles handle its referrals; another area's referral is "not found". */
export function assertHandles(caller: Identity, areaCode: string, referralId: string): void {
  assertHandlesReferrals(caller);
  // Its existence is itself information: answered exactly as an unknown id.
  if (!caller.areaCodes.includes(areaCode)) throw notFound("SILTA_REFERRAL_NOT_FOUND", `referral ${referralId}`);
}
