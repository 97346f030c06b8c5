// Recurrence rules (RFC 5545 RRULE) expanded in the zone of their first occurrence with
// rrule-temporal, which gives the same answer whatever the server's TZ (rrule 2.8 does not;
// TOOLCHAIN.md). "Every two weeks at 13:00" stays 13:00 local across a daylight-saving change.
import { RRuleTemporal } from "rrule-temporal";
import { Temporal, zoned } from "./zone.ts";

export interface RecurrenceProblem {
  reason: string;
}

/**
 * The occurrences' start instants of `rule` ("FREQ=WEEKLY;INTERVAL=2;COUNT=6", with or without
 * the "RRULE:" prefix) from `first` in `zone`, at most `max`; a rule without COUNT or UNTIL, or
 * with more occurrences than `max`, is refused.
 */
export function occurrences(rule: string, first: Date | number, zone: string, max: number): number[] | RecurrenceProblem {
  const body = rule.replace(/^RRULE:/i, "").trim();
  if (!/^[A-Z0-9=;,+-]+$/i.test(body) || !/(^|;)FREQ=/i.test(body)) return { reason: "must be an RFC 5545 RRULE such as FREQ=WEEKLY;INTERVAL=2;COUNT=6" };
  if (!/(^|;)(COUNT|UNTIL)=/i.test(body)) return { reason: "must end: give COUNT or UNTIL" };
  if (/(^|;)FREQ=(HOURLY|MINUTELY|SECONDLY)/i.test(body)) return { reason: "a series repeats daily at most" };
  let rrule: RRuleTemporal;
  try {
    rrule = new RRuleTemporal({ rruleString: `RRULE:${body}`, dtstart: zoned(first, zone), tzid: zone, temporal: Temporal as never });
  } catch (err) {
    return { reason: `not a valid RRULE: ${(err as Error).message}` };
  }
  const out: number[] = [];
  let tooMany = false;
  rrule.all((d: { epochMilliseconds: number }, i: number) => {
    if (i >= max) {
      tooMany = true;
      return false;
    }
    out.push(d.epochMilliseconds);
    return true;
  });
  if (tooMany) return { reason: `has more than ${max} occurrences` };
  if (out.length === 0) return { reason: "has no occurrence from the start given (UNTIL before it?)" };
  return out;
}
