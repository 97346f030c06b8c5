import { type Identity, invalidArgument, notFound, permissionDenied } from "@silta/platform";
import type { Milestone, Referral, ReferralStatus } from "../domain/referral.ts";
import { assertHandles, assertHandlesReferrals } from "./authorise.ts";
import type { EducationEventRecord, ReferralSettings, ReferralStore } from "./ports.ts";

export function getReferral(deps: { store: ReferralStore }) {
  return async (referralId: string, caller: Identity): Promise<{ referral: Referral; linked: Referral[]; educationEvents: EducationEventRecord[] }> => {
    if (!/^[0-9a-f-]{36}$/i.test(referralId))
      throw invalidArgument("SILTA_REFERRAL_INVALID_ID", [{ field: "referral_id", reason: "must be a referral id (UUID)" }]);
    assertHandlesReferrals(caller);
    const referral = await deps.store.get(referralId);
    // Another area's referral is "not found" to the caller: its existence is itself information.
    if (!referral) throw notFound("SILTA_REFERRAL_NOT_FOUND", `referral ${referralId}`);
    assertHandles(caller, referral.areaCode, referralId);
    const linked = (await Promise.all(referral.linkedReferralIds.map((id) => deps.store.get(id)))).filter(
      (r): r is Referral => r !== undefined && caller.areaCodes.includes(r.areaCode),
    );
    const educationEvents = await deps.store.educationEventsFor(referral.subjectPseudonym, referral.areaCode);
    return { referral, linked, educationEvents };
  };
}

export function listReferrals(deps: { store: ReferralStore }) {
  return async (input: { areaCode: string; statuses: ReferralStatus[]; limit: number }, caller: Identity): Promise<Referral[]> => {
    assertHandlesReferrals(caller);
    // An area's worklist is not an object whose existence is a secret: another area's is refused.
    if (!caller.areaCodes.includes(input.areaCode))
      throw permissionDenied("SILTA_REFERRAL_OTHER_AREA", `the caller does not act for wellbeing area ${input.areaCode}`);
    return deps.store.list(input.areaCode, input.statuses, Math.min(Math.max(input.limit || 100, 1), 500));
  };
}

export interface NotifierStatus {
  referenceNumber: string;
  areaCode: string;
  areaName: string;
  submittedAt: Date;
  milestones: { milestone: Milestone; at: Date }[];
}

/** The notifier's view: received by whom, and which milestones passed when. Never the decision or content. */
export function getReferralStatus(deps: { store: ReferralStore; settings: ReferralSettings }) {
  return async (referenceNumber: string, caller: Identity): Promise<NotifierStatus> => {
    const r = await deps.store.statusByReference(referenceNumber);
    // Only the notifying organisation; to anyone else the reference does not exist.
    if (!r?.notifier.organisationId || r.notifier.organisationId !== caller.organisationId)
      throw notFound("SILTA_REFERRAL_NOT_FOUND", `referral ${referenceNumber}`);
    const milestones: NotifierStatus["milestones"] = [{ milestone: "received_by_area", at: r.receivedAt }];
    for (const h of r.history) {
      const m = h.action === "assess_urgency" ? "urgency_assessed" : h.action === "decide" ? "decision_made" : h.action === "close" ? "closed" : undefined;
      if (m) milestones.push({ milestone: m, at: h.at });
    }
    return { referenceNumber: r.referenceNumber, areaCode: r.areaCode, areaName: deps.settings.areaName(r.areaCode), submittedAt: r.receivedAt, milestones };
  };
}
