// docs/asyncapi.yaml's message payloads, the AsyncAPI way of carrying protobuf: `schemaFormat:
// application/vnd.google.protobuf;version=3` with the proto source inline (the protobuf schema
// parser of AsyncAPI takes no `$ref` into a .proto file and no imports). For each event, the
// message and everything it uses from its .proto file, cut from proto/ (`make asyncapi` writes
// them; a test checks the document is not stale and that the AsyncAPI parser accepts it).
import { readFileSync } from "node:fs";

const protoDir = new URL("../../../../proto/", import.meta.url);

interface Block {
  kind: "message" | "enum";
  name: string;
  /** The block with the comment lines right above it. */
  text: string;
  start: number;
}

/** The top-level messages and enums of a .proto file, with their comments. */
function topLevelBlocks(source: string): Block[] {
  const blocks: Block[] = [];
  const head = /^(message|enum)\s+(\w+)\s*\{/gm;
  for (let m = head.exec(source); m; m = head.exec(source)) {
    let depth = 0;
    let end = m.index;
    for (let i = source.indexOf("{", m.index); i < source.length; i++) {
      if (source[i] === "{") depth++;
      if (source[i] === "}" && --depth === 0) {
        end = i + 1;
        break;
      }
    }
    // The comment lines directly above belong to the block.
    const before = source.slice(0, m.index).split("\n");
    before.pop();
    const comments: string[] = [];
    while (before.length > 0 && /^\s*\/\//.test(before.at(-1) ?? "")) comments.unshift(before.pop() as string);
    blocks.push({ kind: m[1] as Block["kind"], name: m[2] as string, text: [...comments, source.slice(m.index, end)].join("\n"), start: m.index });
    head.lastIndex = end;
  }
  return blocks;
}

/**
 * The proto source of `message` (`silta.consent.v1.ConsentGranted`) and every message and enum of
 * its file it uses, in file order, marked as the root (`@RootNode`, the parser's convention).
 */
export function protoSchemaOf(message: string): string {
  const parts = message.split(".");
  const name = parts.pop() as string;
  const pkg = parts.join(".");
  const file = new URL(`${parts.join("/")}/${parts.at(-2)}.proto`, protoDir);
  const source = readFileSync(file, "utf8");
  if (!source.includes(`package ${pkg};`)) throw new Error(`${file.pathname} is not package ${pkg}`);
  const blocks = topLevelBlocks(source);
  const byName = new Map(blocks.map((b) => [b.name, b]));
  const wanted = new Set<string>();
  const visit = (n: string) => {
    const b = byName.get(n);
    if (!b || wanted.has(n)) return;
    wanted.add(n);
    const body = b.text.replace(/\/\/.*$/gm, "");
    for (const [, t] of body.matchAll(/(?:^|[\s<,(])([A-Z]\w*)(?=[\s>,])/g)) if (t !== n) visit(t as string);
  };
  if (!byName.has(name)) throw new Error(`no message ${name} in ${file.pathname}`);
  visit(name);
  const kept = blocks
    .filter((b) => wanted.has(b.name))
    .sort((a, b) => a.start - b.start)
    .map((b) => (b.name === name ? `// @RootNode\n${b.text.replace(/^(\s*\/\/.*\n)*/, "")}` : b.text));
  return [`syntax = "proto3";`, "", `package ${pkg};`, "", kept.join("\n\n"), ""].join("\n");
}
