// The area's worklist reads: child-protection workers of Pohjois-Savo list their open referrals
// and open one, all day. setup() files a few referrals so the list is not empty (referrals are
// records: they stay; run it against a load-test deployment).
import { check } from "k6";
import { api, bodyOf, referralBody, token, tokensFrom } from "./lib/silta.ts";

const tokens = tokensFrom(open(__ENV.SILTA_TOKENS_FILE || "./.tokens.json"));

export const options = {
  scenarios: {
    readers: { executor: "constant-vus", vus: 20, duration: "10m" },
  },
  thresholds: {
    http_req_failed: ["rate<0.01"],
    "http_req_duration{name:GET /v1/referrals}": ["p(95)<300", "p(99)<800"],
    "http_req_duration{name:GET /v1/referrals/:id}": ["p(95)<200"],
    checks: ["rate>0.99"],
  },
};

export function setup() {
  for (let i = 0; i < 3; i++) {
    const r = api(
      "POST",
      "/v1/referrals",
      token(tokens, "teacher"),
      referralBody("seed", "Load-test concern: seeded for the worklist."),
      "POST /v1/referrals (seed)",
    );
    check(r, { "seed referral filed": (x) => x.status === 201 });
  }
}

export default function () {
  const worker = token(tokens, "worker13");
  const list = api("GET", "/v1/referrals?areaCode=13&limit=50", worker, undefined, "GET /v1/referrals");
  const referrals = bodyOf<{ referrals?: { referralId: string }[] }>(list).referrals ?? [];
  check(list, { "worklist 200 and not empty": (x) => x.status === 200 && referrals.length > 0 });
  const pick = referrals[(__VU + __ITER) % Math.max(1, referrals.length)];
  if (!pick) return;
  const one = api("GET", `/v1/referrals/${pick.referralId}`, worker, undefined, "GET /v1/referrals/:id");
  check(one, { "referral opened": (x) => x.status === 200 });
}
