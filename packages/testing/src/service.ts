// Starts any Silta service from its specification, in this process, against the real servers:
// ports 0 on 127.0.0.1, the shared Kafka and Redis, the test run's identity keys (trusting the
// test signers, signing as `signer`), debug logs into the given logger. Replaces each service's
// own copy of test/support/start.ts.
import type { Client } from "@grpc/grpc-js";
import { type ClientConstructor, createClient } from "@silta/grpc";
import { type HostOptions, loadServiceConfig, type RunningService, type ServiceSpec, startService } from "@silta/host";
import { createLogger, type Logger } from "@silta/platform";
import type { z } from "zod";
import { sharedTestIdentities, type TestSigner } from "./identity.ts";
import { testEnv, testTopicPrefix } from "./index.ts";

export interface TestService<X> extends Omit<RunningService<X>, "grpcPort" | "httpPort"> {
  /** 0 when the service has no such server. */
  grpcPort: number;
  httpPort: number;
  /** A client of this service whose calls are proven by the tests' development gateway (which may assert any organisation). */
  client<T extends Client>(Ctor: ClientConstructor<T>): T;
}

export async function startServiceForTest<S extends z.ZodRawShape, X>(
  spec: ServiceSpec<S, X>,
  env: Record<string, string | undefined> = {},
  options: HostOptions & { logger?: Logger; signer?: TestSigner } = {},
): Promise<TestService<X>> {
  const ids = await sharedTestIdentities();
  const config = loadServiceConfig(spec, {
    SILTA_GRPC_PORT: "0",
    SILTA_HTTP_PORT: "0",
    SILTA_ADMIN_PORT: "0",
    SILTA_LOG_LEVEL: "debug",
    SILTA_KAFKA_BROKERS: testEnv.kafkaBrokers.join(","),
    SILTA_REDIS_URL: testEnv.redisUrl,
    SILTA_KAFKA_TOPIC_PREFIX: testTopicPrefix,
    ...ids.env(options.signer),
    ...env,
  });
  const { logger = createLogger({ service: spec.name, level: "silent" }), signer: _s, ...host } = options;
  const service = await startService(spec, config, logger, { host: "127.0.0.1", ...host });
  const clients: Client[] = [];
  const stop = service.stop;
  return Object.assign(service, {
    grpcPort: service.grpcPort ?? 0,
    httpPort: service.httpPort ?? 0,
    client<T extends Client>(Ctor: ClientConstructor<T>): T {
      const c = createClient(Ctor, `127.0.0.1:${service.grpcPort}`, undefined, {
        prover: ids.prover.gateway,
        audience: String((config as Record<string, unknown>).SILTA_IDENTITY_AUDIENCE ?? `silta-${spec.name}`),
      });
      clients.push(c);
      return c;
    },
    async stop() {
      for (const c of clients) c.close();
      await stop();
    },
  });
}
