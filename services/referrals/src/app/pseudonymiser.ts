import { createHmac, createSecretKey, randomBytes } from "node:crypto";
import type { Pseudonymiser } from "./ports.ts";

/**
 * Keyed HMAC-SHA256 with the wellbeing area's key (ARCHITECTURE.md): the same child gets the same
 * pseudonym in every service of the area, and nobody without the key can go back to the
 * henkilötunnus. A child without one is keyed by a temporary id, else by date of birth and name
 * (so two notifications about the same unidentified child still link); an unborn child with
 * nothing of these gets a random pseudonym.
 */
export function hmacPseudonymiser(key: Buffer): Pseudonymiser {
  if (key.length < 32) throw new Error("the pseudonym key must be at least 32 bytes");
  // One KeyObject for the life of the service: a raw Buffer key would be imported on every call.
  const secret = createSecretKey(key);
  const mac = (s: string) => `ps_${createHmac("sha256", secret).update(s, "utf8").digest("base64url")}`;
  return {
    pseudonymFor(c) {
      if (c.hetu) return mac(`hetu:${c.hetu}`);
      if (c.temporaryId) return mac(`tmp:${c.temporaryId}`);
      const name = `${c.givenNames} ${c.familyName}`.trim().toLowerCase().replace(/\s+/g, " ");
      if (c.birthDate && name) return mac(`alt:${c.birthDate}|${name}`);
      return `ps_${randomBytes(32).toString("base64url")}`;
    },
  };
}
