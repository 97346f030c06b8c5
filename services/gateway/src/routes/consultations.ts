// Consultations over REST: booking the paired-worker model's specialists. The consultations
// service decides per object (who may book, manage a specialist, see a booking); the gateway adds
// the coarse gates: coordinators register specialists and set fairness. Two routes answer
// text/calendar: a booking's invitation (authenticated) and a specialist's feed (public: its secret
// is the proof, as calendar apps send no token).
import * as k from "@silta/contracts/consultations/v1/consultations.ts";
import { unary } from "@silta/grpc";
import type { Upstream } from "@silta/host";
import type { FastifyInstance } from "fastify";
import { identityOf } from "../auth/authenticate.ts";
import type { ProtoSchemas } from "../openapi/proto-schemas.ts";
import { addRpcRoute, problemResponse, rpcCaller } from "./rpc-route.ts";

const P = "silta.consultations.v1.";
const RESPONSIBILITY =
  "Every booking names the child's responsible social worker (`responsibleWorkerRef`), who holds the official responsibility (virkavastuu) and is always of the child's wellbeing area. Silta records it and never changes, transfers or takes over that responsibility: a specialist supports, the responsible worker decides.";
const coordinators = { roles: ["consultation_coordinator"], organisationTypes: ["wellbeing_area"] as const };

export function consultationRoutes(app: FastifyInstance, schemas: ProtoSchemas, upstream: Upstream, deadlineMs: number): void {
  const client = upstream.client(k.ConsultationServiceClient);
  const call = rpcCaller(client, deadlineMs, "consultations");
  const tag = "consultations";
  const route = <Req, Res>(r: Omit<Parameters<typeof addRpcRoute<Req, Res>>[2], "tag">) => addRpcRoute<Req, Res>(app, schemas, { tag, ...r });

  route({
    ...coordinators,
    method: "POST",
    url: "/v1/consultations/specialists",
    operationId: "registerSpecialist",
    summary: "Register a specialist of the paired-worker model (or update one: the same person and organisation)",
    request: `${P}RegisterSpecialistRequest`,
    response: `${P}RegisterSpecialistResponse`,
    status: 201,
    codec: { request: k.RegisterSpecialistRequest, response: k.RegisterSpecialistResponse },
    call: call(client.registerSpecialist),
  });
  route({
    method: "GET",
    url: "/v1/consultations/specialists",
    operationId: "listSpecialists",
    summary: "Specialists, optionally of a skill and language",
    request: `${P}ListSpecialistsRequest`,
    response: `${P}ListSpecialistsResponse`,
    codec: { request: k.ListSpecialistsRequest, response: k.ListSpecialistsResponse },
    call: call(client.listSpecialists),
  });
  route({
    method: "GET",
    url: "/v1/consultations/specialists/:specialistId",
    operationId: "getSpecialist",
    summary: "One specialist with their schedules, overrides, rules and out-of-office spans",
    request: `${P}GetSpecialistRequest`,
    response: `${P}GetSpecialistResponse`,
    codec: { request: k.GetSpecialistRequest, response: k.GetSpecialistResponse },
    call: call(client.getSpecialist),
  });
  route({
    method: "POST",
    url: "/v1/consultations/specialists/:specialistId/availability",
    operationId: "setAvailability",
    summary: "Set weekly schedules (Europe/Helsinki by default), date overrides and booking rules: the specialist themself or a coordinator",
    description:
      "Finnish public holidays are off unless `worksOnHolidays`. Caps per day and per week count bookings in the specialist's own days and ISO weeks. Overlapping rules, a range ending before it starts or a zone that is not an IANA name are refused naming the field.",
    request: `${P}SetAvailabilityRequest`,
    response: `${P}SetAvailabilityResponse`,
    codec: { request: k.SetAvailabilityRequest, response: k.SetAvailabilityResponse },
    call: call(client.setAvailability),
  });
  route({
    method: "POST",
    url: "/v1/consultations/specialists/:specialistId/out-of-office",
    operationId: "setOutOfOffice",
    summary: "Replace the specialist's out-of-office spans, each naming a stand-in (usually the pair partner) who takes requests and changes then",
    request: `${P}SetOutOfOfficeRequest`,
    response: `${P}SetOutOfOfficeResponse`,
    codec: { request: k.SetOutOfOfficeRequest, response: k.SetOutOfOfficeResponse },
    call: call(client.setOutOfOffice),
  });
  route({
    method: "POST",
    url: "/v1/consultations/specialists/:specialistId/feed",
    operationId: "rotateFeed",
    summary: "A new secret calendar-feed URL token for the specialist (the old one stops working at once)",
    description: "Subscribe a calendar app to `GET /v1/consultations/feeds/{feedToken}.ics`. The token is shown once; keep it like a password.",
    request: `${P}RotateFeedRequest`,
    response: `${P}RotateFeedResponse`,
    codec: { request: k.RotateFeedRequest, response: k.RotateFeedResponse },
    call: call(client.rotateFeed),
  });
  route({
    method: "GET",
    url: "/v1/consultations/slots",
    operationId: "listSlots",
    summary: "Bookable times of one specialist, or of any specialist with a skill (and language), over local dates",
    description:
      "With `withReasons`, times not offered come too, each with why (`taken`, `notice`, `window`, `holiday`, `day_off`, `out_of_office`, `cap_day`, `cap_week`, `past`).",
    request: `${P}ListSlotsRequest`,
    response: `${P}ListSlotsResponse`,
    codec: { request: k.ListSlotsRequest, response: k.ListSlotsResponse },
    call: call(client.listSlots),
  });
  route({
    method: "POST",
    url: "/v1/consultations/holds",
    operationId: "holdSlot",
    summary: "Hold a time while the form is filled in; confirm it before it expires",
    request: `${P}HoldSlotRequest`,
    response: `${P}HoldSlotResponse`,
    status: 201,
    codec: { request: k.HoldSlotRequest, response: k.HoldSlotResponse },
    call: call(client.holdSlot),
  });
  route({
    method: "POST",
    url: "/v1/consultations/bookings",
    operationId: "book",
    summary: "Book a specialist: consultation (may be anonymous), mentoring (also as a series), or co-work in client work (needs the family's consent)",
    description: `${RESPONSIBILITY} The same \`requestId\` returns the first answer. A taken time answers 409 \`SILTA_CONSULTATION_SLOT_TAKEN\`; a rule that refuses the time answers 409 \`SILTA_CONSULTATION_NOT_BOOKABLE\` naming it.`,
    request: `${P}BookRequest`,
    response: `${P}BookResponse`,
    status: 201,
    codec: { request: k.BookRequest, response: k.BookResponse },
    call: call(client.book),
  });
  route({
    method: "GET",
    url: "/v1/consultations/bookings",
    operationId: "listMyBookings",
    summary: "My bookings: as requester, responsible worker, specialist or seat holder",
    request: `${P}ListMyBookingsRequest`,
    response: `${P}ListMyBookingsResponse`,
    codec: { request: k.ListMyBookingsRequest, response: k.ListMyBookingsResponse },
    call: call(client.listMyBookings),
  });
  route({
    method: "GET",
    url: "/v1/consultations/bookings/:bookingId",
    operationId: "getBooking",
    summary: "One booking",
    request: `${P}GetBookingRequest`,
    response: `${P}GetBookingResponse`,
    codec: { request: k.GetBookingRequest, response: k.GetBookingResponse },
    call: call(client.getBooking),
  });
  route({
    method: "POST",
    url: "/v1/consultations/bookings/:bookingId/confirmation",
    operationId: "confirmBooking",
    summary: "Confirm a hold with the booking's details; every rule is checked again",
    description: RESPONSIBILITY,
    request: `${P}ConfirmBookingRequest`,
    response: `${P}ConfirmBookingResponse`,
    codec: { request: k.ConfirmBookingRequest, response: k.ConfirmBookingResponse },
    call: call(client.confirmBooking),
  });
  route({
    method: "POST",
    url: "/v1/consultations/bookings/:bookingId/reschedule",
    operationId: "rescheduleBooking",
    summary: "Move a booking: the new time taken and the old freed in one transaction; the answer is the new booking (the old id is refused from then on)",
    request: `${P}RescheduleBookingRequest`,
    response: `${P}RescheduleBookingResponse`,
    codec: { request: k.RescheduleBookingRequest, response: k.RescheduleBookingResponse },
    call: call(client.rescheduleBooking),
  });
  route({
    method: "POST",
    url: "/v1/consultations/bookings/:bookingId/cancellation",
    operationId: "cancelBooking",
    summary: "Cancel a booking with why; the freed time is offered to the first on the waitlist",
    request: `${P}CancelBookingRequest`,
    response: `${P}CancelBookingResponse`,
    codec: { request: k.CancelBookingRequest, response: k.CancelBookingResponse },
    call: call(client.cancelBooking),
  });
  route({
    method: "POST",
    url: "/v1/consultations/bookings/:bookingId/outcome",
    operationId: "recordOutcome",
    summary: "The specialist marks a started booking held or a no-show",
    request: `${P}RecordOutcomeRequest`,
    response: `${P}RecordOutcomeResponse`,
    codec: { request: k.RecordOutcomeRequest, response: k.RecordOutcomeResponse },
    call: call(client.recordOutcome),
  });
  route({
    method: "POST",
    url: "/v1/consultations/training-sessions",
    operationId: "openTrainingSession",
    summary: "Open a training session with seats (the specialist themself or a coordinator)",
    request: `${P}OpenTrainingSessionRequest`,
    response: `${P}OpenTrainingSessionResponse`,
    status: 201,
    codec: { request: k.OpenTrainingSessionRequest, response: k.OpenTrainingSessionResponse },
    call: call(client.openTrainingSession),
  });
  route({
    method: "POST",
    url: "/v1/consultations/training-sessions/:bookingId/seats",
    operationId: "takeSeat",
    summary: "Take a seat in a training session (409 `SILTA_CONSULTATION_SESSION_FULL` when none is left)",
    request: `${P}TakeSeatRequest`,
    response: `${P}TakeSeatResponse`,
    codec: { request: k.TakeSeatRequest, response: k.TakeSeatResponse },
    call: call(client.takeSeat),
  });
  route({
    method: "POST",
    url: "/v1/consultations/waitlist",
    operationId: "joinWaitlist",
    summary: "Wait for a freed time of a specialist or skill on a day; it is offered as a timed hold, first come first served",
    request: `${P}JoinWaitlistRequest`,
    response: `${P}JoinWaitlistResponse`,
    status: 201,
    codec: { request: k.JoinWaitlistRequest, response: k.JoinWaitlistResponse },
    call: call(client.joinWaitlist),
  });
  route({
    ...coordinators,
    method: "POST",
    url: "/v1/consultations/fairness",
    operationId: "setFairness",
    summary:
      "Set the share of each specialist's weekly minutes reserved for municipalities without a specialist of their own, and when it is released to others",
    request: `${P}SetFairnessRequest`,
    response: `${P}SetFairnessResponse`,
    codec: { request: k.SetFairnessRequest, response: k.SetFairnessResponse },
    call: call(client.setFairness),
  });

  const calendar = {
    200: { description: "an iCalendar (RFC 5545) document", content: { "text/calendar": { schema: { type: "string" } } } },
    default: problemResponse,
  };
  app.get<{ Params: { bookingId: string } }>(
    "/v1/consultations/bookings/:bookingId/invitation.ics",
    {
      schema: {
        operationId: "getInvitation",
        summary: "The booking's iCalendar invitation (METHOD:REQUEST; CANCEL once cancelled or moved), stable UID, SEQUENCE raised on each change",
        tags: [tag],
        security: [{ bearer: [] }],
        params: { type: "object", required: ["bookingId"], properties: { bookingId: { type: "string", minLength: 1, maxLength: 200 } } },
        response: calendar,
      },
    },
    async (req, reply) => {
      const { ics } = await call(client.getInvitation)({ bookingId: req.params.bookingId }, identityOf(req));
      return reply.type("text/calendar; charset=utf-8").header("content-disposition", "attachment; filename=silta-booking.ics").send(ics);
    },
  );
  app.get<{ Params: { feedToken: string } }>(
    "/v1/consultations/feeds/:feedToken",
    {
      config: { public: true },
      schema: {
        operationId: "readFeed",
        summary: "A specialist's calendar feed (METHOD:PUBLISH) for calendar apps: `…/feeds/{feedToken}.ics`; the secret in the URL is the proof",
        tags: [tag],
        security: [],
        params: { type: "object", required: ["feedToken"], properties: { feedToken: { type: "string", pattern: "^[A-Za-z0-9_-]{43}\\.ics$" } } },
        response: calendar,
      },
    },
    async (req, reply) => {
      const feedToken = req.params.feedToken.replace(/\.ics$/, "");
      const { ics } = await unary(client, client.readFeed, { feedToken }, { deadlineMs });
      return reply.type("text/calendar; charset=utf-8").header("cache-control", "private, max-age=300").send(ics);
    },
  );
}
