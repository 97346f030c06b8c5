// The whole system as the processes it runs as: consent, referrals, consultations, meetings,
// notifications and the gateway, each a child process of its own entry point (src/main.ts), on
// ports asked of the kernel, databases of their own and the run's own topics, against the shared
// Kafka, PostgreSQL and Redis. Any of them can be killed with SIGKILL and started again on the same
// ports and database, as a crashed pod is by Kubernetes.
import { type ChildProcess, fork } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEV_AUDIENCE, DEV_ISSUER, ensureDevKeys, mintToken, type TokenClaims } from "@silta/gateway/dev-token";
import { createTestDatabase, freePort, sharedTestIdentities, type TestDatabase, testEnv, uniqueName } from "@silta/testing";

export const SERVICES = ["consent", "referrals", "consultations", "meetings", "notifications", "gateway"] as const;
export type ServiceName = (typeof SERVICES)[number];

const root = fileURLToPath(new URL("../../", import.meta.url));

export interface RunningSystem {
  baseUrl: string;
  topicPrefix: string;
  db: Record<Exclude<ServiceName, "gateway">, TestDatabase>;
  token(claims: TokenClaims): Promise<string>;
  /** SIGKILL: the process dies at once, mid-request, with its transactions and connections. */
  kill(service: ServiceName): Promise<void>;
  /** Starts it again with the same settings; resolves when its /readyz answers 200 (ms it took). */
  start(service: ServiceName): Promise<number>;
  ready(service: ServiceName): Promise<boolean>;
  /** The running process of each service (for CPU readings), and a message to it over IPC. */
  pid(service: ServiceName): number;
  /** host:port of a service's main listener (gRPC; HTTP for the gateway). */
  address(service: ServiceName): string;
  send(service: ServiceName, message: unknown): Promise<unknown>;
  stop(): Promise<void>;
}

export async function startSystem(
  options: { smtpPort?: number; execArgv?: string[]; env?: Partial<Record<ServiceName, Record<string, string>>> } = {},
): Promise<RunningSystem> {
  const ids = await sharedTestIdentities();
  const keys = await ensureDevKeys(mkdtempSync(join(tmpdir(), "silta-drill-jwt-")));
  const topicPrefix = `${uniqueName("drill").replace("_", "-")}.`;
  const names = ["consent", "referrals", "consultations", "meetings", "notifications"] as const;
  const dbs = await Promise.all(names.map((n) => createTestDatabase(`drill_${n}`)));
  const db = Object.fromEntries(names.map((n, i) => [n, dbs[i] as TestDatabase])) as RunningSystem["db"];
  // Each service's ports are chosen just before it first starts (in dependency order, so its
  // callers know them): a port chosen long before could be taken by an outgoing connection meanwhile.
  const ports = {} as Record<ServiceName, { main: number; admin: number }>;
  const address = (s: ServiceName) => `127.0.0.1:${ports[s].main}`;
  const kafka = { SILTA_KAFKA_BROKERS: testEnv.kafkaBrokers.join(","), SILTA_KAFKA_TOPIC_PREFIX: topicPrefix };
  const area = { SILTA_AREA_CODE: "13", SILTA_PSEUDONYM_KEY: Buffer.alloc(32, 9).toString("base64") };
  // Each service's settings, read when it first starts (its callees' addresses are known by then).
  const envOf: Record<ServiceName, () => Record<string, string>> = {
    consent: () => ({ SILTA_IDENTITY_TRUST_FILE: ids.trustFile, ...kafka, SILTA_DATABASE_URL: db.consent.url, SILTA_GRPC_PORT: `${ports.consent.main}` }),
    referrals: () => ({
      ...ids.env("referrals"),
      ...kafka,
      ...area,
      SILTA_DATABASE_URL: db.referrals.url,
      SILTA_GRPC_PORT: `${ports.referrals.main}`,
      SILTA_CONSENT_ADDRESS: address("consent"),
    }),
    consultations: () => ({
      ...ids.env("consultations"),
      ...kafka,
      ...area,
      SILTA_DATABASE_URL: db.consultations.url,
      SILTA_GRPC_PORT: `${ports.consultations.main}`,
      SILTA_CONSENT_ADDRESS: address("consent"),
    }),
    meetings: () => ({
      ...ids.env("meetings"),
      ...kafka,
      ...area,
      SILTA_DATABASE_URL: db.meetings.url,
      SILTA_GRPC_PORT: `${ports.meetings.main}`,
      SILTA_CONSENT_ADDRESS: address("consent"),
      SILTA_REDIS_URL: testEnv.redisUrl,
      SILTA_MEETINGS_LINK_SECRET: Buffer.alloc(32, 4).toString("base64"),
    }),
    notifications: () => ({
      ...ids.env("notifications"),
      ...kafka,
      SILTA_AREA_CODE: "13",
      SILTA_DATABASE_URL: db.notifications.url,
      SILTA_GRPC_PORT: `${ports.notifications.main}`,
      SILTA_MEETINGS_ADDRESS: address("meetings"),
      SILTA_CONSULTATIONS_ADDRESS: address("consultations"),
      SILTA_SMTP_HOST: "127.0.0.1",
      SILTA_SMTP_PORT: String(options.smtpPort ?? 9),
      SILTA_NOTIFICATIONS_ALLOW_PRIVATE_WEBHOOKS: "true",
      SILTA_NOTIFICATIONS_DELIVERY_INTERVAL_MS: "200",
    }),
    gateway: () => ({
      ...ids.env("gateway"),
      ...kafka,
      SILTA_HTTP_PORT: `${ports.gateway.main}`,
      SILTA_REDIS_URL: testEnv.redisUrl,
      SILTA_CONSENT_ADDRESS: address("consent"),
      SILTA_REFERRALS_ADDRESS: address("referrals"),
      SILTA_CONSULTATIONS_ADDRESS: address("consultations"),
      SILTA_MEETINGS_ADDRESS: address("meetings"),
      SILTA_NOTIFICATIONS_ADDRESS: address("notifications"),
      SILTA_JWKS_FILE: keys.jwksFile,
      SILTA_JWT_ISSUER: DEV_ISSUER,
      SILTA_JWT_AUDIENCE: DEV_AUDIENCE,
      SILTA_DRAIN_MS: "100",
      // The drill's load comes from one address and one organisation per persona.
      SILTA_UNAUTHENTICATED_PER_MINUTE: "1000000",
      SILTA_RATE_LIMIT_PER_MINUTE: "1000000",
    }),
  };
  const children = new Map<ServiceName, ChildProcess>();
  const ready = async (s: ServiceName) => (await fetch(`http://127.0.0.1:${ports[s].admin}/readyz`).catch(() => undefined))?.ok === true;
  const env: Partial<Record<ServiceName, Record<string, string>>> = {};
  async function start(s: ServiceName): Promise<number> {
    const started = Date.now();
    if (!ports[s]) {
      ports[s] = { main: await freePort(), admin: await freePort() };
      env[s] = { ...envOf[s](), ...options.env?.[s] };
    }
    // The same ports again after a kill; if an outgoing connection took one in between, a few tries.
    for (let attempt = 1; ; attempt++) {
      const child = fork(join(root, `services/${s}/src/main.ts`), [], {
        cwd: root,
        execArgv: [...process.execArgv, ...(options.execArgv ?? [])],
        env: { ...process.env, ...env[s], SILTA_ADMIN_PORT: String(ports[s].admin), SILTA_LOG_LEVEL: "error", OTEL_SDK_DISABLED: "true" },
        stdio: ["ignore", "ignore", "inherit", "ipc"],
      });
      children.set(s, child);
      for (let i = 0; i < 600 && child.exitCode === null; i++) {
        if (await ready(s)) return Date.now() - started;
        await new Promise((r) => setTimeout(r, 50));
      }
      if (child.exitCode === null) {
        child.kill("SIGKILL");
        throw new Error(`${s} did not become ready in 30 s`);
      }
      if (attempt >= 5) throw new Error(`${s} exited with ${child.exitCode} while starting (${attempt} tries)`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  async function kill(s: ServiceName) {
    const child = children.get(s);
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL");
    await exited;
  }
  const stopAll = async () => {
    for (const s of [...SERVICES].reverse()) {
      const child = children.get(s);
      if (child && child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
    }
  };
  // In dependency order: consent first, the gateway last. A failure stops what started.
  try {
    for (const s of SERVICES) await start(s);
  } catch (e) {
    await stopAll();
    await Promise.all(Object.values(db).map((d) => d.drop()));
    throw e;
  }
  return {
    baseUrl: `http://${address("gateway")}`,
    topicPrefix,
    db,
    token: (claims) => mintToken(keys.privateJwk, claims),
    kill,
    start,
    ready,
    pid: (s) => children.get(s)?.pid ?? 0,
    address,
    send: (s, message) =>
      new Promise((resolve, reject) => {
        const child = children.get(s);
        if (!child) return reject(new Error(`${s} is not running`));
        child.once("message", resolve);
        child.send(message as object, (e) => e && reject(e));
      }),
    async stop() {
      await stopAll();
      await Promise.all(Object.values(db).map((d) => d.drop()));
    },
  };
}
