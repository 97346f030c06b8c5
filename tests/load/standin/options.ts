// What k6 would refuse in a scenario's `options` before running it: an unknown executor, a
// missing or malformed field of one, a stage's duration, a threshold expression, an `exec` that
// names no exported function. The stand-in checks them so a scenario a load tester runs with
// their own k6 does not fail at its first line.
const DURATION = /^(\d+(\.\d+)?(ms|s|m|h))+$/;
const THRESHOLD = /^\s*(avg|min|max|med|count|rate|value|p\(\d+(\.\d+)?\))\s*(<|<=|>|>=|===|==|!=)\s*-?\d+(\.\d+)?\s*$/;
const METRIC = /^[A-Za-z_][A-Za-z0-9_]*(\{[^{}]+\})?$/;

const EXECUTORS: Record<string, { required: string[]; optional: string[] }> = {
  "shared-iterations": { required: ["vus", "iterations"], optional: ["maxDuration"] },
  "per-vu-iterations": { required: ["vus", "iterations"], optional: ["maxDuration"] },
  "constant-vus": { required: ["vus", "duration"], optional: [] },
  "ramping-vus": { required: ["stages"], optional: ["startVUs", "gracefulRampDown"] },
  "constant-arrival-rate": { required: ["rate", "timeUnit", "duration", "preAllocatedVUs"], optional: ["maxVUs"] },
  "ramping-arrival-rate": { required: ["stages", "timeUnit", "preAllocatedVUs"], optional: ["startRate", "maxVUs"] },
  "externally-controlled": { required: ["vus", "duration"], optional: ["maxVUs"] },
};
const COMMON = ["executor", "exec", "startTime", "gracefulStop", "env", "tags", "options"];

export function optionProblems(options: unknown, exported: string[]): string[] {
  const p: string[] = [];
  if (typeof options !== "object" || options === null) return ["options: an object"];
  const o = options as Record<string, unknown>;
  const duration = (where: string, v: unknown) => {
    if (typeof v !== "string" || !DURATION.test(v)) p.push(`${where}: a duration like "30s" or "1m30s" (got ${JSON.stringify(v)})`);
  };
  const stages = (where: string, v: unknown, field: "target") => {
    if (!Array.isArray(v) || v.length === 0) return p.push(`${where}: a non-empty list of stages`);
    v.forEach((s: Record<string, unknown>, i) => {
      duration(`${where}[${i}].duration`, s?.duration);
      if (typeof s?.[field] !== "number" || (s[field] as number) < 0) p.push(`${where}[${i}].${field}: a number ≥ 0`);
    });
  };
  if (o.stages !== undefined) stages("options.stages", o.stages, "target");
  if (o.scenarios !== undefined) {
    if (typeof o.scenarios !== "object" || o.scenarios === null) p.push("options.scenarios: an object");
    for (const [name, raw] of Object.entries((o.scenarios ?? {}) as Record<string, Record<string, unknown>>)) {
      const where = `options.scenarios.${name}`;
      const e = EXECUTORS[String(raw.executor)];
      if (!e) {
        p.push(`${where}.executor: one of ${Object.keys(EXECUTORS).join(", ")}`);
        continue;
      }
      for (const f of e.required) if (raw[f] === undefined) p.push(`${where}.${f}: required by ${raw.executor}`);
      for (const f of Object.keys(raw)) if (![...e.required, ...e.optional, ...COMMON].includes(f)) p.push(`${where}.${f}: not a field of ${raw.executor}`);
      for (const f of ["duration", "timeUnit", "maxDuration", "startTime", "gracefulStop", "gracefulRampDown"])
        if (raw[f] !== undefined) duration(`${where}.${f}`, raw[f]);
      if (raw.stages !== undefined) stages(`${where}.stages`, raw.stages, "target");
      for (const f of ["vus", "iterations", "rate", "preAllocatedVUs", "maxVUs", "startVUs", "startRate"])
        if (raw[f] !== undefined && (typeof raw[f] !== "number" || !Number.isInteger(raw[f]) || (raw[f] as number) < 0))
          p.push(`${where}.${f}: a whole number ≥ 0`);
      const exec = raw.exec === undefined ? "default" : String(raw.exec);
      if (!exported.includes(exec)) p.push(`${where}.exec: "${exec}" is not a function the scenario exports`);
    }
  }
  if (o.thresholds !== undefined) {
    for (const [metric, list] of Object.entries(o.thresholds as Record<string, unknown>)) {
      if (!METRIC.test(metric)) p.push(`options.thresholds: "${metric}" is not a metric name (with {tag:value} filters)`);
      if (!Array.isArray(list) || list.length === 0) {
        p.push(`options.thresholds.${metric}: a non-empty list`);
        continue;
      }
      for (const t of list) {
        const expr = typeof t === "string" ? t : (t as { threshold?: unknown })?.threshold;
        if (typeof expr !== "string" || !THRESHOLD.test(expr))
          p.push(`options.thresholds.${metric}: "${String(expr)}" is not a threshold (e.g. "p(95)<500", "rate<0.01")`);
      }
    }
  }
  return p;
}
