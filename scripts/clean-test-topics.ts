// Deletes the topics earlier test runs left on the shared local broker (their names carry a run's
// random prefix: `t1a2b3c4d.…`, or a test's `retries-…`, `compat-…`, `bench-…`). Every run makes
// its own (hundreds of partitions a run); kept, they pile up until the broker runs out of file
// handles and stops (seen: ~20,000 partition directories after many runs). The topics of
// `make up` (no such prefix) are kept. Run by scripts/run-tests.mjs before the suite.
import { Kafka, logLevel } from "kafkajs";

const TEST_TOPIC = /^(t[0-9a-f]{8}\.|[a-z]+-[0-9a-f]{10}\.)/;
const brokers = (process.env.SILTA_TEST_KAFKA_BROKERS ?? "127.0.0.1:9092").split(",");
const admin = new Kafka({ clientId: "silta-clean-test-topics", brokers, logLevel: logLevel.NOTHING, retry: { retries: 2 } }).admin();
try {
  await admin.connect();
  const stale = (await admin.listTopics()).filter((t) => TEST_TOPIC.test(t));
  for (let i = 0; i < stale.length; i += 200) await admin.deleteTopics({ topics: stale.slice(i, i + 200), timeout: 60_000 });
  console.log(`deleted ${stale.length} topics of earlier test runs`);
} catch (err) {
  // Never a reason not to run the suite: the broker's own health is the tests' business.
  console.log(`could not delete earlier test topics: ${(err as Error).message}`);
} finally {
  await admin.disconnect().catch(() => undefined);
}
