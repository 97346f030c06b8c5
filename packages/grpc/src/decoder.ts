// Request decoding for handlers: proto values to domain values, collecting every problem as a
// named field, so a handler throws them all at once (with the use case's own validation where it
// merges them) instead of one at a time. Enums go through their enumTable.
import { type ErrorCode, type FieldViolation, invalidArgument } from "@silta/platform";

export class Decoder {
  readonly fields: FieldViolation[] = [];

  /** An RFC 3339 time, or `fallback` when empty. */
  time(field: string, value: string, fallback?: Date): Date | undefined {
    if (!value) return fallback;
    const d = new Date(value);
    if (Number.isNaN(d.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(value)) {
      this.fields.push({ field, reason: "must be an RFC 3339 time, e.g. 2026-11-23T12:00:00Z" });
      return fallback;
    }
    return d;
  }

  /** Each enum number of a repeated field to its domain word (an unknown one named by index). */
  enumList<T>(field: string, values: number[], map: (n: number) => T | undefined, what: string): T[] {
    const out: T[] = [];
    values.forEach((n, i) => {
      const v = map(n);
      if (v === undefined) this.fields.push({ field: `${field}[${i}]`, reason: `unknown ${what} (${n})` });
      else out.push(v);
    });
    return out;
  }

  /** One enum number to its domain word; `_UNSPECIFIED` refused when `required`, an unknown number always. */
  one<T>(field: string, value: number, map: (n: number) => T | undefined, what: string, required: boolean): T | undefined {
    const v = map(value);
    if (v === undefined && (required || value !== 0)) this.fields.push({ field, reason: value === 0 ? `a ${what} is required` : `unknown ${what} (${value})` });
    return v;
  }

  throwIfAny(code: ErrorCode): void {
    if (this.fields.length > 0) throw invalidArgument(code, this.fields);
  }
}
