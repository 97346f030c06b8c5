// The drill: the notifications service killed with SIGKILL between sending a webhook and
// recording it. The service runs in a child process; the webhook receiver kills it as the first
// request arrives, before answering. Started again, the service sends the same delivery with the
// same webhook-id (the claim's transaction died with the process), and nothing is lost.
import type { ChildProcess } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { credentials } from "@grpc/grpc-js";
import { REFERRAL_TOPIC, receiptIssued } from "@silta/contracts/events";
import { NotificationServiceClient } from "@silta/contracts/notifications/v1/notifications.ts";
import { createKafka, PROTOBUF } from "@silta/events";
import { proveCallsOf, unary } from "@silta/grpc";
import {
  callers,
  captureLogs,
  createTestDatabase,
  forkService,
  freePort,
  sharedTestIdentities,
  type TestDatabase,
  testEnv,
  testTopic,
  testTopicPrefix,
  uniqueName,
  waitFor,
} from "@silta/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const logs = captureLogs("notifications-kill");
const kafka = createKafka({ brokers: testEnv.kafkaBrokers, clientId: "notifications-kill", logger: logs.logger });
let db: TestDatabase;
let pool: pg.Pool;
let receiver: Server;
let child: ChildProcess | undefined;
const seen: { id: string; at: number }[] = [];
let killOnFirst = true;

async function startChild(grpcPort: number, adminPort: number, env: Record<string, string>) {
  child = await forkService(fileURLToPath(new URL("../../src/main.ts", import.meta.url)), { ...env, SILTA_GRPC_PORT: String(grpcPort) }, adminPort);
  return child;
}

beforeAll(async () => {
  db = await createTestDatabase("notif_kill");
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  receiver = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      seen.push({ id: String(req.headers["webhook-id"]), at: Date.now() });
      if (killOnFirst) {
        killOnFirst = false;
        // Sent, not yet recorded: the process dies here, before it hears the answer.
        child?.kill("SIGKILL");
        setTimeout(() => res.writeHead(204).end(), 200);
        return;
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", () => r()));
});

afterAll(async () => {
  child?.kill("SIGTERM");
  await pool?.end();
  await db?.drop();
  await new Promise((r) => receiver?.close(() => r(null)));
});

describe("killed between sending and recording", () => {
  it("sends the same webhook-id again once restarted, and records it delivered once", async () => {
    const ids = await sharedTestIdentities();
    const [grpcPort, adminPort] = [await freePort(), await freePort()];
    const env = {
      SILTA_DATABASE_URL: db.url,
      SILTA_KAFKA_BROKERS: testEnv.kafkaBrokers.join(","),
      SILTA_KAFKA_TOPIC_PREFIX: testTopicPrefix,
      SILTA_AREA_CODE: "13",
      SILTA_SMTP_PORT: "9",
      SILTA_NOTIFICATIONS_ALLOW_PRIVATE_WEBHOOKS: "true",
      SILTA_NOTIFICATIONS_DELIVERY_INTERVAL_MS: "100",
      ...ids.env("notifications"),
    };
    const first = await startChild(grpcPort, adminPort, env);
    const client = proveCallsOf(new NotificationServiceClient(`127.0.0.1:${grpcPort}`, credentials.createInsecure()), {
      prover: ids.prover.gateway,
      audience: "silta-notifications",
    });
    const admin = { ...callers.teacher, subject: "admin-school", roles: ["notifications_admin"] };
    await unary(client, client.registerWebhook, { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook` }, { identity: admin });
    client.close();
    // A receipt for the school, as the referrals service publishes it.
    const referralId = crypto.randomUUID();
    const reference = `LS-13-2026-${uniqueName("k").slice(-6)}`;
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: testTopic(REFERRAL_TOPIC.name),
      messages: [
        {
          key: referralId,
          value: receiptIssued.encode({
            referralId,
            referenceNumber: reference,
            notifierOrganisationId: callers.teacher.organisationId,
            areaCode: "13",
            areaName: "Pohjois-Savon hyvinvointialue",
            submittedAt: new Date().toISOString(),
            notifierPersonRef: "",
          }),
          headers: {
            ce_specversion: "1.0",
            ce_id: crypto.randomUUID(),
            ce_type: receiptIssued.type,
            ce_source: "/silta/referrals/13",
            "content-type": PROTOBUF,
          },
        },
      ],
    });
    await producer.disconnect();
    await waitFor(() => first.exitCode !== null || first.signalCode === "SIGKILL", { what: "the service killed mid-send", timeoutMs: 30_000 });
    expect(first.signalCode).toBe("SIGKILL");
    const row = async () =>
      (await pool.query("SELECT delivery_id, status, attempts FROM deliveries WHERE reference = $1 AND channel = 'webhook'", [reference])).rows[0];
    // Nothing was recorded of the attempt: still queued, no attempt counted.
    expect(await row()).toMatchObject({ status: "queued", attempts: 0 });
    await startChild(grpcPort, adminPort, env);
    await waitFor(async () => (await row())?.status === "delivered", { what: "the delivery after the restart", timeoutMs: 30_000 });
    const deliveryId = (await row())?.delivery_id;
    expect(seen.map((s) => s.id)).toEqual([deliveryId, deliveryId]);
    expect(await row()).toMatchObject({ status: "delivered", attempts: 1 });
  });
});
