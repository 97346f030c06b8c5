// Kafka over TLS with client-certificate authentication, as on a Strimzi cluster: the broker
// `make infra-up` runs has such a listener (scripts/infra.sh), and the services' settings
// (SILTA_KAFKA_TLS_*) reach it through createKafka.
import { join } from "node:path";
import { captureLogs, createTestPki, testEnv, uniqueName, waitFor } from "@silta/testing";
import { describe, expect, it } from "vitest";
import { createKafka, kafkaSettingsOf } from "../src/kafka.ts";
import { createEventProducer } from "../src/producer.ts";
import { ensureTopics } from "../src/topics.ts";

const { logger } = captureLogs();
const tls = (file: string) => join(testEnv.kafkaTlsDir, file);
const plain = createKafka({ brokers: testEnv.kafkaBrokers, clientId: "tls-test-plain", logger });

describe("Kafka over TLS with a client certificate (SILTA_KAFKA_TLS_*)", () => {
  it("publishes through the TLS listener with the cluster CA and the service's certificate", async () => {
    const topic = `${uniqueName("tls").replace("_", "-")}.thing.v1`;
    await ensureTopics(plain, [{ name: topic, partitions: 1 }]);
    const settings = kafkaSettingsOf({
      SILTA_KAFKA_BROKERS: testEnv.kafkaTlsBrokers,
      SILTA_KAFKA_TLS_CA_FILE: tls("ca.crt"),
      SILTA_KAFKA_TLS_CERT_FILE: tls("client.crt"),
      SILTA_KAFKA_TLS_KEY_FILE: tls("client.key"),
    });
    const producer = await createEventProducer(createKafka({ ...settings, clientId: "tls-test", logger }));
    await producer.publish([
      {
        topic,
        key: "k1",
        event: {
          id: "tls-1",
          type: "fi.silta.test.v1",
          source: "/test",
          time: new Date().toISOString(),
          contentType: "application/json",
          data: Buffer.from("{}"),
        },
      },
    ]);
    await producer.disconnect();

    const consumer = plain.consumer({ groupId: uniqueName("tls-read") });
    const got: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void got.push(message.headers?.ce_id?.toString() ?? "") });
    await waitFor(() => got.length === 1, { what: "the record sent over TLS", timeoutMs: 30_000 });
    expect(got).toEqual(["tls-1"]);
    await consumer.disconnect();
  });

  it("is refused by the broker with a certificate of another CA", async () => {
    const pki = createTestPki();
    const settings = kafkaSettingsOf({
      SILTA_KAFKA_BROKERS: testEnv.kafkaTlsBrokers,
      SILTA_KAFKA_TLS_CA_FILE: tls("ca.crt"),
      SILTA_KAFKA_TLS_CERT_FILE: pki.rogue.certFile,
      SILTA_KAFKA_TLS_KEY_FILE: pki.rogue.keyFile,
    });
    const admin = createKafka({ ...settings, clientId: "tls-rogue", logger }).admin();
    // The broker's TLS alert, not any failure (a listener that is down would refuse the connection instead).
    await expect(admin.connect().then(() => admin.listTopics())).rejects.toThrow(/alert certificate unknown/);
    await admin.disconnect().catch(() => undefined);
  }, 60_000);

  it("refuses a certificate without its key at start", () => {
    expect(() => kafkaSettingsOf({ SILTA_KAFKA_BROKERS: ["x:1"], SILTA_KAFKA_TLS_CERT_FILE: tls("client.crt") })).toThrow(
      /SILTA_KAFKA_TLS_CERT_FILE and SILTA_KAFKA_TLS_KEY_FILE go together/,
    );
  });
});
