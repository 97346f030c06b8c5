// JSON bodies decoded strictly: invalid UTF-8 is refused with 400 naming the field it is in,
// instead of being replaced by U+FFFD and stored (Node's default decoding). Prototype poisoning
// is refused as fastify's own parser does (secure-json-parse).
import { invalidArgument, SiltaError } from "@silta/platform";
import sjson from "secure-json-parse";

const strict = new TextDecoder("utf-8", { fatal: true });
const lenient = new TextDecoder("utf-8");

export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) throw new SiltaError("SILTA_GATEWAY_EMPTY_BODY", "invalid_argument", "the JSON body is empty");
  let text: string;
  try {
    text = strict.decode(body);
  } catch {
    throw invalidArgument("SILTA_GATEWAY_INVALID_UTF8", [{ field: invalidUtf8Field(body), reason: "is not valid UTF-8" }]);
  }
  try {
    return sjson.parse(text, undefined, { protoAction: "error", constructorAction: "error" });
  } catch {
    throw new SiltaError("SILTA_GATEWAY_MALFORMED_JSON", "invalid_argument", "the body is not valid JSON");
  }
}

/** The dotted path of the first string that holds the invalid bytes, read leniently; `(body)` if none can be found. */
function invalidUtf8Field(body: Buffer): string {
  let value: unknown;
  try {
    value = JSON.parse(lenient.decode(body));
  } catch {
    return "(body)";
  }
  const find = (v: unknown, path: string): string | undefined => {
    if (typeof v === "string") return v.includes("\uFFFD") ? path : undefined;
    if (Array.isArray(v)) {
      for (const [i, x] of v.entries()) {
        const hit = find(x, `${path}[${i}]`);
        if (hit !== undefined) return hit;
      }
      return undefined;
    }
    if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        if (k.includes("\uFFFD")) return path ? `${path}.${k}` : k;
        const hit = find(x, path ? `${path}.${k}` : k);
        if (hit !== undefined) return hit;
      }
    }
    return undefined;
  };
  return find(value, "") || "(body)";
}
