// Exit 0 when a Kafka admin client can describe the cluster (the controller is elected),
// 1 otherwise. Plain JavaScript so the shell scripts can run it without a build.
import { Kafka, logLevel } from "kafkajs";

const broker = process.argv[2] ?? "127.0.0.1:9092";
const admin = new Kafka({
  clientId: "silta-ready",
  brokers: [broker],
  logLevel: logLevel.NOTHING,
  retry: { retries: 0 },
  connectionTimeout: 1000,
  requestTimeout: 2000,
}).admin();
try {
  await admin.connect();
  const { brokers, controller } = await admin.describeCluster();
  if (brokers.length === 0 || controller === null || controller < 0) process.exit(1);
  await admin.disconnect();
  process.exit(0);
} catch {
  process.exit(1);
}
