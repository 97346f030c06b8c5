// Module resolution for the stand-in: `k6`, `k6/http`, `k6/data`, `k6/metrics` and
// `k6/execution` are this directory's modules; any other `k6/…` module is refused by name, so a
// scenario that needs more than the stand-in implements fails loudly instead of half-running.
const MODULES = {
  k6: "./k6.ts",
  "k6/http": "./http.ts",
  "k6/data": "./data.ts",
  "k6/metrics": "./metrics.ts",
  "k6/execution": "./execution.ts",
};

export async function resolve(specifier, context, next) {
  if (specifier === "k6" || specifier.startsWith("k6/")) {
    const file = MODULES[specifier];
    if (!file) throw new Error(`the k6 stand-in does not implement ${specifier} (tests/load/standin)`);
    return { url: new URL(file, import.meta.url).href, shortCircuit: true };
  }
  return next(specifier, context);
}
