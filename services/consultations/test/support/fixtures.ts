// The people of the consultations tests (area 13, Pohjois-Savo), a clock the tests move, and the
// few calls every test makes. Kuopio (297) has a specialist of its own; Rautavaara (687) does not.
import { BookingKind, type BookRequest, type ConsultationServiceClient, type Specialist } from "@silta/contracts/consultations/v1/consultations.ts";
import type { Identity } from "@silta/platform";
import { callers, uniqueName } from "@silta/testing";
import { registerSpecialist as registerInArea } from "@silta/tests/chain";

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
export const responsible: Identity = callers.worker13;
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

export { fail, testClock } from "@silta/testing";

export type Client = ConsultationServiceClient;

/** Registers a specialist of area 13 (a fresh person unless given) with weekday hours 09:00–15:00 Helsinki (or the hours given). */
export async function registerSpecialist(
  c: Client,
  o: Omit<Parameters<typeof registerInArea>[1], "coordinator" | "person"> & { person?: Identity } = {},
): Promise<{ specialist: Specialist; person: Identity }> {
  const person = o.person ?? specialistPerson(uniqueName("spec"));
  return { specialist: await registerInArea(c, { ...o, coordinator, person }), person };
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
