// The OpenAPI document without running anything: the app built with stand-ins that are never
// called (no token is verified, no service called, nothing produced).

import { metrics } from "@opentelemetry/api";
import { ConsentServiceClient } from "@silta/contracts/consent/v1/consent.ts";
import { ReferralServiceClient } from "@silta/contracts/referrals/v1/referrals.ts";
import { UsageLogServiceClient } from "@silta/contracts/usage/v1/usage.ts";
import { createClient } from "@silta/grpc";
import { createLogger, Redis } from "@silta/platform";
import { buildGateway } from "../app.ts";
import { protoSchemas } from "./proto-schemas.ts";

export async function openApiDocument(): Promise<unknown> {
  const unused = () => {
    throw new Error("not used while writing the document");
  };
  const redis = new Redis({ lazyConnect: true });
  const referrals = createClient(ReferralServiceClient, "127.0.0.1:1");
  const consent = createClient(ConsentServiceClient, "127.0.0.1:1");
  const usageLogs = { referrals: createClient(UsageLogServiceClient, "127.0.0.1:1"), consent: createClient(UsageLogServiceClient, "127.0.0.1:1") };
  const app = await buildGateway({
    settings: {
      bodyLimitBytes: 1,
      intakeBodyLimitBytes: 1,
      requestTimeoutMs: 1000,
      serviceDeadlineMs: 1000,
      rateLimitPerMinute: 1,
      unauthenticatedPerMinute: 1,
      trustedProxies: [],
    },
    logger: createLogger({ service: "gateway", level: "silent" }),
    meter: metrics.getMeter("openapi"),
    verify: Object.assign(unused, { known: () => undefined }),
    schemas: protoSchemas(),
    referrals,
    consent,
    usageLogs,
    intake: unused,
    redis,
  });
  await app.ready();
  const doc = app.swagger();
  await app.close();
  referrals.close();
  consent.close();
  usageLogs.referrals.close();
  usageLogs.consent.close();
  redis.disconnect();
  return doc;
}
