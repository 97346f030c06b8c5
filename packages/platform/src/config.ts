// Configuration from environment variables, validated at start. A missing or malformed value
// stops the process with a message naming the variable (never its value: it may be a secret).
import { z } from "zod";
import { readSigningKey, readTrustedSigners } from "./identity-proof.ts";

export class ConfigError extends Error {
  readonly variables: string[];
  constructor(problems: { variable: string; reason: string }[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.reason}`).join("\n")}`);
    this.name = "ConfigError";
    this.variables = problems.map((p) => p.variable);
  }
}

/** Reads the variables named by the keys of `shape` from `env` (process.env by default). */
export function loadConfig<S extends z.ZodRawShape>(shape: S, env: Record<string, string | undefined> = process.env): z.infer<z.ZodObject<S>> {
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(shape)) {
    const v = env[key];
    input[key] = v === "" ? undefined : v;
  }
  const result = z.object(shape).safeParse(input);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((i) => ({
        variable: String(i.path[0] ?? "?"),
        reason: i.code === "invalid_type" && input[String(i.path[0])] === undefined ? "is required but not set" : i.message,
      })),
    );
  }
  const incomplete = incompleteGroups(input);
  if (incomplete.length > 0) throw new ConfigError(incomplete);
  return result.data;
}

// Variables that only make sense together (the TLS files of kafkaConfigShape and
// grpcTlsConfigShape): a half-set group stops the process at start, naming what is missing.
const GROUPS: { variables: string[]; what: string }[] = [
  { variables: ["SILTA_KAFKA_TLS_CERT_FILE", "SILTA_KAFKA_TLS_KEY_FILE"], what: "the Kafka client certificate and its key go together" },
  {
    variables: ["SILTA_GRPC_TLS_CA_FILE", "SILTA_GRPC_TLS_CERT_FILE", "SILTA_GRPC_TLS_KEY_FILE"],
    what: "mutual TLS needs the CA, the certificate and the key",
  },
];

function incompleteGroups(input: Record<string, string | undefined>): { variable: string; reason: string }[] {
  const problems: { variable: string; reason: string }[] = [];
  for (const g of GROUPS) {
    if (!g.variables.some((v) => input[v] !== undefined)) continue;
    for (const v of g.variables) if (input[v] === undefined) problems.push({ variable: v, reason: `is required: ${g.what}` });
  }
  return problems;
}

/** Common variable types. */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  int: (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback),
  string: () => z.string().min(1),
  url: () => z.string().url(),
  list: () =>
    z
      .string()
      .min(1)
      .transform((s) =>
        s
          .split(",")
          .map((x) => x.trim())
          .filter(Boolean),
      ),
  bool: (fallback: boolean) =>
    z
      .enum(["true", "false", "1", "0"])
      .default(fallback ? "true" : "false")
      .transform((v) => v === "true" || v === "1"),
  logLevel: () => z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
};

/**
 * How every service reaches Kafka: the brokers and, on a cluster with TLS listeners (Strimzi), the
 * cluster CA and this service's client certificate (a Strimzi `KafkaUser` with `tls`
 * authentication writes `ca.crt`, `user.crt`, `user.key` into a Secret the chart mounts).
 * Spread into a service's config shape; pass the result to `createKafka`.
 */
export const kafkaConfigShape = {
  SILTA_KAFKA_BROKERS: env.list(),
  SILTA_KAFKA_TLS_CA_FILE: z.string().min(1).optional(),
  SILTA_KAFKA_TLS_CERT_FILE: z.string().min(1).optional(),
  SILTA_KAFKA_TLS_KEY_FILE: z.string().min(1).optional(),
  /**
   * Create missing topics (and their `.dlq`) at start. On a Strimzi cluster the chart's KafkaTopic
   * objects own the topics and the services' users may not create any: the chart sets false.
   */
  SILTA_KAFKA_CREATE_TOPICS: env.bool(true),
  /**
   * Prepended to every topic name this service creates, produces to and consumes (its DLQs too):
   * a namespace on a shared cluster (`staging.`), or a test file's own topics. Empty by default;
   * the chart's topics and ACLs use the declared names.
   */
  SILTA_KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^([a-z0-9][a-z0-9-]{0,40}\.)?$/, "empty, or lowercase letters, digits and - ending with a dot, e.g. staging.")
    .default(""),
};

/** A service with a transactional outbox: readiness says `degraded` (still ready) while an event has waited this long to be published. */
export const outboxConfigShape = {
  SILTA_OUTBOX_DEGRADED_AFTER_MS: env.int(30_000, 100),
};

/**
 * mTLS between the services (see @silta/grpc grpcCredentials): the CA of the Silta services'
 * certificates and this service's own certificate and key. All three or none.
 */
export const grpcTlsConfigShape = {
  SILTA_GRPC_TLS_CA_FILE: z.string().min(1).optional(),
  SILTA_GRPC_TLS_CERT_FILE: z.string().min(1).optional(),
  SILTA_GRPC_TLS_KEY_FILE: z.string().min(1).optional(),
};

/**
 * Runs `fn` and, on a ConfigError, prints it and exits with status 78 (EX_CONFIG): a process
 * with bad configuration must not start half-way.
 */
export function configOrExit<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(78);
    }
    throw e;
  }
}

/**
 * Where the gRPC and admin listeners bind: 127.0.0.1 unless set (a laptop, `make up`, tests);
 * the Dockerfile, compose and the chart set 0.0.0.0 explicitly.
 */
export const listenConfigShape = {
  SILTA_BIND_ADDRESS: z.union([z.ipv4(), z.ipv6()], { error: "an IP address, e.g. 127.0.0.1 or 0.0.0.0" }).default("127.0.0.1"),
};

/** A JSON file read at start; a missing or invalid file stops the process naming the variable. */
const jsonFile = <T>(read: (file: string) => T) =>
  z
    .string()
    .min(1)
    .transform((file, ctx) => {
      try {
        return read(file);
      } catch (e) {
        ctx.addIssue({ code: "custom", message: (e as Error).message });
        return z.NEVER;
      }
    });

/**
 * A service that is called (every gRPC server): the signers whose identity assertions it trusts,
 * with what each may assert (identity-proof.ts), and the audience its callers prove for.
 */
export const identityTrustConfigShape = (audience: string) => ({
  SILTA_IDENTITY_TRUST_FILE: jsonFile(readTrustedSigners),
  SILTA_IDENTITY_AUDIENCE: z.string().min(1).max(200).default(audience),
});

/** A party or service that calls others: its own signing key (a Secret in a cluster). */
export const identitySigningConfigShape = {
  SILTA_IDENTITY_SIGNING_KEY_FILE: jsonFile(readSigningKey),
  /** Upgrade window only: also send the unsigned identity that earlier services read (docs/operations.md). */
  SILTA_IDENTITY_LEGACY_HEADER: env.bool(false),
};
