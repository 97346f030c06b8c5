// Another Silta service this one calls: its address, the audience its callers prove for, and a
// readiness check on its standard gRPC health service. The gateway's upstreams are a list of these.
import type { Client } from "@grpc/grpc-js";
import { HealthCheckResponse_ServingStatus, HealthClient } from "@silta/contracts/grpc/health/v1/health.ts";
import { type ClientConstructor, createClient, unary } from "@silta/grpc";
import type { ReadinessCheck } from "@silta/platform";
import type { Kit } from "./host.ts";

export interface UpstreamSpec {
  /** The readiness check's name, e.g. `referrals`. */
  name: string;
  /** host:port */
  address: string;
  /** The audience the upstream verifies proofs for (its SILTA_IDENTITY_AUDIENCE). */
  audience: string;
}

export interface Upstream {
  spec: UpstreamSpec;
  /** A client of this upstream whose calls carry the caller's identity, signed by this service. */
  client<T extends Client>(Ctor: ClientConstructor<T>): T;
  /** Ready while the upstream's health service answers SERVING. */
  readiness: ReadinessCheck;
}

export function upstream<C>(kit: Kit<C>, spec: UpstreamSpec): Upstream {
  const health = createClient(HealthClient, spec.address, kit.clientCredentials);
  kit.onStop(`health client of ${spec.name}`, () => health.close());
  return {
    spec,
    client: (Ctor) => kit.client(Ctor, spec.address, spec.audience),
    readiness: {
      name: spec.name,
      check: async () => {
        const r = await unary(health, health.check, { service: "" }, { deadlineMs: 1500 });
        if (r.status !== HealthCheckResponse_ServingStatus.SERVING) throw new Error("not serving");
      },
    },
  };
}
