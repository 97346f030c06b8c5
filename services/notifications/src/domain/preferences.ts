// Whether a person is told of a kind of message on a channel, and when: preferences at the
// organisation's and the person's level (the person's choice wins unless the organisation locked
// its rule; a rule for the kind before one for every kind), quiet hours in the person's own time
// zone (weekday and hour both, so Monday 00:30 in Helsinki is Monday although it is still Sunday
// in UTC). A must-deliver message bypasses both — never a channel's validity, which is not decided here.
import { availableIntervals, localDateOf, type WeeklyRule } from "@silta/calendar";

export type PreferenceChannel = "in_app" | "email";
export interface PreferenceRule {
  /** A kind of message, or "*" for every kind. */
  kind: string;
  channel: PreferenceChannel;
  enabled: boolean;
  /** Organisation rules only: the person cannot change it. */
  locked: boolean;
}
export interface QuietHours {
  /** An IANA time zone, e.g. Europe/Helsinki. */
  zone: string;
  /** Local weekly windows; one that crosses midnight is two (22:00–24:00 and 00:00–07:00). */
  windows: WeeklyRule[];
}

const pick = (rules: PreferenceRule[], kind: string, channel: PreferenceChannel) =>
  rules.find((r) => r.kind === kind && r.channel === channel) ?? rules.find((r) => r.kind === "*" && r.channel === channel);

/** Whether `kind` reaches the person on `channel`. */
export function allowed(kind: string, channel: PreferenceChannel, mustDeliver: boolean, organisation: PreferenceRule[], person: PreferenceRule[]): boolean {
  if (mustDeliver) return true;
  const o = pick(organisation, kind, channel);
  if (o?.locked) return o.enabled;
  const p = pick(person, kind, channel);
  return p?.enabled ?? o?.enabled ?? true;
}

const DAY = 86_400_000;
const shift = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);

/** When a message may go out: `now`, or the end of the quiet hours `now` falls in (continuing across midnight). */
export function notBefore(now: number, quiet: QuietHours | undefined, mustDeliver: boolean): number {
  if (mustDeliver || !quiet || quiet.windows.length === 0) return now;
  const today = localDateOf(now, quiet.zone);
  const spans = availableIntervals(
    { zone: quiet.zone, schedules: [{ rules: quiet.windows }], overrides: [], holidaysOff: false, outOfOffice: [] },
    shift(today, -1),
    shift(today, 8),
  );
  return spans.find((s) => s.start <= now && now < s.end)?.end ?? now;
}

/** Whether `zone` is a time zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return zone.length > 0;
  } catch {
    return false;
  }
}
