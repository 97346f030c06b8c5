// JSON Schemas of the proto messages in their proto3 JSON form, made from the compiled
// descriptor set (`make gen`): the REST bodies are the gRPC messages, so the proto stays the
// only contract (STYLE.md, habit 1) and the OpenAPI document cannot drift from it.
// Mapping (https://protobuf.dev/programming-guides/json/): lowerCamelCase field names; enums
// by name; 64-bit integers as decimal strings (numbers accepted); unknown fields refused.
import { createFileRegistry, type DescEnum, type DescField, type DescMessage, fromBinary, type Registry, ScalarType } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { loadDescriptorSet } from "@silta/contracts/descriptor";

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
}

export function protoSchemas(registry: Registry = loadRegistry()): ProtoSchemas {
  const done = new Map<string, JsonSchema>();

  const messageSchema = (m: DescMessage): JsonSchema => {
    const properties: Record<string, JsonSchema> = {};
    for (const f of m.fields) properties[f.jsonName] = fieldSchema(f);
    return { type: "object", additionalProperties: false, properties };
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
    return { type: "object", additionalProperties: false, properties };
  };

  return {
    ref: (typeName) => messageRef(get(typeName)),
    inline: (typeName) => inline(get(typeName), new Set()),
    all: () => [...done.values()],
    objectWithout: (typeName, omit) => {
      const properties: Record<string, JsonSchema> = {};
      for (const f of get(typeName).fields) if (!omit.includes(f.jsonName)) properties[f.jsonName] = fieldSchema(f);
      return { type: "object", additionalProperties: false, properties };
    },
    message: get,
  };
}

function loadRegistry(): Registry {
  return createFileRegistry(fromBinary(FileDescriptorSetSchema, loadDescriptorSet()));
}
