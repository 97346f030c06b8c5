import { type Identity, invalidArgument, notFound } from "@silta/platform";
import { PSEUDONYM } from "../domain/vocabulary.ts";
import { assertAuditor, readsAuditOf } from "./authorise.ts";
import type { AuditEntry, AuditVerification, Clock, ConsentStore } from "./ports.ts";

/** AsiakastietoL: the client may get the usage and disclosure log, normally for two years. */
const DEFAULT_WINDOW_MS = 2 * 366 * 86_400_000;

/**
 * "Who was allowed to see what about my child, and why", answered by the responsible area: the
 * entries of the areas the caller reads for, never another area's (recording a record in one's
 * own area opens only one's own area's entries). A child with no records in the caller's areas
 * answers as if absent.
 */
export function listAudit(deps: { store: ConsentStore; clock: Clock }) {
  return async (input: { subjectPseudonym: string; since: Date | undefined }, caller: Identity): Promise<AuditEntry[]> => {
    if (!PSEUDONYM.test(input.subjectPseudonym))
      throw invalidArgument("SILTA_CONSENT_INVALID_SUBJECT", [{ field: "subject_pseudonym", reason: "must be a pseudonym" }]);
    const { consents, bases } = await deps.store.recordsFor(input.subjectPseudonym);
    const areas = [...new Set([...consents.map((c) => c.areaCode), ...bases.map((b) => b.areaCode)])].filter((a) => readsAuditOf(caller, a));
    if (areas.length === 0) throw notFound("SILTA_CONSENT_SUBJECT_NOT_FOUND", "this subject's disclosure log");
    const since = input.since ?? new Date(deps.clock.now().getTime() - DEFAULT_WINDOW_MS);
    return deps.store.listAudit(input.subjectPseudonym, since, areas);
  };
}

/** The whole chain is verified (one edit anywhere breaks it); the count is of the caller's areas' entries. */
export function verifyAudit(deps: { store: ConsentStore }) {
  return async (caller: Identity): Promise<AuditVerification> => {
    assertAuditor(caller);
    return deps.store.verifyAudit(caller.areaCodes);
  };
}
