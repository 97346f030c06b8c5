// consent.consent.v1: what the consent service announces (pseudonyms, ids and codes; never the
// justification, a revocation reason or who the givers are).
import { ConsentExpired, ConsentGranted, ConsentRevoked, StatutoryBasisRecorded } from "../gen/silta/consent/v1/consent.ts";
import { event, topic } from "./contract.ts";

export const consentGranted = event("fi.silta.consent.granted.v1", ConsentGranted, "silta.consent.v1.ConsentGranted", "A consent was recorded.");
export const consentRevoked = event(
  "fi.silta.consent.revoked.v1",
  ConsentRevoked,
  "silta.consent.v1.ConsentRevoked",
  "A consent was revoked (the reason stays in the consent service).",
);
export const consentExpired = event("fi.silta.consent.expired.v1", ConsentExpired, "silta.consent.v1.ConsentExpired", "A consent reached its valid_until.");
export const statutoryBasisRecorded = event(
  "fi.silta.statutory-basis.recorded.v1",
  StatutoryBasisRecorded,
  "silta.consent.v1.StatutoryBasisRecorded",
  "A disclosure basis other than consent was recorded (the justification stays in the consent service).",
);

export const CONSENT_TOPIC = topic({
  name: "consent.consent.v1",
  partitions: 6,
  producer: "consent",
  consumers: ["meetings", "notifications"],
  key: "the subject's pseudonym",
  events: [consentGranted, consentRevoked, consentExpired, statutoryBasisRecorded],
  description: "Consents granted, revoked and expired, and statutory bases recorded: pseudonyms, ids and codes only.",
});
