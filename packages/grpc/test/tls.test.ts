// mTLS between services: with the three files set, a server admits only clients holding a
// certificate of the Silta CA, and a client talks only to such a server.
import { credentials } from "@grpc/grpc-js";
import { HealthCheckResponse_ServingStatus, HealthClient } from "@silta/contracts/grpc/health/v1/health.ts";
import { createMetrics } from "@silta/platform";
import { captureLogs, createTestPki } from "@silta/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, unary } from "../src/client.ts";
import { createGrpcServer, type GrpcServer } from "../src/server.ts";
import { grpcCredentials } from "../src/tls.ts";

const pki = createTestPki();
const server = pki.issue("consent");
const client = pki.issue("gateway");
let grpc: GrpcServer;
let port: number;

beforeAll(async () => {
  const tls = grpcCredentials({ SILTA_GRPC_TLS_CA_FILE: pki.caFile, SILTA_GRPC_TLS_CERT_FILE: server.certFile, SILTA_GRPC_TLS_KEY_FILE: server.keyFile });
  expect(tls.mutualTls).toBe(true);
  grpc = createGrpcServer({
    logger: captureLogs().logger,
    meter: createMetrics("t").meter,
    services: [],
    verifyIdentity: async () => {
      throw new Error("no call of this test carries an identity");
    },
    readiness: [],
    healthIntervalMs: 50,
    credentials: tls.server,
  });
  port = await grpc.listen(0, "127.0.0.1");
});
afterAll(async () => grpc?.close(100));

async function healthWith(creds: ReturnType<typeof credentials.createInsecure>) {
  const health = createClient(HealthClient, `127.0.0.1:${port}`, creds);
  try {
    return await unary(health, health.check, { service: "" }, { deadlineMs: 3000 });
  } finally {
    health.close();
  }
}

describe("gRPC between services over mutual TLS", () => {
  it("a client with a certificate of the Silta CA is served", async () => {
    const tls = grpcCredentials({ SILTA_GRPC_TLS_CA_FILE: pki.caFile, SILTA_GRPC_TLS_CERT_FILE: client.certFile, SILTA_GRPC_TLS_KEY_FILE: client.keyFile });
    expect((await healthWith(tls.client)).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
  });

  it("a plaintext client, a client without a certificate and one with another CA's certificate are refused", async () => {
    const { readFileSync } = await import("node:fs");
    const ca = readFileSync(pki.caFile);
    const good = grpcCredentials({ SILTA_GRPC_TLS_CA_FILE: pki.caFile, SILTA_GRPC_TLS_CERT_FILE: client.certFile, SILTA_GRPC_TLS_KEY_FILE: client.keyFile });
    for (const [creds, refusal] of [
      [credentials.createInsecure(), /Failed to connect/],
      // TLS 1.3: the server's alert names what was missing.
      [credentials.createSsl(ca), /alert certificate required/],
      [credentials.createSsl(ca, readFileSync(pki.rogue.keyFile), readFileSync(pki.rogue.certFile)), /Failed to connect/],
    ] as const) {
      const err = await healthWith(creds).then(
        () => undefined,
        (e: unknown) => e as { kind: string; message: string },
      );
      expect(err).toMatchObject({ kind: "unavailable" });
      expect(err?.message).toMatch(refusal);
      // Refused by the handshake, not a listener that is down: no connection refused, and the
      // same server serves a client with a Silta certificate at once.
      expect(err?.message).not.toMatch(/ECONNREFUSED/);
      expect((await healthWith(good.client)).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
    }
  });

  it("refuses a half configuration at start, naming the variables", () => {
    expect(() => grpcCredentials({ SILTA_GRPC_TLS_CERT_FILE: client.certFile })).toThrow(
      /SILTA_GRPC_TLS_CA_FILE, SILTA_GRPC_TLS_CERT_FILE and SILTA_GRPC_TLS_KEY_FILE go together/,
    );
    expect(grpcCredentials({}).mutualTls).toBe(false);
  });
});
