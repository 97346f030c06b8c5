import { failedPrecondition, type Identity, invalidArgument, notFound } from "@silta/platform";
import { deadlineMetBy, milestoneOf, type Referral, type Transition, transition } from "../domain/referral.ts";
import { assertHandles, assertHandlesReferrals } from "./authorise.ts";
import type { Clock, ReferralStore } from "./ports.ts";

/** Moves a referral one step along its lifecycle, recording who and when; anything else is refused. */
export function transitionReferral(deps: { store: ReferralStore; clock: Clock }) {
  return async (referralId: string, t: Transition, caller: Identity): Promise<Referral> => {
    if (!/^[0-9a-f-]{36}$/i.test(referralId))
      throw invalidArgument("SILTA_REFERRAL_INVALID_ID", [{ field: "referral_id", reason: "must be a referral id (UUID)" }]);
    assertHandlesReferrals(caller);
    return deps.store.transaction(async (tx) => {
      const current = await tx.getForUpdate(referralId);
      if (!current) throw notFound("SILTA_REFERRAL_NOT_FOUND", `referral ${referralId}`);
      assertHandles(caller, current.areaCode, referralId);
      const result = transition(current.status, t);
      if (!result.ok) {
        if (result.field) throw invalidArgument("SILTA_REFERRAL_INVALID_TRANSITION", [{ field: result.field, reason: result.reason }]);
        throw failedPrecondition("SILTA_REFERRAL_WRONG_STATE", result.reason, `referral/${referralId}`);
      }
      const now = deps.clock.now();
      const entry = { action: t.type, status: result.status, actorUser: caller.subject, actorOrganisation: caller.organisationId, at: now };
      const met = deadlineMetBy(t.type);
      const next: Referral = {
        ...current,
        status: result.status,
        urgent: t.type === "assess_urgency" ? t.urgent : current.urgent,
        decision: t.type === "decide" ? t.outcome : current.decision,
        redirectedTo: t.type === "decide" ? t.redirectedTo.trim() : current.redirectedTo,
        deadlines: current.deadlines.map((d) => (d.kind === met && !d.metAt ? { ...d, metAt: now } : d)),
        history: [...current.history, entry],
      };
      await tx.saveTransition(next, entry, met);
      await tx.emit({ type: "status_changed", referral: next, milestone: milestoneOf(t.type) });
      return next;
    });
  };
}
