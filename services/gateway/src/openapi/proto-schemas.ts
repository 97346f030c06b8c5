// JSON Schemas of the proto messages in their proto3 JSON form, made from the compiled
// descriptor set (`make gen`): the REST bodies are the gRPC messages, so the proto stays the
// only contract (STYLE.md, habit 1) and the OpenAPI document cannot drift from it.
// Mapping (https://protobuf.dev/programming-guides/json/): lowerCamelCase field names; enums
// by name; 64-bit integers as decimal strings (numbers accepted); unknown fields refused.
// As the mapping asks of parsers, a body may also use the original proto field names
// (`request_id`): `jsonNames` renames them before the schema checks the value.
import {
  createFileRegistry,
  type DescEnum,
  type DescExtension,
  type DescField,
  type DescMessage,
  fromBinary,
  getOption,
  hasOption,
  type Registry,
  ScalarType,
} from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { loadDescriptorSet } from "@silta/contracts/descriptor";
import type { FieldViolation } from "@silta/platform";

export type JsonSchema = Record<string, unknown>;

export interface ProtoSchemas {
  /** `$ref` to the named message's schema (registered with `all()`). */
  ref(typeName: string): JsonSchema;
  /** The schema of a message, for validating a value outside fastify. */
  inline(typeName: string): JsonSchema;
  /** Every schema used so far, by `$id`, to add to fastify (and so to OpenAPI components). */
  all(): JsonSchema[];
  /** A message's object schema without some fields (those that come from the path). */
  objectWithout(typeName: string, omit: string[]): JsonSchema;
  message(typeName: string): DescMessage;
  /**
   * The value with every original proto field name (`request_id`) renamed to its JSON name
   * (`requestId`), in nested messages too, and the fields given under both names. Keys neither
   * name knows are kept, for the schema to refuse. A message is copied only where a key in it changes.
   */
  jsonNames(typeName: string): (value: unknown) => { value: unknown; twice: FieldViolation[] };
}

/** `google.api.FieldBehavior.REQUIRED`: what a request must carry, marked in the proto. */
const REQUIRED = 2;

export function protoSchemas(registry: Registry = loadRegistry()): ProtoSchemas {
  const done = new Map<string, JsonSchema>();

  // The proto's `[(google.api.field_behavior) = REQUIRED]` marks, the one source of the
  // OpenAPI `required` lists and of the gateway's refusal of a request that lacks one.
  const fieldBehavior = registry.getExtension("google.api.field_behavior") as DescExtension | undefined;
  // (The extension is found at run time in the descriptor set, so its value type is not known statically.)
  const option = { has: hasOption as (f: DescField, e: DescExtension) => boolean, get: getOption as (f: DescField, e: DescExtension) => unknown };
  const isRequired = (f: DescField) =>
    fieldBehavior !== undefined && option.has(f, fieldBehavior) && (option.get(f, fieldBehavior) as number[]).includes(REQUIRED);
  const withRequired = (fields: DescField[], schema: JsonSchema): JsonSchema => {
    const required = fields.filter(isRequired).map((f) => f.jsonName);
    return required.length > 0 ? { ...schema, required } : schema;
  };

  const messageSchema = (m: DescMessage): JsonSchema => {
    const properties: Record<string, JsonSchema> = {};
    for (const f of m.fields) properties[f.jsonName] = fieldSchema(f);
    return withRequired(m.fields, { type: "object", additionalProperties: false, properties });
  };

  const visit = (m: DescMessage): void => {
    if (done.has(m.typeName)) return;
    done.set(m.typeName, {}); // placeholder: a message may refer to itself
    done.set(m.typeName, { $id: m.typeName, title: m.name, ...messageSchema(m) });
  };

  const enumSchema = (e: DescEnum): JsonSchema => ({ type: "string", enum: e.values.map((v) => v.name) });

  const scalarSchema = (t: ScalarType): JsonSchema => {
    switch (t) {
      case ScalarType.STRING:
        return { type: "string" };
      case ScalarType.BOOL:
        return { type: "boolean" };
      case ScalarType.BYTES:
        return { type: "string", contentEncoding: "base64" };
      case ScalarType.DOUBLE:
      case ScalarType.FLOAT:
        return { type: "number" };
      case ScalarType.INT32:
      case ScalarType.SINT32:
      case ScalarType.SFIXED32:
        return { type: "integer", minimum: -2147483648, maximum: 2147483647 };
      case ScalarType.UINT32:
      case ScalarType.FIXED32:
        return { type: "integer", minimum: 0, maximum: 4294967295 };
      default:
        // 64-bit: a decimal string in proto3 JSON; a JSON number is accepted too.
        return { anyOf: [{ type: "string", pattern: "^-?[0-9]{1,20}$" }, { type: "integer" }] };
    }
  };

  const messageRef = (m: DescMessage): JsonSchema => {
    visit(m);
    return { $ref: `${m.typeName}#` };
  };

  const fieldSchema = (f: DescField): JsonSchema => {
    switch (f.fieldKind) {
      case "scalar":
        return scalarSchema(f.scalar);
      case "enum":
        return enumSchema(f.enum);
      case "message":
        return messageRef(f.message);
      case "list":
        return {
          type: "array",
          items: f.listKind === "scalar" ? scalarSchema(f.scalar) : f.listKind === "enum" ? enumSchema(f.enum) : messageRef(f.message),
        };
      case "map":
        return {
          type: "object",
          additionalProperties: f.mapKind === "scalar" ? scalarSchema(f.scalar) : f.mapKind === "enum" ? enumSchema(f.enum) : messageRef(f.message),
        };
    }
  };

  const get = (typeName: string): DescMessage => {
    const m = registry.getMessage(typeName);
    if (!m) throw new Error(`no message ${typeName} in the descriptor set (run make gen)`);
    return m;
  };

  // Inline form: nested messages expanded (the registered form uses $ref).
  const inline = (m: DescMessage, seen: Set<string>): JsonSchema => {
    if (seen.has(m.typeName)) throw new Error(`recursive message ${m.typeName} cannot be inlined`);
    const next = new Set(seen).add(m.typeName);
    const expand = (f: DescField): JsonSchema => {
      if (f.fieldKind === "message") return inline(f.message, next);
      if (f.fieldKind === "list" && f.listKind === "message") return { type: "array", items: inline(f.message, next) };
      return fieldSchema(f);
    };
    const properties: Record<string, JsonSchema> = {};
    for (const f of m.fields) properties[f.jsonName] = expand(f);
    return withRequired(m.fields, { type: "object", additionalProperties: false, properties });
  };

  return {
    ref: (typeName) => messageRef(get(typeName)),
    inline: (typeName) => inline(get(typeName), new Set()),
    all: () => [...done.values()],
    objectWithout: (typeName, omit) => {
      const properties: Record<string, JsonSchema> = {};
      const fields = get(typeName).fields.filter((f) => !omit.includes(f.jsonName));
      for (const f of fields) properties[f.jsonName] = fieldSchema(f);
      return withRequired(fields, { type: "object", additionalProperties: false, properties });
    },
    message: get,
    jsonNames: (typeName) => {
      const m = get(typeName);
      return (value) => {
        const twice: FieldViolation[] = [];
        return { value: renameMessage(m, value, "", twice), twice };
      };
    },
  };
}

/** Per message: each field by its JSON name and, where it differs, by its proto name. */
const fieldsByName = new WeakMap<DescMessage, Map<string, DescField>>();
function namesOf(m: DescMessage): Map<string, DescField> {
  let names = fieldsByName.get(m);
  if (!names) {
    names = new Map();
    for (const f of m.fields) {
      names.set(f.jsonName, f);
      names.set(f.name, f);
    }
    fieldsByName.set(m, names);
  }
  return names;
}

function renameMessage(m: DescMessage, value: unknown, path: string, twice: FieldViolation[]): unknown {
  // Well-known types have their own JSON forms (a Timestamp is a string); nothing to rename.
  if (value === null || typeof value !== "object" || Array.isArray(value) || m.typeName.startsWith("google.protobuf.")) return value;
  const names = namesOf(m);
  let changed = false;
  const seen = new Set<string>();
  const out: [string, unknown][] = [];
  for (const [key, v] of Object.entries(value)) {
    const f = names.get(key);
    const name = f?.jsonName ?? key;
    const renamed = f ? renameField(f, v, `${path}${name}`, twice) : v;
    changed ||= name !== key || renamed !== v;
    if (seen.has(name)) {
      twice.push({ field: `${path}${name}`, reason: `given twice: as ${name} and as ${f?.name ?? key}` });
      continue;
    }
    seen.add(name);
    out.push([name, renamed]);
  }
  // fromEntries defines each key as data, so even a `__proto__` key stays a plain field.
  return changed ? Object.fromEntries(out) : value;
}

function renameField(f: DescField, v: unknown, path: string, twice: FieldViolation[]): unknown {
  if (f.fieldKind === "message") return renameMessage(f.message, v, `${path}.`, twice);
  if (f.fieldKind === "list" && f.listKind === "message" && Array.isArray(v)) {
    let changed = false;
    const items = v.map((item, i) => {
      const r = renameMessage(f.message, item, `${path}.${i}.`, twice);
      changed ||= r !== item;
      return r;
    });
    return changed ? items : v;
  }
  if (f.fieldKind === "map" && f.mapKind === "message" && v !== null && typeof v === "object" && !Array.isArray(v)) {
    let changed = false;
    const entries = Object.entries(v).map(([k, item]) => {
      const r = renameMessage(f.message, item, `${path}.${k}.`, twice);
      changed ||= r !== item;
      return [k, r] as const;
    });
    return changed ? Object.fromEntries(entries) : v;
  }
  return v;
}

function loadRegistry(): Registry {
  return createFileRegistry(fromBinary(FileDescriptorSetSchema, loadDescriptorSet()));
}
