// Common-slot searches: an organiser looks for a time that suits the worker, the specialist and
// (optionally) the teacher, over the next two working weeks, within the family's windows. setup()
// has each of them publish busy times (their own, as a calendar system would).
import { check } from "k6";
import { api, bodyOf, token, tokensFrom, weekdayAhead } from "./lib/silta.ts";

const tokens = tokensFrom(open(__ENV.SILTA_TOKENS_FILE || "./.tokens.json"));
const PEOPLE = [
  { persona: "worker13", organisationId: "pohjois-savo-lastensuojelu", personRef: "sw-1", required: true },
  { persona: "specialist13", organisationId: "pohjois-savo-erityispalvelut", personRef: "spec-1", required: true },
  { persona: "teacher", organisationId: "kuopio-school-12", personRef: "teacher-7", required: false },
];

export const options = {
  scenarios: {
    organisers: {
      executor: "ramping-vus",
      startVUs: 1,
      stages: [
        { duration: "2m", target: 10 },
        { duration: "8m", target: 10 },
      ],
    },
  },
  thresholds: {
    http_req_failed: ["rate<0.01"],
    "http_req_duration{name:POST /v1/meetings/find-times}": ["p(95)<300", "p(99)<800"],
    checks: ["rate>0.99"],
  },
};

export function setup() {
  const from = new Date(`${weekdayAhead(7)}T06:00:00Z`);
  for (const [i, p] of PEOPLE.entries()) {
    // Two busy hours a day for each, at different times.
    const blocks = Array.from({ length: 10 }, (_, d) => {
      const s = new Date(from.getTime() + d * 86_400_000 + (2 + i) * 3_600_000);
      return { start: s.toISOString(), end: new Date(s.getTime() + 2 * 3_600_000).toISOString(), kind: "BUSY_KIND_BUSY" };
    });
    const r = api(
      "POST",
      "/v1/meetings/busy",
      token(tokens, p.persona),
      { personRef: p.personRef, from: from.toISOString(), to: new Date(from.getTime() + 14 * 86_400_000).toISOString(), blocks },
      "POST /v1/meetings/busy",
    );
    check(r, { "busy times published": (x) => x.status === 200 });
  }
}

export default function () {
  const r = api(
    "POST",
    "/v1/meetings/find-times",
    token(tokens, "worker13"),
    {
      participants: PEOPLE.map(({ organisationId, personRef, required }) => ({ organisationId, personRef, required })),
      fromDate: weekdayAhead(7),
      toDate: weekdayAhead(21),
      lengthMinutes: 90,
      familyWindows: [
        { weekday: 2, start: "12:00", end: "17:00" },
        { weekday: 4, start: "08:00", end: "12:00" },
      ],
      limit: 10,
    },
    "POST /v1/meetings/find-times",
  );
  const times = bodyOf<{ offered?: { start: string }[] }>(r).offered ?? [];
  check(r, { "common times found": (x) => x.status === 200 && times.length > 0 });
}
