// `make token [ROLE=teacher] [ORG=kuopio-school-12] [TYPE=municipality] [AREA=13] [MUNICIPALITY=297] [SUB=dev-user]`
// Prints a development bearer token the local gateway (make up) accepts, valid for 8 hours.
// With `--audience silta-consent` (`make proof AUDIENCE=…`) it prints, for the same caller, an
// identity proof (x-silta-identity-proof) signed with the local gateway's key (.cache/identity/),
// valid for 60 s: for calling a service directly with grpcurl.
import { parseArgs } from "node:util";
import { type Identity, identityProver, KNOWN_ROLES, organisationTypes, readSigningKey } from "@silta/platform";
import { ensureDevKeys, mintToken } from "../src/auth/dev-token.ts";

const cache = process.env.SILTA_CACHE_DIR ?? ".cache";
const { values } = parseArgs({
  options: {
    dir: { type: "string" },
    audience: { type: "string" },
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
// A misspelt type or role would print a token the gateway refuses ("claims incomplete") or one
// whose role nothing honours: refused here, with the valid spellings.
const types = values.audience ? organisationTypes : organisationTypes.filter((t) => t !== "service");
const refuse = (what: string, given: string, valid: readonly string[]) => {
  process.stderr.write(`unknown ${what} "${given}"; one of: ${valid.join(", ")}\n`);
  process.exit(2);
};
if (!(types as readonly string[]).includes(values.type ?? "")) refuse("TYPE", values.type ?? "", types);
for (const role of list(values.role)) if (!Object.hasOwn(KNOWN_ROLES, role)) refuse("ROLE", role, Object.keys(KNOWN_ROLES));
const caller = {
  sub: values.sub ?? "dev-user",
  org_id: values.org ?? "",
  org_type: values.type ?? "",
  roles: list(values.role),
  area_codes: list(values.area),
  municipality_codes: list(values.municipality),
};
if (values.audience) {
  const identity: Identity = {
    subject: caller.sub,
    organisationId: caller.org_id,
    organisationType: caller.org_type as Identity["organisationType"],
    roles: caller.roles,
    areaCodes: caller.area_codes,
    municipalityCodes: caller.municipality_codes,
  };
  const key = readSigningKey(`${values.dir ?? `${cache}/identity`}/gateway.signing-key.json`);
  process.stdout.write(`${await identityProver(key).prove(identity, values.audience)}\n`);
} else {
  const keys = await ensureDevKeys(values.dir ?? `${cache}/dev-jwt`);
  process.stdout.write(`${await mintToken(keys.privateJwk, caller)}\n`);
}
