// The people of the meetings tests (area 13, Pohjois-Savo), a clock the tests move, and the calls
// most tests make. The organiser is the area's child-protection worker; Kuopio's school and an
// NGO are invited; the family answers by link.
import { OrganisationType } from "@silta/contracts/common/v1/common.ts";
import { FamilyRole, MeetingKind, type ScheduleMeetingRequest } from "@silta/contracts/meetings/v1/meetings.ts";
import type { Identity, SiltaError } from "@silta/platform";
import { pseudonymiserOf } from "@silta/platform";
import { freshHetu, uniqueName } from "@silta/testing";
import { PSEUDONYM_KEY } from "@silta/tests/chain";

export const organiser: Identity = {
  subject: "sw-1",
  organisationId: "pohjois-savo-lastensuojelu",
  organisationType: "wellbeing_area",
  roles: ["child_protection_worker"],
  areaCodes: ["13"],
  municipalityCodes: [],
};
/** A teacher of a Kuopio school (invited). */
export const teacher: Identity = {
  subject: "teacher-7",
  organisationId: "kuopio-school-12",
  organisationType: "municipality",
  roles: ["teacher"],
  areaCodes: [],
  municipalityCodes: ["297"],
};
/** An NGO's family worker (invited when the family's consent allows). */
export const ngoWorker: Identity = {
  subject: "ngo-1",
  organisationId: "mll-kuopio",
  organisationType: "ngo",
  roles: ["family_worker"],
  areaCodes: [],
  municipalityCodes: [],
};
/** A worker of another area: sees none of area 13's meetings. */
export const outsider: Identity = { ...organiser, subject: "sw-2", organisationId: "lansi-uusimaa-lastensuojelu", areaCodes: ["03"] };
/** The notifications service of area 13 (the only one handed a family's contact details). */
export const notifications: Identity = {
  subject: "silta-notifications",
  organisationId: "silta-notifications-13",
  organisationType: "service",
  roles: [],
  areaCodes: ["13"],
  municipalityCodes: [],
};

export const pseudonymOf = (hetu: string) =>
  pseudonymiserOf({
    SILTA_PSEUDONYM_KEY: Buffer.from(PSEUDONYM_KEY, "base64"),
    SILTA_PSEUDONYM_KEY_VERSION: 0,
    SILTA_PSEUDONYM_PREVIOUS_KEY_VERSION: 0,
  }).pseudonymFor({
    hetu,
    temporaryId: "",
    birthDate: "",
    givenNames: "",
    familyName: "",
  });

/** A clock the tests set; the service reads it (link expiry, series horizon, answers after a meeting). */
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
    (e: SiltaError) => Object.assign(e, { details: `${e.message} ${JSON.stringify(e.fields ?? [])}` }),
  );

/** A network meeting about a fresh child: the school and the NGO invited, a guardian and the child by link. */
export function networkMeeting(over: Partial<ScheduleMeetingRequest> = {}): ScheduleMeetingRequest & { childHetu: string } {
  return {
    requestId: uniqueName("m"),
    kind: MeetingKind.MEETING_KIND_NETWORK,
    childHetu: freshHetu(),
    reference: "LS-2027-0042",
    referralId: "",
    start: "2027-02-02T12:00:00+02:00",
    lengthMinutes: 60,
    recurrence: "",
    location: "Kuopio, perhekeskus",
    videoLink: "",
    staff: [
      {
        organisationId: "kuopio-school-12",
        organisationType: OrganisationType.ORGANISATION_TYPE_MUNICIPALITY,
        role: "teacher",
        personRef: "teacher-7",
        required: true,
      },
      { organisationId: "mll-kuopio", organisationType: OrganisationType.ORGANISATION_TYPE_NGO, role: "family_worker", personRef: "ngo-1", required: false },
    ],
    family: [
      { role: FamilyRole.FAMILY_ROLE_GUARDIAN, email: "huoltaja@example.fi", phone: "+358401234567", language: "fi", interpreterLanguage: "", required: true },
      { role: FamilyRole.FAMILY_ROLE_CHILD, email: "", phone: "+358409876543", language: "fi", interpreterLanguage: "", required: false },
    ],
    booked: true,
    answerBy: "",
    ...over,
  };
}
