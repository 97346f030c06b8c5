import { randomUUID } from "node:crypto";
import { type Identity, invalidArgument } from "@silta/platform";
import type { Recipient } from "../domain/consent.ts";
import { type BasisInput, type StatutoryBasis, validateBasis } from "../domain/statutory-basis.ts";
import type { BasisType } from "../domain/vocabulary.ts";
import { assertManages } from "./authorise.ts";
import type { Clock, ConsentStore } from "./ports.ts";

/** Records that a disclosure rests on a legal provision; audited like a consent. */
export function recordStatutoryBasis(deps: { store: ConsentStore; clock: Clock }) {
  return async (input: BasisInput, caller: Identity): Promise<StatutoryBasis> => {
    const now = deps.clock.now();
    const violations = validateBasis(input, now);
    if (violations.length > 0) throw invalidArgument("SILTA_CONSENT_INVALID_BASIS", violations);
    assertManages(caller, input.areaCode);
    const basis: StatutoryBasis = {
      ...input,
      basisId: randomUUID(),
      basisType: input.basisType as BasisType,
      recipient: input.recipient as Recipient,
      recordedByUser: caller.subject,
      recordedByOrganisation: caller.organisationId,
      recordedAt: now,
    };
    return deps.store.transaction(async (tx) => {
      await tx.insertBasis(basis);
      await tx.appendAudit([
        {
          action: "basis",
          actorUser: caller.subject,
          actorOrganisation: caller.organisationId,
          subjectPseudonym: basis.subjectPseudonym,
          basisId: basis.basisId,
          areaCodes: [basis.areaCode],
        },
      ]);
      await tx.emit({ type: "basis_recorded", basis });
      return basis;
    });
  };
}
