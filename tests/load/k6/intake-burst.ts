// The national morning intake burst: every municipality's school and early-education system
// posts its night's batch of events at once (309 municipalities; batches of 50 here, up to 500
// allowed). Each municipality's publisher token from the tokens file; the real municipality codes
// of the CSV the referrals service loads. Events are codes and dates only, about pupils with valid
// test henkilötunnus values; a retried batch is answered `duplicate`, never stored twice.
import { check } from "k6";
import { SharedArray } from "k6/data";
import { api, bodyOf, municipalityCodes, testHetu, tokensFrom, uniqueId } from "./lib/silta.ts";

const tokens = tokensFrom(open(__ENV.SILTA_TOKENS_FILE || "./.tokens.json"));
const codes = new SharedArray("municipalities", () =>
  municipalityCodes(open(__ENV.SILTA_MUNICIPALITIES_FILE || "../../../packages/platform/data/municipalities.csv")).filter((c) => tokens.publishers[c]),
);
const BATCH = Number(__ENV.SILTA_INTAKE_BATCH || 50);

export const options = {
  scenarios: {
    morning: {
      executor: "ramping-arrival-rate",
      startRate: 0,
      timeUnit: "1s",
      preAllocatedVUs: 50,
      maxVUs: 200,
      // 07:00–07:10: the nightly syncs start at once, peak, and tail off.
      stages: [
        { duration: "1m", target: 20 },
        { duration: "5m", target: 20 },
        { duration: "2m", target: 5 },
      ],
    },
  },
  thresholds: {
    http_req_failed: ["rate<0.01"],
    "http_req_duration{name:POST /v1/education-events}": ["p(95)<2000", "p(99)<5000"],
    checks: ["rate>0.99"],
  },
};

export default function () {
  const code = codes[(__VU * 7919 + __ITER) % codes.length] as string;
  const events = Array.from({ length: BATCH }, (_, i) => ({
    eventId: uniqueId(`e${i}`),
    municipalityCode: code,
    unitId: `school-${code}-1`,
    pupilId: uniqueId("pupil"),
    pupilHetu: testHetu(),
    level: "EDUCATION_LEVEL_BASIC_EDUCATION",
    occurredOn: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10),
    attendance: { kind: "ABSENCE_KIND_RECURRING", absentDays: 6, periodStart: "2026-10-01", periodEnd: "2026-10-31" },
  }));
  const r = api("POST", "/v1/education-events", tokens.publishers[code] as string, { events }, "POST /v1/education-events");
  const b = bodyOf<{ accepted: number; duplicates: number; rejected: number }>(r);
  check(r, {
    "batch answered 200": (x) => x.status === 200,
    "every event accepted": () => b.accepted === BATCH && b.rejected === 0,
  });
}
