// What the client kit puts on the wire for a caller: the signed proof, verified by the kit's own
// server; and, only in the upgrade window (legacyHeader), also the unsigned identity that services
// before the proofs read. A bare grpc-js server records the metadata exactly as sent.
import { credentials, type Metadata, Server, ServerCredentials, type ServerUnaryCall } from "@grpc/grpc-js";
import { HealthClient, HealthService } from "@silta/contracts/grpc/health/v1/health.ts";
import { type Identity, identityVerifier, readTrustedSigners } from "@silta/platform";
import { callers, sharedTestIdentities } from "@silta/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, unary } from "../src/client.ts";

const teacher: Identity = callers.teacher;
const seen: Metadata[] = [];
const server = new Server();
let port = 0;

beforeAll(async () => {
  server.addService(HealthService, {
    check: (call: ServerUnaryCall<unknown, unknown>, cb: (e: null, r: { status: number }) => void) => {
      seen.push(call.metadata);
      cb(null, { status: 1 });
    },
    watch: () => undefined,
  });
  port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
});
afterAll(() => void server.forceShutdown());

describe("a call's identity on the wire", () => {
  it.each([
    [false, ["x-silta-identity-proof"]],
    [true, ["x-silta-identity-proof", "x-silta-identity"]],
  ])("with legacyHeader %s sends %j, and the proof verifies as the caller", async (legacyHeader, keys) => {
    const ids = await sharedTestIdentities();
    const client = createClient(HealthClient, `127.0.0.1:${port}`, credentials.createInsecure(), {
      prover: ids.prover.gateway,
      audience: "silta-x",
      legacyHeader,
    });
    try {
      await unary(client, client.check, { service: "" }, { identity: teacher });
    } finally {
      client.close();
    }
    const md = seen.at(-1) as Metadata;
    expect(Object.keys(md.getMap()).filter((k) => k.startsWith("x-silta-"))).toEqual(keys);
    const verify = identityVerifier(readTrustedSigners(ids.trustFile), "silta-x");
    expect((await verify(md.get("x-silta-identity-proof")[0] as string)).identity).toEqual(teacher);
    if (legacyHeader) expect(JSON.parse(Buffer.from(md.get("x-silta-identity")[0] as string, "base64url").toString())).toEqual(teacher);
  });
});
