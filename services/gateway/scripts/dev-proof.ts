// `make proof AUDIENCE=silta-consent [ROLE=…] [ORG=…] [TYPE=…] [AREA=…] [MUNICIPALITY=…] [SUB=…]`
// Prints an identity proof (x-silta-identity-proof) signed with the local gateway's development key
// (`make up`, .cache/identity/), valid for 60 s: for calling a service directly with grpcurl.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { type Identity, identityProver, readSigningKey } from "@silta/platform";

const { values } = parseArgs({
  options: {
    dir: { type: "string", default: `${process.env.SILTA_CACHE_DIR ?? ".cache"}/identity` },
    audience: { type: "string", default: "silta-referrals" },
    role: { type: "string", default: "" },
    org: { type: "string", default: "kuopio-school-12" },
    type: { type: "string", default: "municipality" },
    area: { type: "string", default: "" },
    municipality: { type: "string", default: "" },
    sub: { type: "string", default: "dev-user" },
  },
});
const list = (s: string | undefined) =>
  (s ?? "")
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);
readFileSync(`${values.dir}/gateway.signing-key.json`); // a clear ENOENT before `make up` made the keys
const identity = {
  subject: values.sub ?? "dev-user",
  organisationId: values.org ?? "",
  organisationType: values.type as Identity["organisationType"],
  roles: list(values.role),
  areaCodes: list(values.area),
  municipalityCodes: list(values.municipality),
};
const proof = await identityProver(readSigningKey(`${values.dir}/gateway.signing-key.json`)).prove(identity, values.audience ?? "");
process.stdout.write(`${proof}\n`);
