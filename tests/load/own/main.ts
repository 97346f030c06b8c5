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
import { echoProto, echoServerScript, freshHetu, replaceSection, sharedTestIdentities } from "@silta/testing";
import autocannon from "autocannon";
import { startSystem } from "../../drills/system.ts";
import { personas } from "../../support/personas.ts";

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
  const tokens = Object.fromEntries(await Promise.all(Object.entries(personas).map(async ([k, c]) => [k, await system.token(c)]))) as Record<
    keyof typeof personas,
    string
  >;
  const api = async (method: string, path: string, who: keyof typeof personas, body?: unknown) => {
    const r = await fetch(system.baseUrl + path, {
      method,
      headers: { authorization: `Bearer ${tokens[who]}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await r.json().catch(() => ({}))) as Record<string, unknown>;
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(json).slice(0, 300)}`);
    return json;
  };
  let seq = 0;
  const letters = (n: number) => [...String(n)].map((d) => String.fromCharCode(97 + Number(d))).join("");
  const stamp = letters(Date.now() % 1e9);
  const referralBody = () => ({
    requestId: `load-${stamp}-${letters(++seq)}`,
    kind: "REFERRAL_KIND_CHILD_WELFARE_NOTIFICATION",
    notifier: {
      type: "NOTIFIER_TYPE_MANDATORY_PROFESSIONAL",
      organisationId: personas.teacher.org_id,
      role: "teacher",
      name: "Kuorma Opettaja",
      email: "opettaja@kuopio.example",
    },
    child: { hetu: freshHetu(), givenNames: "Testi", familyName: "Kuorma" },
    homeMunicipalityCode: "297",
    concern: "Load run concern.",
  });
  const weekdayAhead = (days: number) => {
    const d = new Date(Date.now() + days * 86_400_000);
    while (d.getUTCDay() === 0 || d.getUTCDay() === 6) d.setUTCDate(d.getUTCDate() + 1);
    return d.toISOString().slice(0, 10);
  };

  // ---------------------------------------------------------------- seeding, through the API
  process.stderr.write("load: seeding\n");
  const refs: string[] = [];
  for (let i = 0; i < 100; i++)
    refs.push(((await api("POST", "/v1/referrals", "teacher", referralBody())).receipt as { referenceNumber: string }).referenceNumber);
  const first = ((await api("GET", "/v1/referrals?areaCode=13&limit=1", "worker13")).referrals as { referralId: string }[])[0];
  const subjectPseudonym = ((await api("GET", `/v1/referrals/${first?.referralId}`, "worker13")).referral as { subjectPseudonym: string }).subjectPseudonym;
  await api("POST", "/v1/consents", "worker13", {
    subjectPseudonym,
    areaCode: "13",
    givenBy: [{ role: "GIVER_ROLE_CUSTODIAN", personRef: "guardian-1" }],
    childViewRecorded: true,
    childBirthDate: "2015-03-14",
    recipients: [{ organisationId: personas.teacher.org_id, organisationType: "ORGANISATION_TYPE_MUNICIPALITY" }],
    purposes: ["PURPOSE_SCHOOL_SUPPORT"],
    dataCategories: ["DATA_CATEGORY_EDUCATION_EVENTS"],
    validUntil: new Date(Date.now() + 365 * 86_400_000).toISOString(),
    obtainedBy: "OBTAINED_BY_WRITTEN",
  });
  const people = [
    { persona: "worker13", organisationId: personas.worker13.org_id, personRef: personas.worker13.sub, required: true },
    { persona: "specialist13", organisationId: personas.specialist13.org_id, personRef: personas.specialist13.sub, required: true },
    { persona: "teacher", organisationId: personas.teacher.org_id, personRef: personas.teacher.sub, required: false },
  ] as const;
  const from = new Date(`${weekdayAhead(7)}T06:00:00Z`);
  for (const [i, p] of people.entries()) {
    const blocks = Array.from({ length: 10 }, (_, d) => {
      const s = new Date(from.getTime() + d * 86_400_000 + (2 + i) * 3_600_000);
      return { start: s.toISOString(), end: new Date(s.getTime() + 2 * 3_600_000).toISOString(), kind: "BUSY_KIND_BUSY" };
    });
    await api("POST", "/v1/meetings/busy", p.persona, {
      personRef: p.personRef,
      from: from.toISOString(),
      to: new Date(from.getTime() + 14 * 86_400_000).toISOString(),
      blocks,
    });
  }

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
  const json = (who: keyof typeof personas) => ({ authorization: `Bearer ${tokens[who]}`, "content-type": "application/json" });
  await cannon("bare fastify route (baseline)", 50, { url: `${bareUrl}/bare` });
  await cannon("GET /v1/referrals?areaCode=13 (the area's worklist)", 50, {
    url: `${system.baseUrl}/v1/referrals?areaCode=13&limit=20`,
    headers: { authorization: `Bearer ${tokens.worker13}` },
  });
  await cannon("GET /v1/referral-statuses/{ref} (the notifier's follow-up)", 50, {
    requests: [{ method: "GET", setupRequest: (req) => ({ ...req, path: `/v1/referral-statuses/${refs[seq++ % refs.length]}` }) }],
    headers: { authorization: `Bearer ${tokens.teacher}` },
  });
  const findBody = JSON.stringify({
    participants: people.map(({ organisationId, personRef, required }) => ({ organisationId, personRef, required })),
    fromDate: weekdayAhead(7),
    toDate: weekdayAhead(21),
    lengthMinutes: 90,
    familyWindows: [
      { weekday: 2, start: "12:00", end: "17:00" },
      { weekday: 4, start: "08:00", end: "12:00" },
    ],
    limit: 10,
  });
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
          body: JSON.stringify({
            events: Array.from({ length: 50 }, () => ({
              eventId: `load-${stamp}-${letters(++seq)}`,
              municipalityCode: "297",
              unitId: "school-297-1",
              pupilId: `pupil-${letters(seq % 5000)}`,
              pupilHetu: freshHetu(),
              level: "EDUCATION_LEVEL_BASIC_EDUCATION",
              occurredOn: "2026-11-30",
              attendance: { kind: "ABSENCE_KIND_RECURRING", absentDays: 6, periodStart: "2026-10-01", periodEnd: "2026-10-31" },
            })),
          }),
        }),
      },
    ],
    headers: json("publisher"),
  });

  // ---------------------------------------------------------------- vegeta: open loops at a constant rate
  const vegeta = async (mix: string, rate: number, target: () => { method: string; path: string; who: keyof typeof personas; body: unknown }) => {
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
    await vegeta("POST /v1/referrals (a teacher's concern)", rate, () => ({ method: "POST", path: "/v1/referrals", who: "teacher", body: referralBody() }));
  const checkBody = {
    subjectPseudonym,
    recipient: { organisationId: personas.teacher.org_id, organisationType: "ORGANISATION_TYPE_MUNICIPALITY", role: "teacher" },
    purpose: "PURPOSE_SCHOOL_SUPPORT",
    dataCategory: "DATA_CATEGORY_EDUCATION_EVENTS",
  };
  await vegeta("POST /v1/disclosure-checks (the school asks)", 200, () => ({ method: "POST", path: "/v1/disclosure-checks", who: "teacher", body: checkBody }));

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
