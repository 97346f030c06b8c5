// Who may do what with one area's meetings. A meeting the caller's organisation neither organises
// nor is invited to answers NOT_FOUND (an organisation sees only its own objects).
import { CHILD_PROTECTION_ROLES, type Identity, notFound, permissionDenied } from "@silta/platform";
import type { Meeting, MeetingKind } from "../domain/meeting.ts";

export interface Area {
  code: string;
  /** The municipalities of this wellbeing area. */
  municipalities: Set<string>;
}

const isAreaChildProtection = (caller: Identity, area: Area) =>
  caller.organisationType === "wellbeing_area" && caller.areaCodes.includes(area.code) && CHILD_PROTECTION_ROLES.some((r) => caller.roles.includes(r));
const isSchoolSupport = (caller: Identity, area: Area) =>
  caller.organisationType === "municipality" &&
  caller.roles.includes("school_support_coordinator") &&
  caller.municipalityCodes.some((m) => area.municipalities.has(m));

/** Organisers: the area's child-protection roles; Sisukas follow-ups also the school's named support role. */
export function mayOrganise(caller: Identity, area: Area, kind?: MeetingKind): boolean {
  return isAreaChildProtection(caller, area) || (kind === "school_support" && isSchoolSupport(caller, area));
}

export function assertOrganiser(caller: Identity, area: Area, kind?: MeetingKind): void {
  if (!mayOrganise(caller, area, kind) && !(kind === undefined && isSchoolSupport(caller, area)))
    throw permissionDenied(
      "SILTA_MEETING_FORBIDDEN",
      "meetings are organised by the area's child-protection roles (Sisukas follow-ups also by the school's named support role)",
    );
}

/** The caller's organisation organises the meeting, or is (or was) invited to it. */
export function sees(caller: Identity, m: Meeting): boolean {
  if (caller.organisationId === m.organiserOrganisationId) return true;
  return m.participants.some((p) => p.kind === "staff" && p.organisationId === caller.organisationId && p.invitation !== "not_invited");
}

export function assertSees(caller: Identity, m: Meeting | undefined, id: string): asserts m is Meeting {
  if (!m || !sees(caller, m)) throw notFound("SILTA_MEETING_NOT_FOUND", `meeting ${id}`);
}

/** The organiser's organisation, in an organiser role for this kind: changes, links, outcomes. */
export function assertManages(caller: Identity, area: Area, m: Meeting | undefined, id: string): asserts m is Meeting {
  assertSees(caller, m, id);
  if (caller.organisationId !== m.organiserOrganisationId || !mayOrganise(caller, area, m.kind))
    throw permissionDenied("SILTA_MEETING_FORBIDDEN", "only the organiser's organisation, in an organiser role, changes a meeting");
}
