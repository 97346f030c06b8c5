// `k6/http`: synchronous requests (a worker makes them while this thread waits), k6's Response
// (status, body, headers, json(), timings), expected statuses (200–399 unless set), the `name`
// tag that groups URLs, and a failed request recorded as http_req_failed.
import { Worker } from "node:worker_threads";
import { currentGroup, state } from "./state.ts";

const worker = new Worker(new URL("./fetch-worker.mjs", import.meta.url));
worker.unref();
const BUFFER = 16 << 20;

interface Params {
  headers?: Record<string, string>;
  tags?: Record<string, string>;
  timeout?: string | number;
  responseCallback?: (status: number) => boolean;
}

const durationMs = (t: string | number | undefined): number => {
  if (t === undefined) return 60_000;
  if (typeof t === "number") return t;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(t);
  if (!m) throw new Error(`timeout "${t}": e.g. 30s`);
  return Number(m[1]) * (({ ms: 1, s: 1000, m: 60_000 } as Record<string, number>)[m[2] as string] ?? 1);
};

let expected = (status: number) => status >= 200 && status < 400;

export function expectedStatuses(...spec: (number | { min: number; max: number })[]) {
  return (status: number) => spec.some((s) => (typeof s === "number" ? s === status : status >= s.min && status <= s.max));
}
export function setResponseCallback(cb: (status: number) => boolean) {
  expected = cb;
}

export class Response {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string>;
  readonly error: string;
  readonly error_code: number;
  readonly url: string;
  readonly timings: { duration: number; waiting: number };
  readonly request: { method: string; url: string; body: string; headers: Record<string, string> };
  constructor(r: { status: number; body: string; headers: Record<string, string>; error?: string; durationMs: number }, request: Response["request"]) {
    this.status = r.status;
    this.body = r.body;
    // k6 presents header names canonicalised (Content-Type).
    this.headers = Object.fromEntries(
      Object.entries(r.headers).map(([k, v]) => [k.replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase()), v]),
    );
    this.error = r.error ?? "";
    this.error_code = r.error ? 1000 : 0;
    this.url = request.url;
    this.timings = { duration: r.durationMs, waiting: r.durationMs };
    this.request = request;
  }
  json(selector?: string): unknown {
    if (selector !== undefined) throw new Error("the k6 stand-in does not implement json(selector); use json() and read the field");
    return JSON.parse(this.body);
  }
}

export function request(method: string, url: string, body?: string | Record<string, string> | null, params: Params = {}): Response {
  const headers = { ...(params.headers ?? {}) };
  let payload: string | undefined;
  if (body !== undefined && body !== null) {
    if (typeof body === "string") payload = body;
    else {
      // k6 sends an object as a form.
      payload = new URLSearchParams(body).toString();
      headers["Content-Type"] ??= "application/x-www-form-urlencoded";
    }
  }
  const sab = new SharedArrayBuffer(8 + BUFFER);
  const flag = new Int32Array(sab, 0, 2);
  const timeoutMs = durationMs(params.timeout);
  worker.postMessage({ req: { method, url, headers, body: payload, timeoutMs }, sab });
  const waited = Atomics.wait(flag, 0, 0, timeoutMs + 5000);
  const raw =
    waited === "timed-out"
      ? { status: 0, headers: {}, body: "", error: "request timed out", durationMs: timeoutMs }
      : JSON.parse(Buffer.from(new Uint8Array(sab, 8, Atomics.load(flag, 1))).toString("utf8"));
  const res = new Response(raw, { method, url, body: payload ?? "", headers });
  const ok = (params.responseCallback ?? expected)(res.status);
  state.requests.push({
    method,
    url,
    name: params.tags?.name ?? url,
    status: res.status,
    failed: !ok,
    group: currentGroup(),
    ...(res.error ? { error: res.error } : {}),
    ...(!ok ? { body: res.body.slice(0, 500) } : {}),
  });
  return res;
}

const get = (url: string, params?: Params) => request("GET", url, null, params);
const post = (url: string, body?: string | Record<string, string> | null, params?: Params) => request("POST", url, body, params);
const put = (url: string, body?: string | Record<string, string> | null, params?: Params) => request("PUT", url, body, params);
const patch = (url: string, body?: string | Record<string, string> | null, params?: Params) => request("PATCH", url, body, params);
const del = (url: string, body?: string | Record<string, string> | null, params?: Params) => request("DELETE", url, body, params);

export { del, get, patch, post, put };
export default { request, get, post, put, patch, del, expectedStatuses, setResponseCallback, Response };
