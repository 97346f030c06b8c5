// The booking race on one slot: social workers of the area all try to book the same specialist's
// same time at once. Exactly one wins (201); every other gets 409 (taken), never a double booking
// and never a 5xx. setup() registers a specialist with working hours (the coordinator) and picks a
// free time a week ahead; teardown() cancels the winner's booking.
import { check } from "k6";
import http from "k6/http";
import { Counter } from "k6/metrics";
import { api, bodyOf, token, tokensFrom, uniqueId, weekdayAhead } from "./lib/silta.ts";

const tokens = tokensFrom(open(__ENV.SILTA_TOKENS_FILE || "./.tokens.json"));
const wins = new Counter("booking_wins");
const losses = new Counter("booking_losses");
// A 409 is the race's expected answer for all but one.
http.setResponseCallback(http.expectedStatuses({ min: 200, max: 299 }, 409));

export const options = {
  scenarios: {
    race: { executor: "shared-iterations", vus: 30, iterations: 30, maxDuration: "1m" },
  },
  thresholds: {
    http_req_failed: ["rate<0.01"],
    booking_wins: ["count==1"],
    "http_req_duration{name:POST /v1/consultations/bookings}": ["p(99)<2000"],
  },
};

export function setup() {
  const coordinator = token(tokens, "coordinator13");
  const reg = api(
    "POST",
    "/v1/consultations/specialists",
    coordinator,
    {
      personRef: uniqueId("load-spec"),
      organisationId: "pohjois-savo-erityispalvelut",
      organisationType: "SPECIALIST_ORGANISATION_TYPE_WELLBEING_AREA",
      skills: ["mental_health"],
      languages: ["fi"],
    },
    "POST /v1/consultations/specialists",
  );
  const specialistId = bodyOf<{ specialist?: { specialistId: string } }>(reg).specialist?.specialistId ?? "";
  check(reg, { "specialist registered": (x) => x.status === 201 && specialistId !== "" });
  const hours = api(
    "POST",
    `/v1/consultations/specialists/${specialistId}/availability`,
    coordinator,
    {
      timeZone: "Europe/Helsinki",
      schedules: [{ rules: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: "08:00", end: "16:00" })) }],
      rules: { bufferBeforeMinutes: 0, bufferAfterMinutes: 0, minimumNoticeMinutes: 0, bookingWindowDays: 90, capPerDay: 0, capPerWeek: 0 },
    },
    "POST /v1/consultations/specialists/:id/availability",
  );
  check(hours, { "working hours set": (x) => x.status === 200 });
  const day = weekdayAhead(7);
  const slots = api(
    "GET",
    `/v1/consultations/slots?specialistId=${specialistId}&fromDate=${day}&toDate=${weekdayAhead(14)}&lengthMinutes=60`,
    token(tokens, "worker13"),
    undefined,
    "GET /v1/consultations/slots",
  );
  const start = bodyOf<{ slots?: { start: string }[] }>(slots).slots?.[0]?.start ?? "";
  check(slots, { "a free time offered": (x) => x.status === 200 && start !== "" });
  return { specialistId, start };
}

export default function (data: { specialistId: string; start: string }) {
  const r = api(
    "POST",
    "/v1/consultations/bookings",
    token(tokens, "worker13"),
    {
      requestId: uniqueId("race"),
      specialistId: data.specialistId,
      start: data.start,
      details: { kind: "BOOKING_KIND_CONSULTATION", lengthMinutes: 60, responsibleWorkerRef: "sw-1", municipalityCode: "297", location: "Kuopio" },
    },
    "POST /v1/consultations/bookings",
  );
  if (r.status === 201) wins.add(1);
  else losses.add(1);
  check(r, { "booked (201) or taken (409), nothing else": (x) => x.status === 201 || x.status === 409 });
}

export function teardown(data: { specialistId: string; start: string }) {
  const worker = token(tokens, "worker13");
  const mine = api("GET", "/v1/consultations/bookings?limit=500", worker, undefined, "GET /v1/consultations/bookings");
  const taken = (bodyOf<{ bookings?: { bookingId: string; specialistId: string; status: string }[] }>(mine).bookings ?? []).filter(
    (b) => b.specialistId === data.specialistId && b.status === "BOOKING_STATUS_CONFIRMED",
  );
  check(taken, { "exactly one booking of the raced time": (t) => t.length === 1 });
  for (const b of taken)
    check(
      api(
        "POST",
        `/v1/consultations/bookings/${b.bookingId}/cancellation`,
        worker,
        { reason: "load test" },
        "POST /v1/consultations/bookings/:id/cancellation",
      ),
      {
        "booking cancelled": (x) => x.status === 200,
      },
    );
}
