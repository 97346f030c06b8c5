// Staff's busy times (published to this service, or taken from the specialists' bookings) and the
// search for a common time. RFC 5545's kinds stay distinct: busy and unavailable keep a required
// participant out; tentative does not, and is said.
import { type BusyBlock, commonSlots, HELSINKI, isLocalDate, isLocalTime, type WeeklyRule, WORKING_HOURS } from "@silta/calendar";
import { type Identity, invalidArgument, PERSON_REFERENCE, permissionDenied } from "@silta/platform";
import ICAL from "ical.js";
import type { Problem } from "../domain/meeting.ts";
import { type Area, mayOrganise } from "./authorise.ts";
import { MAX_BLOCK_DAYS, type MeetingStore, personKey } from "./ports.ts";

const DAY = 86_400_000;
const MAX_BLOCKS = 5000;
const MAX_SEARCH_DAYS = 42;
const MAX_PEOPLE = 30;
const invalid = (p: Problem[]) => invalidArgument("SILTA_MEETING_INVALID", p);

/** Busy blocks of an iCalendar file within [from, to): VFREEBUSY lines by FBTYPE, VEVENTs (recurring ones expanded) unless TRANSPARENT or CANCELLED. */
export function busyFromIcal(text: string, from: number, to: number): BusyBlock[] | Problem {
  let root: ICAL.Component;
  try {
    root = new ICAL.Component(ICAL.parse(text));
  } catch {
    return { field: "ical", reason: "not an iCalendar file (RFC 5545)" };
  }
  const out: BusyBlock[] = [];
  const add = (start: number, end: number, kind: BusyBlock["kind"]) => {
    if (end > from && start < to && end > start) out.push({ start: Math.max(start, from), end: Math.min(end, to), kind });
  };
  for (const fb of root.getAllSubcomponents("vfreebusy"))
    for (const prop of fb.getAllProperties("freebusy")) {
      const type = String(prop.getParameter("fbtype") ?? "BUSY").toUpperCase();
      if (type === "FREE") continue;
      const kind: BusyBlock["kind"] = type === "BUSY-TENTATIVE" ? "tentative" : type === "BUSY-UNAVAILABLE" ? "unavailable" : "busy";
      for (const v of prop.getValues() as ICAL.Period[]) {
        const start = v.start.toJSDate().getTime();
        const end = v.end ? v.end.toJSDate().getTime() : v.start.clone().toJSDate().getTime() + (v.duration?.toSeconds() ?? 0) * 1000;
        add(start, end, kind);
      }
    }
  for (const ve of root.getAllSubcomponents("vevent")) {
    const event = new ICAL.Event(ve);
    if (String(ve.getFirstPropertyValue("transp") ?? "").toUpperCase() === "TRANSPARENT") continue;
    const status = String(ve.getFirstPropertyValue("status") ?? "").toUpperCase();
    if (status === "CANCELLED") continue;
    const kind: BusyBlock["kind"] = status === "TENTATIVE" ? "tentative" : "busy";
    const length = event.duration.toSeconds() * 1000;
    if (!event.isRecurring()) {
      add(event.startDate.toJSDate().getTime(), event.endDate.toJSDate().getTime(), kind);
      continue;
    }
    const it = event.iterator();
    for (let n = 0, next = it.next(); next && n < MAX_BLOCKS; next = it.next(), n++) {
      const start = next.toJSDate().getTime();
      if (start >= to) break;
      add(start, start + length, kind);
    }
  }
  return out.length > MAX_BLOCKS ? { field: "ical", reason: `at most ${MAX_BLOCKS} busy blocks` } : out;
}

export interface FindTimesQuery {
  participants: { organisationId: string; personRef: string; required: boolean }[];
  fromDate: string;
  toDate: string;
  lengthMinutes: number;
  familyWindows: WeeklyRule[];
  stepMinutes: number;
  limit: number;
}

function windowProblems(w: WeeklyRule[]): Problem[] {
  const p: Problem[] = [];
  w.forEach((x, i) => {
    if (!Number.isInteger(x.weekday) || x.weekday < 1 || x.weekday > 7) p.push({ field: `family_windows[${i}].weekday`, reason: "1 (Monday) … 7 (Sunday)" });
    if (!isLocalTime(x.start)) p.push({ field: `family_windows[${i}].start`, reason: "a local time HH:MM" });
    if (!isLocalTime(x.end) || (isLocalTime(x.start) && x.end <= x.start))
      p.push({ field: `family_windows[${i}].end`, reason: "a local time HH:MM after start" });
  });
  return p;
}

export function freeBusyUseCases(deps: { store: MeetingStore; clock: { now(): Date }; area: Area }) {
  const { store, clock, area } = deps;
  return {
    async publish(q: { personRef: string; from: Date | undefined; to: Date | undefined; blocks: BusyBlock[]; ical: string }, caller: Identity) {
      const p: Problem[] = [];
      if (!PERSON_REFERENCE.test(q.personRef)) p.push({ field: "person_ref", reason: "an opaque reference" });
      else if (q.personRef !== caller.subject && !caller.roles.includes("calendar_sync"))
        throw permissionDenied(
          "SILTA_MEETING_FORBIDDEN",
          "a person publishes their own busy times; an organisation's calendar system (calendar_sync) those of its people",
        );
      if (!q.from) p.push({ field: "from", reason: "an RFC 3339 instant" });
      if (!q.to) p.push({ field: "to", reason: "an RFC 3339 instant" });
      const from = q.from?.getTime() ?? 0;
      const to = q.to?.getTime() ?? 0;
      if (q.from && q.to && (to <= from || to - from > MAX_BLOCK_DAYS * DAY)) p.push({ field: "to", reason: `after from, at most ${MAX_BLOCK_DAYS} days` });
      if (q.blocks.length > 0 && q.ical !== "") p.push({ field: "ical", reason: "blocks or an iCalendar file, not both" });
      if (q.blocks.length > MAX_BLOCKS) p.push({ field: "blocks", reason: `at most ${MAX_BLOCKS}` });
      q.blocks.forEach((b, i) => {
        if (!(b.end > b.start)) p.push({ field: `blocks[${i}].end`, reason: "after start" });
      });
      let blocks = q.blocks;
      if (q.ical !== "" && p.length === 0) {
        const parsed = busyFromIcal(q.ical, from, to);
        if (Array.isArray(parsed)) blocks = parsed;
        else p.push(parsed);
      }
      if (p.length > 0) throw invalid(p);
      return store.replaceBusy({ organisationId: caller.organisationId, personRef: q.personRef }, new Date(from), new Date(to), blocks);
    },

    async find(q: FindTimesQuery, caller: Identity) {
      if (!mayOrganise(caller, area, "school_support") && !mayOrganise(caller, area))
        throw permissionDenied("SILTA_MEETING_FORBIDDEN", "common times are searched by the organisers of meetings");
      const p: Problem[] = [];
      if (q.participants.length === 0) p.push({ field: "participants", reason: "name at least one participant" });
      if (q.participants.length > MAX_PEOPLE) p.push({ field: "participants", reason: `at most ${MAX_PEOPLE}` });
      q.participants.forEach((x, i) => {
        if (!PERSON_REFERENCE.test(x.organisationId)) p.push({ field: `participants[${i}].organisation_id`, reason: "an organisation id" });
        if (!PERSON_REFERENCE.test(x.personRef)) p.push({ field: `participants[${i}].person_ref`, reason: "an opaque reference" });
      });
      if (!isLocalDate(q.fromDate)) p.push({ field: "from_date", reason: "a date YYYY-MM-DD" });
      if (!isLocalDate(q.toDate)) p.push({ field: "to_date", reason: "a date YYYY-MM-DD" });
      else if (isLocalDate(q.fromDate) && (q.toDate < q.fromDate || (Date.parse(q.toDate) - Date.parse(q.fromDate)) / DAY > MAX_SEARCH_DAYS))
        p.push({ field: "to_date", reason: `from from_date on, at most ${MAX_SEARCH_DAYS} days` });
      if (!Number.isInteger(q.lengthMinutes) || q.lengthMinutes < 5 || q.lengthMinutes > 480) p.push({ field: "length_minutes", reason: "5–480 minutes" });
      if (q.stepMinutes !== 0 && (q.stepMinutes < 5 || q.stepMinutes > 240)) p.push({ field: "step_minutes", reason: "5–240 (0: 30)" });
      if (q.limit < 0 || q.limit > 500) p.push({ field: "limit", reason: "0–500 (0: 100)" });
      p.push(...windowProblems(q.familyWindows));
      if (p.length > 0) throw invalid(p);
      const people = [...new Map(q.participants.map((x) => [personKey(x), x])).values()];
      const from = new Date(Date.parse(`${q.fromDate}T00:00:00Z`) - DAY);
      const to = new Date(Date.parse(`${q.toDate}T00:00:00Z`) + 2 * DAY);
      const busy = await store.busyOf(people, from, to);
      const r = commonSlots({
        from: q.fromDate,
        to: q.toDate,
        zone: HELSINKI,
        lengthMin: q.lengthMinutes,
        stepMin: q.stepMinutes || 30,
        hours: WORKING_HOURS,
        ...(q.familyWindows.length ? { familyWindows: q.familyWindows } : {}),
        holidaysOff: true,
        now: clock.now().getTime(),
        attendees: people.map((x) => ({ ref: personKey(x), required: x.required, busy: busy.get(personKey(x)) ?? [] })),
      });
      return { offered: r.offered.slice(0, q.limit || 100), excluded: r.excluded.slice(0, 1000) };
    },
  };
}
