// `make drills`: each service of the running system killed with SIGKILL once, under a steady mixed
// load through the gateway, and started again; then the reckoning over the whole run. The table
// goes into docs/reliability.md with the command that produced it.
import { readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { replaceSection } from "@silta/testing";
import { type DrillResult, drill, reckon, setIntakeDesk } from "./drill.ts";
import { SERVICES, startSystem } from "./system.ts";

const DURATION = Number(process.env.DRILL_SECONDS ?? 12) * 1000;
const system = await startSystem();
const accepted = new Map<string, string>();
const results: DrillResult[] = [];
try {
  await setIntakeDesk(system);
  for (const service of SERVICES) {
    process.stderr.write(`drill: kill -9 ${service}\n`);
    results.push(await drill(system, service, accepted, { durationMs: DURATION, killAtMs: DURATION / 3, workers: 4 }));
  }
  const r = await reckon(system, accepted);
  const fmt = (o: Record<string, number>) =>
    Object.entries(o)
      .sort()
      .map(([k, v]) => `${k}: ${v}`)
      .join(", ");
  const body = `### Each service killed with SIGKILL under load

Command: \`make drills\` (\`node tests/drills/main.ts\`; \`DRILL_SECONDS\`, default 12 per service), ${new Date().toISOString().slice(0, 16)}Z, ${cpus().length} cores, Node ${process.version}.
The six services run as processes of their own against the shared Kafka, PostgreSQL and Redis. For each: 4 clients submit referrals through the gateway (each retrying with the same idempotency key after a 503, a 429 or a broken connection, as a well-behaved client does) and one client reads through each service in turn; a third of the way in the service is killed with SIGKILL and started again at once.

| killed | requests | referrals accepted (201) | answers from the kill until ready (+0.5 s) | ready after | first 2xx through it after | unexpected answers |
|---|---|---|---|---|---|---|
${results.map((d) => `| ${d.service} | ${d.requests} | ${d.accepted} | ${fmt(d.duringFault)} | ${d.readyMs} ms | ${Number.isNaN(d.servingMs) ? "–" : `${d.servingMs} ms`} | ${d.unexpected.length === 0 ? "none" : d.unexpected.slice(0, 5).join("; ")} |`).join("\n")}

Over the whole run (every drill):

| accepted (201) | stored | published (distinct ce_id per referral) | told to the intake desk | visible duplicates | redelivered records (same ce_id) | lost |
|---|---|---|---|---|---|---|
| ${r.accepted} | ${r.stored} | ${r.published} | ${r.toldIntakeDesk} | ${r.visibleDuplicates} | ${r.redelivered} | ${r.lost.length} |

"connection" is a broken or refused connection: only a killed gateway may cause one, and its clients retried with their keys (the stored and lost columns show what that cost: nothing).
`;
  const path = fileURLToPath(new URL("../../docs/reliability.md", import.meta.url));
  const doc = readFileSync(path, "utf8");
  writeFileSync(path, replaceSection(doc, "kills", body, "drills"));
  process.stdout.write(body);
  const failed = results.some((d) => d.unexpected.length > 0) || r.lost.length > 0 || r.visibleDuplicates > 0 || r.stored !== r.accepted;
  process.exitCode = failed ? 1 : 0;
} finally {
  await system.stop();
}
