// RFC 9457 problem details, as the gateway answers every error (http/problem.ts).
export const problemSchema = {
  $id: "Problem",
  title: "Problem",
  type: "object",
  required: ["type", "title", "status", "detail", "code"],
  properties: {
    type: { type: "string", format: "uri", description: "identifies the kind of problem" },
    title: { type: "string" },
    status: { type: "integer" },
    detail: { type: "string", description: "what went wrong, in words a caller can act on" },
    code: { type: "string", description: "the SILTA_* error code, for programs", examples: ["SILTA_REFERRAL_INVALID"] },
    instance: { type: "string", description: "this request (quote it when reporting a problem)" },
    errors: {
      type: "array",
      description: "the invalid fields (proto3 JSON names, dotted paths)",
      items: { type: "object", required: ["field", "reason"], properties: { field: { type: "string" }, reason: { type: "string" } } },
    },
    preconditions: {
      type: "array",
      description: "unmet preconditions, e.g. the current state of the object",
      items: {
        type: "object",
        required: ["type", "subject", "description"],
        properties: { type: { type: "string" }, subject: { type: "string" }, description: { type: "string" } },
      },
    },
  },
} as const;
