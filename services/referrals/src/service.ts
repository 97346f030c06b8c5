// The referrals service (STYLE.md composition root): store, use cases, handlers, the education
// subscription and the deadline watcher. The host (@silta/host) does the wiring.

import { DataCategory, OrganisationType, Purpose } from "@silta/contracts/consent/v1/consent.ts";
import { EDUCATION_TOPIC, inboxTopic, REFERRAL_TOPIC, renamed } from "@silta/contracts/events";
import { allowed, consentClient, type ServiceSpec } from "@silta/host";
import { allAreaCodes, loadMunicipalities, pseudonymiserOf } from "@silta/platform";
import { assignResponsible } from "./app/assign-responsible.ts";
import type { ConsentChecker, ReferralSettings } from "./app/ports.ts";
import { getReferral, getReferralStatus, listReferrals } from "./app/read-referrals.ts";
import { recordEducationEvent, recordEducationEvents } from "./app/record-education-event.ts";
import { submitReferral } from "./app/submit-referral.ts";
import { transitionReferral } from "./app/transition-referral.ts";
import { watchDeadlines } from "./app/watch-deadlines.ts";
import { configShape } from "./config.ts";
import { PgReferralStore } from "./db/referral-store.ts";
import { toOutboxEntries } from "./events/integration-events.ts";
import { subscriptions } from "./events/subscriptions.ts";
import { referralHandlers } from "./grpc/referral-handlers.ts";
import { referralMetrics } from "./metrics.ts";

export const referralsService: ServiceSpec<typeof configShape> = {
  name: "referrals",
  config: configShape,
  migrations: new URL("../migrations", import.meta.url),
  topics: (config) => [REFERRAL_TOPIC, ...allAreaCodes().map(inboxTopic), renamed(EDUCATION_TOPIC, config.SILTA_EDUCATION_TOPIC)],
  compose(kit) {
    const { config, pool, clock, usage } = kit;
    const municipalities = loadMunicipalities();
    const areaNames = new Map([...municipalities.values()].map((m) => [m.areaCode, m.areaNameFi]));
    const areaName = (code: string) => areaNames.get(code) ?? code;
    const settings: ReferralSettings = {
      evesOff: config.SILTA_REFERRALS_EVES_OFF,
      urgencyHours: config.SILTA_REFERRALS_URGENCY_HOURS,
      linkWindowDays: config.SILTA_REFERRALS_LINK_WINDOW_DAYS,
      atRiskLeadHours: config.SILTA_REFERRALS_AT_RISK_LEAD_HOURS,
      municipalities,
      areaName,
    };
    const pseudonymiser = pseudonymiserOf(config);
    const consent = consentClient(kit, { address: config.SILTA_CONSENT_ADDRESS, audience: config.SILTA_CONSENT_AUDIENCE, areaCode: config.SILTA_AREA_CODE });
    // An education event is shared with child protection when the school or unit may share it.
    const consentChecker: ConsentChecker = {
      allows: async (q) =>
        allowed(
          await consent.check({
            subjectPseudonym: q.subjectPseudonym,
            recipient: { organisationId: q.unitId, organisationType: OrganisationType.ORGANISATION_TYPE_MUNICIPALITY, role: "" },
            purpose: q.purpose === "early_education_support" ? Purpose.PURPOSE_EARLY_EDUCATION_SUPPORT : Purpose.PURPOSE_SCHOOL_SUPPORT,
            dataCategory: DataCategory.DATA_CATEGORY_EDUCATION_EVENTS,
          }),
        ),
    };
    const store = new PgReferralStore(pool, (e) => toOutboxEntries(e, `/silta/referrals/${config.SILTA_AREA_CODE}`, areaName));
    const metrics = referralMetrics(kit.meter, pool, clock);
    const deps = { store, clock };
    const useCases = {
      submit: metrics.counted(submitReferral({ ...deps, pseudonymiser, settings })),
      transition: metrics.timed(transitionReferral(deps)),
      assignResponsible: assignResponsible(deps),
      get: getReferral(deps),
      list: listReferrals(deps),
      status: getReferralStatus({ store, settings }),
    };
    const educationDeps = { store, pseudonymiser, consent: consentChecker, areaOf: (c: string) => municipalities.get(c)?.areaCode };
    const record = recordEducationEvent(educationDeps);
    const recordMany = recordEducationEvents(educationDeps);
    return {
      grpc: [referralHandlers(useCases, areaName, usage)],
      consume: { topics: [config.SILTA_EDUCATION_TOPIC], subscriptions: subscriptions({ pool, record, recordMany, outcomes: metrics.educationOutcomes }) },
      // One active watcher across replicas (and claims that make each alert happen once anyway).
      jobs: [
        {
          name: "deadline-watcher",
          intervalMs: config.SILTA_REFERRALS_DEADLINE_INTERVAL_MS,
          oneAcrossReplicas: true,
          run: watchDeadlines({ store, clock, settings, batchSize: config.SILTA_REFERRALS_DEADLINE_BATCH }),
        },
      ],
    };
  },
};
