// Development identity keys for `make up` and compose (never for a cluster, where each party makes its own
// key and the area's services trust its public half: docs/operations.md). Writes, once, into DIR:
//   gateway.signing-key.json    the local gateway's key (signer "local-gateway")
//   referrals.signing-key.json  the referrals service's own key (signer "local-referrals-<area>")
//   consultations.signing-key.json  the consultations service's own key (signer "local-consultations-<area>")
//   meetings.signing-key.json   the meetings service's own key (signer "local-meetings-<area>")
//   notifications.signing-key.json  the notifications service's own key (signer "local-notifications-<area>")
//   trusted-signers.json        what the services trust, and what each signer may assert
// A directory made before a service got its key is made again whole (development keys only).
// Usage: node scripts/dev-identity.ts DIR AREA [UID]  (UID: owner of the files, for containers that read them)
import { chownSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { newSigningKey, type TrustedSigner } from "@silta/platform";

const [dir, area = "13", uid] = process.argv.slice(2);
if (!dir) throw new Error("usage: node scripts/dev-identity.ts DIR AREA");
const trustFile = join(dir, "trusted-signers.json");
/** The services that prove their own calls (to consent; notifications to meetings) with a key of their own. */
const SERVICES = ["referrals", "consultations", "meetings", "notifications"];
if (!existsSync(trustFile) || SERVICES.some((s) => !existsSync(join(dir, `${s}.signing-key.json`)))) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const gateway = await newSigningKey("local-gateway");
  const own = await Promise.all(SERVICES.map(async (s) => ({ service: s, key: await newSigningKey(`local-${s}-${area}`) })));
  const signers: TrustedSigner[] = [
    // The local gateway serves every party's development tokens (`make token`), so it may assert
    // any organisation of the four outside types, but never a Silta service.
    {
      name: gateway.signing.signer,
      keys: [gateway.publicJwk as TrustedSigner["keys"][number]],
      organisationIds: "*",
      organisationTypes: ["municipality", "wellbeing_area", "ngo", "health", "expert_centre"],
      areaCodes: "*",
      municipalityCodes: "*",
    },
    ...own.map(({ service, key }) => ({
      name: key.signing.signer,
      keys: [key.publicJwk as TrustedSigner["keys"][number]],
      organisationIds: [`silta-${service}-${area}`],
      organisationTypes: ["service" as const],
      areaCodes: [area],
      municipalityCodes: [],
    })),
  ];
  writeFileSync(join(dir, "gateway.signing-key.json"), JSON.stringify(gateway.signing), { mode: 0o600 });
  for (const { service, key } of own) writeFileSync(join(dir, `${service}.signing-key.json`), JSON.stringify(key.signing), { mode: 0o600 });
  writeFileSync(trustFile, JSON.stringify({ signers }, null, 2));
}
if (uid) for (const f of [".", ...readdirSync(dir)]) chownSync(join(dir, f), Number(uid), Number(uid));
