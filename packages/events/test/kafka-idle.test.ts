// An idle Kafka client must not keep its process busy. kafkajs 2.2.4 re-arms a timer with a
// negative delay (clamped to 1 ms) on every broker connection whenever nothing is pending, so an
// idle service woke ~1,000 times a second per connection; patches/kafkajs+2.2.4.patch fixes it.
// The client runs in a child process, so that its timers are counted alone and Node's warnings
// are seen as a user would see them (no NODE_OPTIONS silencing anything).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { testEnv } from "@silta/testing";
import { describe, expect, it } from "vitest";

const child = `
import { Kafka, logLevel } from "kafkajs";
const warnings = [];
process.on("warning", (w) => warnings.push(w.name));
const kafka = new Kafka({ clientId: "idle-test", brokers: process.env.BROKERS.split(","), logLevel: logLevel.NOTHING });
const producer = kafka.producer();
const admin = kafka.admin();
await producer.connect();
await admin.connect();
await admin.listTopics();
const real = globalThis.setTimeout;
let timers = 0;
globalThis.setTimeout = (...args) => { timers += 1; return real(...args); };
await new Promise((r) => real(r, 1000));
globalThis.setTimeout = real;
await producer.disconnect();
await admin.disconnect();
console.log(JSON.stringify({ timers, warnings }));
`;

describe("an idle Kafka client (patches/kafkajs+2.2.4.patch)", () => {
  it("arms almost no timers in a second of idleness, and Node warns of no negative timeout", () => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? "", BROKERS: testEnv.kafkaBrokers.join(",") };
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", child], {
      cwd: fileURLToPath(new URL("..", import.meta.url)),
      env,
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const { timers, warnings } = JSON.parse(r.stdout.trim().split("\n").at(-1) ?? "{}") as { timers: number; warnings: string[] };
    // Unpatched: about 1,000 per connection (three here: producer, admin, their shared broker pool).
    expect(timers).toBeLessThan(50);
    expect(warnings).not.toContain("TimeoutNegativeWarning");
  });
});
