// Who may do what in one area's consultations. Every answer about an object the caller may not
// see is NOT_FOUND (an organisation sees only its own objects).
import { BOOKER_ROLES, type Identity, notFound, permissionDenied } from "@silta/platform";
import type { Booking } from "../domain/booking.ts";
import { isSpecialist, type Specialist } from "../domain/specialist.ts";

export interface Area {
  code: string;
  /** The municipalities of this wellbeing area. */
  municipalities: Set<string>;
}

/** The caller acts for this area: an organisation of the area, or a municipality in it. */
export function ofArea(caller: Identity, area: Area): boolean {
  if (caller.organisationType === "wellbeing_area") return caller.areaCodes.includes(area.code);
  if (caller.organisationType === "municipality") return caller.municipalityCodes.some((m) => area.municipalities.has(m));
  if (caller.organisationType === "expert_centre") return caller.areaCodes.includes(area.code);
  return false;
}

/** This area's notifications service (it attaches a booking's invitation to the e-mails it sends about it). */
export const isAreaNotifications = (caller: Identity, area: Area): boolean =>
  caller.organisationType === "service" && caller.organisationId === `silta-notifications-${area.code}`;

export const isBooker = (caller: Identity, area: Area): boolean =>
  ofArea(caller, area) &&
  (caller.organisationType === "municipality" || caller.organisationType === "wellbeing_area") &&
  BOOKER_ROLES.some((r) => caller.roles.includes(r));

export const isCoordinator = (caller: Identity, area: Area): boolean =>
  caller.organisationType === "wellbeing_area" && caller.areaCodes.includes(area.code) && caller.roles.includes("consultation_coordinator");

export const isSpecialistRole = (caller: Identity, area: Area): boolean => ofArea(caller, area) && caller.roles.includes("consultation_specialist");

export function assertBooker(caller: Identity, area: Area): void {
  if (!isBooker(caller, area))
    throw permissionDenied("SILTA_CONSULTATION_FORBIDDEN", `booking is for the social workers of wellbeing area ${area.code} and its municipalities`);
}

export function assertCoordinator(caller: Identity, area: Area): void {
  if (!isCoordinator(caller, area))
    throw permissionDenied("SILTA_CONSULTATION_FORBIDDEN", `this is for the consultation coordinators of wellbeing area ${area.code}`);
}

/** The specialist themself, a stand-in named for them, or a coordinator; anyone else: NOT_FOUND. */
export function assertManages(caller: Identity, area: Area, s: Specialist, standIns: Specialist[] = []): void {
  if (isCoordinator(caller, area) || isSpecialist(s, caller) || standIns.some((x) => isSpecialist(x, caller))) return;
  throw notFound("SILTA_CONSULTATION_NOT_FOUND", `specialist ${s.specialistId}`);
}

/** May the caller see this booking: its requester, its responsible worker (of the area), its specialist or their stand-in, a coordinator, a seat holder. */
export function seesBooking(caller: Identity, area: Area, b: Booking, specialists: Specialist[], seatHolder: boolean): boolean {
  if (b.requesterRef === caller.subject && b.requesterOrganisationId === caller.organisationId) return true;
  if (caller.organisationType === "wellbeing_area" && caller.areaCodes.includes(area.code) && b.responsibleWorkerRef === caller.subject) return true;
  if (specialists.some((s) => isSpecialist(s, caller))) return true;
  if (isCoordinator(caller, area)) return true;
  if (b.kind === "training" && b.status === "confirmed" && isBooker(caller, area)) return true;
  return seatHolder;
}
