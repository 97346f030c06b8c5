// A REST route over one unary RPC: the body (POST) or query (GET) is the request message in
// proto3 JSON, path parameters fill the fields they name, the answer is the response message.
// Schemas come from the descriptor (openapi/proto-schemas.ts), so OpenAPI follows the proto.

import type { Client } from "@grpc/grpc-js";
import { type UnaryMethod, unary } from "@silta/grpc";
import { type Identity, invalidArgument, SiltaError } from "@silta/platform";
import type { FastifyInstance } from "fastify";
import { identityOf, type RouteAccess } from "../auth/authenticate.ts";
import type { JsonSchema, ProtoSchemas } from "../openapi/proto-schemas.ts";

export interface RpcRoute<Req, Res> extends RouteAccess {
  method: "GET" | "POST";
  /** fastify syntax, e.g. `/v1/referrals/:referralId`; a parameter is the request field of that jsonName. */
  url: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  request: string;
  response: string;
  /** 200 by default; 201 for a creation. */
  status?: number;
  codec: { request: { fromJSON(o: unknown): Req }; response: { toJSON(m: Res): unknown } };
  call(request: Req, identity: Identity): Promise<Res>;
}

export const problemResponse = {
  description: "RFC 9457 problem details",
  content: { "application/problem+json": { schema: { $ref: "Problem#" } } },
};

export function addRpcRoute<Req, Res>(app: FastifyInstance, schemas: ProtoSchemas, r: RpcRoute<Req, Res>): void {
  const params = [...r.url.matchAll(/:(\w+)/g)].map((m) => m[1] as string);
  const status = r.status ?? 200;
  const schema: Record<string, unknown> = {
    operationId: r.operationId,
    summary: r.summary,
    ...(r.description ? { description: r.description } : {}),
    tags: [r.tag],
    security: [{ bearer: [] }],
    response: { [status]: { description: r.response.split(".").at(-1), ...schemas.ref(r.response) }, default: problemResponse },
  };
  if (params.length > 0) {
    schema.params = {
      type: "object",
      required: params,
      properties: Object.fromEntries(params.map((p) => [p, { type: "string", minLength: 1, maxLength: 200 } satisfies JsonSchema])),
    };
  }
  schema[r.method === "GET" ? "querystring" : "body"] = schemas.objectWithout(r.request, params);
  const jsonNames = schemas.jsonNames(r.request);
  app.route({
    method: r.method,
    url: r.url,
    schema,
    config: { ...(r.roles ? { roles: r.roles } : {}), ...(r.organisationTypes ? { organisationTypes: r.organisationTypes } : {}) },
    // Proto3 JSON parsers accept the original field names as well (`request_id`): renamed
    // before the schema sees them; a field given under both names is refused.
    preValidation: async (req) => {
      const { value, twice } = jsonNames(r.method === "GET" ? req.query : req.body);
      if (twice.length > 0) throw invalidArgument("SILTA_GATEWAY_FIELD_GIVEN_TWICE", twice);
      if (r.method === "GET") req.query = value;
      else req.body = value;
    },
    handler: async (req, reply) => {
      const input = { ...((r.method === "GET" ? req.query : req.body) as object | undefined), ...(req.params as object) };
      const res = await r.call(r.codec.request.fromJSON(input), identityOf(req));
      reply.code(status);
      return r.codec.response.toJSON(res);
    },
  });
}

/**
 * `call(client.method)`: the method called with the verified identity and the deadline. A service
 * that cannot be reached becomes a 503 naming the service, never its host or port (grpc-js'
 * message does: "connect ECONNREFUSED 10.0.3.7:50052").
 */
export function rpcCaller(client: Client, deadlineMs: number, service: string) {
  return <Req, Res>(method: UnaryMethod<Req, Res>) =>
    (req: Req, identity: Identity): Promise<Res> =>
      unary(client, method, req, { identity, deadlineMs }).catch((err: unknown) => {
        if (err instanceof SiltaError && err.code === "SILTA_GRPC_UNAVAILABLE") {
          throw new SiltaError("SILTA_GATEWAY_UPSTREAM_UNAVAILABLE", "unavailable", `the ${service} service is not reachable; retry shortly`, { cause: err });
        }
        throw err;
      });
}
