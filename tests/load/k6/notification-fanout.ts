// Notification fan-out: each submitted referral tells the area's intake desk (in-app), the
// notifier (receipt e-mail) and the school's webhooks. Here a teacher submits and a member of the
// intake desk polls their inbox until the item is there; `notification_visible_ms` is how long
// that took. setup() makes the worker the intake desk (their organisation's administrator).
import { check, sleep } from "k6";
import { Trend } from "k6/metrics";
import { api, bodyOf, referralBody, token, tokensFrom } from "./lib/silta.ts";

const tokens = tokensFrom(open(__ENV.SILTA_TOKENS_FILE || "./.tokens.json"));
const visible = new Trend("notification_visible_ms", true);

export const options = {
  scenarios: {
    fanout: { executor: "constant-arrival-rate", rate: 2, timeUnit: "1s", duration: "5m", preAllocatedVUs: 10, maxVUs: 40 },
  },
  thresholds: {
    http_req_failed: ["rate<0.01"],
    notification_visible_ms: ["p(95)<3000"],
    checks: ["rate>0.99"],
  },
};

export function setup() {
  const g = api(
    "POST",
    "/v1/notifications/groups",
    token(tokens, "deskAdmin13"),
    { group: { groupRef: "intake_desk", memberRefs: ["sw-1"] } },
    "POST /v1/notifications/groups",
  );
  check(g, { "intake desk set": (x) => x.status === 200 });
}

export default function () {
  const started = Date.now();
  const r = api("POST", "/v1/referrals", token(tokens, "teacher"), referralBody("fan", "Load-test concern: fan-out."), "POST /v1/referrals");
  const reference = bodyOf<{ receipt?: { referenceNumber?: string } }>(r).receipt?.referenceNumber ?? "";
  check(r, { "submitted 201": (x) => x.status === 201 && reference !== "" });
  let found = false;
  for (let i = 0; i < 40 && !found && reference; i++) {
    const inbox = api("GET", "/v1/notifications/inbox?unreadOnly=true&limit=200", token(tokens, "worker13"), undefined, "GET /v1/notifications/inbox");
    found = (bodyOf<{ items?: { reference: string }[] }>(inbox).items ?? []).some((it) => it.reference === reference);
    if (!found) sleep(0.25);
  }
  if (found) visible.add(Date.now() - started);
  check(found, { "the intake desk's item arrived": (f) => f });
}
