// Referrals over REST. The referrals service decides per object (the responsible area's
// child-protection roles handle a referral; a notifier reads only its own receipt status);
// the gateway adds the coarse role gate where a route is for handlers only.
import * as r from "@silta/contracts/referrals/v1/referrals.ts";
import type { UnaryMethod } from "@silta/grpc";
import type { Upstream } from "@silta/host";
import { CHILD_PROTECTION_ROLES } from "@silta/platform";
import type { FastifyInstance } from "fastify";
import type { ProtoSchemas } from "../openapi/proto-schemas.ts";
import { addRpcRoute, type RpcRoute, rpcCaller } from "./rpc-route.ts";

export { CHILD_PROTECTION_ROLES };

const P = "silta.referrals.v1.";

export function referralRoutes(app: FastifyInstance, schemas: ProtoSchemas, upstream: Upstream, deadlineMs: number): void {
  const client = upstream.client(r.ReferralServiceClient);
  const handlers = { roles: CHILD_PROTECTION_ROLES, organisationTypes: ["wellbeing_area"] as const, tag: "referrals" };
  const call = rpcCaller(client, deadlineMs, "referrals");

  addRpcRoute(app, schemas, {
    method: "POST",
    url: "/v1/referrals",
    operationId: "submitReferral",
    summary: "Submit a child welfare notification (LSL 25 §), assessment contact, pre-birth or move notification",
    description:
      "A professional notifies for their own organisation (`notifier.organisationId` = the token's organisation). A private person's notification (`NOTIFIER_TYPE_PRIVATE_PERSON`, `NOTIFIER_TYPE_ANONYMOUS_PRIVATE_PERSON`) is not taken here (403 `SILTA_REFERRAL_PRIVATE_VIA_SERVICE`): a service inside the wellbeing area's deployment, such as its public web form's backend, files it over gRPC as organisation type `service`, which no token from outside may claim. The answer is a content-free receipt: the reference number and the wellbeing area it was routed to. The same `requestId` returns the same receipt.",
    tag: "referrals",
    request: `${P}SubmitReferralRequest`,
    response: `${P}SubmitReferralResponse`,
    status: 201,
    codec: { request: r.SubmitReferralRequest, response: r.SubmitReferralResponse },
    call: call(client.submitReferral),
  });
  addRpcRoute(app, schemas, {
    method: "GET",
    url: "/v1/referral-statuses/:referenceNumber",
    operationId: "getReferralStatus",
    summary: "The notifier's view of a referral: received by which area, milestone dates; never its content or decision",
    tag: "referrals",
    request: `${P}GetReferralStatusRequest`,
    response: `${P}GetReferralStatusResponse`,
    codec: { request: r.GetReferralStatusRequest, response: r.GetReferralStatusResponse },
    call: call(client.getReferralStatus),
  });
  addRpcRoute(app, schemas, {
    ...handlers,
    method: "GET",
    url: "/v1/referrals",
    operationId: "listReferrals",
    summary: "Referrals of an area (the caller's), optionally by status",
    request: `${P}ListReferralsRequest`,
    response: `${P}ListReferralsResponse`,
    codec: { request: r.ListReferralsRequest, response: r.ListReferralsResponse },
    call: call(client.listReferrals),
  });
  addRpcRoute(app, schemas, {
    ...handlers,
    method: "GET",
    url: "/v1/referrals/:referralId",
    operationId: "getReferral",
    summary: "One referral in full, with the referrals linked to it and attached education events",
    request: `${P}GetReferralRequest`,
    response: `${P}GetReferralResponse`,
    codec: { request: r.GetReferralRequest, response: r.GetReferralResponse },
    call: call(client.getReferral),
  });
  // The lifecycle steps: one route each, request and response types checked against the client's method.
  const transition = <Req, Res>(
    path: string,
    operationId: string,
    summary: string,
    rpc: string,
    method: UnaryMethod<Req, Res>,
    request: RpcRoute<Req, Res>["codec"]["request"],
    response: RpcRoute<Req, Res>["codec"]["response"],
  ) =>
    addRpcRoute(app, schemas, {
      ...handlers,
      method: "POST",
      url: `/v1/referrals/:referralId/${path}`,
      operationId,
      summary,
      description: "Refused with 409 and the referral's current state when the lifecycle does not allow it.",
      request: `${P}${rpc}Request`,
      response: `${P}${rpc}Response`,
      codec: { request, response },
      call: call(method),
    });
  transition(
    "receive",
    "receiveReferral",
    "Record that the area received the referral",
    "ReceiveReferral",
    client.receiveReferral,
    r.ReceiveReferralRequest,
    r.ReceiveReferralResponse,
  );
  transition(
    "urgency-assessment",
    "assessUrgency",
    "Record the urgency assessment (urgent: flagged for the social emergency service)",
    "AssessUrgency",
    client.assessUrgency,
    r.AssessUrgencyRequest,
    r.AssessUrgencyResponse,
  );
  transition(
    "decision",
    "decideReferral",
    "Decide: start a service-need assessment, no further action, or redirect to a named receiver",
    "DecideReferral",
    client.decideReferral,
    r.DecideReferralRequest,
    r.DecideReferralResponse,
  );
  transition(
    "assessment-completion",
    "completeAssessment",
    "Record that the service-need assessment is complete",
    "CompleteAssessment",
    client.completeAssessment,
    r.CompleteAssessmentRequest,
    r.CompleteAssessmentResponse,
  );
  addRpcRoute(app, schemas, {
    ...handlers,
    method: "POST",
    url: "/v1/referrals/:referralId/responsible",
    operationId: "assignResponsible",
    summary: "Name the responsible social worker and/or team (opaque references); each change is in the referral's history",
    description: "An empty reference clears it; at least one is needed. A closed referral is refused with 409.",
    request: `${P}AssignResponsibleRequest`,
    response: `${P}AssignResponsibleResponse`,
    codec: { request: r.AssignResponsibleRequest, response: r.AssignResponsibleResponse },
    call: call(client.assignResponsible),
  });
  transition("closure", "closeReferral", "Close the referral", "CloseReferral", client.closeReferral, r.CloseReferralRequest, r.CloseReferralResponse);
}
