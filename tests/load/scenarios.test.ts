// Every k6 scenario of tests/load/k6, one iteration each, against the real system (all six
// services behind the real gateway), without k6: the stand-in (tests/load/standin) runs it in a
// child process with its requests really sent and its own checks asserted, after checking its
// options as k6 would. A scenario with a wrong body, a wrong expected status or a malformed
// threshold fails, as the stand-in's own tests here show.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { captureLogs, uniqueName } from "@silta/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Chain, startWholeChain } from "../support/chain.ts";
import { loadTokens } from "./tokens.ts";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const SCENARIOS = ["intake-burst", "referral-submit", "worklist", "meeting-invitations", "booking-race", "slot-search", "notification-fanout"];
const logs = captureLogs("k6-scenarios", "warn");
let whole: Awaited<ReturnType<typeof startWholeChain>>;
let chain: Chain;
let tokensFile = "";

interface Summary {
  problems: string[];
  errors: string[];
  checks: { name: string; group: string; passed: number; failed: number }[];
  requests: { method: string; name: string; status: number; failed: boolean }[];
}
/** Runs one scenario file with the stand-in in a child process (the servers run in this one, so never block it); its summary and exit code. */
async function run(file: string, env: Record<string, string> = {}): Promise<{ code: number; summary: Summary }> {
  const child = spawn(process.execPath, ["--import", here("standin/register.mjs"), here("standin/run.ts"), file], {
    env: { ...process.env, SILTA_BASE_URL: chain.baseUrl, SILTA_TOKENS_FILE: tokensFile, SILTA_INTAKE_BATCH: "10", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (b: Buffer) => {
    out += b.toString("utf8");
  });
  child.stderr.on("data", (b: Buffer) => {
    err += b.toString("utf8");
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  const code = await new Promise<number>((resolve) => child.on("close", (c) => resolve(c ?? -1)));
  clearTimeout(timer);
  const line = out.trim().split("\n").at(-1) ?? "{}";
  try {
    return { code, summary: JSON.parse(line) as Summary };
  } catch {
    throw new Error(`the stand-in printed no summary (exit ${code}): ${out}\n${err}`);
  }
}

beforeAll(async () => {
  whole = await startWholeChain("k6", { notificationsEnv: { SILTA_NOTIFICATIONS_DELIVERY_INTERVAL_MS: "50" }, logger: logs.logger });
  chain = whole.chain;
  tokensFile = join(mkdtempSync(join(tmpdir(), "silta-k6-")), "tokens.json");
  writeFileSync(tokensFile, JSON.stringify(await loadTokens((c) => chain.token(c))));
}, 120_000);
afterAll(async () => {
  await chain?.stop();
  await whole?.drop();
});

describe("the k6 scenarios, one iteration each through the real gateway", () => {
  it.each(SCENARIOS)(
    "%s: its options are valid k6, and every check of its iteration passes",
    async (name) => {
      const { code, summary } = await run(here(`k6/${name}.ts`));
      expect(summary.problems).toEqual([]);
      expect(summary.errors).toEqual([]);
      expect(
        summary.checks.filter((c) => c.failed > 0),
        JSON.stringify(summary.requests),
      ).toEqual([]);
      expect(summary.checks.length).toBeGreaterThan(0);
      expect(summary.requests.length).toBeGreaterThan(0);
      // No answer other than the ones the scenario expects (a 5xx would be a failed request).
      expect(summary.requests.filter((r) => r.failed || r.status >= 500)).toEqual([]);
      expect(code).toBe(0);
    },
    90_000,
  );
});

describe("the stand-in", () => {
  const written: string[] = [];
  afterAll(() => {
    for (const f of written) rmSync(f, { force: true });
  });
  /** A scenario written next to the real ones (so it imports their lib), removed afterwards. */
  const scenario = (body: string) => {
    const file = join(here("k6"), `.standin-${uniqueName("case")}.ts`);
    writeFileSync(file, body);
    written.push(file);
    return file;
  };
  it("fails a scenario that sends a wrong body, or expects a status the system does not give", async () => {
    const file = scenario(`
      import { check } from "k6";
      import { api, token, tokensFrom } from "./lib/silta.ts";
      const tokens = tokensFrom(open(__ENV.SILTA_TOKENS_FILE));
      export default function () {
        const r = api("POST", "/v1/referrals", token(tokens, "teacher"), { requestId: "x", kind: "NOT_A_KIND" }, "POST /v1/referrals");
        check(r, { "submitted 201": (x) => x.status === 201 });
      }`);
    const { code, summary } = await run(file);
    expect(code).toBe(1);
    expect(summary.checks).toEqual([{ name: "submitted 201", group: "", passed: 0, failed: 1 }]);
    expect(summary.requests.map((r) => r.status)).toEqual([400]);
  });
  it("refuses options k6 would refuse, naming them, and runs nothing", async () => {
    const file = scenario(`
      import http from "k6/http";
      export const options = {
        scenarios: { a: { executor: "ramping-vus", stages: [{ duration: "thirty", target: 5 }], rate: 3 }, b: { executor: "constant-vus", vus: 1, duration: "1m", exec: "missing" } },
        thresholds: { http_req_duration: ["p95 < 500"], "bad name!": ["rate<0.1"] },
      };
      export default function () { http.get(__ENV.SILTA_BASE_URL + "/openapi.json"); }`);
    const { code, summary } = await run(file);
    expect(code).toBe(1);
    expect(summary.requests).toEqual([]);
    expect(summary.problems).toEqual([
      "options.scenarios.a.rate: not a field of ramping-vus",
      'options.scenarios.a.stages[0].duration: a duration like "30s" or "1m30s" (got "thirty")',
      'options.scenarios.b.exec: "missing" is not a function the scenario exports',
      'options.thresholds.http_req_duration: "p95 < 500" is not a threshold (e.g. "p(95)<500", "rate<0.01")',
      'options.thresholds: "bad name!" is not a metric name (with {tag:value} filters)',
    ]);
  });
});
