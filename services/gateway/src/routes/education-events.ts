// POST /v1/education-events: a municipal system's batch of school and early-education events.

import { EDUCATION_TOPIC } from "@silta/contracts/events";
import { invalidArgument } from "@silta/platform";
import type { FastifyInstance } from "fastify";
import { identityOf } from "../auth/authenticate.ts";
import { type educationIntake, MAX_BATCH } from "../intake/intake.ts";
import type { ProtoSchemas } from "../openapi/proto-schemas.ts";
import { problemResponse } from "./rpc-route.ts";

export const PUBLISHER_ROLE = "education_event_publisher";

const itemResult = {
  type: "object",
  required: ["index", "status"],
  properties: {
    index: { type: "integer", description: "position in the request's `events`" },
    eventId: { type: "string" },
    status: { type: "string", enum: ["accepted", "duplicate", "rejected"] },
    errors: {
      type: "array",
      items: { type: "object", required: ["field", "reason"], properties: { field: { type: "string" }, reason: { type: "string" } } },
    },
  },
};

export function educationEventRoutes(app: FastifyInstance, schemas: ProtoSchemas, intake: ReturnType<typeof educationIntake>, bodyLimit: number): void {
  app.post(
    "/v1/education-events",
    {
      bodyLimit,
      config: { roles: [PUBLISHER_ROLE], organisationTypes: ["municipality"] },
      schema: {
        operationId: "submitEducationEvents",
        summary: "Submit a batch of school and early-education events (up to 500)",
        description: [
          `Each event is checked on its own: the valid ones go to the wellbeing area's referrals service through \`${EDUCATION_TOPIC.name}\`, the invalid ones are answered with their reasons, item by item.`,
          "Idempotent by `eventId` (per municipality): a retried batch adds nothing; those events are answered `duplicate`.",
          "The pupil's henkilötunnus (`pupilHetu`) is validated here and is readable only by the referrals service; `pupilId` (the record key) must be an opaque id.",
          "Publish only events about pupils covered by a support arrangement with child protection (e.g. Sisukas): Silta keeps an event only when a consent or statutory basis covers the unit and purpose, and drops the rest without storing them.",
          "Codes and dates only: no narrative, no names.",
        ].join("\n\n"),
        tags: ["education events"],
        security: [{ bearer: [] }],
        body: {
          type: "object",
          required: ["events"],
          additionalProperties: false,
          properties: { events: { type: "array", minItems: 1, maxItems: MAX_BATCH, items: schemas.ref("silta.education.v1.EducationEventRecorded") } },
        },
        response: {
          200: {
            description: "The batch was processed; see each item's status",
            type: "object",
            required: ["accepted", "duplicates", "rejected", "results"],
            properties: {
              accepted: { type: "integer" },
              duplicates: { type: "integer" },
              rejected: { type: "integer" },
              results: { type: "array", items: itemResult },
            },
          },
          default: problemResponse,
        },
      },
      // Items are validated one by one in the handler (one bad event must not refuse the batch):
      // only the documented schema above is shown, the envelope is checked below.
      validatorCompiler: () => (data: unknown) => ({ value: data }),
    },
    async (req) => {
      const body = req.body as { events?: unknown } | null;
      const events = body && typeof body === "object" && !Array.isArray(body) ? body.events : undefined;
      if (!Array.isArray(events) || events.length === 0 || events.length > MAX_BATCH) {
        throw invalidArgument("SILTA_INTAKE_INVALID_BATCH", [{ field: "events", reason: `required: an array of 1–${MAX_BATCH} events` }]);
      }
      const extra = Object.keys(body as object).filter((k) => k !== "events");
      if (extra.length > 0)
        throw invalidArgument(
          "SILTA_INTAKE_INVALID_BATCH",
          extra.map((k) => ({ field: k.slice(0, 100), reason: "unknown field" })),
        );
      return intake(events, identityOf(req));
    },
  );
}
