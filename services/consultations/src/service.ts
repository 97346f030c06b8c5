// The consultations service (STYLE.md composition root): store, use cases, handlers and the
// consent question of co-work. The host (@silta/host) does the wiring.
import { DataCategory, OrganisationType, Purpose } from "@silta/contracts/consent/v1/consent.ts";
import { CONSULTATION_TOPIC } from "@silta/contracts/events";
import { allowed, consentClient, type ServiceSpec } from "@silta/host";
import { loadMunicipalities, pseudonymiserOf } from "@silta/platform";
import { cancelBooking, confirmBooking, recordOutcome, rescheduleBooking, takeSeat } from "./app/change-booking.ts";
import type { ConsentChecker } from "./app/ports.ts";
import { readUseCases } from "./app/read-bookings.ts";
import { specialistUseCases } from "./app/specialists.ts";
import { type Deps, takeTime } from "./app/take-time.ts";
import { configShape } from "./config.ts";
import { PgConsultationStore } from "./db/consultation-store.ts";
import { toOutboxEntry } from "./events/integration-events.ts";
import { consultationHandlers } from "./grpc/consultation-handlers.ts";
import { consultationMetrics } from "./metrics.ts";

const CATEGORY: Record<string, DataCategory> = {
  case_summary: DataCategory.DATA_CATEGORY_CASE_SUMMARY,
  assessment_summary: DataCategory.DATA_CATEGORY_ASSESSMENT_SUMMARY,
  meeting_information: DataCategory.DATA_CATEGORY_MEETING_INFORMATION,
  health_information: DataCategory.DATA_CATEGORY_HEALTH_INFORMATION,
  contact_information: DataCategory.DATA_CATEGORY_CONTACT_INFORMATION,
  education_events: DataCategory.DATA_CATEGORY_EDUCATION_EVENTS,
  referral_status: DataCategory.DATA_CATEGORY_REFERRAL_STATUS,
};

export const consultationsService: ServiceSpec<typeof configShape, { store: PgConsultationStore }> = {
  name: "consultations",
  config: configShape,
  migrations: new URL("../migrations", import.meta.url),
  topics: () => [CONSULTATION_TOPIC],
  compose(kit) {
    const { config, pool, clock, usage } = kit;
    const areaCode = config.SILTA_AREA_CODE;
    const municipalities = loadMunicipalities();
    const area = { code: areaCode, municipalities: new Set([...municipalities.values()].filter((m) => m.areaCode === areaCode).map((m) => m.code)) };
    const consent = consentClient(kit, { address: config.SILTA_CONSENT_ADDRESS, audience: config.SILTA_CONSENT_AUDIENCE, areaCode });
    // Co-work: the service asks on its own behalf, naming the specialist's organisation as recipient.
    const consentChecker: ConsentChecker = {
      async coWork(q) {
        const decisions = await consent.checkBatch({
          subjectPseudonym: q.subjectPseudonym,
          purpose: Purpose.PURPOSE_PAIRED_WORK,
          dataCategory: CATEGORY[q.dataCategory] ?? DataCategory.DATA_CATEGORY_CASE_SUMMARY,
          recipients: q.organisations.map((o) => ({
            organisationId: o.id,
            organisationType: o.type === "expert_centre" ? OrganisationType.ORGANISATION_TYPE_EXPERT_CENTRE : OrganisationType.ORGANISATION_TYPE_WELLBEING_AREA,
            role: "",
          })),
        });
        return decisions.map((d) => ({ allowed: allowed(d), decisionId: d.auditId, reason: String(d.denyReason) }));
      },
    };
    const store = new PgConsultationStore(pool, (e) => toOutboxEntry(e, `/silta/consultations/${areaCode}`, areaCode));
    consultationMetrics(kit.meter, store, clock);
    const deps: Deps = {
      store,
      clock,
      consent: consentChecker,
      pseudonymiser: pseudonymiserOf(config),
      settings: {
        area,
        holdMinutes: config.SILTA_CONSULTATIONS_HOLD_MINUTES,
        seriesMax: config.SILTA_CONSULTATIONS_SERIES_MAX,
        knownMunicipality: (c) => municipalities.has(c),
      },
    };
    const useCases = {
      take: takeTime(deps),
      confirm: confirmBooking(deps),
      reschedule: rescheduleBooking(deps),
      cancel: cancelBooking(deps),
      outcome: recordOutcome(deps),
      seat: takeSeat(deps),
      read: readUseCases(deps),
      specialists: specialistUseCases(deps),
    };
    return { grpc: [consultationHandlers(useCases, areaCode, usage)], exports: { store } };
  },
};
