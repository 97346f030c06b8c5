// `k6`: check, group, sleep and fail as a scenario uses them.
import { currentGroup, state } from "./state.ts";

type Checker<T> = (value: T) => boolean;

export function check<T>(value: T, sets: Record<string, Checker<T> | boolean>, _tags?: Record<string, string>): boolean {
  let all = true;
  for (const [name, c] of Object.entries(sets)) {
    let ok: boolean;
    try {
      ok = typeof c === "function" ? Boolean(c(value)) : Boolean(c);
    } catch {
      ok = false;
    }
    const key = `${currentGroup()}::${name}`;
    const r = state.checks.get(key) ?? { name, group: currentGroup(), passed: 0, failed: 0 };
    if (ok) r.passed++;
    else r.failed++;
    state.checks.set(key, r);
    all &&= ok;
  }
  return all;
}

export function group<T>(name: string, fn: () => T): T {
  state.groups.push(name);
  try {
    return fn();
  } finally {
    state.groups.pop();
  }
}

const pause = new Int32Array(new SharedArrayBuffer(4));
/** Waits, as k6 does (a scenario polling for a result needs the time to pass). */
export function sleep(seconds: number): void {
  Atomics.wait(pause, 0, 0, Math.max(0, seconds * 1000));
}

export function fail(message?: string): never {
  throw new Error(message ?? "fail()");
}

export default { check, group, sleep, fail };
