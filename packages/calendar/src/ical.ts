// iCalendar (RFC 5545, with RFC 5546 methods) written with ical-generator by the recipe in
// TOOLCHAIN.md: a VTIMEZONE from @touch4it/ical-timezones, the zone on each event, and
// Temporal.ZonedDateTime values — so local times are right across the DST changes and DTSTAMP
// keeps its Z. Never personal data of a child in what goes into a calendar.
import { getVtimezoneComponent } from "@touch4it/ical-timezones";
import ical, { ICalCalendarMethod, ICalEventStatus } from "ical-generator";
import { zoned } from "./zone.ts";

export type InvitationMethod = "REQUEST" | "CANCEL" | "PUBLISH";

export interface CalendarEvent {
  /** Stable across every change of the same booking. */
  uid: string;
  /** Raised on every change (RFC 5546: a later SEQUENCE supersedes). */
  sequence: number;
  start: Date | number;
  end: Date | number;
  zone: string;
  summary: string;
  location?: string;
  url?: string;
  cancelled?: boolean;
  /** When this version was written (DTSTAMP). */
  stamp: Date | number;
  /** Recurrence lines as written ("RRULE:…", and "EXDATE;TZID=…:…" on a line of its own). */
  rrule?: string;
  /** This event overrides the occurrence of the series (same UID) that started at this instant. */
  recurrenceId?: Date | number;
}

const METHOD: Record<InvitationMethod, ICalCalendarMethod> = {
  REQUEST: ICalCalendarMethod.REQUEST,
  CANCEL: ICalCalendarMethod.CANCEL,
  PUBLISH: ICalCalendarMethod.PUBLISH,
};

/** One VCALENDAR with the method given and its events. */
export function writeCalendar(method: InvitationMethod, events: CalendarEvent[], name = "Silta"): string {
  const cal = ical({ name, prodId: { company: "Silta", product: name, language: "FI" }, method: METHOD[method] });
  cal.timezone({ name: null, generator: getVtimezoneComponent });
  for (const e of events) {
    cal.createEvent({
      id: e.uid,
      sequence: e.sequence,
      start: zoned(e.start, e.zone),
      end: zoned(e.end, e.zone),
      timezone: e.zone,
      stamp: new Date(typeof e.stamp === "number" ? e.stamp : e.stamp.getTime()),
      summary: e.summary,
      ...(e.location ? { location: e.location } : {}),
      ...(e.url ? { url: e.url } : {}),
      ...(e.rrule ? { repeating: e.rrule } : {}),
      ...(e.recurrenceId !== undefined ? { recurrenceId: zoned(e.recurrenceId, e.zone) } : {}),
      status: e.cancelled || method === "CANCEL" ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    });
  }
  return cal.toString();
}
