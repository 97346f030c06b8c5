import { type FieldViolation, failedPrecondition, type Identity, invalidArgument, notFound, PERSON_REFERENCE } from "@silta/platform";
import type { Referral } from "../domain/referral.ts";
import { assertHandles, assertHandlesReferrals } from "./authorise.ts";
import type { Clock, ReferralStore } from "./ports.ts";

/**
 * Names the responsible social worker and/or team of an open referral (on receipt, or later when
 * the case moves on), recording who and when in its history and telling the topic (opaque
 * references only), so that the deadlines' alerts reach them. The same assignment again changes
 * nothing and says nothing.
 */
export function assignResponsible(deps: { store: ReferralStore; clock: Clock }) {
  return async (referralId: string, to: { workerRef: string; teamRef: string }, caller: Identity): Promise<Referral> => {
    const p: FieldViolation[] = [];
    if (!/^[0-9a-f-]{36}$/i.test(referralId)) p.push({ field: "referral_id", reason: "must be a referral id (UUID)" });
    if (to.workerRef === "" && to.teamRef === "") p.push({ field: "worker_ref", reason: "name the responsible worker, the team or both" });
    if (to.workerRef !== "" && !PERSON_REFERENCE.test(to.workerRef))
      p.push({ field: "worker_ref", reason: "an opaque person reference (the sub of their token)" });
    if (to.teamRef !== "" && !PERSON_REFERENCE.test(to.teamRef)) p.push({ field: "team_ref", reason: "an opaque group reference" });
    if (p.length > 0) throw invalidArgument("SILTA_REFERRAL_INVALID", p);
    assertHandlesReferrals(caller);
    return deps.store.transaction(async (tx) => {
      const current = await tx.getForUpdate(referralId);
      if (!current) throw notFound("SILTA_REFERRAL_NOT_FOUND", `referral ${referralId}`);
      assertHandles(caller, current.areaCode, referralId);
      if (current.status === "closed")
        throw failedPrecondition("SILTA_REFERRAL_WRONG_STATE", "a closed referral has nobody responsible to name", `referral/${referralId}`);
      if (current.responsibleWorkerRef === to.workerRef && current.responsibleTeamRef === to.teamRef) return current;
      const entry = {
        action: "assign_responsible",
        status: current.status,
        actorUser: caller.subject,
        actorOrganisation: caller.organisationId,
        at: deps.clock.now(),
      };
      const next: Referral = { ...current, responsibleWorkerRef: to.workerRef, responsibleTeamRef: to.teamRef, history: [...current.history, entry] };
      await tx.saveResponsible(next, entry);
      const previousWorkerRef = current.responsibleWorkerRef !== to.workerRef ? current.responsibleWorkerRef : "";
      await tx.emit({ type: "responsible_assigned", referral: next, previousWorkerRef });
      return next;
    });
  };
}
