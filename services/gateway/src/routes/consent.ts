// Consents, statutory bases, disclosure checks and the audit trail over REST. The consent
// service authorises (the responsible area's child-protection roles manage; a recipient checks
// only for itself; auditors verify the chain); the gateway gates the management routes by role.
import * as c from "@silta/contracts/consent/v1/consent.ts";
import type { Upstream } from "@silta/host";
import { AUDIT_ROLES } from "@silta/platform";
import type { FastifyInstance } from "fastify";
import type { ProtoSchemas } from "../openapi/proto-schemas.ts";
import { CHILD_PROTECTION_ROLES } from "./referrals.ts";
import { addRpcRoute, type RpcRoute, rpcCaller } from "./rpc-route.ts";

const P = "silta.consent.v1.";
// The same audit roles the consent service admits (AUDIT_ROLES of @silta/platform), of a wellbeing area.
const AUDIT_READERS = [...AUDIT_ROLES, ...CHILD_PROTECTION_ROLES] as const;

export function consentRoutes(app: FastifyInstance, schemas: ProtoSchemas, upstream: Upstream, deadlineMs: number): void {
  const client = upstream.client(c.ConsentServiceClient);
  const call = rpcCaller(client, deadlineMs, "consent");
  const manage = { roles: ["child_protection_worker", "child_protection_manager"], organisationTypes: ["wellbeing_area"] } as const;
  // Each route's request and response types are checked against the generated client's method.
  const route = <Req, Res>(r: Omit<RpcRoute<Req, Res>, "tag">) =>
    addRpcRoute(app, schemas, { ...r, tag: "consent", request: P + r.request, response: P + r.response });
  route({
    ...manage,
    method: "POST",
    url: "/v1/consents",
    operationId: "grantConsent",
    summary: "Record a consent to disclose, given by the custodians (and the child, by age and maturity)",
    request: "GrantConsentRequest",
    response: "GrantConsentResponse",
    status: 201,
    codec: { request: c.GrantConsentRequest, response: c.GrantConsentResponse },
    call: call(client.grantConsent),
  });
  route({
    ...manage,
    method: "POST",
    url: "/v1/consents/:consentId/revocation",
    operationId: "revokeConsent",
    summary: "Revoke a consent (from now on; earlier disclosures stay audited)",
    request: "RevokeConsentRequest",
    response: "RevokeConsentResponse",
    codec: { request: c.RevokeConsentRequest, response: c.RevokeConsentResponse },
    call: call(client.revokeConsent),
  });
  route({
    ...manage,
    method: "GET",
    url: "/v1/consents/:consentId",
    operationId: "getConsent",
    summary: "One consent",
    request: "GetConsentRequest",
    response: "GetConsentResponse",
    codec: { request: c.GetConsentRequest, response: c.GetConsentResponse },
    call: call(client.getConsent),
  });
  route({
    ...manage,
    method: "GET",
    url: "/v1/consents",
    operationId: "listConsents",
    summary: "The consents about one child (by pseudonym)",
    request: "ListConsentsRequest",
    response: "ListConsentsResponse",
    codec: { request: c.ListConsentsRequest, response: c.ListConsentsResponse },
    call: call(client.listConsents),
  });
  route({
    ...manage,
    method: "POST",
    url: "/v1/statutory-bases",
    operationId: "recordStatutoryBasis",
    summary: "Record a statutory basis for disclosure without consent (e.g. LSL 25 §, SHL 41 §)",
    request: "RecordStatutoryBasisRequest",
    response: "RecordStatutoryBasisResponse",
    status: 201,
    codec: { request: c.RecordStatutoryBasisRequest, response: c.RecordStatutoryBasisResponse },
    call: call(client.recordStatutoryBasis),
  });
  route({
    method: "POST",
    url: "/v1/disclosure-checks",
    operationId: "checkDisclosure",
    summary: "May this recipient receive this category for this purpose? Decided by a consent or a recorded basis, and audited",
    request: "CheckRequest",
    response: "CheckResponse",
    codec: { request: c.CheckRequest, response: c.CheckResponse },
    call: call(client.check),
  });
  route({
    method: "POST",
    url: "/v1/disclosure-checks/batch",
    operationId: "checkDisclosureBatch",
    summary: "The same check for several recipients (e.g. a meeting's participants), one decision each",
    request: "CheckBatchRequest",
    response: "CheckBatchResponse",
    codec: { request: c.CheckBatchRequest, response: c.CheckBatchResponse },
    call: call(client.checkBatch),
  });
  route({
    roles: AUDIT_READERS,
    organisationTypes: ["wellbeing_area"],
    method: "GET",
    url: "/v1/disclosure-audit",
    operationId: "listDisclosureAudit",
    summary: "Disclosure decisions about one child (AsiakastietoL: the last two years by default)",
    request: "ListAuditRequest",
    response: "ListAuditResponse",
    codec: { request: c.ListAuditRequest, response: c.ListAuditResponse },
    call: call(client.listAudit),
  });
  route({
    roles: AUDIT_ROLES,
    organisationTypes: ["wellbeing_area"],
    method: "GET",
    url: "/v1/disclosure-audit/verification",
    operationId: "verifyDisclosureAudit",
    summary: "Verify the audit trail's hash chain end to end",
    request: "VerifyAuditRequest",
    response: "VerifyAuditResponse",
    codec: { request: c.VerifyAuditRequest, response: c.VerifyAuditResponse },
    call: call(client.verifyAudit),
  });
}
