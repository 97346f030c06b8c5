// Meetings over REST: multi-agency meetings with the family. The meetings service decides per
// object (who organises, who sees a meeting, who may answer); the gateway adds the coarse gates
// and serves the family's invitation page, whose link is the proof (no account, no token).
import * as k from "@silta/contracts/meetings/v1/meetings.ts";
import { unary } from "@silta/grpc";
import type { Upstream } from "@silta/host";
import { SiltaError } from "@silta/platform";
import type { FastifyInstance, FastifyReply } from "fastify";
import { identityOf } from "../auth/authenticate.ts";
import type { ProtoSchemas } from "../openapi/proto-schemas.ts";
import { chooseProblem, gonePage, invitationPage, LANGS, type Lang } from "./invitation-page.ts";
import { addRpcRoute, problemResponse, rpcCaller } from "./rpc-route.ts";

const P = "silta.meetings.v1.";
const ORGANISERS =
  "Organised by the area's child-protection roles (a Sisukas follow-up also by the school's `school_support_coordinator`). Inviting an organisation other than the organiser's own needs the family's consent (purpose meeting participation): one it does not allow is not invited, with the consent service's reason per participant.";
const staff = { organisationTypes: ["wellbeing_area", "municipality", "ngo", "health", "expert_centre"] as const };
const TOKEN = { type: "string", minLength: 20, maxLength: 2048, pattern: "^[A-Za-z0-9_.-]+$" };

export function meetingRoutes(app: FastifyInstance, schemas: ProtoSchemas, upstream: Upstream, deadlineMs: number): void {
  const client = upstream.client(k.MeetingServiceClient);
  const call = rpcCaller(client, deadlineMs, "meetings");
  const tag = "meetings";
  const route = <Req, Res>(r: Omit<Parameters<typeof addRpcRoute<Req, Res>>[2], "tag">) => addRpcRoute<Req, Res>(app, schemas, { tag, ...staff, ...r });

  route({
    method: "POST",
    url: "/v1/meetings",
    operationId: "scheduleMeeting",
    summary: "Schedule a meeting (or an RRULE series in Europe/Helsinki) and invite its participants",
    description: `${ORGANISERS} The child's henkilötunnus is pseudonymised at once and never answered; titles are coded (kind + reference). A series must end (COUNT or UNTIL) within the configured horizon. The same \`requestId\` returns the first meeting.`,
    request: `${P}ScheduleMeetingRequest`,
    response: `${P}ScheduleMeetingResponse`,
    status: 201,
    codec: { request: k.ScheduleMeetingRequest, response: k.ScheduleMeetingResponse },
    call: call(client.scheduleMeeting),
  });
  route({
    method: "GET",
    url: "/v1/meetings",
    operationId: "listMeetings",
    summary: "Meetings my organisation organises or is invited to, from a time on (optionally of one referral)",
    request: `${P}ListMeetingsRequest`,
    response: `${P}ListMeetingsResponse`,
    codec: { request: k.ListMeetingsRequest, response: k.ListMeetingsResponse },
    call: call(client.listMeetings),
  });
  route({
    method: "GET",
    url: "/v1/meetings/:meetingId",
    operationId: "getMeeting",
    summary: "One meeting: participants and their answers, occurrences, outcomes, and the series' agreed actions",
    request: `${P}GetMeetingRequest`,
    response: `${P}GetMeetingResponse`,
    codec: { request: k.GetMeetingRequest, response: k.GetMeetingResponse },
    call: call(client.getMeeting),
  });
  route({
    method: "POST",
    url: "/v1/meetings/:meetingId/edits",
    operationId: "editMeeting",
    summary: "Move or cancel one occurrence (THIS), split the series (THIS_AND_FOLLOWING: a new series with a new UID), or change the whole series (ALL)",
    description: "Occurrences that have begun stay as they were. Each change raises the series' SEQUENCE.",
    request: `${P}EditMeetingRequest`,
    response: `${P}EditMeetingResponse`,
    codec: { request: k.EditMeetingRequest, response: k.EditMeetingResponse },
    call: call(client.editMeeting),
  });
  route({
    method: "POST",
    url: "/v1/meetings/:meetingId/confirmation",
    operationId: "confirmMeeting",
    summary: "Book a proposed meeting: its time is agreed (proposed → booked)",
    request: `${P}ConfirmMeetingRequest`,
    response: `${P}ConfirmMeetingResponse`,
    codec: { request: k.ConfirmMeetingRequest, response: k.ConfirmMeetingResponse },
    call: call(client.confirmMeeting),
  });
  route({
    method: "POST",
    url: "/v1/meetings/:meetingId/cancellation",
    operationId: "cancelMeeting",
    summary: "Cancel a meeting or a whole series",
    request: `${P}CancelMeetingRequest`,
    response: `${P}CancelMeetingResponse`,
    codec: { request: k.CancelMeetingRequest, response: k.CancelMeetingResponse },
    call: call(client.cancelMeeting),
  });
  route({
    method: "POST",
    url: "/v1/meetings/:meetingId/answer",
    operationId: "answerAsStaff",
    summary: "Answer an invitation for myself: accepted, declined, tentative, or none of the times suit (with a note)",
    request: `${P}AnswerAsStaffRequest`,
    response: `${P}AnswerAsStaffResponse`,
    codec: { request: k.AnswerAsStaffRequest, response: k.AnswerAsStaffResponse },
    call: call(client.answerAsStaff),
  });
  route({
    method: "POST",
    url: "/v1/meetings/:meetingId/participants/:participantId/link",
    operationId: "issueFamilyLink",
    summary: "A family participant's invitation link (a new one: the previous stops working) and a printable invitation",
    description:
      "The page is `GET /v1/meetings/invitations/{token}`. The link is signed, single-person, expires a day after the last occurrence (at most the configured days) and can be revoked.",
    request: `${P}IssueFamilyLinkRequest`,
    response: `${P}IssueFamilyLinkResponse`,
    status: 201,
    codec: { request: k.IssueFamilyLinkRequest, response: k.IssueFamilyLinkResponse },
    call: call(client.issueFamilyLink),
  });
  route({
    method: "POST",
    url: "/v1/meetings/:meetingId/participants/:participantId/link-revocation",
    operationId: "revokeFamilyLink",
    summary: "Revoke a family participant's invitation link",
    request: `${P}RevokeFamilyLinkRequest`,
    response: `${P}RevokeFamilyLinkResponse`,
    codec: { request: k.RevokeFamilyLinkRequest, response: k.RevokeFamilyLinkResponse },
    call: call(client.revokeFamilyLink),
  });
  route({
    method: "POST",
    url: "/v1/meetings/:meetingId/outcome",
    operationId: "recordMeetingOutcome",
    summary: "After a meeting: who took part, whether the family and the child did, how the child's view was heard, the agreed actions",
    request: `${P}RecordOutcomeRequest`,
    response: `${P}RecordOutcomeResponse`,
    codec: { request: k.RecordOutcomeRequest, response: k.RecordOutcomeResponse },
    call: call(client.recordOutcome),
  });
  route({
    method: "POST",
    url: "/v1/meetings/busy",
    operationId: "publishBusy",
    summary: "Publish a person's busy times (busy / tentative / unavailable) for a span, as intervals or an iCalendar file",
    request: `${P}PublishBusyRequest`,
    response: `${P}PublishBusyResponse`,
    codec: { request: k.PublishBusyRequest, response: k.PublishBusyResponse },
    call: call(client.publishBusy),
  });
  route({
    method: "POST",
    url: "/v1/meetings/find-times",
    operationId: "findTimes",
    summary:
      "Common times of the participants within working hours in Europe/Helsinki and the family's windows, ranked by how many optional participants are free",
    description:
      "Each offered time says who is free and who only tentatively; each excluded stretch (no start in [start, end)) says why (holiday, past, family_constraint, unavailable, busy) and whose.",
    request: `${P}FindTimesRequest`,
    response: `${P}FindTimesResponse`,
    codec: { request: k.FindTimesRequest, response: k.FindTimesResponse },
    call: call(client.findTimes),
  });
  app.get<{ Params: { meetingId: string }; Querystring: { participantId?: string } }>(
    "/v1/meetings/:meetingId/calendar.ics",
    {
      config: { organisationTypes: [...staff.organisationTypes] },
      schema: {
        operationId: "getMeetingCalendar",
        summary: "The meeting's iCalendar (stable UID, SEQUENCE, RRULE/EXDATE/RECURRENCE-ID), as a participant gets it",
        tags: [tag],
        security: [{ bearer: [] }],
        params: { type: "object", required: ["meetingId"], properties: { meetingId: { type: "string", minLength: 1, maxLength: 200 } } },
        querystring: { type: "object", additionalProperties: false, properties: { participantId: { type: "string", maxLength: 200 } } },
        response: {
          200: { description: "an iCalendar (RFC 5545) document", content: { "text/calendar": { schema: { type: "string" } } } },
          default: problemResponse,
        },
      },
    },
    async (req, reply) => {
      const { ical } = await call(client.getCalendar)({ meetingId: req.params.meetingId, participantId: req.query.participantId ?? "" }, identityOf(req));
      return reply.type("text/calendar; charset=utf-8").header("content-disposition", "attachment; filename=silta-meeting.ics").send(ical);
    },
  );

  // The family's page. Its own scope: form bodies are parsed here only.
  void app.register(async (scope) => {
    scope.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string", bodyLimit: 8192 }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
    const pageSchema = (operationId: string, summary: string, extra: Record<string, unknown>) => ({
      operationId,
      summary,
      tags: [tag],
      security: [],
      params: { type: "object", required: ["token"], properties: { token: TOKEN } },
      response: { 200: { description: "an HTML page", content: { "text/html": { schema: { type: "string" } } } } },
      ...extra,
    });
    const langOf = (q: unknown, fallback = "fi"): Lang => {
      const l = typeof q === "string" ? q : fallback;
      return (LANGS as string[]).includes(l) ? (l as Lang) : "fi";
    };
    const page = (reply: FastifyReply, status: number, html: string) =>
      reply
        .code(status)
        .header("cache-control", "no-store")
        .header("referrer-policy", "no-referrer")
        .header("x-robots-tag", "noindex")
        .type("text/html; charset=utf-8")
        .send(html);
    const hrefOf = (token: string) => (l: Lang) => `/v1/meetings/invitations/${token}?lang=${l}`;
    /** The page for any error: the link's own problems all look the same; too many tries says so. */
    const failed = (reply: FastifyReply, err: unknown, lang: Lang, token: string) => {
      if (!(err instanceof SiltaError) || !["unauthenticated", "not_found", "failed_precondition", "resource_exhausted", "invalid_argument"].includes(err.kind))
        throw err;
      const busy = err.kind === "resource_exhausted";
      return page(reply, busy ? 429 : 404, gonePage(lang, hrefOf(token), busy));
    };

    scope.get<{ Params: { token: string }; Querystring: { lang?: string; answered?: string } }>(
      "/v1/meetings/invitations/:token",
      {
        config: { public: true },
        schema: pageSchema("invitationPage", "The family's invitation page (Finnish, Swedish, English): the link is the proof", {
          querystring: {
            type: "object",
            additionalProperties: false,
            properties: { lang: { type: "string", enum: LANGS }, answered: { type: "string", enum: ["1"] } },
          },
        }),
      },
      async (req, reply) => {
        const { token } = req.params;
        let view: k.ReadInvitationResponse;
        try {
          view = await unary(client, client.readInvitation, { token }, { deadlineMs });
        } catch (err) {
          return failed(reply, err, langOf(req.query.lang), token);
        }
        const lang = langOf(req.query.lang, view.language);
        return page(
          reply,
          200,
          invitationPage(view, lang, { answered: req.query.answered === "1", href: hrefOf(token), action: `/v1/meetings/invitations/${token}` }),
        );
      },
    );
    scope.post<{ Params: { token: string }; Body: { answer?: string; note?: string; lang?: string } }>(
      "/v1/meetings/invitations/:token",
      {
        config: { public: true },
        schema: pageSchema("answerInvitationPage", "The family's answer from the invitation page (a form); answered with the page again", {
          body: {
            type: "object",
            additionalProperties: false,
            properties: { answer: { type: "string", maxLength: 20 }, note: { type: "string", maxLength: 1000 }, lang: { type: "string", maxLength: 2 } },
          },
        }),
      },
      async (req, reply) => {
        const { token } = req.params;
        const lang = langOf(req.body?.lang);
        const answer = {
          accepted: k.Answer.ANSWER_ACCEPTED,
          declined: k.Answer.ANSWER_DECLINED,
          tentative: k.Answer.ANSWER_TENTATIVE,
          none_suit: k.Answer.ANSWER_NONE_SUIT,
        }[req.body?.answer ?? ""];
        try {
          if (answer === undefined) {
            const view = await unary(client, client.readInvitation, { token }, { deadlineMs });
            return page(
              reply,
              400,
              invitationPage(view, lang, { answered: false, problem: chooseProblem(lang), href: hrefOf(token), action: `/v1/meetings/invitations/${token}` }),
            );
          }
          await unary(client, client.answerInvitation, { token, answer, note: req.body?.note ?? "" }, { deadlineMs });
        } catch (err) {
          return failed(reply, err, lang, token);
        }
        // Post/redirect/get: a reload does not send the answer again.
        return reply.code(303).header("location", `/v1/meetings/invitations/${token}?lang=${lang}&answered=1`).send();
      },
    );
  });
}
