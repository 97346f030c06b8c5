import type { Clock, ConsentStore } from "./ports.ts";

/**
 * Expires consents whose valid_until has passed: status, audit entry and `expired` event in one
 * transaction. Safe on every replica at once (the UPDATE's row locks let each consent expire
 * once). Check does not wait for this: it compares valid_until with the clock itself.
 */
export function expireConsents(deps: { store: ConsentStore; clock: Clock }) {
  return async (limit = 500): Promise<number> =>
    deps.store.transaction(async (tx) => {
      const expired = await tx.expireDue(deps.clock.now(), limit);
      if (expired.length === 0) return 0;
      await tx.appendAudit(
        expired.map((c) => ({
          action: "expire" as const,
          actorUser: "system",
          actorOrganisation: "silta-consent",
          subjectPseudonym: c.subjectPseudonym,
          consentId: c.consentId,
          areaCodes: [c.areaCode],
        })),
      );
      for (const consent of expired) await tx.emit({ type: "expired", consent });
      return expired.length;
    });
}
