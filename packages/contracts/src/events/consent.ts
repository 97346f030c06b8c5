// consent.consent.v1: what the consent service announces (pseudonyms, ids and codes; never the
// justification, a revocation reason or who the givers are).
import { codec } from "@silta/events";
import { ConsentExpired, ConsentGranted, ConsentRevoked, StatutoryBasisRecorded } from "../gen/silta/consent/v1/consent.ts";
import { topic } from "./contract.ts";

export const consentGranted = codec("fi.silta.consent.granted.v1", ConsentGranted);
export const consentRevoked = codec("fi.silta.consent.revoked.v1", ConsentRevoked);
export const consentExpired = codec("fi.silta.consent.expired.v1", ConsentExpired);
export const statutoryBasisRecorded = codec("fi.silta.statutory-basis.recorded.v1", StatutoryBasisRecorded);

export const CONSENT_TOPIC = topic({
  name: "consent.consent.v1",
  partitions: 6,
  producer: "consent",
  consumers: [],
  key: "the subject's pseudonym",
  events: [consentGranted, consentRevoked, consentExpired, statutoryBasisRecorded],
  description: "Consents granted, revoked and expired, and statutory bases recorded: pseudonyms, ids and codes only.",
});
