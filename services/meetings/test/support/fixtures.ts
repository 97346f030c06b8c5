// The people of the meetings tests (area 13, Pohjois-Savo), a clock the tests move, and the calls
// most tests make. The organiser is the area's child-protection worker; Kuopio's school and an
// NGO are invited; the family answers by link.
import { OrganisationType } from "@silta/contracts/common/v1/common.ts";
import { type OrganisationType as ConsentOrgType, DataCategory, GiverRole, ObtainedBy, Purpose } from "@silta/contracts/consent/v1/consent.ts";
import { FamilyRole, MeetingKind, type ScheduleMeetingRequest } from "@silta/contracts/meetings/v1/meetings.ts";
import type { Identity } from "@silta/platform";
import { pseudonymiserOf } from "@silta/platform";
import { callers, freshHetu, uniqueName } from "@silta/testing";
import { PSEUDONYM_KEY } from "@silta/tests/chain";

/** The area's child-protection worker (sw-1 of pohjois-savo-lastensuojelu). */
export const organiser: Identity = callers.worker13;
/** A teacher of a Kuopio school (teacher-7 of kuopio-school-12, invited). */
export const teacher: Identity = callers.teacher;
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

export { fail, testClock } from "@silta/testing";

/** The family's consent that these organisations may take part in meetings about the child (a GrantConsent request). */
export const meetingConsent = (hetu: string, organisations: { id: string; type: ConsentOrgType }[]) => ({
  subjectPseudonym: pseudonymOf(hetu),
  areaCode: "13",
  givenBy: [{ role: GiverRole.GIVER_ROLE_CUSTODIAN, personRef: "person-77" }],
  childViewRecorded: true,
  childBirthDate: "2015-03-14",
  recipients: organisations.map((o) => ({ organisationId: o.id, organisationType: o.type, roles: [] })),
  purposes: [Purpose.PURPOSE_MEETING_PARTICIPATION],
  dataCategories: [DataCategory.DATA_CATEGORY_MEETING_INFORMATION],
  validFrom: "",
  validUntil: new Date(Date.now() + 365 * 86_400_000).toISOString(),
  obtainedBy: ObtainedBy.OBTAINED_BY_WRITTEN,
});

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
