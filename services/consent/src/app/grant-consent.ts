import { randomUUID } from "node:crypto";
import { type Identity, invalidArgument } from "@silta/platform";
import { type Consent, type GrantInput, newConsent, validateGrant } from "../domain/consent.ts";
import { assertManages } from "./authorise.ts";
import type { Clock, ConsentStore } from "./ports.ts";

/** Records a consent: the row, its audit entry and the `granted` event in one transaction. */
export function grantConsent(deps: { store: ConsentStore; clock: Clock }) {
  return async (input: GrantInput, caller: Identity): Promise<Consent> => {
    const now = deps.clock.now();
    const violations = validateGrant(input, now);
    if (violations.length > 0) throw invalidArgument("SILTA_CONSENT_INVALID_GRANT", violations);
    assertManages(caller, input.areaCode);
    const consent = newConsent(randomUUID(), input, { user: caller.subject, organisation: caller.organisationId }, now);
    return deps.store.transaction(async (tx) => {
      await tx.insertConsent(consent);
      await tx.appendAudit([
        {
          action: "grant",
          actorUser: caller.subject,
          actorOrganisation: caller.organisationId,
          subjectPseudonym: consent.subjectPseudonym,
          consentId: consent.consentId,
          areaCodes: [consent.areaCode],
        },
      ]);
      await tx.emit({ type: "granted", consent });
      return consent;
    });
  };
}
