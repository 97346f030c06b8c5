// The k6 stand-in's runner: `node --import tests/load/standin/register.mjs tests/load/standin/run.ts <scenario.ts>`
// with the scenario's environment (__ENV is this process's). It checks the scenario's `options`,
// then runs setup(), one iteration of each of its scenarios' functions (or `default`), and
// teardown(), with the requests really sent. It prints one JSON line: the option problems, every
// check (passed/failed), every request (name, status, whether it failed) and any error; it exits
// 1 when an option is wrong, a check failed, or an iteration threw.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { optionProblems } from "./options.ts";
import { state } from "./state.ts";

const file = resolve(process.argv[2] ?? "");
const here = dirname(file);
const g = globalThis as Record<string, unknown>;
g.__ENV = { ...process.env };
g.__VU = 1;
g.__ITER = 0;
// k6's open(): a file read in the init context, relative to the scenario's directory.
g.open = (path: string, mode?: string) => (mode === "b" ? readFileSync(resolve(here, path)) : readFileSync(resolve(here, path), "utf8"));

const errors: string[] = [];
let problems: string[] = [];
try {
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const exported = Object.keys(mod).filter((k) => typeof mod[k] === "function");
  problems = optionProblems(mod.options ?? {}, exported);
  if (problems.length === 0) {
    const data = typeof mod.setup === "function" ? (mod.setup as () => unknown)() : undefined;
    const scenarios = Object.entries(
      ((mod.options as { scenarios?: Record<string, { exec?: string }> })?.scenarios ?? { default: {} }) as Record<string, { exec?: string }>,
    );
    try {
      for (const [name, s] of scenarios) {
        state.scenario = name;
        const fn = mod[s.exec ?? "default"] as (d: unknown) => void;
        try {
          fn(data);
        } catch (e) {
          errors.push(`${name}: ${(e as Error).message}`);
        }
      }
    } finally {
      if (typeof mod.teardown === "function") {
        try {
          (mod.teardown as (d: unknown) => void)(data);
        } catch (e) {
          errors.push(`teardown: ${(e as Error).message}`);
        }
      }
    }
  }
} catch (e) {
  errors.push((e as Error).stack ?? String(e));
}
const checks = [...state.checks.values()];
const summary = {
  scenario: file,
  problems,
  errors,
  checks,
  requests: state.requests.map(({ method, name, status, failed, group, error, body }) => ({
    method,
    name,
    status,
    failed,
    group,
    ...(error ? { error } : {}),
    ...(body ? { body } : {}),
  })),
  metrics: Object.fromEntries([...state.metrics].map(([k, v]) => [k, { type: v.type, count: v.values.length }])),
};
process.stdout.write(`${JSON.stringify(summary)}\n`);
process.exit(problems.length > 0 || errors.length > 0 || checks.some((c) => c.failed > 0) || checks.length === 0 ? 1 : 0);
