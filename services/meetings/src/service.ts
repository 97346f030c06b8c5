// The meetings service (STYLE.md composition root): store, use cases, handlers, the consent
// question before each invitation, and its two subscriptions. The host (@silta/host) does the wiring.
import { DataCategory, denyReasonToJSON, OrganisationType, Purpose } from "@silta/contracts/consent/v1/consent.ts";
import { CONSENT_TOPIC, CONSULTATION_TOPIC, MEETING_TOPIC, REFERRAL_TOPIC } from "@silta/contracts/events";
import { allowed, consentClient, type ServiceSpec } from "@silta/host";
import { linkTokens, loadMunicipalities, pseudonymiserOf } from "@silta/platform";
import { freeBusyUseCases } from "./app/free-busy.ts";
import { meetingUseCases } from "./app/meetings.ts";
import type { ConsentChecker } from "./app/ports.ts";
import { configShape } from "./config.ts";
import { PgMeetingStore } from "./db/meeting-store.ts";
import { toOutboxEntry } from "./events/integration-events.ts";
import { subscriptions } from "./events/subscriptions.ts";
import { meetingHandlers } from "./grpc/meeting-handlers.ts";
import { meetingMetrics } from "./metrics.ts";

const ORG_TYPE: Record<string, OrganisationType> = {
  municipality: OrganisationType.ORGANISATION_TYPE_MUNICIPALITY,
  wellbeing_area: OrganisationType.ORGANISATION_TYPE_WELLBEING_AREA,
  ngo: OrganisationType.ORGANISATION_TYPE_NGO,
  health: OrganisationType.ORGANISATION_TYPE_HEALTH,
  expert_centre: OrganisationType.ORGANISATION_TYPE_EXPERT_CENTRE,
};

export const meetingsService: ServiceSpec<typeof configShape, { store: PgMeetingStore }> = {
  name: "meetings",
  config: configShape,
  migrations: new URL("../migrations", import.meta.url),
  topics: () => [MEETING_TOPIC, CONSENT_TOPIC, CONSULTATION_TOPIC, REFERRAL_TOPIC],
  compose(kit) {
    const { config, pool, clock, usage, redis } = kit;
    const areaCode = config.SILTA_AREA_CODE;
    const municipalities = loadMunicipalities();
    const area = { code: areaCode, municipalities: new Set([...municipalities.values()].filter((m) => m.areaCode === areaCode).map((m) => m.code)) };
    const consent = consentClient(kit, { address: config.SILTA_CONSENT_ADDRESS, audience: config.SILTA_CONSENT_AUDIENCE, areaCode });
    const consentChecker: ConsentChecker = {
      async meetingParticipation(subjectPseudonym, organisations) {
        const decisions = await consent.checkBatch({
          subjectPseudonym,
          purpose: Purpose.PURPOSE_MEETING_PARTICIPATION,
          dataCategory: DataCategory.DATA_CATEGORY_MEETING_INFORMATION,
          recipients: organisations.map((o) => ({
            organisationId: o.id,
            organisationType: ORG_TYPE[o.type] ?? OrganisationType.ORGANISATION_TYPE_UNSPECIFIED,
            role: "",
          })),
        });
        return decisions.map((d) => ({ allowed: allowed(d), reason: denyReasonToJSON(d.denyReason) }));
      },
    };
    const store = new PgMeetingStore(pool, (e) => toOutboxEntry(e, `/silta/meetings/${areaCode}`, areaCode), {
      busyCacheBlocks: config.SILTA_MEETINGS_BUSY_CACHE_BLOCKS,
    });
    meetingMetrics(kit.meter, store, clock);
    const meetings = meetingUseCases({
      store,
      clock,
      consent: consentChecker,
      pseudonymiser: pseudonymiserOf(config),
      links: linkTokens(config.SILTA_MEETINGS_LINK_SECRET, `silta-meetings-${areaCode}`, { now: () => clock.now().getTime() }),
      settings: {
        area,
        seriesHorizonDays: config.SILTA_MEETINGS_SERIES_HORIZON_DAYS,
        seriesMax: config.SILTA_MEETINGS_SERIES_MAX,
        linkTtlDays: config.SILTA_MEETINGS_LINK_TTL_DAYS,
      },
      async linkUse(participantId) {
        const key = `meetings:link:${participantId}:${Math.floor(clock.now().getTime() / 60_000)}`;
        const [[, n]] = (await redis.multi().incr(key).expire(key, 120).exec()) as [[unknown, number]];
        return n <= config.SILTA_MEETINGS_LINK_PER_MINUTE;
      },
    });
    const freeBusy = freeBusyUseCases({ store, clock, area });
    return {
      grpc: [meetingHandlers({ meetings, freeBusy }, areaCode, usage)],
      consume: {
        topics: [CONSENT_TOPIC.name, CONSULTATION_TOPIC.name, REFERRAL_TOPIC.name],
        subscriptions: subscriptions({ store, recheck: meetings.recheckConsent }),
      },
      exports: { store },
    };
  },
};
