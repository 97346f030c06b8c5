// What the CPU budget (tests/bench/budget.ts) and the project's own load runs (tests/load/own/)
// send to a running system (tests/drills/system.ts) through its gateway: each persona's calls,
// the requests' bodies, and the seeding they need (referrals to read, a child whose consent
// covers the school, busy times for the slot search, specialists' free times to book; the fault
// drills book those too).
import { freshHetu } from "@silta/testing";
import type { RunningSystem } from "../drills/system.ts";
import { personas } from "./personas.ts";

export type Who = keyof typeof personas;
export interface Answer {
  status: number;
  json: Record<string, unknown>;
}

/** Calls through the system's gateway as each persona; `must` throws unless the answer is 2xx. */
export async function systemApi(system: RunningSystem) {
  const tokens = Object.fromEntries(await Promise.all(Object.entries(personas).map(async ([k, c]) => [k, await system.token(c)]))) as Record<Who, string>;
  const call = async (method: string, path: string, who: Who, body?: unknown): Promise<Answer> => {
    const r = await fetch(system.baseUrl + path, {
      method,
      headers: { authorization: `Bearer ${tokens[who]}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await r.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text);
    } catch {}
    return { status: r.status, json };
  };
  const must = async (method: string, path: string, who: Who, body?: unknown): Promise<Record<string, unknown>> => {
    const r = await call(method, path, who, body);
    if (r.status < 200 || r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.json).slice(0, 300)}`);
    return r.json;
  };
  return { tokens, call, must };
}

/** A number written with the letters a–j: ids with no digits (a run of digits can look like a henkilötunnus). */
export const letters = (n: number) => [...String(n)].map((d) => String.fromCharCode(97 + Number(d))).join("");
const stamp = letters(Date.now() % 1e9);
let sequence = 0;

/** The date `days` ahead, moved to the next weekday. */
export function weekdayAhead(days: number): string {
  const d = new Date(Date.now() + days * 86_400_000);
  while (d.getUTCDay() === 0 || d.getUTCDay() === 6) d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** A teacher's child welfare notification about a child with a fresh test henkilötunnus. */
export function referralBody(prefix: string) {
  return {
    requestId: `${prefix}-${stamp}-${letters(++sequence)}`,
    kind: "REFERRAL_KIND_CHILD_WELFARE_NOTIFICATION",
    notifier: {
      type: "NOTIFIER_TYPE_MANDATORY_PROFESSIONAL",
      organisationId: personas.teacher.org_id,
      role: "teacher",
      name: "Kuorma Opettaja",
      email: "opettaja@kuopio.example",
    },
    child: { hetu: freshHetu(), givenNames: "Testi", familyName: "Kuorma" },
    homeMunicipalityCode: "297",
    concern: "Load run concern.",
  };
}

/** `n` education events of Kuopio's basic education, each with an id of its own. */
export function educationEvents(n: number, prefix: string) {
  return Array.from({ length: n }, () => {
    const i = ++sequence;
    return {
      eventId: `${prefix}-${stamp}-${letters(i)}`,
      municipalityCode: "297",
      unitId: "school-297-1",
      pupilId: `pupil-${letters(i % 5000)}`,
      pupilHetu: freshHetu(),
      level: "EDUCATION_LEVEL_BASIC_EDUCATION",
      occurredOn: "2026-11-30",
      attendance: { kind: "ABSENCE_KIND_RECURRING", absentDays: 6, periodStart: "2026-10-01", periodEnd: "2026-10-31" },
    };
  });
}

/** The school's question about a child (the consent seeded by `seedConsentedChild` covers it). */
export const checkBody = (subjectPseudonym: string) => ({
  subjectPseudonym,
  recipient: { organisationId: personas.teacher.org_id, organisationType: "ORGANISATION_TYPE_MUNICIPALITY", role: "teacher" },
  purpose: "PURPOSE_SCHOOL_SUPPORT",
  dataCategory: "DATA_CATEGORY_EDUCATION_EVENTS",
});

/** The people of the slot search: the worker and the specialist required, the teacher if possible. */
export const SLOT_PEOPLE = [
  { persona: "worker13", organisationId: personas.worker13.org_id, personRef: personas.worker13.sub, required: true },
  { persona: "specialist13", organisationId: personas.specialist13.org_id, personRef: personas.specialist13.sub, required: true },
  { persona: "teacher", organisationId: personas.teacher.org_id, personRef: personas.teacher.sub, required: false },
] as const;

/** A common 90-minute time for them in the two weeks from next week, within the family's windows. */
export const findTimesBody = () => ({
  participants: SLOT_PEOPLE.map(({ organisationId, personRef, required }) => ({ organisationId, personRef, required })),
  fromDate: weekdayAhead(7),
  toDate: weekdayAhead(21),
  lengthMinutes: 90,
  familyWindows: [
    { weekday: 2, start: "12:00", end: "17:00" },
    { weekday: 4, start: "08:00", end: "12:00" },
  ],
  limit: 10,
});

type Must = Awaited<ReturnType<typeof systemApi>>["must"];

/** `n` referrals filed by the teacher: their reference numbers (for the notifier's status reads). */
export async function seedReferrals(must: Must, n: number): Promise<string[]> {
  const refs: string[] = [];
  for (let i = 0; i < n; i++)
    refs.push(((await must("POST", "/v1/referrals", "teacher", referralBody("seed"))).receipt as { referenceNumber: string }).referenceNumber);
  return refs;
}

/** A child of the area's worklist whose guardians consented to the school's education events: its pseudonym. */
export async function seedConsentedChild(must: Must): Promise<string> {
  const first = ((await must("GET", "/v1/referrals?areaCode=13&limit=1", "worker13")).referrals as { referralId: string }[])[0];
  const subjectPseudonym = ((await must("GET", `/v1/referrals/${first?.referralId}`, "worker13")).referral as { subjectPseudonym: string }).subjectPseudonym;
  await must("POST", "/v1/consents", "worker13", {
    subjectPseudonym,
    areaCode: "13",
    givenBy: [{ role: "GIVER_ROLE_CUSTODIAN", personRef: "guardian-1" }],
    childViewRecorded: true,
    childBirthDate: "2015-03-14",
    recipients: [{ organisationId: personas.teacher.org_id, organisationType: "ORGANISATION_TYPE_MUNICIPALITY" }],
    purposes: ["PURPOSE_SCHOOL_SUPPORT"],
    dataCategories: ["DATA_CATEGORY_EDUCATION_EVENTS"],
    validUntil: new Date(Date.now() + 365 * 86_400_000).toISOString(),
    obtainedBy: "OBTAINED_BY_WRITTEN",
  });
  return subjectPseudonym;
}

/** Two busy hours a day for each of the slot search's people, at different times, for two weeks. */
export async function seedBusyTimes(must: Must): Promise<void> {
  const from = new Date(`${weekdayAhead(7)}T06:00:00Z`);
  for (const [i, p] of SLOT_PEOPLE.entries()) {
    const blocks = Array.from({ length: 10 }, (_, d) => {
      const s = new Date(from.getTime() + d * 86_400_000 + (2 + i) * 3_600_000);
      return { start: s.toISOString(), end: new Date(s.getTime() + 2 * 3_600_000).toISOString(), kind: "BUSY_KIND_BUSY" };
    });
    await must("POST", "/v1/meetings/busy", p.persona, {
      personRef: p.personRef,
      from: from.toISOString(),
      to: new Date(from.getTime() + 14 * 86_400_000).toISOString(),
      blocks,
    });
  }
}

/** A distinct free time of a specialist: one booking's. */
export interface FreeTime {
  specialistId: string;
  start: string;
}

/**
 * `specialists` specialists of area 13 (person refs `${prefix}-0`…), working 08–16 on weekdays, and
 * their distinct 15-minute free times from next week for six weeks: what bookings take in turn,
 * each a time of its own (no two bookings race for one). `must` calls as the coordinator or worker.
 */
export async function seedFreeTimes(
  must: (method: string, path: string, who: "coordinator13" | "worker13", body?: unknown) => Promise<Record<string, unknown>>,
  o: { prefix: string; specialists: number; organisationId: string },
): Promise<FreeTime[]> {
  const times: FreeTime[] = [];
  for (let i = 0; i < o.specialists; i++) {
    const specialistId = (
      (
        await must("POST", "/v1/consultations/specialists", "coordinator13", {
          personRef: `${o.prefix}-${i}`,
          organisationId: o.organisationId,
          organisationType: "SPECIALIST_ORGANISATION_TYPE_WELLBEING_AREA",
          skills: ["mental_health"],
          languages: ["fi"],
        })
      ).specialist as { specialistId: string }
    ).specialistId;
    await must("POST", `/v1/consultations/specialists/${specialistId}/availability`, "coordinator13", {
      timeZone: "Europe/Helsinki",
      schedules: [{ rules: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: "08:00", end: "16:00" })) }],
      rules: { bufferBeforeMinutes: 0, bufferAfterMinutes: 0, minimumNoticeMinutes: 0, bookingWindowDays: 90, capPerDay: 0, capPerWeek: 0 },
    });
    const slots = (
      await must(
        "GET",
        `/v1/consultations/slots?specialistId=${specialistId}&fromDate=${weekdayAhead(7)}&toDate=${weekdayAhead(49)}&lengthMinutes=15`,
        "worker13",
      )
    ).slots as { start: string }[];
    let last = 0;
    for (const s of slots) {
      const t = Date.parse(s.start);
      if (t >= last + 15 * 60_000) {
        times.push({ specialistId, start: s.start });
        last = t;
      }
    }
  }
  return times;
}

/** A 15-minute consultation at a free time, as the area's worker books it (its own request id). */
export const bookingBody = (t: FreeTime, requestId: string, responsibleWorkerRef: string) => ({
  requestId,
  specialistId: t.specialistId,
  start: t.start,
  details: { kind: "BOOKING_KIND_CONSULTATION", lengthMinutes: 15, responsibleWorkerRef, municipalityCode: "297", location: "Kuopio" },
});
