import type { listAudit, verifyAudit } from "../app/audit.ts";
import type { checkDisclosure } from "../app/check-disclosure.ts";
import type { grantConsent } from "../app/grant-consent.ts";
import type { getConsent, listConsents } from "../app/read-consents.ts";
import type { recordStatutoryBasis } from "../app/record-basis.ts";
import type { revokeConsent } from "../app/revoke-consent.ts";

/** The use cases the gRPC adapter calls (wired in main.ts). */
export interface UseCases {
  grantConsent: ReturnType<typeof grantConsent>;
  revokeConsent: ReturnType<typeof revokeConsent>;
  getConsent: ReturnType<typeof getConsent>;
  listConsents: ReturnType<typeof listConsents>;
  recordStatutoryBasis: ReturnType<typeof recordStatutoryBasis>;
  checkDisclosure: ReturnType<typeof checkDisclosure>;
  listAudit: ReturnType<typeof listAudit>;
  verifyAudit: ReturnType<typeof verifyAudit>;
}
