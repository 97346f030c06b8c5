// Meeting invitations: the area's workers schedule multi-agency network meetings a week or so
// ahead, inviting a school and an NGO and the guardian by link. Each invitation asks the consent
// service about every invited organisation (organisations the family's consent does not cover
// are answered "not invited" with the reason, still 201). Each meeting is cancelled at the end of
// its iteration, so the calendars stay as they were.
import { check, group } from "k6";
import { api, bodyOf, testHetu, token, tokensFrom, uniqueId, weekdayAhead } from "./lib/silta.ts";

const tokens = tokensFrom(open(__ENV.SILTA_TOKENS_FILE || "./.tokens.json"));

export const options = {
  scenarios: {
    organisers: { executor: "constant-arrival-rate", rate: 60, timeUnit: "1m", duration: "10m", preAllocatedVUs: 10, maxVUs: 30 },
  },
  thresholds: {
    http_req_failed: ["rate<0.01"],
    "http_req_duration{name:POST /v1/meetings}": ["p(95)<800", "p(99)<2000"],
    checks: ["rate>0.99"],
  },
};

interface Participant {
  participantId: string;
  invitation?: string;
  invitationReason?: string;
}

export default function () {
  const worker = token(tokens, "worker13");
  const hour = 8 + ((__VU + __ITER) % 7);
  let meetingId = "";
  group("invite", () => {
    const r = api(
      "POST",
      "/v1/meetings",
      worker,
      {
        requestId: uniqueId("meet"),
        kind: "MEETING_KIND_NETWORK",
        childHetu: testHetu(),
        start: `${weekdayAhead(8)}T${String(hour).padStart(2, "0")}:00:00+02:00`,
        lengthMinutes: 60,
        location: "Kuopio, perhekeskus",
        staff: [
          { organisationId: "kuopio-school-12", organisationType: "ORGANISATION_TYPE_MUNICIPALITY", role: "teacher", required: true },
          { organisationId: "mll-kuopio", organisationType: "ORGANISATION_TYPE_NGO", role: "family_worker", required: false },
        ],
        family: [{ role: "FAMILY_ROLE_GUARDIAN", email: "huoltaja@kuopio.example", language: "fi", required: true }],
        booked: true,
      },
      "POST /v1/meetings",
    );
    const meeting = bodyOf<{ meeting?: { meetingId: string; participants: Participant[] } }>(r).meeting;
    meetingId = meeting?.meetingId ?? "";
    check(r, {
      "meeting scheduled 201": (x) => x.status === 201 && meetingId !== "",
      // Every organisation was asked: invited, or not invited with the consent service's reason.
      "each participant invited or refused with a reason": () =>
        (meeting?.participants ?? []).length >= 3 &&
        (meeting?.participants ?? []).every(
          (p) => p.invitation === "INVITATION_STATUS_INVITED" || (p.invitation === "INVITATION_STATUS_NOT_INVITED" && !!p.invitationReason),
        ),
    });
  });
  if (!meetingId) return;
  group("clean up", () => {
    const c = api("POST", `/v1/meetings/${meetingId}/cancellation`, worker, { reason: "load test" }, "POST /v1/meetings/:id/cancellation");
    check(c, { "meeting cancelled": (x) => x.status === 200 });
  });
}
