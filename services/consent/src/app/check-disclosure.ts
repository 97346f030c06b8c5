import { type Identity, invalidArgument } from "@silta/platform";
import { type DisclosureDecision, type DisclosureRequest, decide } from "../domain/decision.ts";
import { PSEUDONYM } from "../domain/vocabulary.ts";
import { assertMayCheckFor } from "./authorise.ts";
import type { Clock, ConsentStore } from "./ports.ts";

export type AuditedDecision = DisclosureDecision & { auditId: string };

export interface CheckInput {
  subjectPseudonym: string;
  recipients: DisclosureRequest["recipient"][];
  purpose: DisclosureRequest["purpose"] | undefined;
  dataCategory: DisclosureRequest["dataCategory"] | undefined;
}

/**
 * Decides disclosures to one or more recipients about one subject. The decisions are read
 * from PostgreSQL, the only copy of consents, and every decision is audited before it is
 * returned: a decision that was not recorded is never given.
 */
export function checkDisclosure(deps: { store: ConsentStore; clock: Clock }) {
  return async (input: CheckInput, caller: Identity): Promise<AuditedDecision[]> => {
    const fields = [];
    if (!PSEUDONYM.test(input.subjectPseudonym))
      fields.push({ field: "subject_pseudonym", reason: "must be a pseudonym: 16–128 characters of A–Z, a–z, 0–9, _ or -" });
    if (!input.purpose) fields.push({ field: "purpose", reason: "a known purpose is required" });
    if (!input.dataCategory) fields.push({ field: "data_category", reason: "a known data category is required" });
    if (input.recipients.length === 0) fields.push({ field: "recipients", reason: "at least one recipient is required" });
    if (input.recipients.length > 200) fields.push({ field: "recipients", reason: "at most 200 recipients per batch" });
    input.recipients.forEach((r, i) => {
      if (!r.organisationId)
        fields.push({ field: input.recipients.length === 1 ? "recipient.organisation_id" : `recipients[${i}].organisation_id`, reason: "required" });
    });
    if (fields.length > 0) throw invalidArgument("SILTA_CONSENT_INVALID_CHECK", fields);
    for (const r of input.recipients) assertMayCheckFor(caller, r.organisationId);

    const now = deps.clock.now();
    const { consents, bases } = await deps.store.recordsFor(input.subjectPseudonym);
    const decisions = input.recipients.map((recipient) =>
      decide(
        consents,
        bases,
        {
          subjectPseudonym: input.subjectPseudonym,
          recipient,
          purpose: input.purpose as DisclosureRequest["purpose"],
          dataCategory: input.dataCategory as DisclosureRequest["dataCategory"],
        },
        now,
      ),
    );
    const auditIds = await deps.store.appendAudit(
      decisions.map((d, i) => ({
        action: "check" as const,
        actorUser: caller.subject,
        actorOrganisation: caller.organisationId,
        subjectPseudonym: input.subjectPseudonym,
        recipientOrganisation: input.recipients[i]?.organisationId,
        purpose: input.purpose,
        dataCategory: input.dataCategory,
        decision: d.decision,
        ...(d.decision === "allow" ? (d.by.kind === "consent" ? { consentId: d.by.consentId } : { basisId: d.by.basisId }) : { denyReason: d.reason }),
      })),
    );
    return decisions.map((d, i) => ({ ...d, auditId: auditIds[i] as string }));
  };
}
