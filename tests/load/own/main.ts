// `make load`: the project's own load runs, with permissively licensed tools instead of k6 (AGPL)
// and instead of the home-made loop of packages/testing/src/load.ts:
//   - autocannon (npm, MIT), closed loops over HTTP through the gateway: the area's worklist, the
//     notifier's status read, the common-slot search and the morning intake, next to a bare
//     fastify route;
//   - vegeta (go install, MIT), open loops at a constant rate: referral submissions and disclosure
//     checks through the gateway;
//   - ghz (go install, Apache-2.0), consent Check over gRPC straight to the consent service, closed
//     and at a constant rate, next to a bare grpc-js echo.
// Against a system of its own (tests/drills/system.ts: the six services as processes, their own
// databases and topics). The table goes into docs/load-testing.md with the command.
import { type ChildProcess, execFile, fork } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { echoProto, echoServerScript, replaceSection, sharedTestIdentities } from "@silta/testing";
import autocannon from "autocannon";
import { startSystem } from "../../drills/system.ts";
import { personas } from "../../support/personas.ts";
import {
  checkBody,
  educationEvents,
  findTimesBody,
  referralBody,
  seedBusyTimes,
  seedConsentedChild,
  seedReferrals,
  systemApi,
  type Who,
} from "../../support/system-load.ts";

const SECONDS = Number(process.env.LOAD_SECONDS ?? 15);
const root = fileURLToPath(new URL("../../../", import.meta.url));
const bin = (tool: string) => join(process.env.SILTA_CACHE_DIR ?? join(root, ".cache"), "bin", tool);
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "silta-load-"));

// The consent service allows a few checks a minute about one child by one organisation (a privacy
// guard); these runs ask about one child thousands of times, so the limit is lifted for them.
const system = await startSystem({ env: { consent: { SILTA_CONSENT_CHECKS_PER_MINUTE: "100000000" } } });
const children: ChildProcess[] = [];
const forkReady = async (script: string, args: string[]) => {
  const child = fork(script, args, { stdio: ["ignore", "ignore", "inherit", "ipc"] });
  children.push(child);
  return { child, message: await new Promise((r) => child.once("message", r)) };
};

interface Row {
  tool: string;
  mix: string;
  mode: string;
  requests: number;
  failed: string;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}
const rows: Row[] = [];

try {
  const { tokens, must } = await systemApi(system);
  let seq = 0;

  // ---------------------------------------------------------------- seeding, through the API
  process.stderr.write("load: seeding\n");
  const refs = await seedReferrals(must, 100);
  const subjectPseudonym = await seedConsentedChild(must);
  await seedBusyTimes(must);

  // ---------------------------------------------------------------- autocannon: closed loops over HTTP
  const bare = await forkReady(fileURLToPath(new URL("../../bench/bare-route.ts", import.meta.url)), []);
  const bareUrl = `http://127.0.0.1:${(bare.message as { port: number }).port}`;
  const cannon = async (mix: string, connections: number, opts: Partial<autocannon.Options>) => {
    process.stderr.write(`load: autocannon ${mix}\n`);
    const r = await autocannon({ url: system.baseUrl, connections, duration: SECONDS, ...opts } as autocannon.Options);
    const failed = Object.entries(r.statusCodeStats ?? {})
      .filter(([code]) => !code.startsWith("2"))
      .map(([code, v]) => `${code}: ${(v as { count: number }).count}`);
    if (r.errors) failed.push(`errors: ${r.errors}`);
    if (r.timeouts) failed.push(`timeouts: ${r.timeouts}`);
    rows.push({
      tool: "autocannon",
      mix,
      mode: `closed, ${connections} connections`,
      requests: r.requests.total,
      failed: failed.join(", ") || "0",
      perSecond: r.requests.average,
      p50: r.latency.p50,
      p95: r.latency.p97_5,
      p99: r.latency.p99,
      max: r.latency.max,
    });
  };
  const json = (who: Who) => ({ authorization: `Bearer ${tokens[who]}`, "content-type": "application/json" });
  await cannon("bare fastify route (baseline)", 50, { url: `${bareUrl}/bare` });
  await cannon("GET /v1/referrals?areaCode=13 (the area's worklist)", 50, {
    url: `${system.baseUrl}/v1/referrals?areaCode=13&limit=20`,
    headers: { authorization: `Bearer ${tokens.worker13}` },
  });
  await cannon("GET /v1/referral-statuses/{ref} (the notifier's follow-up)", 50, {
    requests: [{ method: "GET", setupRequest: (req) => ({ ...req, path: `/v1/referral-statuses/${refs[seq++ % refs.length]}` }) }],
    headers: { authorization: `Bearer ${tokens.teacher}` },
  });
  const findBody = JSON.stringify(findTimesBody());
  await cannon("POST /v1/meetings/find-times (3 people, 2 weeks)", 8, {
    url: `${system.baseUrl}/v1/meetings/find-times`,
    method: "POST",
    headers: json("worker13"),
    body: findBody,
  });
  await cannon("POST /v1/education-events (batches of 50)", 10, {
    requests: [
      {
        method: "POST",
        path: "/v1/education-events",
        setupRequest: (req) => ({
          ...req,
          body: JSON.stringify({ events: educationEvents(50, "load") }),
        }),
      },
    ],
    headers: json("publisher"),
  });

  // ---------------------------------------------------------------- vegeta: open loops at a constant rate
  const vegeta = async (mix: string, rate: number, target: () => { method: string; path: string; who: Who; body: unknown }) => {
    process.stderr.write(`load: vegeta ${mix} at ${rate}/s\n`);
    const file = join(dir, `targets-${rows.length}.jsonl`);
    const lines = Array.from({ length: Math.ceil(rate * SECONDS * 1.1) + 10 }, () => {
      const t = target();
      return JSON.stringify({
        method: t.method,
        url: system.baseUrl + t.path,
        header: { Authorization: [`Bearer ${tokens[t.who]}`], "Content-Type": ["application/json"] },
        body: Buffer.from(JSON.stringify(t.body)).toString("base64"),
      });
    });
    writeFileSync(file, `${lines.join("\n")}\n`);
    const results = join(dir, `results-${rows.length}.bin`);
    await run(
      bin("vegeta"),
      ["attack", "-format=json", `-targets=${file}`, `-rate=${rate}/1s`, `-duration=${SECONDS}s`, "-timeout=30s", `-output=${results}`],
      {
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    const { stdout } = await run(bin("vegeta"), ["report", "-type=json", results]);
    const r = JSON.parse(stdout) as {
      requests: number;
      rate: number;
      throughput: number;
      latencies: Record<string, number>;
      status_codes: Record<string, number>;
      errors: string[] | null;
    };
    const failed = Object.entries(r.status_codes)
      .filter(([code]) => !code.startsWith("2"))
      .map(([code, n]) => `${code === "0" ? "no answer" : code}: ${n}`);
    const ms = (ns: number | undefined) => (ns ?? Number.NaN) / 1e6;
    rows.push({
      tool: "vegeta",
      mix,
      mode: `open, ${rate}/s`,
      requests: r.requests,
      failed: failed.join(", ") || "0",
      perSecond: r.throughput,
      p50: ms(r.latencies["50th"]),
      p95: ms(r.latencies["95th"]),
      p99: ms(r.latencies["99th"]),
      max: ms(r.latencies.max),
    });
  };
  for (const rate of [20, 60])
    await vegeta("POST /v1/referrals (a teacher's concern)", rate, () => ({
      method: "POST",
      path: "/v1/referrals",
      who: "teacher",
      body: referralBody("load"),
    }));
  await vegeta("POST /v1/disclosure-checks (the school asks)", 200, () => ({
    method: "POST",
    path: "/v1/disclosure-checks",
    who: "teacher",
    body: checkBody(subjectPseudonym),
  }));

  // ---------------------------------------------------------------- ghz: gRPC, closed and at a constant rate
  const ids = await sharedTestIdentities();
  const school = {
    subject: personas.teacher.sub,
    organisationId: personas.teacher.org_id,
    organisationType: "municipality" as const,
    roles: ["teacher"],
    areaCodes: [],
    municipalityCodes: ["297"],
  };
  const proof = await ids.prover.gateway.prove(school, "silta-consent");
  const echoPort = 40000 + Math.floor(Math.random() * 20000);
  await forkReady(echoServerScript, [String(echoPort)]);
  const ghz = async (mix: string, mode: string, args: string[]) => {
    process.stderr.write(`load: ghz ${mix} ${mode}\n`);
    const { stdout } = await run(bin("ghz"), ["--insecure", "--format=json", `--duration=${SECONDS}s`, "--duration-stop=wait", ...args], {
      maxBuffer: 64 * 1024 * 1024,
    });
    const r = JSON.parse(stdout) as {
      count: number;
      rps: number;
      slowest: number;
      latencyDistribution: { percentage: number; latency: number }[] | null;
      statusCodeDistribution: Record<string, number>;
    };
    const at = (p: number) => (r.latencyDistribution?.find((d) => d.percentage === p)?.latency ?? Number.NaN) / 1e6;
    const failed = Object.entries(r.statusCodeDistribution ?? {})
      .filter(([code]) => code !== "OK")
      .map(([code, n]) => `${code}: ${n}`);
    rows.push({
      tool: "ghz",
      mix,
      mode,
      requests: r.count,
      failed: failed.join(", ") || "0",
      perSecond: r.rps,
      p50: at(50),
      p95: at(95),
      p99: at(99),
      max: r.slowest / 1e6,
    });
  };
  const echoArgs = [
    `--proto=${echoProto}`,
    "--call=bench.Echo/Echo",
    "-d",
    JSON.stringify({ data: Buffer.alloc(96, 1).toString("base64") }),
    `127.0.0.1:${echoPort}`,
  ];
  const checkArgs = [
    `--protoset=${join(root, "packages/contracts/src/gen/descriptor.binpb")}`,
    "--call=silta.consent.v1.ConsentService/Check",
    "-d",
    JSON.stringify({
      subject_pseudonym: subjectPseudonym,
      recipient: { organisation_id: personas.teacher.org_id, organisation_type: "ORGANISATION_TYPE_MUNICIPALITY", role: "teacher" },
      purpose: "PURPOSE_SCHOOL_SUPPORT",
      data_category: "DATA_CATEGORY_EDUCATION_EVENTS",
    }),
    "--metadata",
    JSON.stringify({ "x-silta-identity-proof": proof }),
    system.address("consent"),
  ];
  await ghz("bare grpc-js echo (baseline)", "closed, 50 in flight", ["--concurrency=50", ...echoArgs]);
  await ghz("consent Check (ALLOW, audited)", "closed, 50 in flight", ["--concurrency=50", ...checkArgs]);
  await ghz("bare grpc-js echo (baseline)", "open, 300/s", ["--concurrency=50", "--rps=300", ...echoArgs]);
  await ghz("consent Check (ALLOW, audited)", "open, 300/s", ["--concurrency=50", "--rps=300", ...checkArgs]);
} finally {
  for (const c of children) c.kill("SIGTERM");
  await system.stop();
}

const f = (x: number) => (Number.isNaN(x) ? "–" : x >= 100 ? x.toFixed(0) : x.toFixed(1));
// autocannon counts latency in whole milliseconds.
const ms = (r: Row, x: number) => (r.tool === "autocannon" && x < 1 ? "< 1" : f(x));
const body = `### The project's own load runs

Command: \`make load\` (\`node tests/load/own/main.ts\`; \`LOAD_SECONDS\`, default 15 per run), ${new Date().toISOString().slice(0, 16)}Z, ${cpus().length} cores, Node ${process.version}.
The six services run as processes of their own against the shared PostgreSQL, Kafka and Redis, on the same cores as the tools.
Latencies in ms. For autocannon the p95 column is its p97.5 (it reports no p95), in whole milliseconds. ghz waits for the calls in flight when a run's time is up (\`--duration-stop=wait\`). vegeta's and ghz's open loops send at the rate whatever the answers; vegeta adds workers when answers are slow, so the rate holds.

| tool | mix | mode | requests | not 2xx / not OK | per second | p50 | p95 | p99 | max |
|---|---|---|---|---|---|---|---|---|---|
${rows.map((r) => `| ${r.tool} | ${r.mix} | ${r.mode} | ${r.requests} | ${r.failed} | ${f(r.perSecond)} | ${ms(r, r.p50)} | ${ms(r, r.p95)} | ${ms(r, r.p99)} | ${ms(r, r.max)} |`).join("\n")}
`;
const docPath = join(root, "docs/load-testing.md");
writeFileSync(docPath, replaceSection(readFileSync(docPath, "utf8"), "own", body, "load"));
process.stdout.write(body);
const failed = rows.filter((r) => r.failed !== "0");
process.exitCode = failed.length > 0 ? 1 : 0;
