// `make bench` (notifications): events → e-mails accepted by a real SMTP server (Mailpit), per
// second, next to a bare nodemailer loop to the same server; and webhook fan-out next to a bare
// HTTP POST loop to the same receiver, in the same run. Goal: ≥ 0.5× each.
// The service runs in a child process (CPU per delivery from /proc), one replica, as deployed
// (its default settings; BENCH_NOTIFICATIONS_CLAIM and _WORKERS override the claim size and the claim loops, to compare).
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { credentials } from "@grpc/grpc-js";
import { REFERRAL_TOPIC, receiptIssued } from "@silta/contracts/events";
import { Channel, Language, NotificationServiceClient } from "@silta/contracts/notifications/v1/notifications.ts";
import { createKafka, PROTOBUF } from "@silta/events";
import { proveCallsOf, unary } from "@silta/grpc";
import { createLogger } from "@silta/platform";
import {
  callers,
  cpuNow,
  cpuPerCall,
  createTestDatabase,
  forkService,
  freePort,
  pidsOf,
  replaceSection,
  sharedTestIdentities,
  testEnv,
  uniqueName,
} from "@silta/testing";
import nodemailer from "nodemailer";
import pg from "pg";
import { SMTP_CONNECTIONS } from "../src/senders.ts";

const N = Number(process.env.BENCH_NOTIFICATIONS_MESSAGES ?? 1000);
const HOOKS = 20;
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// Mailpit on free ports, and a webhook receiver answering 204.
const [smtpPort, webPort, grpcPort, adminPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
const mailpit = spawn(testEnv.mailpitBin, ["--smtp", `127.0.0.1:${smtpPort}`, "--listen", `127.0.0.1:${webPort}`, "--max", "0"], {
  stdio: ["ignore", "ignore", "inherit"],
});
let hits = 0;
const receiver = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    hits++;
    res.writeHead(204).end();
  });
});
await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", () => r()));
const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
for (let i = 0; i < 100 && !(await fetch(`http://127.0.0.1:${webPort}/livez`).catch(() => undefined))?.ok; i++) await new Promise((r) => setTimeout(r, 100));

const db = await createTestDatabase("bench_notifications");
const ids = await sharedTestIdentities();
const prefix = `${uniqueName("bench").replace("_", "-")}.`;
const service = await forkService(
  here("../src/main.ts"),
  {
    SILTA_GRPC_PORT: String(grpcPort),
    SILTA_DATABASE_URL: db.url,
    SILTA_KAFKA_BROKERS: testEnv.kafkaBrokers.join(","),
    SILTA_KAFKA_TOPIC_PREFIX: prefix,
    SILTA_AREA_CODE: "13",
    SILTA_SMTP_PORT: String(smtpPort),
    SILTA_NOTIFICATIONS_ALLOW_PRIVATE_WEBHOOKS: "true",
    SILTA_NOTIFICATIONS_DELIVERY_INTERVAL_MS: "20",
    ...(process.env.BENCH_NOTIFICATIONS_CLAIM ? { SILTA_NOTIFICATIONS_DELIVERY_CONCURRENCY: process.env.BENCH_NOTIFICATIONS_CLAIM } : {}),
    ...(process.env.BENCH_NOTIFICATIONS_WORKERS ? { SILTA_NOTIFICATIONS_DELIVERY_WORKERS: process.env.BENCH_NOTIFICATIONS_WORKERS } : {}),
    ...ids.env("notifications"),
  },
  adminPort,
  process.env.BENCH_PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [],
);
const client = proveCallsOf(new NotificationServiceClient(`127.0.0.1:${grpcPort}`, credentials.createInsecure()), {
  prover: ids.prover.gateway,
  audience: "silta-notifications",
});
const pool = new pg.Pool({ connectionString: db.url, max: 2 });
const kafka = createKafka({ brokers: testEnv.kafkaBrokers, clientId: "notifications-bench", logger: createLogger({ service: "bench", level: "warn" }) });
const producer = kafka.producer();
await producer.connect();

/** Receipt events for the school, one per submitter, published at once. */
async function publishReceipts(count: number, personRef: (i: number) => string) {
  const messages = Array.from({ length: count }, (_, i) => {
    const referralId = crypto.randomUUID();
    return {
      key: referralId,
      value: receiptIssued.encode({
        referralId,
        referenceNumber: `LS-13-2026-${String(i).padStart(6, "0")}`,
        notifierOrganisationId: callers.teacher.organisationId,
        areaCode: "13",
        areaName: "Pohjois-Savon hyvinvointialue",
        submittedAt: new Date().toISOString(),
        notifierPersonRef: personRef(i),
      }),
      headers: { ce_specversion: "1.0", ce_id: crypto.randomUUID(), ce_type: receiptIssued.type, ce_source: "/silta/referrals/13", "content-type": PROTOBUF },
    };
  });
  for (let i = 0; i < messages.length; i += 200) await producer.send({ topic: `${prefix}${REFERRAL_TOPIC.name}`, messages: messages.slice(i, i + 200) });
}
const done = async (channel: string, status: string) =>
  Number((await pool.query("SELECT count(*)::int AS n FROM deliveries WHERE channel = $1 AND status = $2", [channel, status])).rows[0].n);
const created = async (channel: string) => Number((await pool.query("SELECT count(*)::int AS n FROM deliveries WHERE channel = $1", [channel])).rows[0].n);
/** Waits until `count` deliveries of `channel` have `status`; returns when (ms after `from`) they had all been created. */
async function until(channel: string, status: string, count: number, from: number): Promise<number> {
  let allCreated = Number.NaN;
  while ((await done(channel, status)) < count) {
    if (Number.isNaN(allCreated) && (await created(channel)) >= count) allCreated = performance.now() - from;
    await new Promise((r) => setTimeout(r, 20));
  }
  return Number.isNaN(allCreated) ? performance.now() - from : allCreated;
}
const parts = () => ({ "notifications service": () => [service.pid as number], PostgreSQL: pidsOf("postgres") });
const fmt = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : "–");

try {
  const admin = { ...callers.teacher, subject: "bench-admin", roles: ["notifications_admin"] };
  // Each submitter in the directory, by e-mail; then (for the second part) the school's webhooks.
  for (let i = 0; i < N; i++)
    await unary(
      client,
      client.putPerson,
      {
        person: {
          personRef: `teacher-${i}`,
          language: Language.LANGUAGE_FI,
          email: `teacher-${i}@kuopio.example`,
          channels: [Channel.CHANNEL_EMAIL],
          organisationId: "",
        },
      },
      { identity: admin },
    );

  // Bare nodemailer: the same transport settings, one message at a time, to the same server.
  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections: SMTP_CONNECTIONS,
    maxMessages: 500,
    host: "127.0.0.1",
    port: smtpPort,
    secure: false,
  });
  const bareMail = async (count: number) => {
    const t = performance.now();
    for (let i = 0; i < count; i++)
      await transport.sendMail({
        from: "Silta <ilmoitukset@silta.example.fi>",
        to: `bare-${i}@kuopio.example`,
        subject: `Ilmoituksenne LS-13-2026-${i} on vastaanotettu`,
        text: "Pohjois-Savon hyvinvointialue on vastaanottanut ilmoituksenne.",
      });
    return count / ((performance.now() - t) / 1000);
  };
  await bareMail(30);
  const bareMailRate = await bareMail(N);

  // Events → e-mails through the service (the first event published → the last e-mail accepted).
  let before = cpuNow(parts());
  let t = performance.now();
  await publishReceipts(N, (i) => `teacher-${i}`);
  const mailCreatedMs = await until("email", "sent", N, t);
  const mailMs = performance.now() - t;
  const mailRate = N / ((performance.now() - t) / 1000);
  const mailCpu = cpuPerCall(before, cpuNow(parts()), N);

  // Webhook fan-out: the school's HOOKS endpoints, N / HOOKS events (receipts without a person).
  for (let i = 0; i < HOOKS; i++) await unary(client, client.registerWebhook, { url: `${hookUrl}?n=${i}` }, { identity: admin });
  const bareHook = async (count: number) => {
    const body = JSON.stringify({ type: "silta.referral_receipt", data: { reference: "LS-13-2026-000001" } });
    const s = performance.now();
    for (let i = 0; i < count; i++)
      await new Promise<void>((resolve, reject) => {
        const req = request(`${hookUrl}?n=${i % HOOKS}`, { method: "POST", headers: { "content-type": "application/json" } }, (res) => {
          res.resume();
          res.on("end", () => resolve());
        });
        req.on("error", reject);
        req.end(body);
      });
    return count / ((performance.now() - s) / 1000);
  };
  await bareHook(30);
  const bareBefore = cpuNow(parts());
  const bareHookRate = await bareHook(N);
  const bareHookCpu = cpuPerCall(bareBefore, cpuNow(parts()), N);
  const hitsBefore = hits;
  before = cpuNow(parts());
  t = performance.now();
  await publishReceipts(N / HOOKS, () => "");
  const hookCreatedMs = await until("webhook", "delivered", N, t);
  const hookMs = performance.now() - t;
  const hookRate = N / ((performance.now() - t) / 1000);
  const hookCpu = cpuPerCall(before, cpuNow(parts()), N);
  if (hits - hitsBefore < N) throw new Error(`the receiver saw ${hits - hitsBefore} of ${N} webhooks`);

  const cpuSum = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
  const cpuText = (c: Record<string, number>) =>
    Object.entries(c)
      .map(([p, v]) => `${p} ${v.toFixed(2)}`)
      .join(", ");
  const body = `### notifications: e-mails and webhooks delivered

Command: \`make bench\` (\`node services/notifications/bench/delivery-bench.ts\`; \`BENCH_NOTIFICATIONS_MESSAGES\`, default 1000), ${new Date().toISOString().slice(0, 16)}Z, ${cpus().length} cores, Node ${process.version}.
One replica in a child process, as deployed (default settings): the events of a partition taken in batches (the directory read and the deliveries written once per batch), partitions side by side; deliveries claimed by 4 loops, up to 32 each in one transaction (\`FOR UPDATE SKIP LOCKED\`), sent side by side, recorded with their receipts in the outbox; the events published at once on \`referrals.referral.v1\`, timed from the first event to the last delivery recorded. The bare loops send one at a time to the same servers: nodemailer with the same transport settings (a pool of ${SMTP_CONNECTIONS} SMTP connections) to the same Mailpit, and node:http POSTs (keep-alive) to the same receiver, unsigned.

| what | per second |
|---|---|
| bare nodemailer loop → Mailpit | ${fmt(bareMailRate)} |
| receipt events → e-mails accepted by Mailpit (${N}; each also an in-app item) | ${fmt(mailRate)} |
| bare HTTP POST loop → receiver | ${fmt(bareHookRate)} |
| receipt events → signed webhooks answered 2xx (${N / HOOKS} events × ${HOOKS} endpoints) | ${fmt(hookRate)} |

**E-mails: ${fmt(mailRate / bareMailRate, 2)}× the bare nodemailer loop** (goal ≥ 0.5×). **Webhooks: ${fmt(hookRate / bareHookRate, 2)}× the bare POST loop** (goal ≥ 0.5×).

Where a webhook's time goes: the machine's CPU per webhook is ${fmt(cpuSum(hookCpu), 2)} ms (the service, PostgreSQL and the receiver, without the Kafka broker that takes the receipts), against ${fmt(cpuSum(bareHookCpu), 2)} ms per bare POST (the loop and its receiver in one process). On ${cpus().length} cores that caps durable webhooks at about ${fmt((cpus().length * 1000) / cpuSum(hookCpu))} per second, ${fmt((cpus().length * 1000) / cpuSum(hookCpu) / bareHookRate, 2)}× the bare loop, even with every core busy: each webhook is a row written, claimed and recorded, and two receipts (queued, delivered) written to the outbox and published. The service's own share is in the profile (\`BENCH_PROFILE_DIR\`): socket writes (\`writev\`) to PostgreSQL, Kafka and the receivers are the largest part.

| run | CPU ms per delivery | every delivery created (events handled) | every delivery done |
|---|---|---|---|
| e-mails | ${cpuText(mailCpu)} | ${fmt(mailCreatedMs)} ms | ${fmt(mailMs)} ms |
| webhooks | ${cpuText(hookCpu)} | ${fmt(hookCreatedMs)} ms | ${fmt(hookMs)} ms |
`;
  const path = here("../../../docs/benchmarks.md");
  const doc = readFileSync(path, "utf8");
  writeFileSync(
    path,
    doc.includes("<!-- bench:notifications -->")
      ? replaceSection(doc, "notifications", body)
      : `${doc.trimEnd()}\n\n<!-- bench:notifications -->\n${body}<!-- /bench:notifications -->\n`,
  );
  console.log(body);
  transport.close();
} finally {
  client.close();
  await producer.disconnect();
  await pool.end();
  service.kill("SIGTERM");
  await new Promise((r) => (service.exitCode === null ? service.once("exit", r) : r(null)));
  mailpit.kill("SIGTERM");
  receiver.close();
  await db.drop();
}
