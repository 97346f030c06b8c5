// The people of the consultations tests (area 13, Pohjois-Savo), a clock the tests move, and the
// few calls every test makes. Kuopio (297) has a specialist of its own; Rautavaara (687) does not.
import {
  BookingKind,
  type BookRequest,
  type ConsultationServiceClient,
  type Specialist,
  SpecialistOrganisationType,
} from "@silta/contracts/consultations/v1/consultations.ts";
import { unary } from "@silta/grpc";
import type { Identity, SiltaError } from "@silta/platform";
import { uniqueName } from "@silta/testing";

export const coordinator: Identity = {
  subject: "coord-1",
  organisationId: "pohjois-savo-hyvinvointialue",
  organisationType: "wellbeing_area",
  roles: ["consultation_coordinator"],
  areaCodes: ["13"],
  municipalityCodes: [],
};
/** A municipal social worker of Kuopio (has a specialist of its own). */
export const kuopioWorker: Identity = {
  subject: "msw-1",
  organisationId: "kuopio-sosiaalityo",
  organisationType: "municipality",
  roles: ["social_worker"],
  areaCodes: [],
  municipalityCodes: ["297"],
};
/** A social worker of Rautavaara (no specialist of its own). */
export const rautavaaraWorker: Identity = { ...kuopioWorker, subject: "msw-9", organisationId: "rautavaara-sosiaalityo", municipalityCodes: ["687"] };
/** The child's responsible social worker (virkavastuu), of the area. */
export const responsible: Identity = {
  subject: "sw-1",
  organisationId: "pohjois-savo-lastensuojelu",
  organisationType: "wellbeing_area",
  roles: ["child_protection_worker"],
  areaCodes: ["13"],
  municipalityCodes: [],
};
/** A worker of another area (Länsi-Uusimaa): sees none of area 13's bookings. */
export const outsider: Identity = { ...responsible, subject: "sw-2", organisationId: "lansi-uusimaa-lastensuojelu", areaCodes: ["03"] };
export const specialistPerson = (subject: string, organisationId = "pohjois-savo-erityispalvelut"): Identity => ({
  subject,
  organisationId,
  organisationType: organisationId.includes("osaamiskeskus") ? "expert_centre" : "wellbeing_area",
  roles: ["consultation_specialist"],
  areaCodes: ["13"],
  municipalityCodes: [],
});

/** A clock the tests set; the service reads it (hold expiry, notice, window, release). */
export function testClock(start: string) {
  let t = Date.parse(start);
  return {
    now: () => new Date(t),
    set: (iso: string) => {
      t = Date.parse(iso);
    },
  };
}

export const fail = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (e: SiltaError & { details?: string }) => e,
  );

export type Client = ConsultationServiceClient;

/** Registers a specialist with weekday hours 09:00–15:00 Helsinki (or the schedule given). */
export async function registerSpecialist(
  c: Client,
  o: {
    person?: Identity;
    skills?: string[];
    languages?: string[];
    weight?: number;
    rules?: Partial<{
      bufferBeforeMinutes: number;
      bufferAfterMinutes: number;
      minimumNoticeMinutes: number;
      bookingWindowDays: number;
      capPerDay: number;
      capPerWeek: number;
    }>;
    weekdays?: number[];
    start?: string;
    end?: string;
    overrides?: { date: string; dayOff: boolean; start: string; end: string }[];
  } = {},
): Promise<{ specialist: Specialist; person: Identity }> {
  const person = o.person ?? specialistPerson(uniqueName("spec"));
  const { specialist } = await unary(
    c,
    c.registerSpecialist,
    {
      personRef: person.subject,
      organisationId: person.organisationId,
      organisationType:
        person.organisationType === "expert_centre"
          ? SpecialistOrganisationType.SPECIALIST_ORGANISATION_TYPE_EXPERT_CENTRE
          : SpecialistOrganisationType.SPECIALIST_ORGANISATION_TYPE_WELLBEING_AREA,
      displayName: "",
      skills: o.skills ?? ["mental_health"],
      languages: o.languages ?? ["fi"],
      municipalityCodes: [],
      weight: o.weight ?? 1,
    },
    { identity: coordinator },
  );
  const id = specialist?.specialistId as string;
  const r = await unary(
    c,
    c.setAvailability,
    {
      specialistId: id,
      timeZone: "Europe/Helsinki",
      schedules: [
        {
          rules: (o.weekdays ?? [1, 2, 3, 4, 5]).map((weekday) => ({ weekday, start: o.start ?? "09:00", end: o.end ?? "15:00" })),
          validFrom: "",
          validUntil: "",
        },
      ],
      overrides: o.overrides ?? [],
      worksOnHolidays: false,
      rules: {
        bufferBeforeMinutes: 0,
        bufferAfterMinutes: 15,
        minimumNoticeMinutes: 120,
        bookingWindowDays: 120,
        capPerDay: 0,
        capPerWeek: 0,
        ...o.rules,
      },
    },
    { identity: person },
  );
  return { specialist: r.specialist as Specialist, person };
}

/** A complete consultation booking request (anonymous: no child identity). */
export const consultation = (over: Partial<BookRequest> & { start: string }, municipalityCode = "297"): BookRequest => ({
  requestId: uniqueName("req"),
  specialistId: "",
  skill: "",
  language: "",
  recurrence: "",
  ...over,
  details: {
    kind: BookingKind.BOOKING_KIND_CONSULTATION,
    lengthMinutes: 60,
    responsibleWorkerRef: responsible.subject,
    municipalityCode,
    childHetu: "",
    topic: "Teenager refusing school, parents disagree on placement",
    location: "",
    videoLink: "https://meet.example.fi/abc",
    dataCategory: "",
    ...over.details,
  },
});
