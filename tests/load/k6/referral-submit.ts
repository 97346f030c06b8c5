// Steady referral submission: schools' teachers file child welfare notifications through the
// day, each answered 201 with its content-free receipt, then followed by its status. The child's
// henkilötunnus is a valid test value; the concern text is generic (no real case).
import { check, group } from "k6";
import { api, bodyOf, referralBody, token, tokensFrom } from "./lib/silta.ts";

const tokens = tokensFrom(open(__ENV.SILTA_TOKENS_FILE || "./.tokens.json"));

export const options = {
  scenarios: {
    steady: { executor: "constant-arrival-rate", rate: 5, timeUnit: "1s", duration: "10m", preAllocatedVUs: 20, maxVUs: 60 },
  },
  thresholds: {
    http_req_failed: ["rate<0.01"],
    "http_req_duration{name:POST /v1/referrals}": ["p(95)<500", "p(99)<1500"],
    "http_req_duration{name:GET /v1/referral-statuses/:ref}": ["p(95)<200"],
    checks: ["rate>0.99"],
  },
};

export default function () {
  const teacher = token(tokens, "teacher");
  let reference = "";
  group("submit", () => {
    const r = api("POST", "/v1/referrals", teacher, referralBody("req", "Load-test concern: repeated absences."), "POST /v1/referrals");
    reference = bodyOf<{ receipt?: { referenceNumber?: string } }>(r).receipt?.referenceNumber ?? "";
    check(r, { "submitted 201 with a receipt": (x) => x.status === 201 && reference !== "" });
  });
  if (!reference) return;
  group("follow", () => {
    const s = api("GET", `/v1/referral-statuses/${reference}`, teacher, undefined, "GET /v1/referral-statuses/:ref");
    check(s, { "status readable by its notifier": (x) => x.status === 200 });
  });
}
