// The consent service (STYLE.md composition root): its store, use cases, handlers and jobs; the
// host (@silta/host) does the wiring — migrations, pool, Kafka, outbox relay, gRPC with verified
// identities, admin server, shutdown in reverse order.
import { CONSENT_TOPIC } from "@silta/contracts/events";
import type { ServiceSpec } from "@silta/host";
import { listAudit, verifyAudit } from "./app/audit.ts";
import { checkDisclosure, checkRateLimit } from "./app/check-disclosure.ts";
import { expireConsents } from "./app/expire-consents.ts";
import { grantConsent } from "./app/grant-consent.ts";
import { getConsent, listConsents } from "./app/read-consents.ts";
import { recordStatutoryBasis } from "./app/record-basis.ts";
import { revokeConsent } from "./app/revoke-consent.ts";
import { configShape } from "./config.ts";
import { chainPending } from "./db/audit-chain.ts";
import { PgConsentStore } from "./db/consent-store.ts";
import { toOutboxEntry } from "./events/integration-events.ts";
import { consentHandlers } from "./grpc/consent-handlers.ts";

export const consentService: ServiceSpec<typeof configShape> = {
  name: "consent",
  config: configShape,
  migrations: new URL("../migrations", import.meta.url),
  topics: () => [CONSENT_TOPIC],
  compose({ config, pool, clock, usage }) {
    const store = new PgConsentStore(pool, (e) => toOutboxEntry(e, config.SILTA_EVENT_SOURCE));
    const deps = { store, clock };
    const useCases = {
      grantConsent: grantConsent(deps),
      revokeConsent: revokeConsent(deps),
      getConsent: getConsent(deps),
      listConsents: listConsents(deps),
      recordStatutoryBasis: recordStatutoryBasis(deps),
      checkDisclosure: checkDisclosure({ ...deps, rateLimit: checkRateLimit(config.SILTA_CONSENT_CHECKS_PER_MINUTE) }),
      listAudit: listAudit(deps),
      verifyAudit: verifyAudit(deps),
    };
    return {
      grpc: [consentHandlers(useCases, usage)],
      jobs: [
        { name: "consent-expiry", intervalMs: config.SILTA_CONSENT_EXPIRY_INTERVAL_MS, run: expireConsents(deps) },
        { name: "audit-chain", intervalMs: config.SILTA_CONSENT_AUDIT_CHAIN_INTERVAL_MS, run: () => chainPending(pool) },
      ],
    };
  },
};
