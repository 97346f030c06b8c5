import { type FieldViolation, type Identity, invalidArgument, permissionDenied, SiltaError } from "@silta/platform";
import { type DisclosureDecision, type DisclosureRequest, decide } from "../domain/decision.ts";
import { MAX_CHECK_BATCH, type OrganisationType, organisationTypes, PSEUDONYM } from "../domain/vocabulary.ts";
import { manages } from "./authorise.ts";
import type { Clock, ConsentStore } from "./ports.ts";

export type AuditedDecision = DisclosureDecision & { auditId: string };

export interface CheckInput {
  subjectPseudonym: string;
  /** As the request names them; for anyone but a Silta service only the caller itself counts. */
  recipients: DisclosureRequest["recipient"][];
  purpose: DisclosureRequest["purpose"] | undefined;
  dataCategory: DisclosureRequest["dataCategory"] | undefined;
}

export interface CheckResult {
  decisions: AuditedDecision[];
  /**
   * Whether the caller may see why a disclosure was denied: the responsible area and Silta's own
   * services. Anyone else would learn from the reason whether records about the child exist.
   */
  detailed: boolean;
}

/** Counts checks per caller and child in a sliding minute (one replica's share). */
export interface CheckRateLimit {
  /** False when `n` more checks of `key` would go over the limit. */
  take(key: string, n: number): boolean;
}

export function checkRateLimit(perMinute: number, now: () => number = Date.now): CheckRateLimit {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    take(key, n) {
      const t = now();
      if (windows.size > 50_000) for (const [k, w] of windows) if (t - w.start >= 60_000) windows.delete(k);
      const w = windows.get(key);
      if (!w || t - w.start >= 60_000) {
        windows.set(key, { start: t, count: n });
        return n <= perMinute;
      }
      if (w.count + n > perMinute) return false;
      w.count += n;
      return true;
    },
  };
}

/**
 * Decides disclosures to one or more recipients about one subject. The decisions are read
 * from PostgreSQL, the only copy of consents, and every decision is audited before it is
 * returned: a decision that was not recorded is never given.
 *
 * Who the recipient is comes from the proven caller, not from the request: an organisation checks
 * only for itself, as its own type and in its own roles. Only a proven Silta service (meetings,
 * consultations, referrals) checks on behalf of named recipients, for its participants.
 */
export function checkDisclosure(deps: { store: ConsentStore; clock: Clock; rateLimit: CheckRateLimit }) {
  return async (input: CheckInput, caller: Identity): Promise<CheckResult> => {
    const fields: FieldViolation[] = [];
    const one = input.recipients.length === 1;
    if (!PSEUDONYM.test(input.subjectPseudonym))
      fields.push({ field: "subject_pseudonym", reason: "must be a pseudonym: 16–128 characters of A–Z, a–z, 0–9, _ or -" });
    if (!input.purpose) fields.push({ field: "purpose", reason: "a known purpose is required" });
    if (!input.dataCategory) fields.push({ field: "data_category", reason: "a known data category is required" });
    if (input.recipients.length === 0) fields.push({ field: "recipients", reason: "at least one recipient is required" });
    if (input.recipients.length > MAX_CHECK_BATCH) fields.push({ field: "recipients", reason: `at most ${MAX_CHECK_BATCH} recipients per batch` });
    input.recipients.forEach((r, i) => {
      if (!r.organisationId) fields.push({ field: one ? "recipient.organisation_id" : `recipients[${i}].organisation_id`, reason: "required" });
    });
    if (fields.length > 0) throw invalidArgument("SILTA_CONSENT_INVALID_CHECK", fields);

    const asService = caller.organisationType === "service";
    // Each entry: the recipient as decided, and the roles to try (the caller's own when it named none).
    const asked = input.recipients.map((r) => (asService ? { recipient: r, roles: [r.role] } : asItself(caller, r)));
    if (!asService) {
      const distinct = new Set(asked.map((a) => a.roles.join(",")));
      if (distinct.size !== asked.length) {
        throw invalidArgument("SILTA_CONSENT_INVALID_CHECK", [{ field: "recipients", reason: "each of your roles at most once" }]);
      }
      if (!deps.rateLimit.take(`${caller.organisationId}\u0000${input.subjectPseudonym}`, asked.length)) {
        throw new SiltaError(
          "SILTA_CONSENT_CHECK_RATE_LIMITED",
          "resource_exhausted",
          "too many disclosure checks about this child from your organisation; retry in a minute",
        );
      }
    }

    const now = deps.clock.now();
    const { consents, bases } = await deps.store.recordsFor(input.subjectPseudonym);
    const areaCodes = [...new Set([...consents.map((c) => c.areaCode), ...bases.map((b) => b.areaCode)])];
    const request = (recipient: DisclosureRequest["recipient"]): DisclosureRequest => ({
      subjectPseudonym: input.subjectPseudonym,
      recipient,
      purpose: input.purpose as DisclosureRequest["purpose"],
      dataCategory: input.dataCategory as DisclosureRequest["dataCategory"],
    });
    const decisions = asked.map(({ recipient, roles }) => {
      let last: DisclosureDecision = { decision: "deny", reason: "no_consent" };
      for (const role of roles) {
        last = decide(consents, bases, request({ ...recipient, role }), now);
        if (last.decision === "allow") break;
      }
      return last;
    });
    const auditIds = await deps.store.appendAudit(
      decisions.map((d, i) => ({
        action: "check" as const,
        actorUser: caller.subject,
        actorOrganisation: caller.organisationId,
        subjectPseudonym: input.subjectPseudonym,
        recipientOrganisation: asked[i]?.recipient.organisationId,
        purpose: input.purpose,
        dataCategory: input.dataCategory,
        decision: d.decision,
        ...(d.decision === "allow" ? (d.by.kind === "consent" ? { consentId: d.by.consentId } : { basisId: d.by.basisId }) : { denyReason: d.reason }),
        areaCodes,
      })),
    );
    return {
      decisions: decisions.map((d, i) => ({ ...d, auditId: auditIds[i] as string })),
      detailed: asService || areaCodes.some((a) => manages(caller, a)),
    };
  };
}

/** The caller as the recipient: its own organisation and type, and the role it named (one of its own) or all its roles. */
function asItself(caller: Identity, r: DisclosureRequest["recipient"]) {
  if (r.organisationId !== caller.organisationId) {
    throw permissionDenied("SILTA_CONSENT_CHECK_FOR_OTHERS", "an organisation may check disclosures only to itself");
  }
  if (r.role !== "" && !caller.roles.includes(r.role)) {
    throw permissionDenied("SILTA_CONSENT_CHECK_FOR_OTHERS", "an organisation may check disclosures only to itself, in a role its user holds");
  }
  const type = (organisationTypes as readonly string[]).includes(caller.organisationType) ? (caller.organisationType as OrganisationType) : undefined;
  return {
    recipient: { organisationId: caller.organisationId, organisationType: type, role: r.role },
    roles: r.role !== "" ? [r.role] : caller.roles.length > 0 ? [...caller.roles] : [""],
  };
}
