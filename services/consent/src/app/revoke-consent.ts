import { failedPrecondition, type Identity, invalidArgument, notFound } from "@silta/platform";
import { type Consent, revoke } from "../domain/consent.ts";
import { assertManagesExisting, assertManagingRole } from "./authorise.ts";
import type { Clock, ConsentStore } from "./ports.ts";

/**
 * Revokes a consent. Decisions read PostgreSQL (no decision cache), so once this returns, a
 * Check on any replica sees the revocation.
 */
export function revokeConsent(deps: { store: ConsentStore; clock: Clock }) {
  return async (input: { consentId: string; reason: string }, caller: Identity): Promise<Consent> => {
    const fields = [];
    if (!/^[0-9a-f-]{36}$/i.test(input.consentId)) fields.push({ field: "consent_id", reason: "must be a consent id (UUID)" });
    if (input.reason.trim().length === 0 || input.reason.length > 1000) fields.push({ field: "reason", reason: "a reason of 1–1000 characters is required" });
    if (fields.length > 0) throw invalidArgument("SILTA_CONSENT_INVALID_REVOKE", fields);
    assertManagingRole(caller);
    return deps.store.transaction(async (tx) => {
      const current = await tx.getConsentForUpdate(input.consentId);
      if (!current) throw notFound("SILTA_CONSENT_NOT_FOUND", `consent ${input.consentId}`);
      assertManagesExisting(caller, current.areaCode, input.consentId);
      const result = revoke(current, input.reason, deps.clock.now());
      if (!result.ok) {
        throw failedPrecondition("SILTA_CONSENT_NOT_ACTIVE", `the consent is ${result.state}, not active`, `consent/${current.consentId}`);
      }
      await tx.saveConsentStatus(result.consent, caller.subject);
      await tx.appendAudit([
        {
          action: "revoke",
          actorUser: caller.subject,
          actorOrganisation: caller.organisationId,
          subjectPseudonym: current.subjectPseudonym,
          consentId: current.consentId,
          areaCodes: [current.areaCode],
        },
      ]);
      await tx.emit({ type: "revoked", consent: result.consent });
      return result.consent;
    });
  };
}
