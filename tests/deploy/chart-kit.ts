// Rendering and validating the Helm chart offline (no cluster): `helm lint --strict`,
// `helm template`, kubeconform against Kubernetes' strict JSON schemas (from the PyPI package
// kubernetes-validate, fetched by scripts/tools.sh), and the custom resources (Strimzi
// KafkaTopic/KafkaUser, prometheus-operator ServiceMonitor, cert-manager Certificate) against their CRD schemas from the
// @kubernetes-models packages, plus an unknown-key check those schemas do not make.
// Used by `make chart-check` (chart-check.ts) and by the tests in this folder.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { parseAllDocuments } from "yaml";

export const root = fileURLToPath(new URL("../..", import.meta.url));
export const chartDir = join(root, "charts/silta");
const cache = process.env.SILTA_CACHE_DIR ?? join(root, ".cache");
export const helmBin = join(cache, "bin/helm");
export const kubeconformBin = join(cache, "bin/kubeconform");
export const K8S_VERSION = "1.34.0";
const schemaDir = join(cache, `k8s-schemas/v${K8S_VERSION}-local-strict`);

/** The values files every check renders: the chart's defaults, each party's, and everything on. */
export const valuesSets: { name: string; files: string[] }[] = [
  { name: "defaults", files: [] },
  { name: "municipality", files: [join(root, "deploy/municipality.yaml")] },
  { name: "wellbeing-area", files: [join(root, "deploy/wellbeing-area.yaml")] },
  { name: "ngo", files: [join(root, "deploy/ngo.yaml")] },
  { name: "all-enabled", files: [join(chartDir, "ci/all-enabled.yaml")] },
];

export function toolsMissing(): string[] {
  return [helmBin, kubeconformBin, join(schemaDir, "_definitions.json")].filter((p) => !existsSync(p));
}

export interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], input?: string): Run {
  const r = spawnSync(cmd, args, { encoding: "utf8", input, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

const valueArgs = (files: string[], set: string[] = []) => [...files.flatMap((f) => ["-f", f]), ...set.flatMap((s) => ["--set", s])];

export const helmLint = (files: string[], set: string[] = []): Run => run(helmBin, ["lint", "--strict", chartDir, ...valueArgs(files, set)]);

export const helmTemplate = (files: string[], set: string[] = []): Run =>
  run(helmBin, ["template", "silta", chartDir, "--namespace", "silta", "--kube-version", K8S_VERSION, ...valueArgs(files, set)]);

// biome-ignore lint/suspicious/noExplicitAny: rendered manifests are untyped JSON, read by tests
type Json = any;
export type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Json;
  data?: Record<string, string>;
} & Record<string, Json>;

export function parseManifests(yamlText: string): Manifest[] {
  return parseAllDocuments(yamlText)
    .map((d) => {
      if (d.errors.length > 0) throw new Error(`rendered YAML does not parse: ${d.errors[0]?.message}`);
      return d.toJS() as Manifest | null;
    })
    .filter((m): m is Manifest => m !== null && typeof m === "object");
}

/**
 * The NOTES.txt `helm install` would print (helm template leaves it out, and install needs a
 * cluster): a copy of the chart renders it into a ConfigMap through `tpl`. A NOTES.txt that fails
 * to render would fail the install, so this renders it for each party.
 */
export function renderNotes(files: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "silta-notes-"));
  try {
    cpSync(chartDir, join(dir, "silta"), { recursive: true });
    const copy = join(dir, "silta");
    renameSync(join(copy, "templates/NOTES.txt"), join(copy, "notes.txt"));
    writeFileSync(
      join(copy, "templates/zz-notes.yaml"),
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: notes }\ndata:\n  notes: {{ tpl (.Files.Get "notes.txt") . | toJson }}\n',
    );
    const r = run(helmBin, ["template", "silta", copy, "--namespace", "silta", "--show-only", "templates/zz-notes.yaml", ...valueArgs(files)]);
    if (r.status !== 0) throw new Error(`NOTES.txt does not render: ${r.stderr}`);
    return (parseManifests(r.stdout)[0]?.data?.notes ?? "") as string;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function render(files: string[], set: string[] = []): Manifest[] {
  const r = helmTemplate(files, set);
  if (r.status !== 0) throw new Error(`helm template failed: ${r.stderr}`);
  return parseManifests(r.stdout);
}

const CUSTOM_KINDS = ["KafkaTopic", "KafkaUser", "ServiceMonitor", "PrometheusRule", "Certificate"];

/** kubeconform over the rendered text: Kubernetes kinds against the strict schemas. */
export function kubeconform(manifestText: string): Run & { problems: string[] } {
  const r = run(
    kubeconformBin,
    [
      "-strict",
      "-summary",
      "-output",
      "text",
      "-skip",
      CUSTOM_KINDS.join(","),
      "-schema-location",
      join(schemaDir, "{{ .ResourceKind }}{{ .KindSuffix }}.json"),
      "-",
    ],
    manifestText,
  );
  const problems = r.stdout.split("\n").filter((l) => /is invalid|failed validation|could not find schema/.test(l));
  return { ...r, problems };
}

// The custom resources: each model's compiled CRD schema, and a strict unknown-key walk over the
// model's type declarations (the CRD schemas accept any extra key; Kubernetes would drop it silently).
const models: Record<string, { module: string; className: string; dts: string }> = {
  "kafka.strimzi.io/v1/KafkaTopic": {
    module: "@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/v1/KafkaTopic",
    className: "KafkaTopic",
    dts: "IKafkaTopic",
  },
  "kafka.strimzi.io/v1/KafkaUser": {
    module: "@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/v1/KafkaUser",
    className: "KafkaUser",
    dts: "IKafkaUser",
  },
  "kafka.strimzi.io/v1beta2/KafkaTopic": {
    module: "@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/v1beta2/KafkaTopic",
    className: "KafkaTopic",
    dts: "IKafkaTopic",
  },
  "kafka.strimzi.io/v1beta2/KafkaUser": {
    module: "@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/v1beta2/KafkaUser",
    className: "KafkaUser",
    dts: "IKafkaUser",
  },
  "cert-manager.io/v1/Certificate": { module: "@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate", className: "Certificate", dts: "ICertificate" },
  "monitoring.coreos.com/v1/ServiceMonitor": {
    module: "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor",
    className: "ServiceMonitor",
    dts: "IServiceMonitor",
  },
  "monitoring.coreos.com/v1/PrometheusRule": {
    module: "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule",
    className: "PrometheusRule",
    dts: "IPrometheusRule",
  },
};

// The packages are ESM-only with subpath exports: import the classes, resolve the declaration files.
const classes = new Map<string, new (data: unknown) => { validate(): void }>();
for (const [key, m] of Object.entries(models)) classes.set(key, (await import(m.module))[m.className]);
const dtsOf = (module: string) => fileURLToPath(import.meta.resolve(module)).replace(/\.js$/, ".d.ts");

let checker: { program: ts.Program; checker: ts.TypeChecker } | undefined;
function typeOf(key: string): { type: ts.Type; checker: ts.TypeChecker } {
  const m = models[key] as (typeof models)[string];
  const dtsFile = dtsOf(m.module);
  if (!checker?.program.getSourceFile(dtsFile)) {
    const program = ts.createProgram(
      Object.values(models).map((x) => dtsOf(x.module)),
      { noEmit: true, skipLibCheck: true, strict: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext },
    );
    checker = { program, checker: program.getTypeChecker() };
  }
  const sf = checker.program.getSourceFile(dtsFile);
  const decl = sf?.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === m.dts);
  if (!decl) throw new Error(`no ${m.dts} in ${dtsFile}`);
  return { type: checker.checker.getTypeAtLocation(decl), checker: checker.checker };
}

function unknownKeys(value: unknown, type: ts.Type, tc: ts.TypeChecker, path: string, out: string[]): void {
  if (value === null || typeof value !== "object") return;
  const t = type.isUnion() ? (type.types.find((u) => u.getProperties().length > 0 || tc.isArrayType(u)) ?? type) : type;
  if (Array.isArray(value)) {
    const element = tc.isArrayType(t) ? tc.getTypeArguments(t as ts.TypeReference)[0] : undefined;
    if (element) value.forEach((v, i) => void unknownKeys(v, element, tc, `${path}[${i}]`, out));
    return;
  }
  if (tc.getIndexInfosOfType(t).length > 0) return; // a map (labels, config): any key
  const props = new Map(t.getProperties().map((p) => [p.name, p]));
  if (props.size === 0) return;
  for (const [k, v] of Object.entries(value)) {
    const p = props.get(k);
    if (!p) {
      out.push(`${path}.${k}: unknown field`);
      continue;
    }
    const decl = p.valueDeclaration ?? p.declarations?.[0];
    if (decl) unknownKeys(v, tc.getNonNullableType(tc.getTypeOfSymbolAtLocation(p, decl)), tc, `${path}.${k}`, out);
  }
}

/** Problems of the custom resources among `objects` ("<kind> <name>: <problem>"). */
export function validateCustomResources(objects: Manifest[]): string[] {
  const problems: string[] = [];
  for (const o of objects.filter((x) => CUSTOM_KINDS.includes(x.kind))) {
    const key = `${o.apiVersion}/${o.kind}`;
    const m = models[key];
    const where = `${o.kind} ${o.metadata?.name}`;
    if (!m) {
      problems.push(`${where}: no schema for ${key}`);
      continue;
    }
    const Model = classes.get(key) as new (data: unknown) => { validate(): void };
    try {
      new Model(o).validate();
    } catch (e) {
      problems.push(`${where}: ${(e as Error).message}`);
    }
    const { type, checker: tc } = typeOf(key);
    const unknown: string[] = [];
    unknownKeys(o, type, tc, "", unknown);
    problems.push(...unknown.map((u) => `${where}: ${u}`));
  }
  return problems;
}

export interface CheckResult {
  name: string;
  objects: number;
  problems: string[];
}

/** lint + template + kubeconform + custom resources for one values set. */
export function checkValuesSet(set: { name: string; files: string[] }): CheckResult {
  const problems: string[] = [];
  const lint = helmLint(set.files);
  if (lint.status !== 0) problems.push(`helm lint --strict: ${(lint.stdout + lint.stderr).trim()}`);
  const tpl = helmTemplate(set.files);
  if (tpl.status !== 0) return { name: set.name, objects: 0, problems: [...problems, `helm template: ${tpl.stderr.trim()}`] };
  const objects = parseManifests(tpl.stdout);
  const kc = kubeconform(tpl.stdout);
  if (kc.status !== 0 && kc.problems.length === 0) problems.push(`kubeconform: ${kc.stdout}${kc.stderr}`);
  problems.push(...kc.problems, ...validateCustomResources(objects));
  return { name: set.name, objects: objects.length, problems };
}
