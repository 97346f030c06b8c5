// The services behind this gateway, as a list: a service's REST routes are one routes file and
// one entry here (its address and audience variables, and the path of its usage log if it keeps
// one). The host gives each entry a client proving the caller's identity over the gateway's TLS
// credentials, and a readiness check on the service's gRPC health.
import type { Upstream } from "@silta/host";
import type { Redis } from "@silta/platform";
import type { FastifyInstance } from "fastify";
import type { Config } from "./config.ts";
import type { ProtoSchemas } from "./openapi/proto-schemas.ts";
import { consentRoutes } from "./routes/consent.ts";
import { consultationRoutes } from "./routes/consultations.ts";
import { meetingRoutes } from "./routes/meetings.ts";
import { notificationRoutes } from "./routes/notifications.ts";
import { referralRoutes } from "./routes/referrals.ts";

export interface GatewayUpstream {
  name: string;
  /** Undefined: this deployment has no such service (its routes are not served). */
  address(config: Config): string | undefined;
  audience(config: Config): string;
  /** `edge`: what the gateway itself keeps (Redis: the live inbox's tickets). */
  routes(app: FastifyInstance, schemas: ProtoSchemas, upstream: Upstream, deadlineMs: number, edge: { redis: Redis }): void;
  /** `/v1/usage-log/<usageLog>`: the service keeps a usage log of a child's records. */
  usageLog?: string;
}

export const UPSTREAMS: GatewayUpstream[] = [
  { name: "referrals", address: (c) => c.SILTA_REFERRALS_ADDRESS, audience: (c) => c.SILTA_REFERRALS_AUDIENCE, routes: referralRoutes, usageLog: "referrals" },
  { name: "consent", address: (c) => c.SILTA_CONSENT_ADDRESS, audience: (c) => c.SILTA_CONSENT_AUDIENCE, routes: consentRoutes, usageLog: "consents" },
  {
    name: "consultations",
    address: (c) => c.SILTA_CONSULTATIONS_ADDRESS,
    audience: (c) => c.SILTA_CONSULTATIONS_AUDIENCE,
    routes: consultationRoutes,
    usageLog: "consultations",
  },
  { name: "meetings", address: (c) => c.SILTA_MEETINGS_ADDRESS, audience: (c) => c.SILTA_MEETINGS_AUDIENCE, routes: meetingRoutes, usageLog: "meetings" },
  { name: "notifications", address: (c) => c.SILTA_NOTIFICATIONS_ADDRESS, audience: (c) => c.SILTA_NOTIFICATIONS_AUDIENCE, routes: notificationRoutes },
];
