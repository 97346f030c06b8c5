// Runs the whole vitest suite and ends with the plain line CI reads: "N passed, N failed".
// Two phases: every file in parallel (each on its own databases and topics), then the fault drills
// of tests/resilience one at a time, which stop their own servers and cut their own proxy and
// would slow the parallel files' timing if they ran beside them.
// A file that fails to load counts as a failure, so a broken import cannot pass silently.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const cache = process.env.SILTA_CACHE_DIR ?? join(process.cwd(), ".cache");
const extra = process.argv.slice(2);
const SERIAL = "tests/resilience";

function phase(name, args) {
  const report = join(cache, `vitest-report-${name}.json`);
  rmSync(report, { force: true });
  const run = spawnSync("npx", ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...args], { stdio: "inherit" });
  let passed = 0;
  let failed = 0;
  if (existsSync(report)) {
    const r = JSON.parse(readFileSync(report, "utf8"));
    passed = r.numPassedTests;
    failed = r.numFailedTests;
    // Suites that failed outside any test (import error, beforeAll throwing) add one failure each.
    for (const file of r.testResults ?? []) {
      if (file.status === "failed" && file.assertionResults.every((a) => a.status !== "failed")) failed += 1;
    }
  } else {
    failed = 1;
  }
  if (run.status !== 0 && failed === 0) failed = 1;
  return { passed, failed };
}

// The topics earlier runs left on the shared broker go first (scripts/clean-test-topics.ts).
if (extra.length === 0) spawnSync("node", [join(process.cwd(), "scripts", "clean-test-topics.ts")], { stdio: "inherit" });

// Arguments (a file filter) run as one phase.
const results =
  extra.length > 0 ? [phase("args", extra)] : [phase("parallel", ["--exclude", `${SERIAL}/**`]), phase("serial", [SERIAL, "--no-file-parallelism"])];
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
