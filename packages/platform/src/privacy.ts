// Privacy guards for everything that leaves a service as text: logs, span attributes, DLQ
// reasons. A henkilötunnus (personal identity code) anywhere in a string is masked, whether
// or not its check character is right; values under keys named like personal data are
// replaced whole. ARCHITECTURE.md "Protection of the child's data".

/** DDMMYY + century sign (+ - Y X W V U A B C D E F) + NNN + check character. */
const HETU_ANYWHERE = /(?<![0-9A-Za-z])[0-3]\d[01]\d\d\d[-+A-FU-Y]\d{3}[0-9A-Y](?![0-9A-Za-z])/gi;
export const HETU_MASK = "[hetu]";
export const REDACTED = "[redacted]";

export function maskHetu(text: string): string {
  return text.replace(HETU_ANYWHERE, HETU_MASK);
}

export function containsHetu(text: string): boolean {
  HETU_ANYWHERE.lastIndex = 0;
  const found = HETU_ANYWHERE.test(text);
  HETU_ANYWHERE.lastIndex = 0;
  return found;
}

// Keys whose values are personal data or free text about a person. Matched on the key with
// separators removed, lower-cased: `firstName`, `first_name` and `FIRST-NAME` are one key.
const SENSITIVE_KEY =
  /(name|hetu|henkilotunnus|ssn|identitycode|personalid|socialsecurity|concern|text|narrative|description|justification|comment|note|address|phone|email|birth|dob)/;
// Keys that contain such words but are technical.
const TECHNICAL_KEYS = new Set([
  "hostname",
  "servicename",
  "topicname",
  "methodname",
  "pathname",
  "filename",
  "hostnames",
  "eventname",
  "metricname",
  "queuename",
  "subtext",
]);

export function isSensitiveKey(key: string): boolean {
  const k = key.replace(/[^a-z0-9]/gi, "").toLowerCase();
  return !TECHNICAL_KEYS.has(k) && SENSITIVE_KEY.test(k);
}

/**
 * A deep copy of `value` fit for a log line: sensitive keys redacted, henkilötunnus masked in
 * every string, errors reduced to name/code/message (masked). Cycles and depth are bounded.
 */
export function redact(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === "string") return maskHetu(value);
  if (value === null || typeof value !== "object") return value;
  if (depth > 8) return "[depth]";
  if (seen.has(value)) return "[cycle]";
  seen.add(value);
  if (value instanceof Error) {
    const out: Record<string, unknown> = { type: value.name, message: maskHetu(value.message) };
    const code = (value as { code?: unknown }).code;
    if (code !== undefined) out.code = code;
    if (value.stack) out.stack = maskHetu(value.stack);
    if (value.cause !== undefined) out.cause = redact(value.cause, depth + 1, seen);
    return out;
  }
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return `[${value.byteLength} bytes]`;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = isSensitiveKey(k) && v !== undefined && v !== null && v !== "" ? REDACTED : redact(v, depth + 1, seen);
  }
  return out;
}
