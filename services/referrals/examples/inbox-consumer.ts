// Example for a wellbeing area's integrator: read your area's referral inbox and hand each new
// referral to your own case system. Run: node services/referrals/examples/inbox-consumer.ts 13
// (KAFKA_BROKERS, default 127.0.0.1:9092; GROUP, default "example-case-system"; TOPIC_PREFIX, the
// namespace your Silta deployment's topics have on a shared cluster, if any: its SILTA_KAFKA_TOPIC_PREFIX).
//
// What to copy into a real integration:
// - Read only `referrals.inbox.<your area>.v1`; the Kafka ACLs let you read nothing else.
// - Records are CloudEvents 1.0 in binary mode: type `fi.silta.referral.routed.v1`, the value is
//   `silta.referrals.v1.ReferralInboxRecord` (protobuf; the .proto is in proto/silta/referrals/v1).
// - Be idempotent by `ce_id`: after a crash the same record can arrive twice. (Here an in-memory
//   set; in your system, a unique key in the table you write to, in the same transaction.)
// - Commit the offset only after your system stored the referral (kafkajs does this for you
//   when eachMessage returns; throw to have the record delivered again).
// - The record carries the child's henkilötunnus, names and the concern: log none of them.
import { ReferralInboxRecord } from "@silta/contracts/referrals/v1/referrals.ts";
import { Kafka, logLevel } from "kafkajs";

const area = process.argv[2] ?? "13";
const topic = `${process.env.TOPIC_PREFIX ?? ""}referrals.inbox.${area}.v1`;
const kafka = new Kafka({ clientId: "example-case-system", brokers: (process.env.KAFKA_BROKERS ?? "127.0.0.1:9092").split(","), logLevel: logLevel.WARN });
const consumer = kafka.consumer({ groupId: process.env.GROUP ?? "example-case-system" });
const seen = new Set<string>();
const header = (h: Record<string, unknown> | undefined, k: string) => h?.[k]?.toString();

await consumer.connect();
await consumer.subscribe({ topic, fromBeginning: true });
console.log(`reading ${topic}; Ctrl-C to stop`);
await consumer.run({
  eachMessage: async ({ message }) => {
    const id = header(message.headers, "ce_id");
    if (header(message.headers, "ce_type") !== "fi.silta.referral.routed.v1" || !id || !message.value) return;
    if (seen.has(id)) return;
    const r = ReferralInboxRecord.decode(message.value).referral;
    if (!r) return;
    // Hand over to your case system here. The example prints what is safe to print.
    const decision = r.deadlines.find((d) => d.kind === 2);
    console.log(
      `${r.referenceNumber}  id=${r.referralId}  kind=${r.kind}  municipality=${r.homeMunicipalityCode}  child identified=${r.child?.hetu ? "by henkilötunnus" : "otherwise"}` +
        `  decision due ${decision?.dueDate} (strict ${decision?.strictDueDate})${r.linkedReferralIds.length ? `  linked to ${r.linkedReferralIds.length} earlier` : ""}`,
    );
    seen.add(id);
  },
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void consumer.disconnect().then(() => process.exit(0)));
