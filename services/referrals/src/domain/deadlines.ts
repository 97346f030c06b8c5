// Statutory deadlines of a referral (DOMAIN.md "Deadlines"); the case is pending from receipt.
import { addMonths, type CalendarOptions, endOfHelsinkiDay, helsinkiDate, type LocalDate, nthWorkingDayAfter } from "@silta/calendar";

export type DeadlineKind = "urgency_assessment" | "decision" | "assessment_completion";

export interface Deadline {
  kind: DeadlineKind;
  /** The last day (Europe/Helsinki) on which it is met; for urgency, the receipt day. */
  dueDate: LocalDate;
  /** When it is missed: the end of dueDate, or for urgency, receipt + the configured grace. */
  dueAt: Date;
  /** For the decision: the date counting Midsummer Eve and Christmas Eve as working days (earlier or equal). */
  strictDueDate?: LocalDate;
  basis: string;
}

export interface DeadlineSettings extends CalendarOptions {
  /** "Immediately" (LSL 26 §) made measurable: hours after receipt (default 24). */
  urgencyHours: number;
}

export function deadlinesFor(receivedAt: Date, s: DeadlineSettings): Deadline[] {
  const day = helsinkiDate(receivedAt);
  const decision = nthWorkingDayAfter(day, 7, s);
  const strict = nthWorkingDayAfter(day, 7, { evesOff: false });
  const assessment = addMonths(day, 3);
  // Alerts follow the earlier of the two readings of the decision deadline.
  return [
    { kind: "urgency_assessment", dueDate: day, dueAt: new Date(receivedAt.getTime() + s.urgencyHours * 3_600_000), basis: "LSL 26 §" },
    { kind: "decision", dueDate: decision, dueAt: endOfHelsinkiDay(earlierDate(strict, decision)), strictDueDate: strict, basis: "LSL 26 §, SHL 36 §" },
    { kind: "assessment_completion", dueDate: assessment, dueAt: endOfHelsinkiDay(assessment), basis: "SHL 36 §, MääräaikaL 3 §" },
  ];
}

/** The earlier of two YYYY-MM-DD dates (they sort as strings). */
function earlierDate(x: LocalDate, y: LocalDate): LocalDate {
  return x.localeCompare(y) <= 0 ? x : y;
}
