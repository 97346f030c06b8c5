// `make drills`: under a steady mixed load through the gateway, each service of the running system
// killed with SIGKILL once and started again; then the shared servers failed one at a time: the
// Kafka broker killed with SIGKILL and restarted, PostgreSQL stopped (fast, then immediate) and
// started, Redis flushed and restarted. Then the reckoning over the whole run. The table goes into
// docs/reliability.md with the command that produced it. `DRILLS=kafka-kill,redis-flush` runs some.
import { readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { createKafka } from "@silta/events";
import { createLogger } from "@silta/platform";
import { replaceSection, testEnv } from "@silta/testing";
import { type DrillResult, drill, type Fault, infraFault, newAccepted, prepareDrills, reckon, serviceKill } from "./drill.ts";
import { SERVICES, startSystem } from "./system.ts";

const DURATION = Number(process.env.DRILL_SECONDS ?? 12) * 1000;
const FAULTS: Fault[] = [
  ...SERVICES.map(serviceKill),
  infraFault("kafka-kill"),
  infraFault("postgres-fast"),
  infraFault("postgres-immediate"),
  infraFault("redis-flush"),
].filter((f) => !process.env.DRILLS || process.env.DRILLS.split(",").includes(f.name));
const system = await startSystem();
const partitions = await brokerPartitions();
const accepted = newAccepted();
const results: DrillResult[] = [];
try {
  const freeTimes = await prepareDrills(system, { specialists: 8 });
  for (const fault of FAULTS) {
    process.stderr.write(`drill: ${fault.name}\n`);
    results.push(await drill(system, fault, accepted, { durationMs: DURATION, killAtMs: DURATION / 3, workers: 4, freeTimes }));
  }
  const r = await reckon(system, accepted);
  const fmt = (o: Record<string, number>) =>
    Object.entries(o)
      .sort()
      .map(([k, v]) => `${k}: ${v}`)
      .join(", ");
  const what: Record<string, string> = {
    "kafka-kill": "the Kafka broker (SIGKILL, restarted)",
    "postgres-fast": "PostgreSQL (fast shutdown, started)",
    "postgres-immediate": "PostgreSQL (immediate shutdown: crash recovery on start)",
    "redis-flush": "Redis (FLUSHALL, shut down, started empty)",
  };
  const body = `### Each service killed with SIGKILL, and each shared server failed, under load

Command: \`make drills\` (\`node tests/drills/main.ts\`; \`DRILL_SECONDS\`, default 12 per drill), ${new Date().toISOString().slice(0, 16)}Z, ${cpus().length} cores, Node ${process.version}.
The six services run as processes of their own against the shared Kafka, PostgreSQL and Redis. In each drill, 4 clients submit referrals through the gateway. Each retries with the same idempotency key after a 503, a 429 or a broken connection, as a well-behaved client does. A worker books specialists' free 15-minute times one after another, retrying each with its request id the same way. A municipal system posts batches of 10 education events, and retries a batch with the same event ids. One client reads through each service in turn.
A third of the way in, the part is failed and brought back at once: a service with SIGKILL and a start; a shared server with \`scripts/infra.sh fault <drill>\`.

| failed | requests | referrals accepted (201) | bookings accepted (201) | education events accepted | answers from the fault until it is back (+0.5 s) | slowest answer while it was down | back after | first 2xx of its route after | unexpected answers |
|---|---|---|---|---|---|---|---|---|---|
${results.map((d) => `| ${what[d.service] ?? d.service} | ${d.requests} | ${d.accepted} | ${d.bookingsAccepted} | ${d.eventsAccepted} | ${fmt(d.duringFault)} | ${d.slowestDuringFaultMs} ms | ${d.readyMs} ms | ${Number.isNaN(d.servingMs) ? "–" : `${d.servingMs} ms`} | ${d.unexpected.length === 0 ? "none" : d.unexpected.slice(0, 5).join("; ")} |`).join("\n")}

"Back after" is, for a service, the time from the SIGKILL until its \`/readyz\` answers 200; for a shared server, until \`scripts/infra.sh\` has it answering again (the broker held ${partitions} partitions; it reads each one's log on start). The route whose first 2xx is timed is the service's own read, or for the Kafka broker the education-event intake (which produces to Kafka while the client waits), or for PostgreSQL and Redis a referral's submission.

Over the whole run (every drill):

| | accepted | stored | published (distinct ce_id) | told (an in-app item) | visible duplicates | redelivered records (same ce_id) | lost |
|---|---|---|---|---|---|---|---|
| referrals (told: the intake desk) | ${r.accepted} | ${r.stored} | ${r.published} | ${r.toldIntakeDesk} | ${r.visibleDuplicates} | ${r.redelivered} | ${r.lost.length} |
| bookings (told: the specialist) | ${r.bookings.accepted} | ${r.bookings.stored} | ${r.bookings.published} | ${r.bookings.toldSpecialist} | ${r.bookings.visibleDuplicates} | – | ${r.bookings.lost} |
| education events | ${r.events.accepted} | – | ${r.events.onTopic} | – | 0 (ce_id is the event's own) | ${r.events.redelivered} | ${r.events.lost} |

"connection" is a broken or refused connection: only a killed gateway may cause one, and its clients retried with their keys (the stored and lost columns show what that cost: nothing).
`;
  const path = fileURLToPath(new URL("../../docs/reliability.md", import.meta.url));
  const doc = readFileSync(path, "utf8");
  writeFileSync(path, replaceSection(doc, "kills", body, "drills"));
  process.stdout.write(body);
  const failed =
    results.some((d) => d.unexpected.length > 0) ||
    r.lost.length > 0 ||
    r.visibleDuplicates > 0 ||
    r.stored !== r.accepted ||
    r.events.lost > 0 ||
    r.bookings.lost > 0 ||
    r.bookings.visibleDuplicates > 0 ||
    r.bookings.published !== r.bookings.accepted ||
    r.bookings.toldSpecialist !== r.bookings.accepted;
  process.exitCode = failed ? 1 : 0;
} finally {
  await system.stop();
}

async function brokerPartitions(): Promise<number> {
  const admin = createKafka({ brokers: testEnv.kafkaBrokers, clientId: "drill-count", logger: createLogger({ service: "drill", level: "error" }) }).admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata();
    return topics.reduce((n, t) => n + t.partitions.length, 0);
  } finally {
    await admin.disconnect();
  }
}
