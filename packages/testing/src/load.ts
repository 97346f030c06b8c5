import { type ChildProcess, execFile, fork } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
// The benches' own load loops, kept where autocannon, ghz and vegeta (make load) cannot measure
// the same thing: a closed loop whose operation is a function (a gRPC call with a proof, a booking
// of a distinct time) and whose CPU is read around it, and an open loop whose latency ends where
// the record arrives at a consumer, not where the answer comes back.
// runLoad: `concurrency` workers call `fn` back to back for `durationMs` (after a warm-up),
// recording each latency. Bounded in count and time.
export interface LoadResult {
  calls: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export async function runLoad(
  options: {
    concurrency: number;
    durationMs: number;
    warmupMs?: number;
    maxCalls?: number;
    /** Called when the warm-up is over and the measured calls begin (read CPU here, not before the warm-up). */
    onMeasuring?: () => void;
  },
  fn: () => Promise<unknown>,
): Promise<LoadResult> {
  const warmupEnd = performance.now() + (options.warmupMs ?? 1000);
  while (performance.now() < warmupEnd) await Promise.all(Array.from({ length: options.concurrency }, () => fn().catch(() => undefined)));
  options.onMeasuring?.();
  const latencies: number[] = [];
  let errors = 0;
  const maxCalls = options.maxCalls ?? 2_000_000;
  const start = performance.now();
  const end = start + options.durationMs;
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (performance.now() < end && latencies.length + errors < maxCalls) {
        const t = performance.now();
        try {
          await fn();
          latencies.push(performance.now() - t);
        } catch {
          errors += 1;
        }
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? Number.NaN;
  return {
    calls: latencies.length,
    errors,
    seconds,
    perSecond: latencies.length / seconds,
    p50Ms: q(0.5),
    p99Ms: q(0.99),
    maxMs: latencies.at(-1) ?? Number.NaN,
  };
}

/** Replaces the section between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->` (or appends it). */
export function replaceSection(doc: string, name: string, body: string, kind = "bench"): string {
  const open = `<!-- ${kind}:${name} -->`;
  const close = `<!-- /${kind}:${name} -->`;
  const block = `${open}\n${body.trim()}\n${close}`;
  const i = doc.indexOf(open);
  const j = doc.indexOf(close);
  return i >= 0 && j > i ? doc.slice(0, i) + block + doc.slice(j + close.length) : `${doc.trimEnd()}\n\n${block}\n`;
}

/**
 * An open-loop load: starts `fn` at `ratePerSecond` for `durationMs` whether or not earlier
 * calls finished (as independent notifiers would), then waits for all. Bounded by duration.
 * `fn` gets the time (performance.now()) the call was due: latency is measured from it, not from
 * when the call actually started, so a generator that falls behind cannot hide its own delay.
 * `lagMs` says how late the latest start was.
 */
export async function runRate(
  options: { ratePerSecond: number; durationMs: number },
  fn: (i: number, dueAt: number) => Promise<unknown>,
): Promise<{ started: number; errors: number; seconds: number; lagMs: number }> {
  const interval = 1000 / options.ratePerSecond;
  const total = Math.floor((options.durationMs / 1000) * options.ratePerSecond);
  const start = performance.now();
  const inflight: Promise<unknown>[] = [];
  let errors = 0;
  let lagMs = 0;
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    lagMs = Math.max(lagMs, performance.now() - due);
    inflight.push(
      fn(i, due).catch(() => {
        errors += 1;
      }),
    );
  }
  await Promise.all(inflight);
  return { started: total, errors, seconds: (performance.now() - start) / 1000, lagMs };
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

/**
 * Starts a service's entry point in a child process (for benchmarks: the load generator stays
 * alone in this one) and resolves once its admin `/readyz` answers 200.
 */
export async function forkService(script: string, env: NodeJS.ProcessEnv, adminPort: number, execArgv: string[] = []): Promise<ChildProcess> {
  const child = fork(script, [], {
    execArgv,
    env: { ...process.env, ...env, SILTA_ADMIN_PORT: String(adminPort), SILTA_LOG_LEVEL: "warn" },
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  for (let i = 0; i < 300; i++) {
    if ((await fetch(`http://127.0.0.1:${adminPort}/readyz`).catch(() => undefined))?.ok) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGTERM");
  throw new Error(`${script} did not start`);
}

const TICK_MS = 10; // USER_HZ = 100 on Linux

/**
 * CPU milliseconds used so far by each named part of the system (pids from /proc), and by this
 * process as "load generator". Take it before and after a run; the difference per call says
 * where a call's CPU went on a shared machine (10 ms resolution).
 */
export function cpuNow(parts: Record<string, () => number[]>): Record<string, number> {
  const ms = (pid: number) => {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
      // utime + stime, and cutime + cstime: the CPU of its children that have exited. PostgreSQL's
      // backends come and go; their CPU stays counted in the postmaster's cutime once they are gone.
      return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * TICK_MS;
    } catch {
      return 0;
    }
  };
  const out: Record<string, number> = {};
  for (const [name, pids] of Object.entries(parts)) out[name] = pids().reduce((a, pid) => a + ms(pid), 0);
  const self = process.cpuUsage();
  out["load generator"] = (self.user + self.system) / 1000;
  return out;
}

/** The pids whose command line contains `pattern` (e.g. "postgres", "kafka.Kafka"). */
export const pidsOf = (pattern: string) => (): number[] =>
  readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/cmdline`, "utf8").includes(pattern);
      } catch {
        return false;
      }
    })
    .map(Number);

/** CPU ms per call of each part between two `cpuNow` readings. */
export function cpuPerCall(before: Record<string, number>, after: Record<string, number>, calls: number): Record<string, number> {
  return Object.fromEntries(Object.keys(after).map((k) => [k, ((after[k] ?? 0) - (before[k] ?? 0)) / Math.max(1, calls)]));
}

/** A Go-built load tool of scripts/tools.sh (ghz, vegeta) in the cache dir. */
export const loadTool = (name: "ghz" | "vegeta"): string =>
  join(process.env.SILTA_CACHE_DIR ?? fileURLToPath(new URL("../../../.cache", import.meta.url)), "bin", name);

/**
 * A gRPC load with ghz (Apache-2.0; `scripts/tools.sh ghz`): `concurrency` calls in flight for
 * `seconds` (closed loop), or at `rps` calls a second (open loop), after `warmupSeconds` of the
 * same load that is not counted. `args`: the call, its data and metadata, the proto or protoset
 * and the address, as ghz takes them.
 */
export async function runGhz(
  options: { concurrency: number; seconds: number; rps?: number; warmupSeconds?: number; onMeasuring?: () => void },
  args: string[],
): Promise<LoadResult & { codes: Record<string, number> }> {
  const run = (seconds: number) =>
    promisify(execFile)(
      loadTool("ghz"),
      [
        "--insecure",
        "--format=json",
        `--concurrency=${options.concurrency}`,
        `--duration=${seconds}s`,
        "--duration-stop=wait",
        ...(options.rps ? [`--rps=${options.rps}`] : []),
        ...args,
      ],
      { maxBuffer: 64 * 1024 * 1024 },
    );
  if ((options.warmupSeconds ?? 1) > 0) await run(options.warmupSeconds ?? 1);
  options.onMeasuring?.();
  const r = JSON.parse((await run(options.seconds)).stdout) as {
    count: number;
    total: number;
    rps: number;
    slowest: number;
    latencyDistribution: { percentage: number; latency: number }[] | null;
    statusCodeDistribution: Record<string, number> | null;
  };
  const at = (p: number) => (r.latencyDistribution?.find((d) => d.percentage === p)?.latency ?? Number.NaN) / 1e6;
  const codes = r.statusCodeDistribution ?? {};
  const ok = codes.OK ?? 0;
  return {
    calls: ok,
    errors: r.count - ok,
    seconds: r.total / 1e9,
    perSecond: ok / (r.total / 1e9),
    p50Ms: at(50),
    p99Ms: at(99),
    maxMs: r.slowest / 1e6,
    codes,
  };
}
