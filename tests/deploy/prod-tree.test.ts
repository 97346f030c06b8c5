// The image's contents without Docker: scripts/prod-tree.sh builds the tree the Dockerfile
// copies into the image (production dependencies only), and the four services start from it
// against the real PostgreSQL, Kafka and Redis, calling each other over mutual TLS as the chart
// configures them (global.grpcTls), become ready, and answer.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { credentials } from "@grpc/grpc-js";
import { HealthClient } from "@silta/contracts/grpc/health/v1/health.ts";
import { createClient, unary } from "@silta/grpc";
import { createTestDatabase, createTestPki, freePort, type TestDatabase, testEnv } from "@silta/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { root } from "./chart-kit.ts";

const out = mkdtempSync(join(tmpdir(), "silta-prod-tree-"));
const children: ChildProcess[] = [];
const dbs: TestDatabase[] = [];
const pki = createTestPki();
const mtls = (service: string) => {
  const { certFile, keyFile } = pki.issue(service);
  return { SILTA_GRPC_TLS_CA_FILE: pki.caFile, SILTA_GRPC_TLS_CERT_FILE: certFile, SILTA_GRPC_TLS_KEY_FILE: keyFile };
};
// Ports are asked of the kernel (bind to 0, close) rather than fixed: a fixed port in the
// ephemeral range can be held by any of the suite's outgoing connections.
let ports: {
  consent: { grpc: number; admin: number };
  referrals: { grpc: number; admin: number };
  consultations: { grpc: number; admin: number };
  meetings: { grpc: number; admin: number };
  notifications: { grpc: number; admin: number };
  gateway: { http: number; admin: number };
};

interface Started {
  service: string;
  child: ChildProcess;
  /** The last 16 KB the service wrote to stderr: a failure says why the service did not become ready. */
  stderr(): string;
}
const started: Started[] = [];

function start(service: string, env: Record<string, string>): void {
  const child = spawn(process.execPath, ["--import", "@silta/platform/telemetry-start", "src/main.ts"], {
    cwd: join(out, "services", service),
    env: { PATH: process.env.PATH ?? "", SILTA_LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let tail = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    tail = (tail + chunk).slice(-16_384);
  });
  children.push(child);
  started.push({ service, child, stderr: () => tail });
}

/** Resolves when every started service answers /readyz 200; fails at once, with its stderr, if one exits. */
async function allReady(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const pending = new Map(started.map((s) => [s.service, s]));
  const admin: Record<string, number> = {
    consent: ports.consent.admin,
    referrals: ports.referrals.admin,
    consultations: ports.consultations.admin,
    meetings: ports.meetings.admin,
    notifications: ports.notifications.admin,
    gateway: ports.gateway.admin,
  };
  let last: Record<string, string> = {};
  while (pending.size > 0) {
    for (const s of pending.values()) {
      if (s.child.exitCode !== null || s.child.signalCode !== null)
        throw new Error(`${s.service} exited (${s.child.exitCode ?? s.child.signalCode}) before it was ready; its stderr:\n${s.stderr()}`);
      const res = await fetch(`http://127.0.0.1:${admin[s.service]}/readyz`, { signal: AbortSignal.timeout(5000) }).catch((e: Error) => e);
      if (res instanceof Response && res.ok) pending.delete(s.service);
      else last = { ...last, [s.service]: res instanceof Response ? `${res.status} ${await res.text()}` : res.message };
    }
    if (pending.size === 0) return;
    if (Date.now() > deadline) {
      const why = [...pending.values()].map((s) => `${s.service}: /readyz ${last[s.service]}; stderr:\n${s.stderr()}`);
      throw new Error(`not ready after ${timeoutMs} ms: ${why.join("\n")}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  ports = {
    consent: { grpc: await freePort(), admin: await freePort() },
    referrals: { grpc: await freePort(), admin: await freePort() },
    consultations: { grpc: await freePort(), admin: await freePort() },
    meetings: { grpc: await freePort(), admin: await freePort() },
    notifications: { grpc: await freePort(), admin: await freePort() },
    gateway: { http: await freePort(), admin: await freePort() },
  };
  const r = spawnSync("bash", ["scripts/prod-tree.sh", out, "consent", "referrals", "consultations", "meetings", "notifications", "gateway"], {
    cwd: root,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`prod-tree.sh failed: ${r.stderr}`);
  const [consentDb, referralsDb, consultationsDb, meetingsDb, notificationsDb] = await Promise.all([
    createTestDatabase("prodtree_consent"),
    createTestDatabase("prodtree_referrals"),
    createTestDatabase("prodtree_consultations"),
    createTestDatabase("prodtree_meetings"),
    createTestDatabase("prodtree_notifications"),
  ]);
  dbs.push(
    consentDb as TestDatabase,
    referralsDb as TestDatabase,
    consultationsDb as TestDatabase,
    meetingsDb as TestDatabase,
    notificationsDb as TestDatabase,
  );
  const kafka = { SILTA_KAFKA_BROKERS: testEnv.kafkaBrokers.join(",") };
  // The identity keys as compose makes them: with the production tree's own script.
  const identity = join(out, "identity");
  const made = spawnSync(process.execPath, ["scripts/dev-identity.ts", identity, "13"], { cwd: join(out, "services/gateway"), encoding: "utf8" });
  if (made.status !== 0) throw new Error(`dev-identity.ts from the production tree failed: ${made.stderr}`);
  const trust = { SILTA_IDENTITY_TRUST_FILE: join(identity, "trusted-signers.json") };
  start("consent", {
    ...trust,
    ...kafka,
    ...mtls("consent"),
    SILTA_DATABASE_URL: consentDb.url,
    SILTA_GRPC_PORT: `${ports.consent.grpc}`,
    SILTA_ADMIN_PORT: `${ports.consent.admin}`,
  });
  start("referrals", {
    ...trust,
    SILTA_IDENTITY_SIGNING_KEY_FILE: join(identity, "referrals.signing-key.json"),
    ...kafka,
    ...mtls("referrals"),
    SILTA_DATABASE_URL: referralsDb.url,
    SILTA_GRPC_PORT: `${ports.referrals.grpc}`,
    SILTA_ADMIN_PORT: `${ports.referrals.admin}`,
    SILTA_CONSENT_ADDRESS: `127.0.0.1:${ports.consent.grpc}`,
    SILTA_AREA_CODE: "13",
    SILTA_PSEUDONYM_KEY: Buffer.alloc(32, 9).toString("base64"),
  });
  start("consultations", {
    ...trust,
    SILTA_IDENTITY_SIGNING_KEY_FILE: join(identity, "consultations.signing-key.json"),
    ...kafka,
    ...mtls("consultations"),
    SILTA_DATABASE_URL: consultationsDb.url,
    SILTA_GRPC_PORT: `${ports.consultations.grpc}`,
    SILTA_ADMIN_PORT: `${ports.consultations.admin}`,
    SILTA_CONSENT_ADDRESS: `127.0.0.1:${ports.consent.grpc}`,
    SILTA_AREA_CODE: "13",
    SILTA_PSEUDONYM_KEY: Buffer.alloc(32, 9).toString("base64"),
  });
  start("meetings", {
    ...trust,
    SILTA_IDENTITY_SIGNING_KEY_FILE: join(identity, "meetings.signing-key.json"),
    ...kafka,
    ...mtls("meetings"),
    SILTA_DATABASE_URL: meetingsDb.url,
    SILTA_REDIS_URL: testEnv.redisUrl,
    SILTA_GRPC_PORT: `${ports.meetings.grpc}`,
    SILTA_ADMIN_PORT: `${ports.meetings.admin}`,
    SILTA_CONSENT_ADDRESS: `127.0.0.1:${ports.consent.grpc}`,
    SILTA_AREA_CODE: "13",
    SILTA_PSEUDONYM_KEY: Buffer.alloc(32, 9).toString("base64"),
    SILTA_MEETINGS_LINK_SECRET: Buffer.alloc(32, 4).toString("base64"),
  });
  start("notifications", {
    ...trust,
    SILTA_IDENTITY_SIGNING_KEY_FILE: join(identity, "notifications.signing-key.json"),
    SILTA_MEETINGS_ADDRESS: `127.0.0.1:${ports.meetings.grpc}`,
    ...kafka,
    ...mtls("notifications"),
    SILTA_DATABASE_URL: (notificationsDb as TestDatabase).url,
    SILTA_GRPC_PORT: `${ports.notifications.grpc}`,
    SILTA_ADMIN_PORT: `${ports.notifications.admin}`,
    SILTA_AREA_CODE: "13",
  });
  const keys = join(out, "keys");
  const token = spawnSync(process.execPath, ["scripts/token.ts", "--dir", keys], { cwd: join(out, "services/gateway"), encoding: "utf8" });
  if (token.status !== 0) throw new Error(`token.ts from the production tree failed: ${token.stderr}`);
  start("gateway", {
    SILTA_IDENTITY_SIGNING_KEY_FILE: join(identity, "gateway.signing-key.json"),
    ...kafka,
    ...mtls("gateway"),
    SILTA_HTTP_PORT: `${ports.gateway.http}`,
    SILTA_ADMIN_PORT: `${ports.gateway.admin}`,
    SILTA_REDIS_URL: testEnv.redisUrl,
    SILTA_CONSENT_ADDRESS: `127.0.0.1:${ports.consent.grpc}`,
    SILTA_REFERRALS_ADDRESS: `127.0.0.1:${ports.referrals.grpc}`,
    SILTA_CONSULTATIONS_ADDRESS: `127.0.0.1:${ports.consultations.grpc}`,
    SILTA_MEETINGS_ADDRESS: `127.0.0.1:${ports.meetings.grpc}`,
    SILTA_NOTIFICATIONS_ADDRESS: `127.0.0.1:${ports.notifications.grpc}`,
    SILTA_JWKS_FILE: join(keys, "jwks.json"),
    SILTA_JWT_ISSUER: "silta-dev",
    SILTA_JWT_AUDIENCE: "silta",
  });
}, 180_000);

afterAll(async () => {
  for (const c of children) c.kill("SIGTERM");
  await Promise.all(children.map((c) => new Promise((r) => (c.exitCode === null ? c.once("exit", r) : r(null)))));
  await Promise.all(dbs.map((d) => d.drop()));
  rmSync(out, { recursive: true, force: true });
});

describe("the production tree (the image's /app)", () => {
  it("holds no development dependency", () => {
    const modules = readdirSync(join(out, "node_modules"));
    for (const dev of ["vitest", "typescript", "@biomejs", "@bufbuild/buf", "ts-proto", "fast-check"])
      expect(existsSync(join(out, "node_modules", dev)), dev).toBe(false);
    expect(existsSync(join(out, "node_modules/@silta/testing"))).toBe(false);
    expect(modules).toContain("@silta");
  });

  it("starts consent, referrals, consultations, meetings, notifications and the gateway, which become ready and serve, calling each other over mTLS", async () => {
    await allReady(150_000);
    const readyz = (await (await fetch(`http://127.0.0.1:${ports.gateway.admin}/readyz`)).json()) as { status: string };
    expect(readyz.status).toBe("ready");
    const openapi = await fetch(`http://127.0.0.1:${ports.gateway.http}/openapi.json`);
    expect(openapi.status).toBe(200);
    expect(((await openapi.json()) as { openapi: string }).openapi).toBe("3.1.0");
    expect((await fetch(`http://127.0.0.1:${ports.gateway.http}/v1/referral-statuses/X`)).status).toBe(401);
    // A teacher's token: the gateway proves the teacher to referrals with its signing key, and
    // referrals (trusting it) answers that no such referral exists.
    const minted = spawnSync(process.execPath, ["scripts/token.ts", "--dir", join(out, "keys")], { cwd: join(out, "services/gateway"), encoding: "utf8" });
    const status = await fetch(`http://127.0.0.1:${ports.gateway.http}/v1/referral-statuses/LS-13-2026-000001`, {
      headers: { authorization: `Bearer ${minted.stdout.trim()}` },
    });
    expect(status.status, await status.clone().text()).toBe(404);
    expect(((await status.json()) as { code: string }).code).toBe("SILTA_REFERRAL_NOT_FOUND");
    // The calendar's dependencies are in the tree: the gateway asks consultations (over mTLS) for a
    // teacher's view of the specialists, and consultations answers with its own 404.
    const specialists = await fetch(`http://127.0.0.1:${ports.gateway.http}/v1/consultations/specialists`, {
      headers: { authorization: `Bearer ${minted.stdout.trim()}` },
    });
    expect(specialists.status, await specialists.clone().text()).toBe(404);
    expect(((await specialists.json()) as { code: string }).code).toBe("SILTA_CONSULTATION_NOT_FOUND");
    // The family's page comes from the tree too (the gateway asks meetings over mTLS): an unknown
    // link gets its one clear page.
    const page = await fetch(`http://127.0.0.1:${ports.gateway.http}/v1/meetings/invitations/${"A".repeat(40)}?lang=sv`);
    expect(page.status).toBe(404);
    expect(await page.text()).toContain('<html lang="sv">');
    // The gateway's readiness asked consent, referrals, consultations and meetings over mTLS; a plaintext caller is refused.
    const plain = createClient(HealthClient, `127.0.0.1:${ports.consent.grpc}`, credentials.createInsecure());
    await expect(unary(plain, plain.check, { service: "" }, { deadlineMs: 2000 })).rejects.toMatchObject({ kind: "unavailable" });
    plain.close();
    // The tree's kafkajs carries patches/ (no NODE_OPTIONS hides Node's warnings here).
    for (const s of started) expect(s.stderr(), s.service).not.toContain("TimeoutNegativeWarning");
  }, 180_000);

  it("migrates a database with src/migrate.ts alone, as the chart's init container does", async () => {
    const db = await createTestDatabase("prodtree_migrate");
    dbs.push(db);
    const r = spawnSync(process.execPath, ["src/migrate.ts"], {
      cwd: join(out, "services/referrals"),
      env: { PATH: process.env.PATH ?? "", SILTA_DATABASE_URL: db.url },
      encoding: "utf8",
    });
    expect(r.status, r.stderr).toBe(0);
    const again = spawnSync(process.execPath, ["src/migrate.ts"], {
      cwd: join(out, "services/referrals"),
      env: { PATH: process.env.PATH ?? "", SILTA_DATABASE_URL: db.url },
      encoding: "utf8",
    });
    expect(again.status).toBe(0);
    const bad = spawnSync(process.execPath, ["src/migrate.ts"], {
      cwd: join(out, "services/consent"),
      env: { PATH: process.env.PATH ?? "" },
      encoding: "utf8",
    });
    expect(bad.status).toBe(78);
    expect(bad.stderr).toContain("SILTA_DATABASE_URL");
  });
});
