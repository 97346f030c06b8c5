// The stand-in's HTTP: a worker thread that makes each request with fetch while the scenario's
// thread waits on a shared buffer (k6's http calls are synchronous). The answer is JSON in the
// buffer, its length in the second slot.
import { parentPort } from "node:worker_threads";

parentPort.on("message", async ({ req, sab }) => {
  const flag = new Int32Array(sab, 0, 2);
  const out = new Uint8Array(sab, 8);
  const started = performance.now();
  let result;
  try {
    const res = await fetch(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body ?? undefined,
      redirect: "manual",
      signal: AbortSignal.timeout(req.timeoutMs),
    });
    const body = await res.text();
    result = { status: res.status, headers: Object.fromEntries(res.headers), body, durationMs: performance.now() - started };
  } catch (e) {
    result = { status: 0, headers: {}, body: "", error: String(e?.cause?.message ?? e?.message ?? e), durationMs: performance.now() - started };
  }
  let bytes = Buffer.from(JSON.stringify(result));
  if (bytes.length > out.length)
    bytes = Buffer.from(JSON.stringify({ ...result, body: "", error: `response of ${bytes.length} bytes is larger than the stand-in takes` }));
  out.set(bytes);
  Atomics.store(flag, 1, bytes.length);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
