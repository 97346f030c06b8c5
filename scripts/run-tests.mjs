// Runs the whole vitest suite and ends with the plain line CI reads: "N passed, N failed".
// A file that fails to load counts as a failure, so a broken import cannot pass silently.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const cache = process.env.SILTA_CACHE_DIR ?? join(process.cwd(), ".cache");
const report = join(cache, "vitest-report.json");
rmSync(report, { force: true });
const args = ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...process.argv.slice(2)];
const run = spawnSync("npx", args, { stdio: "inherit" });

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
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || run.status !== 0 ? 1 : 0);
