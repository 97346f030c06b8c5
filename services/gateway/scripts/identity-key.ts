// A party's (or a service's) identity signing key, for a cluster (docs/operations.md, "Identity
// proofs"). Writes into DIR:
//   signing-key.json  the private key with the signer name: the Secret the party's gateway mounts
//   public-key.json   its public half: what the wellbeing area adds to its trusted-signer list
// Usage: node scripts/identity-key.ts SIGNER DIR   e.g. node scripts/identity-key.ts kuopio-gateway ./keys
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { newSigningKey } from "@silta/platform";

const [signer, dir] = process.argv.slice(2);
if (!signer || !dir) throw new Error("usage: node scripts/identity-key.ts SIGNER DIR");
const { signing, publicJwk } = await newSigningKey(signer);
mkdirSync(dir, { recursive: true, mode: 0o700 });
writeFileSync(join(dir, "signing-key.json"), JSON.stringify(signing), { mode: 0o600 });
writeFileSync(join(dir, "public-key.json"), JSON.stringify(publicJwk, null, 2));
process.stdout.write(
  `signer ${signer}, key ${publicJwk.kid}: ${join(dir, "signing-key.json")} (secret) and ${join(dir, "public-key.json")} (for the area's trust list)\n`,
);
