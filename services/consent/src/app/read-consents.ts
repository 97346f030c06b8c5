import { type Identity, invalidArgument, notFound, permissionDenied } from "@silta/platform";
import type { Consent } from "../domain/consent.ts";
import { PSEUDONYM } from "../domain/vocabulary.ts";
import { assertManages, assertManagesExisting, assertManagingRole, manages } from "./authorise.ts";
import type { ConsentStore } from "./ports.ts";

export function getConsent(deps: { store: ConsentStore }) {
  return async (consentId: string, caller: Identity): Promise<Consent> => {
    if (!/^[0-9a-f-]{36}$/i.test(consentId))
      throw invalidArgument("SILTA_CONSENT_INVALID_ID", [{ field: "consent_id", reason: "must be a consent id (UUID)" }]);
    assertManagingRole(caller);
    const c = await deps.store.getConsent(consentId);
    if (!c) throw notFound("SILTA_CONSENT_NOT_FOUND", `consent ${consentId}`);
    assertManagesExisting(caller, c.areaCode, consentId);
    return c;
  };
}

/** The subject's consents held by the areas the caller acts for. */
export function listConsents(deps: { store: ConsentStore }) {
  return async (subjectPseudonym: string, caller: Identity): Promise<Consent[]> => {
    if (!PSEUDONYM.test(subjectPseudonym))
      throw invalidArgument("SILTA_CONSENT_INVALID_SUBJECT", [{ field: "subject_pseudonym", reason: "must be a pseudonym" }]);
    if (!caller.areaCodes.some((a) => manages(caller, a)))
      throw permissionDenied("SILTA_CONSENT_ROLE_REQUIRED", "only child-protection roles of a wellbeing area may read consents");
    return (await deps.store.listConsents(subjectPseudonym)).filter((c) => manages(caller, c.areaCode));
  };
}

export { assertManages };
