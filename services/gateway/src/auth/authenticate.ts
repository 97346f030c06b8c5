// Every route is authenticated unless it says `config: { public: true }`; a route may also
// require roles or organisation types (the coarse gate; services decide per object).
import { type Identity, type OrganisationType, SiltaError } from "@silta/platform";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { UnauthenticatedLimit } from "./unauthenticated-limit.ts";
import type { TokenVerifier } from "./verify-token.ts";

export interface RouteAccess {
  public?: boolean;
  /** Any of these roles. */
  roles?: readonly string[];
  organisationTypes?: readonly OrganisationType[];
}

declare module "fastify" {
  interface FastifyRequest {
    identity?: Identity;
  }
  interface FastifyContextConfig extends RouteAccess {}
}

/** Routes under these prefixes are public documents (the API page and its assets). */
const PUBLIC_PREFIXES = ["/docs"];

/** Every Authorization header the client sent (Node keeps only the first in `headers`). */
function authorizationHeaders(raw: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if ((raw[i] as string).length === 13 && raw[i]?.toLowerCase() === "authorization") out.push(raw[i + 1] as string);
  return out;
}

export function authenticate(app: FastifyInstance, verify: TokenVerifier, limit: UnauthenticatedLimit): void {
  app.addHook("onRequest", async (req) => {
    const access = req.routeOptions.config as RouteAccess | undefined;
    const url = req.routeOptions.url;
    if (url === undefined) return; // no such route: 404
    if (access?.public || PUBLIC_PREFIXES.some((p) => url === p || url.startsWith(`${p}/`))) return;
    const sent = authorizationHeaders(req.raw.rawHeaders);
    // A token verified before (the common case) is taken as it is: no signature, no address limit.
    const known = sent.length === 1 ? verify.known(sent[0]) : undefined;
    if (known) {
      req.identity = known;
    } else {
      if (!(await limit.allows(req.ip))) {
        throw new SiltaError(
          "SILTA_GATEWAY_UNAUTHENTICATED_RATE_LIMITED",
          "resource_exhausted",
          `more than ${limit.perMinute} requests a minute without a valid token from your address; retry in a minute`,
        );
      }
      try {
        req.identity = await verify(sent.length > 1 ? sent : sent[0]);
      } catch (err) {
        await limit.failed(req.ip);
        throw err;
      }
    }
    const identity = req.identity;
    if (access?.roles && !access.roles.some((r) => identity.roles.includes(r))) {
      throw new SiltaError("SILTA_AUTH_ROLE_REQUIRED", "permission_denied", `this route needs one of the roles ${access.roles.join(", ")}`);
    }
    if (access?.organisationTypes && !access.organisationTypes.includes(identity.organisationType)) {
      throw new SiltaError(
        "SILTA_AUTH_ORGANISATION_TYPE",
        "permission_denied",
        `this route is for organisations of type ${access.organisationTypes.join(" or ")}`,
      );
    }
  });
}

/** The verified identity of an authenticated route's request. */
export function identityOf(req: FastifyRequest): Identity {
  if (!req.identity) throw new SiltaError("SILTA_AUTH_TOKEN_MISSING", "unauthenticated", "a bearer token is required");
  return req.identity;
}
