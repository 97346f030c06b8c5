// U+0000 in text: PostgreSQL `text` cannot hold it, so a request carrying one would fail deep
// inside a service (the gateway's fuzz test found it as a 500). Refused where requests enter, the
// gateway's HTTP routes and every gRPC server, with the field named.

/** Whether any string or key in `value` contains U+0000 (no paths built: the common answer is no). */
function hasNul(value: unknown, depth: number): boolean {
  if (typeof value === "string") return value.includes("\u0000");
  if (depth > 32 || value === null || typeof value !== "object" || ArrayBuffer.isView(value)) return false;
  for (const k in value) {
    if (k.includes("\u0000") || hasNul((value as Record<string, unknown>)[k], depth + 1)) return true;
  }
  return false;
}

function find(value: unknown, path: string, depth: number, name: (key: string) => string): string | undefined {
  if (typeof value === "string") return value.includes("\u0000") ? path : undefined;
  if (depth > 32 || value === null || typeof value !== "object" || ArrayBuffer.isView(value)) return undefined;
  for (const [k, v] of Object.entries(value)) {
    if (k.includes("\u0000")) return path ? `${path}.?` : "?";
    const found = find(v, path ? `${path}.${name(k)}` : name(k), depth + 1, name);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * The dotted path of the first string (or key) in `value` that contains U+0000, "" for `value`
 * itself, or undefined when there is none. `name` turns a key into the field name to report.
 */
export function nulCharacterPath(value: unknown, name: (key: string) => string = (k) => k): string | undefined {
  return hasNul(value, 0) ? find(value, "", 0, name) : undefined;
}

/** ts-proto's camelCase property → the proto field name (as FieldViolation.field names it). */
export const protoFieldName = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
