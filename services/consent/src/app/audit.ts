import { type Identity, invalidArgument, permissionDenied } from "@silta/platform";
import { PSEUDONYM } from "../domain/vocabulary.ts";
import { assertAuditor, manages } from "./authorise.ts";
import type { AuditEntry, AuditVerification, Clock, ConsentStore } from "./ports.ts";

/** AsiakastietoL: the client may get the usage and disclosure log, normally for two years. */
const DEFAULT_WINDOW_MS = 2 * 366 * 86_400_000;

/** "Who was allowed to see what about my child, and why", answered by the responsible area's worker. */
export function listAudit(deps: { store: ConsentStore; clock: Clock }) {
  return async (input: { subjectPseudonym: string; since: Date | undefined }, caller: Identity): Promise<AuditEntry[]> => {
    if (!PSEUDONYM.test(input.subjectPseudonym))
      throw invalidArgument("SILTA_CONSENT_INVALID_SUBJECT", [{ field: "subject_pseudonym", reason: "must be a pseudonym" }]);
    const { consents, bases } = await deps.store.recordsFor(input.subjectPseudonym);
    const areas = new Set([...consents.map((c) => c.areaCode), ...bases.map((b) => b.areaCode)]);
    if (![...areas].some((a) => manages(caller, a))) {
      throw permissionDenied(
        "SILTA_CONSENT_NOT_RESPONSIBLE",
        "only the responsible wellbeing area's child-protection roles may read this subject's audit trail",
      );
    }
    const since = input.since ?? new Date(deps.clock.now().getTime() - DEFAULT_WINDOW_MS);
    return deps.store.listAudit(input.subjectPseudonym, since);
  };
}

export function verifyAudit(deps: { store: ConsentStore }) {
  return async (caller: Identity): Promise<AuditVerification> => {
    assertAuditor(caller);
    return deps.store.verifyAudit();
  };
}
