// A specialist of the paired-worker model: who they are (opaque references), what they know,
// whom they serve, and their availability in their own zone (@silta/calendar).
import type { Availability, BookingRules, DateOverride, Interval, Schedule } from "@silta/calendar";

export interface OutOfOffice {
  from: Date;
  until: Date;
  standIn: string;
}

export interface Specialist {
  specialistId: string;
  personRef: string;
  organisationId: string;
  organisationType: "wellbeing_area" | "expert_centre";
  displayName: string;
  skills: string[];
  languages: string[];
  municipalityCodes: string[];
  weight: number;
  timeZone: string;
  schedules: Schedule[];
  overrides: DateOverride[];
  worksOnHolidays: boolean;
  rules: Omit<BookingRules, "lengthMin">;
  outOfOffice: OutOfOffice[];
  lastBookedAt: Date | undefined;
}

export const DEFAULT_RULES: Specialist["rules"] = {
  bufferBeforeMin: 0,
  bufferAfterMin: 15,
  minNoticeMin: 120,
  windowDays: 90,
  capPerDay: 0,
  capPerWeek: 0,
};

export function availabilityOf(s: Specialist): Availability {
  return {
    zone: s.timeZone,
    schedules: s.schedules,
    overrides: s.overrides,
    holidaysOff: !s.worksOnHolidays,
    outOfOffice: s.outOfOffice.map((o): Interval => ({ start: o.from.getTime(), end: o.until.getTime() })),
  };
}

export const rulesFor = (s: Specialist, lengthMin: number): BookingRules => ({ ...s.rules, lengthMin });

/** The stand-in named for a time the specialist is out of office, if any. */
export function standInAt(s: Specialist, start: number, end: number): string | undefined {
  return s.outOfOffice.find((o) => o.from.getTime() < end && start < o.until.getTime())?.standIn;
}

/** Whether the caller is this specialist (their own user at their own organisation). */
export const isSpecialist = (s: Pick<Specialist, "personRef" | "organisationId">, caller: { subject: string; organisationId: string }): boolean =>
  s.personRef === caller.subject && s.organisationId === caller.organisationId;
