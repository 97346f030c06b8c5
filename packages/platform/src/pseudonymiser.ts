// The wellbeing area's pseudonyms: keyed HMAC-SHA256 with the area's key (ARCHITECTURE.md), so
// the same child gets the same pseudonym in every service of the area, and nobody without the key
// can go back to the henkilötunnus. Each pseudonym names the key version that made it (`ps_` is
// version 0, the key before versions; `ps1_`, `ps2_`… after), so the key can be rotated: during a
// rotation the service makes new pseudonyms with the current key and matches on the previous
// key's too (`candidatesFor`). docs/operations.md "Pseudonym key" says where the key lives, which
// services share it and how a rotation runs.
import { createHmac, createSecretKey, type KeyObject, randomBytes } from "node:crypto";
import { z } from "zod";
import { env } from "./config.ts";

export interface ChildIdentifiers {
  hetu: string;
  temporaryId: string;
  birthDate: string;
  givenNames: string;
  familyName: string;
}

export interface Pseudonymiser {
  /** The child's pseudonym under the current key (what new records carry). */
  pseudonymFor(child: ChildIdentifiers): string;
  /** The child's pseudonyms under every accepted key, current first (what matching searches during a rotation). */
  candidatesFor(child: ChildIdentifiers): string[];
  /** The current key's version. */
  keyVersion: number;
}

export interface PseudonymKey {
  key: Buffer;
  version: number;
}

const prefix = (version: number) => (version === 0 ? "ps_" : `ps${version}_`);

/**
 * A child without a henkilötunnus is keyed by a temporary id, else by date of birth and name (so
 * two notifications about the same unidentified child still link); an unborn child with nothing
 * of these gets a random pseudonym (under the current version).
 */
export function areaPseudonymiser(current: PseudonymKey, previous?: PseudonymKey): Pseudonymiser {
  const keys = [current, ...(previous ? [previous] : [])];
  for (const k of keys) if (k.key.length < 32) throw new Error("a pseudonym key must be at least 32 bytes");
  if (previous && previous.version === current.version) throw new Error("the previous pseudonym key must have another version");
  // One KeyObject per key for the life of the service: a raw Buffer key would be imported on every call.
  const macs = keys.map((k) => ({ secret: createSecretKey(k.key) as KeyObject, p: prefix(k.version) }));
  const material = (c: ChildIdentifiers): string | undefined => {
    if (c.hetu) return `hetu:${c.hetu}`;
    if (c.temporaryId) return `tmp:${c.temporaryId}`;
    const name = `${c.givenNames} ${c.familyName}`.trim().toLowerCase().replace(/\s+/g, " ");
    if (c.birthDate && name) return `alt:${c.birthDate}|${name}`;
    return undefined;
  };
  const all = (c: ChildIdentifiers): string[] => {
    const m = material(c);
    if (m === undefined) return [`${prefix(current.version)}${randomBytes(32).toString("base64url")}`];
    return macs.map(({ secret, p }) => `${p}${createHmac("sha256", secret).update(m, "utf8").digest("base64url")}`);
  };
  return {
    pseudonymFor: (c) => all(c)[0] as string,
    candidatesFor: all,
    keyVersion: current.version,
  };
}

const base64Key = z
  .string()
  .transform((s) => Buffer.from(s, "base64"))
  .refine((b) => b.length >= 32, "must be base64 of at least 32 bytes");

/** The area's pseudonym key (a secret shared by the area's services) and, during a rotation, the previous one. */
export const pseudonymConfigShape = {
  /** Base64 key (≥ 32 bytes) of the area's keyed-HMAC pseudonyms. A secret. */
  SILTA_PSEUDONYM_KEY: base64Key,
  /** Its version (0 = the key before versions: pseudonyms `ps_…`). */
  SILTA_PSEUDONYM_KEY_VERSION: env.int(0, 0),
  /** During a rotation only: the previous key, still matched. */
  SILTA_PSEUDONYM_PREVIOUS_KEY: base64Key.optional(),
  SILTA_PSEUDONYM_PREVIOUS_KEY_VERSION: env.int(0, 0),
};

export function pseudonymiserOf(config: {
  SILTA_PSEUDONYM_KEY: Buffer;
  SILTA_PSEUDONYM_KEY_VERSION: number;
  SILTA_PSEUDONYM_PREVIOUS_KEY?: Buffer | undefined;
  SILTA_PSEUDONYM_PREVIOUS_KEY_VERSION: number;
}): Pseudonymiser {
  return areaPseudonymiser(
    { key: config.SILTA_PSEUDONYM_KEY, version: config.SILTA_PSEUDONYM_KEY_VERSION },
    config.SILTA_PSEUDONYM_PREVIOUS_KEY ? { key: config.SILTA_PSEUDONYM_PREVIOUS_KEY, version: config.SILTA_PSEUDONYM_PREVIOUS_KEY_VERSION } : undefined,
  );
}
