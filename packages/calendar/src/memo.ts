// A bounded memo for the calendar's pure answers (they depend only on their arguments and the
// time-zone database): cleared when full, so a long-running service does not grow.
export function memo<T>(table: Map<string, T>, key: string, compute: () => T, limit = 8192): T {
  let v = table.get(key);
  if (v === undefined) {
    if (table.size >= limit) table.clear();
    v = compute();
    table.set(key, v);
  }
  return v;
}
