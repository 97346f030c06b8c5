// The benches' referral: a professional's notification about a child known by a temporary id
// (so no two submissions link), the same in every referrals bench.
import { NotifierType, ReferralKind, type SubmitReferralRequest } from "@silta/contracts/referrals/v1/referrals.ts";
import { uniqueName } from "@silta/testing";

export function benchSubmission(requestPrefix: string): SubmitReferralRequest {
  return {
    requestId: uniqueName(requestPrefix),
    kind: ReferralKind.REFERRAL_KIND_CHILD_WELFARE_NOTIFICATION,
    notifier: {
      type: NotifierType.NOTIFIER_TYPE_MANDATORY_PROFESSIONAL,
      organisationId: "kuopio-school-12",
      role: "teacher",
      name: "Bench",
      phone: "",
      email: "bench@example.fi",
    },
    child: { hetu: "", temporaryId: uniqueName("child"), givenNames: "", familyName: "", birthDate: "" },
    homeMunicipalityCode: "297",
    concern: "Benchmark notification.",
    urgentClaimed: false,
    policeNotified: false,
    movingToMunicipalityCode: "",
  };
}
