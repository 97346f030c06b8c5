// The usage logs (käyttöloki) of the services that keep a child's records: who read which
// referral or consent, when and how. For the wellbeing area's data protection officer or
// auditor (AUDIT_ROLES), who answers the family's request; each service scopes the entries to
// the caller's areas.
import * as u from "@silta/contracts/usage/v1/usage.ts";
import type { Upstream } from "@silta/host";
import { AUDIT_ROLES } from "@silta/platform";
import type { FastifyInstance } from "fastify";
import type { ProtoSchemas } from "../openapi/proto-schemas.ts";
import { addRpcRoute, rpcCaller } from "./rpc-route.ts";

/** The usage log of each upstream that keeps one, at `/v1/usage-log/<its path>`. */
export function usageLogRoutes(app: FastifyInstance, schemas: ProtoSchemas, logs: { upstream: Upstream; path: string }[], deadlineMs: number): void {
  for (const { upstream, path } of logs) {
    const client = upstream.client(u.UsageLogServiceClient);
    const service = upstream.spec.name;
    const what = path;
    addRpcRoute(app, schemas, {
      roles: AUDIT_ROLES,
      organisationTypes: ["wellbeing_area"],
      method: "GET",
      url: `/v1/usage-log/${path}`,
      operationId: `list${what[0]?.toUpperCase()}${what.slice(1)}UsageLog`,
      summary: `Who read the content of one child's ${what}, when and through which operation (AsiakastietoL: the last two years by default)`,
      tag: "usage log",
      request: "silta.usage.v1.ListUsageLogRequest",
      response: "silta.usage.v1.ListUsageLogResponse",
      codec: { request: u.ListUsageLogRequest, response: u.ListUsageLogResponse },
      call: rpcCaller(client, deadlineMs, service)(client.listUsageLog),
    });
  }
}
