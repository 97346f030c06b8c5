// `make token [ROLE=teacher] [ORG=kuopio-school-12] [TYPE=municipality] [AREA=13] [MUNICIPALITY=297] [SUB=dev-user]`
// Prints a development bearer token the local gateway (make up) accepts, valid for 8 hours.
import { parseArgs } from "node:util";
import { ensureDevKeys, mintToken } from "../src/auth/dev-token.ts";

const { values } = parseArgs({
  options: {
    dir: { type: "string" },
    role: { type: "string", default: "teacher" },
    org: { type: "string", default: "kuopio-school-12" },
    type: { type: "string", default: "municipality" },
    area: { type: "string", default: "" },
    municipality: { type: "string", default: "297" },
    sub: { type: "string", default: "dev-user" },
  },
});
const list = (s: string | undefined) =>
  (s ?? "")
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);
const keys = await ensureDevKeys(values.dir ?? `${process.env.SILTA_CACHE_DIR ?? ".cache"}/dev-jwt`);
const token = await mintToken(keys.privateJwk, {
  sub: values.sub ?? "dev-user",
  org_id: values.org ?? "",
  org_type: values.type ?? "",
  roles: list(values.role),
  area_codes: list(values.area),
  municipality_codes: list(values.municipality),
});
process.stdout.write(`${token}\n`);
