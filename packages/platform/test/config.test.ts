import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ConfigError, env, grpcTlsConfigShape, kafkaConfigShape, loadConfig } from "../src/config.ts";

const shape = {
  SILTA_GRPC_PORT: env.port(50051),
  SILTA_DATABASE_URL: env.url(),
  SILTA_KAFKA_BROKERS: env.list(),
  SILTA_DEBUG: env.bool(false),
};

describe("configuration from the environment", () => {
  it("parses valid values and applies defaults", () => {
    const c = loadConfig(shape, { SILTA_DATABASE_URL: "postgres://x@h/db", SILTA_KAFKA_BROKERS: "a:1, b:2" });
    expect(c).toEqual({ SILTA_GRPC_PORT: 50051, SILTA_DATABASE_URL: "postgres://x@h/db", SILTA_KAFKA_BROKERS: ["a:1", "b:2"], SILTA_DEBUG: false });
  });

  it("names every missing or malformed variable, and never echoes a value", () => {
    let err: unknown;
    try {
      loadConfig(shape, { SILTA_GRPC_PORT: "99999", SILTA_DATABASE_URL: "not a url s3cret", SILTA_DEBUG: "maybe" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const e = err as ConfigError;
    expect(e.variables.sort()).toEqual(["SILTA_DATABASE_URL", "SILTA_DEBUG", "SILTA_GRPC_PORT", "SILTA_KAFKA_BROKERS"]);
    expect(e.message).toContain("SILTA_KAFKA_BROKERS: is required but not set");
    expect(e.message).not.toContain("s3cret");
  });

  it("refuses half a TLS configuration, naming the missing files", () => {
    const tls = { ...shape, ...kafkaConfigShape, ...grpcTlsConfigShape };
    const base = { SILTA_DATABASE_URL: "postgres://x@h/db", SILTA_KAFKA_BROKERS: "a:1" };
    const variablesOf = (over: Record<string, string>) => {
      try {
        loadConfig(tls, { ...base, ...over });
        return [];
      } catch (e) {
        return (e as ConfigError).variables.sort();
      }
    };
    expect(variablesOf({ SILTA_GRPC_TLS_CERT_FILE: "/c" })).toEqual(["SILTA_GRPC_TLS_CA_FILE", "SILTA_GRPC_TLS_KEY_FILE"]);
    expect(variablesOf({ SILTA_KAFKA_TLS_KEY_FILE: "/k" })).toEqual(["SILTA_KAFKA_TLS_CERT_FILE"]);
    // The CA alone is a whole Kafka configuration (TLS without a client certificate); all three gRPC files are too.
    expect(
      variablesOf({ SILTA_KAFKA_TLS_CA_FILE: "/ca", SILTA_GRPC_TLS_CA_FILE: "/a", SILTA_GRPC_TLS_CERT_FILE: "/b", SILTA_GRPC_TLS_KEY_FILE: "/c" }),
    ).toEqual([]);
  });

  it("stops a process with bad configuration with exit status 78 and a message naming the variable", () => {
    const platform = fileURLToPath(new URL("../src/index.ts", import.meta.url));
    const script = `import { configOrExit, loadConfig, env } from ${JSON.stringify(platform)};
      configOrExit(() => loadConfig({ SILTA_ADMIN_PORT: env.port(9101) }, { SILTA_ADMIN_PORT: "eighty" }));
      console.log("started");`;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    expect(r.status).toBe(78);
    expect(r.stderr).toContain("SILTA_ADMIN_PORT");
    expect(r.stdout).not.toContain("started");
  });
});
