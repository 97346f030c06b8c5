// The whole chain (the system tests', and the gateway's), in-process on free ports against the
// real servers: a JWKS served over HTTP (as an identity provider would), the real consent and
// referrals services, and the gateway in front of them, each started from its specification by
// the kit's startServiceForTest. Services' own tests import this as `@silta/tests/chain`, never
// another service's source.
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import { helsinkiDate, instantAt, nthWorkingDayAfter } from "@silta/calendar";
import { consentService } from "@silta/consent";
import { consultationsService } from "@silta/consultations";
import {
  type BookingDetails,
  BookingKind,
  type BookingRules,
  type ConsultationServiceClient,
  type Specialist,
  SpecialistOrganisationType,
} from "@silta/contracts/consultations/v1/consultations.ts";
import { gatewayService } from "@silta/gateway";
import { DEV_AUDIENCE, DEV_ISSUER, mintToken, newKeys, type TokenClaims } from "@silta/gateway/dev-token";
import { unary } from "@silta/grpc";
import { meetingsService } from "@silta/meetings";
import { notificationsService } from "@silta/notifications";
import type { Identity, Logger } from "@silta/platform";
import { referralsService } from "@silta/referrals";
import { createTestDatabase, freshHetu, startServiceForTest, type TestDatabase, testEnv, testTopic, uniqueName } from "@silta/testing";

type Started<S> = Awaited<ReturnType<typeof startServiceForTest<never, S>>>;
export type ConsentUnderTest = Awaited<ReturnType<typeof startConsent>>;
export type ReferralsUnderTest = Awaited<ReturnType<typeof startReferrals>>;
export type GatewayUnderTest = Started<{ app: import("fastify").FastifyInstance }>;

/** The consent service on `databaseUrl`. */
export function startConsent(databaseUrl: string, logger: Logger, env: Record<string, string> = {}) {
  return startServiceForTest(consentService, { SILTA_DATABASE_URL: databaseUrl, ...env }, { logger });
}

/** A referrals replica of area 13 calling the consent service on `consentPort`, proving its calls with its own key. */
export function startReferrals(
  databaseUrl: string,
  consentPort: number,
  logger: Logger,
  env: Record<string, string | undefined> = {},
  options: Parameters<typeof startServiceForTest>[2] = {},
) {
  return startServiceForTest(
    referralsService,
    {
      SILTA_DATABASE_URL: databaseUrl,
      SILTA_CONSENT_ADDRESS: `127.0.0.1:${consentPort}`,
      SILTA_AREA_CODE: "13",
      SILTA_PSEUDONYM_KEY: PSEUDONYM_KEY,
      ...env,
    },
    { logger, signer: "referrals", ...options },
  );
}

export type NotificationsUnderTest = Awaited<ReturnType<typeof startNotifications>>;
/** A notifications replica of area 13 sending e-mail to the SMTP server on `smtpPort` (webhooks to loopback allowed: development). */
export function startNotifications(
  databaseUrl: string,
  smtpPort: number,
  logger: Logger,
  env: Record<string, string | undefined> = {},
  options: Parameters<typeof startServiceForTest>[2] = {},
) {
  return startServiceForTest(
    notificationsService,
    {
      SILTA_DATABASE_URL: databaseUrl,
      SILTA_AREA_CODE: "13",
      SILTA_SMTP_HOST: "127.0.0.1",
      SILTA_SMTP_PORT: String(smtpPort),
      SILTA_NOTIFICATIONS_ALLOW_PRIVATE_WEBHOOKS: "true",
      SILTA_NOTIFICATIONS_LINK_BASE: "https://silta.test",
      ...env,
    },
    { logger, signer: "notifications", consumerGroup: uniqueName("notifications"), ...options },
  );
}

export type ConsultationsUnderTest = Awaited<ReturnType<typeof startConsultations>>;

/** A consultations replica of area 13 asking the consent service on `consentPort` (co-work), proving its calls with its own key. */
export function startConsultations(
  databaseUrl: string,
  consentPort: number,
  logger: Logger,
  env: Record<string, string | undefined> = {},
  options: Parameters<typeof startServiceForTest>[2] = {},
) {
  return startServiceForTest(
    consultationsService,
    {
      SILTA_DATABASE_URL: databaseUrl,
      SILTA_CONSENT_ADDRESS: `127.0.0.1:${consentPort}`,
      SILTA_AREA_CODE: "13",
      SILTA_PSEUDONYM_KEY: PSEUDONYM_KEY,
      ...env,
    },
    { logger, signer: "consultations", ...options },
  );
}

export type MeetingsUnderTest = Awaited<ReturnType<typeof startMeetings>>;
/** The secret of the family links in tests (base64 of 32 bytes). */
export const LINK_SECRET = Buffer.alloc(32, 7).toString("base64");

/** A meetings replica of area 13 asking the consent service on `consentPort`, proving its calls with its own key. */
export function startMeetings(
  databaseUrl: string,
  consentPort: number,
  logger: Logger,
  env: Record<string, string | undefined> = {},
  options: Parameters<typeof startServiceForTest>[2] = {},
) {
  return startServiceForTest(
    meetingsService,
    {
      SILTA_DATABASE_URL: databaseUrl,
      SILTA_CONSENT_ADDRESS: `127.0.0.1:${consentPort}`,
      SILTA_AREA_CODE: "13",
      SILTA_PSEUDONYM_KEY: PSEUDONYM_KEY,
      SILTA_MEETINGS_LINK_SECRET: LINK_SECRET,
      ...env,
    },
    // A consumer group of its own unless told: test files running at once, each with a meetings
    // service on its own topics, must not rebalance one another's group.
    { logger, signer: "meetings", consumerGroup: uniqueName("meetings"), ...options },
  );
}

/**
 * Registers a specialist of the paired-worker model in area 13 (as `coordinator`) and sets their
 * weekly hours in Europe/Helsinki and booking rules (as the specialist): weekdays 09:00–15:00, a
 * 15-minute buffer after, two hours' notice and a 120-day window unless told otherwise.
 */
export async function registerSpecialist(
  client: ConsultationServiceClient,
  o: {
    coordinator: Identity;
    person: Identity;
    skills?: string[];
    languages?: string[];
    weight?: number;
    weekdays?: number[];
    start?: string;
    end?: string;
    worksOnHolidays?: boolean;
    overrides?: { date: string; dayOff: boolean; start: string; end: string }[];
    rules?: Partial<BookingRules>;
  },
): Promise<Specialist> {
  const { specialist } = await unary(
    client,
    client.registerSpecialist,
    {
      personRef: o.person.subject,
      organisationId: o.person.organisationId,
      organisationType:
        o.person.organisationType === "expert_centre"
          ? SpecialistOrganisationType.SPECIALIST_ORGANISATION_TYPE_EXPERT_CENTRE
          : SpecialistOrganisationType.SPECIALIST_ORGANISATION_TYPE_WELLBEING_AREA,
      displayName: "",
      skills: o.skills ?? ["mental_health"],
      languages: o.languages ?? ["fi"],
      municipalityCodes: [],
      weight: o.weight ?? 1,
    },
    { identity: o.coordinator },
  );
  const r = await unary(
    client,
    client.setAvailability,
    {
      specialistId: specialist?.specialistId ?? "",
      timeZone: "Europe/Helsinki",
      schedules: [
        {
          rules: (o.weekdays ?? [1, 2, 3, 4, 5]).map((weekday) => ({ weekday, start: o.start ?? "09:00", end: o.end ?? "15:00" })),
          validFrom: "",
          validUntil: "",
        },
      ],
      overrides: o.overrides ?? [],
      worksOnHolidays: o.worksOnHolidays ?? false,
      rules: { bufferBeforeMinutes: 0, bufferAfterMinutes: 15, minimumNoticeMinutes: 120, bookingWindowDays: 120, capPerDay: 0, capPerWeek: 0, ...o.rules },
    },
    { identity: o.person },
  );
  return r.specialist as Specialist;
}

/** A working day about a week from now (Helsinki): `day`, and an instant on it at a local time. */
export function aWeekAhead(): { day: string; at(time: string): string } {
  const day = nthWorkingDayAfter(helsinkiDate(new Date()), 7, { evesOff: true });
  return { day, at: (time) => new Date(instantAt(day, time, "Europe/Helsinki")).toISOString() };
}

/** The details of an anonymous one-hour consultation for Kuopio (297), responsible worker sw-1 (area 13). */
export const consultationDetails = (over: Partial<BookingDetails> = {}): BookingDetails => ({
  kind: BookingKind.BOOKING_KIND_CONSULTATION,
  lengthMinutes: 60,
  responsibleWorkerRef: "sw-1",
  municipalityCode: "297",
  childHetu: "",
  topic: "",
  location: "Kuopio",
  videoLink: "",
  dataCategory: "",
  ...over,
});

export const PSEUDONYM_KEY = Buffer.alloc(32, 9).toString("base64");

export interface Chain {
  baseUrl: string;
  /** The chain's own education topic, as named on the cluster (in the file's topic namespace). */
  educationTopic: string;
  gateway: GatewayUnderTest;
  referrals: ReferralsUnderTest;
  /** The consent service's gRPC port. */
  consentPort: number;
  /** The consultations service, when the chain was asked for it. */
  consultations: ConsultationsUnderTest | undefined;
  /** The meetings service, when the chain was asked for it. */
  meetings: MeetingsUnderTest | undefined;
  /** The notifications service, when the chain was asked for it. */
  notifications: NotificationsUnderTest | undefined;
  /** Stops the referrals service; the function returned starts it again on the same port. */
  stopReferrals(): Promise<() => Promise<void>>;
  keys: Awaited<ReturnType<typeof newKeys>>;
  token(claims: TokenClaims, options?: Parameters<typeof mintToken>[2]): Promise<string>;
  /** One more gateway in front of the same services, with other settings. */
  anotherGateway(env: Record<string, string>): Promise<GatewayUnderTest>;
  stop(): Promise<void>;
}

async function serveJwks(jwks: unknown): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    if (req.url !== "/.well-known/jwks.json") return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": "application/jwk-set+json" }).end(JSON.stringify(jwks));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/.well-known/jwks.json`, server };
}

export async function startChain(options: {
  consentDbUrl: string;
  referralsDbUrl: string;
  logger: Logger;
  consumerGroup: string;
  gatewayEnv?: Record<string, string>;
  /** Also the consultations service (on this database), behind the gateway. */
  consultationsDbUrl?: string;
  /** Also the meetings service (on this database), behind the gateway. */
  meetingsDbUrl?: string;
  /**
   * Also the notifications service (on this database), behind the gateway, asking meetings and
   * consultations (when the chain has them) for the family's contacts and the .ics, as the chart
   * wires it; its e-mails to `notificationsSmtpPort` (by default 9: nowhere).
   */
  notificationsDbUrl?: string;
  notificationsSmtpPort?: number;
  notificationsEnv?: Record<string, string>;
  /** The meetings service's clock (an outcome needs a meeting that has begun). */
  meetingsClock?: { now(): Date };
  /** Extra settings of the referrals service (e.g. its readiness thresholds in a fault drill). */
  referralsEnv?: Record<string, string>;
  /** The brokers every part of the chain uses (a fault drill's proxied listener); the shared broker by default. */
  kafkaBrokers?: string[];
}): Promise<Chain> {
  const brokers = (options.kafkaBrokers ?? testEnv.kafkaBrokers).join(",");
  // The chain's own education topic: other test files produce to theirs at the same time.
  const educationTopicName = `municipal.education.${randomBytes(4).toString("hex")}.v1`;
  const educationTopic = testTopic(educationTopicName);
  const keys = await newKeys("test-key");
  const jwks = await serveJwks(keys.jwks);
  const consent = await startConsent(options.consentDbUrl, options.logger, { SILTA_KAFKA_BROKERS: brokers });
  const startReferralsReplica = (grpcPort = "0") =>
    startReferrals(
      options.referralsDbUrl,
      consent.grpcPort,
      options.logger,
      {
        SILTA_GRPC_PORT: grpcPort,
        SILTA_KAFKA_BROKERS: brokers,
        SILTA_PSEUDONYM_KEY: PSEUDONYM_KEY,
        SILTA_EDUCATION_TOPIC: educationTopicName,
        ...options.referralsEnv,
      },
      { consumerGroup: options.consumerGroup },
    );
  let referrals = await startReferralsReplica();
  const consultations = options.consultationsDbUrl
    ? await startConsultations(options.consultationsDbUrl, consent.grpcPort, options.logger, { SILTA_KAFKA_BROKERS: brokers })
    : undefined;
  const meetings = options.meetingsDbUrl
    ? await startMeetings(
        options.meetingsDbUrl,
        consent.grpcPort,
        options.logger,
        { SILTA_KAFKA_BROKERS: brokers },
        options.meetingsClock ? { clock: options.meetingsClock } : {},
      )
    : undefined;
  const notifications = options.notificationsDbUrl
    ? await startNotifications(options.notificationsDbUrl, options.notificationsSmtpPort ?? 9, options.logger, {
        SILTA_KAFKA_BROKERS: brokers,
        ...(meetings ? { SILTA_MEETINGS_ADDRESS: `127.0.0.1:${meetings.grpcPort}` } : {}),
        ...(consultations ? { SILTA_CONSULTATIONS_ADDRESS: `127.0.0.1:${consultations.grpcPort}` } : {}),
        ...options.notificationsEnv,
      })
    : undefined;
  const start = (env: Record<string, string> = {}) =>
    startServiceForTest(
      gatewayService,
      {
        SILTA_KAFKA_BROKERS: brokers,
        SILTA_CONSENT_ADDRESS: `127.0.0.1:${consent.grpcPort}`,
        SILTA_REFERRALS_ADDRESS: `127.0.0.1:${referrals.grpcPort}`,
        ...(consultations ? { SILTA_CONSULTATIONS_ADDRESS: `127.0.0.1:${consultations.grpcPort}` } : {}),
        ...(meetings ? { SILTA_MEETINGS_ADDRESS: `127.0.0.1:${meetings.grpcPort}` } : {}),
        ...(notifications ? { SILTA_NOTIFICATIONS_ADDRESS: `127.0.0.1:${notifications.grpcPort}` } : {}),
        SILTA_JWKS_URL: jwks.url,
        SILTA_JWT_ISSUER: DEV_ISSUER,
        SILTA_JWT_AUDIENCE: DEV_AUDIENCE,
        SILTA_EDUCATION_TOPIC: educationTopicName,
        SILTA_DRAIN_MS: "100",
        // Every test file calls from 127.0.0.1 in the same minute: one address, many "clients".
        SILTA_UNAUTHENTICATED_PER_MINUTE: "1000000",
        ...options.gatewayEnv,
        ...env,
      },
      { logger: options.logger },
    );
  const gateway = await start();
  return {
    baseUrl: `http://127.0.0.1:${gateway.httpPort}`,
    educationTopic,
    gateway,
    consentPort: consent.grpcPort,
    consultations,
    meetings,
    notifications,
    get referrals() {
      return referrals;
    },
    async stopReferrals() {
      await referrals.stop();
      const port = String(referrals.grpcPort);
      return async () => {
        referrals = await startReferralsReplica(port);
      };
    },
    keys,
    token: (claims, o) => mintToken(keys.privateJwk, claims, o),
    anotherGateway: start,
    async stop() {
      await gateway.stop();
      await consultations?.stop();
      await meetings?.stop();
      await notifications?.stop();
      await referrals.stop();
      await consent.stop();
      await new Promise((r) => jwks.server.close(r));
    },
  };
}

const WHOLE = ["consent", "referrals", "consultations", "meetings", "notifications"] as const;
/**
 * The whole system in this process: all five services, each on a database of its own
 * (`<prefix>_<service>`), behind the gateway, in a consumer group of their own; `drop()` removes
 * the databases once the chain is stopped.
 */
export async function startWholeChain(
  prefix: string,
  options: Omit<
    Parameters<typeof startChain>[0],
    "consentDbUrl" | "referralsDbUrl" | "consultationsDbUrl" | "meetingsDbUrl" | "notificationsDbUrl" | "consumerGroup"
  >,
): Promise<{ chain: Chain; dbs: Record<(typeof WHOLE)[number], TestDatabase>; drop(): Promise<void> }> {
  const list = await Promise.all(WHOLE.map((s) => createTestDatabase(`${prefix}_${s}`)));
  const dbs = Object.fromEntries(WHOLE.map((s, i) => [s, list[i] as TestDatabase])) as Record<(typeof WHOLE)[number], TestDatabase>;
  const chain = await startChain({
    ...options,
    consentDbUrl: dbs.consent.url,
    referralsDbUrl: dbs.referrals.url,
    consultationsDbUrl: dbs.consultations.url,
    meetingsDbUrl: dbs.meetings.url,
    notificationsDbUrl: dbs.notifications.url,
    consumerGroup: uniqueName(prefix),
  });
  return { chain, dbs, drop: async () => void (await Promise.all(list.map((d) => d.drop()))) };
}

export { type Persona, personas } from "./personas.ts";

export interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown> & { errors?: { field: string; reason: string }[] };
}

export async function http(
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const res = await fetch(baseUrl + path, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined || options.raw !== undefined ? { "content-type": "application/json" } : {}),
      ...options.headers,
    },
    ...(options.raw !== undefined ? { body: options.raw } : options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await res.text();
  let body: Answer["body"] = {};
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = { text };
  }
  return { status: res.status, headers: res.headers, body };
}

/** A valid school event of Kuopio (297) about the pupil with `hetu`; `over` replaces fields. */
export function educationEvent(eventId: string, hetu: string, over: Record<string, unknown> = {}) {
  return {
    eventId,
    municipalityCode: "297",
    unitId: "kuopio-school-12",
    pupilId: `pupil-${eventId}`,
    pupilHetu: hetu,
    level: "EDUCATION_LEVEL_BASIC_EDUCATION",
    occurredOn: "2026-11-02",
    attendance: { kind: "ABSENCE_KIND_RECURRING", absentDays: 6, periodStart: "2026-10-01", periodEnd: "2026-10-31" },
    ...over,
  };
}

/** The markers the privacy tests look for: never in a log, a status answer or an event. */
export const CONCERN = "Gateway-test concern: repeated absences and bruises";
export const NAME = "Gateway-Testilapsi";
/** A valid child welfare notification from Kuopio's school 12, in proto3 JSON; `over` replaces fields. */
export const referralSubmission = (over: Record<string, unknown> = {}) => ({
  requestId: uniqueName("req"),
  kind: "REFERRAL_KIND_CHILD_WELFARE_NOTIFICATION",
  notifier: {
    type: "NOTIFIER_TYPE_MANDATORY_PROFESSIONAL",
    organisationId: "kuopio-school-12",
    role: "teacher",
    name: "Liisa Opettaja",
    email: "liisa@example.fi",
  },
  child: { hetu: freshHetu(), givenNames: NAME, familyName: "Esimerkki" },
  homeMunicipalityCode: "297",
  concern: CONCERN,
  ...over,
});
