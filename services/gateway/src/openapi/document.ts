// The OpenAPI document without running anything: the app built with stand-ins that are never
// called (no token is verified, no service called, nothing produced).

import type { Client } from "@grpc/grpc-js";
import { metrics } from "@opentelemetry/api";
import { type ClientConstructor, createClient } from "@silta/grpc";
import { createLogger, Redis } from "@silta/platform";
import { buildGateway } from "../app.ts";
import { UPSTREAMS } from "../upstreams.ts";
import { protoSchemas } from "./proto-schemas.ts";

export async function openApiDocument(): Promise<unknown> {
  const unused = () => {
    throw new Error("not used while writing the document");
  };
  const redis = new Redis({ lazyConnect: true });
  const clients: Client[] = [];
  const upstreams = UPSTREAMS.map((entry) => {
    const spec = { name: entry.name, address: "127.0.0.1:1", audience: entry.name };
    const client = <T extends Client>(Ctor: ClientConstructor<T>) => {
      const c = createClient(Ctor, spec.address);
      clients.push(c);
      return c;
    };
    return { entry, upstream: { spec, client, readiness: { name: entry.name, check: unused } } };
  });
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
    upstreams,
    intake: unused,
    redis,
  });
  await app.ready();
  const doc = app.swagger();
  await app.close();
  for (const c of clients) c.close();
  redis.disconnect();
  return doc;
}
