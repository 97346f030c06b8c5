// `make chart-check`: every values set through helm lint --strict, helm template, kubeconform and
// the CRD schemas; then values that must be refused (an unknown key, a wrong type) are refused
// with a message naming them. Exit 1 on any problem.
import { checkValuesSet, helmTemplate, toolsMissing, valuesSets } from "./chart-kit.ts";

const missing = toolsMissing();
if (missing.length > 0) {
  console.error(`missing: ${missing.join(", ")} (run: bash scripts/tools.sh helm kubeconform k8s-schemas)`);
  process.exit(1);
}
let failed = 0;
for (const set of valuesSets) {
  const r = checkValuesSet(set);
  console.log(`${r.problems.length === 0 ? "ok  " : "FAIL"} ${r.name}: ${r.objects} objects rendered and validated`);
  for (const p of r.problems) console.log(`     ${p}`);
  if (r.problems.length > 0) failed++;
}
const refused = [
  { set: ["services.gateway.replicaz=2"], names: "replicaz" },
  { set: ["services.gateway.replicas=two"], names: "replicas" },
  { set: ["global.areaCode=99"], names: "areaCode" },
];
for (const r of refused) {
  const out = helmTemplate([], r.set);
  const ok = out.status !== 0 && out.stderr.includes(r.names);
  console.log(
    `${ok ? "ok  " : "FAIL"} --set ${r.set.join(" ")} is refused naming ${r.names}${
      ok
        ? `: ${out.stderr
            .trim()
            .split("\n")
            .find((l) => l.includes(r.names))
            ?.trim()}`
        : ""
    }`,
  );
  if (!ok) failed++;
}
console.log(failed === 0 ? "chart-check: all passed" : `chart-check: ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
