// gRPC adapter: decode (unknown enum values become field violations) → use case → encode.
import {
  type CheckRecipient,
  type CheckResponse,
  type ConsentServiceServer,
  ConsentServiceService,
  Decision,
  DenyReason,
  type Recipient as PRecipient,
} from "@silta/contracts/consent/v1/consent.ts";
import { Decoder as KitDecoder, personReads, service } from "@silta/grpc";
import type { UsageLog } from "@silta/platform";
import type { AuditedDecision } from "../app/check-disclosure.ts";
import type { AuditEntry } from "../app/ports.ts";
import type { Consent, ConsentGiver, Recipient } from "../domain/consent.ts";
import type { DataCategory, Purpose } from "../domain/vocabulary.ts";
import { basisToProto, basisType, consentToProto, dataCategory, denyReason, giverRole, obtainedBy, organisationType, purpose } from "../proto-mapping.ts";
import type { UseCases } from "./use-cases.ts";

/** The kit's Decoder, and a consent recipient. */
class Decoder extends KitDecoder {
  recipient(field: string, r: PRecipient): Recipient {
    return {
      organisationId: r.organisationId,
      organisationType: this.one(`${field}.organisation_type`, r.organisationType, organisationType.domain, "organisation type", false),
      roles: r.roles,
    };
  }
}

/** A denial's reason goes only to those who may know it (CheckResult.detailed); others get NOT_DISCLOSED. */
function decisionToProto(d: AuditedDecision, detailed: boolean): CheckResponse {
  const base: CheckResponse = {
    decision: Decision.DECISION_DENY,
    consentId: "",
    basisId: "",
    basisType: 0,
    legalProvision: "",
    denyReason: 0,
    auditId: d.auditId,
  };
  if (d.decision === "deny") {
    return { ...base, denyReason: detailed ? (denyReason.proto(d.reason) as CheckResponse["denyReason"]) : DenyReason.DENY_REASON_NOT_DISCLOSED };
  }
  if (d.by.kind === "consent") return { ...base, decision: Decision.DECISION_ALLOW, consentId: d.by.consentId };
  return {
    ...base,
    decision: Decision.DECISION_ALLOW,
    basisId: d.by.basisId,
    basisType: basisType.proto(d.by.basisType) as CheckResponse["basisType"],
    legalProvision: d.by.legalProvision,
  };
}

function auditToProto(e: AuditEntry) {
  return {
    auditId: e.auditId,
    chainSeq: String(e.chainSeq),
    at: e.at.toISOString(),
    action: e.action,
    actorUser: e.actorUser,
    actorOrganisation: e.actorOrganisation,
    subjectPseudonym: e.subjectPseudonym,
    consentId: e.consentId ?? "",
    basisId: e.basisId ?? "",
    recipientOrganisation: e.recipientOrganisation ?? "",
    purpose: purpose.proto(e.purpose),
    dataCategory: dataCategory.proto(e.dataCategory),
    decision: e.decision === "allow" ? Decision.DECISION_ALLOW : e.decision === "deny" ? Decision.DECISION_DENY : Decision.DECISION_UNSPECIFIED,
    denyReason: denyReason.proto(e.denyReason),
    entryHash: e.entryHash,
  };
}

function checkRecipient(d: Decoder, field: string, r: CheckRecipient | undefined) {
  if (!r) {
    d.fields.push({ field, reason: "the recipient is required" });
    return { organisationId: "", organisationType: undefined, role: "" };
  }
  return {
    organisationId: r.organisationId,
    organisationType: d.one(`${field}.organisation_type`, r.organisationType, organisationType.domain, "organisation type", false),
    role: r.role,
  };
}

export function consentHandlers(uc: UseCases, usage: UsageLog) {
  /** A consent's content (who gave it, to whom) goes to a person only once the read is in the usage log. */
  const read = async (ctx: Parameters<typeof personReads>[0], consents: Consent[]) => {
    await usage.record(
      personReads(
        ctx,
        consents.map((c) => ({ recordKind: "consent", recordId: c.consentId, subjectPseudonym: c.subjectPseudonym, areaCode: c.areaCode })),
      ),
    );
    return consents;
  };
  return service<ConsentServiceServer>(ConsentServiceService, {
    async grantConsent(req, ctx) {
      const caller = ctx.requireIdentity();
      const d = new Decoder();
      const givenBy: ConsentGiver[] = req.givenBy.map((g, i) => ({
        role: d.one(`given_by[${i}].role`, g.role, giverRole.domain, "giver role", true) as ConsentGiver["role"],
        personRef: g.personRef,
      }));
      const input = {
        subjectPseudonym: req.subjectPseudonym,
        areaCode: req.areaCode,
        givenBy,
        childViewRecorded: req.childViewRecorded,
        childBirthDate: req.childBirthDate || undefined,
        recipients: req.recipients.map((r, i) => d.recipient(`recipients[${i}]`, r)),
        purposes: d.enumList("purposes", req.purposes, purpose.domain, "purpose"),
        dataCategories: d.enumList("data_categories", req.dataCategories, dataCategory.domain, "data category"),
        validFrom: d.time("valid_from", req.validFrom, new Date()) as Date,
        validUntil: d.time("valid_until", req.validUntil),
        obtainedBy: d.one("obtained_by", req.obtainedBy, obtainedBy.domain, "way of obtaining", false),
      };
      d.throwIfAny("SILTA_CONSENT_INVALID_GRANT");
      return { consent: consentToProto(await uc.grantConsent(input, caller)) };
    },
    async revokeConsent(req, ctx) {
      return { consent: consentToProto(await uc.revokeConsent({ consentId: req.consentId, reason: req.reason }, ctx.requireIdentity())) };
    },
    async getConsent(req, ctx) {
      const [consent] = await read(ctx, [await uc.getConsent(req.consentId, ctx.requireIdentity())]);
      return { consent: consentToProto(consent as Consent) };
    },
    async listConsents(req, ctx) {
      return { consents: (await read(ctx, await uc.listConsents(req.subjectPseudonym, ctx.requireIdentity()))).map(consentToProto) };
    },
    async recordStatutoryBasis(req, ctx) {
      const caller = ctx.requireIdentity();
      const d = new Decoder();
      const input = {
        subjectPseudonym: req.subjectPseudonym,
        areaCode: req.areaCode,
        basisType: d.one("basis_type", req.basisType, basisType.domain, "basis type", false),
        legalProvision: req.legalProvision,
        justification: req.justification,
        recipient: req.recipient ? d.recipient("recipient", req.recipient) : undefined,
        purposes: d.enumList("purposes", req.purposes, purpose.domain, "purpose"),
        dataCategories: d.enumList("data_categories", req.dataCategories, dataCategory.domain, "data category"),
        validFrom: d.time("valid_from", req.validFrom, new Date()) as Date,
        validUntil: d.time("valid_until", req.validUntil),
      };
      d.throwIfAny("SILTA_CONSENT_INVALID_BASIS");
      return { basis: basisToProto(await uc.recordStatutoryBasis(input, caller)) };
    },
    async check(req, ctx) {
      const caller = ctx.requireIdentity();
      const d = new Decoder();
      const recipient = checkRecipient(d, "recipient", req.recipient);
      const p = d.one("purpose", req.purpose, purpose.domain, "purpose", true) as Purpose | undefined;
      const c = d.one("data_category", req.dataCategory, dataCategory.domain, "data category", true) as DataCategory | undefined;
      d.throwIfAny("SILTA_CONSENT_INVALID_CHECK");
      const r = await uc.checkDisclosure({ subjectPseudonym: req.subjectPseudonym, recipients: [recipient], purpose: p, dataCategory: c }, caller);
      return decisionToProto(r.decisions[0] as AuditedDecision, r.detailed);
    },
    async checkBatch(req, ctx) {
      const caller = ctx.requireIdentity();
      const d = new Decoder();
      const recipients = req.recipients.map((r, i) => checkRecipient(d, `recipients[${i}]`, r));
      const p = d.one("purpose", req.purpose, purpose.domain, "purpose", true) as Purpose | undefined;
      const c = d.one("data_category", req.dataCategory, dataCategory.domain, "data category", true) as DataCategory | undefined;
      d.throwIfAny("SILTA_CONSENT_INVALID_CHECK");
      const r = await uc.checkDisclosure({ subjectPseudonym: req.subjectPseudonym, recipients, purpose: p, dataCategory: c }, caller);
      return { decisions: r.decisions.map((d) => decisionToProto(d, r.detailed)) };
    },
    async listAudit(req, ctx) {
      const d = new Decoder();
      const since = d.time("since", req.since);
      d.throwIfAny("SILTA_CONSENT_INVALID_AUDIT_QUERY");
      return { entries: (await uc.listAudit({ subjectPseudonym: req.subjectPseudonym, since }, ctx.requireIdentity())).map(auditToProto) };
    },
    async verifyAudit(_req, ctx) {
      const v = await uc.verifyAudit(ctx.requireIdentity());
      return { ...v, entriesChecked: String(v.entriesChecked), firstBrokenSeq: String(v.firstBrokenSeq), pending: String(v.pending) };
    },
  });
}
