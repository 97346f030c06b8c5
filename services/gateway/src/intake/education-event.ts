// One school or early-education event of an intake batch, checked on its own: the proto3 JSON
// shape (schema from the descriptor), then the rules a wellbeing area relies on. The pupil's
// henkilötunnus is validated here, where it enters, and travels on only to the area's
// referrals service (the topic's ACL), which pseudonymises it.
import { EducationEventRecorded } from "@silta/contracts/education/v1/education.ts";
import type { FieldViolation, Identity } from "@silta/platform";
import { holdsHetu, validateHetu } from "@silta/platform/hetu";
import { Ajv } from "ajv";
import { jsonFieldPath } from "../http/problem.ts";
import type { JsonSchema } from "../openapi/proto-schemas.ts";

export type EventCheck = { ok: true; event: EducationEventRecorded } | { ok: false; eventId: string | undefined; errors: FieldViolation[] };

const EVENT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;
const OPAQUE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DETAILS = ["attendance", "supportDecision", "transition", "incident"] as const;

export function educationEventChecker(schema: JsonSchema, jsonNames: (value: unknown) => { value: unknown; twice: FieldViolation[] }) {
  const ajv = new Ajv({ allErrors: true, strict: false });
  const shape = ajv.compile(schema);
  return (given: unknown, caller: Identity, today: string): EventCheck => {
    // The original proto field names (`pupil_id`) are accepted too, as proto3 JSON parsers do.
    const { value: raw, twice } = jsonNames(given);
    const eventId =
      typeof raw === "object" && raw !== null && typeof (raw as { eventId?: unknown }).eventId === "string" ? (raw as { eventId: string }).eventId : undefined;
    if (twice.length > 0) return { ok: false, eventId, errors: twice };
    if (!shape(raw)) {
      // One reason per field (a wrong type also fails the enum, say): the first is the clearest.
      const byField = new Map<string, string>();
      for (const e of shape.errors ?? []) {
        const path = e.instancePath.replace(/^\//, "").replaceAll("/", ".");
        const extra = typeof e.params.additionalProperty === "string" ? e.params.additionalProperty : undefined;
        const field = [path, extra].filter(Boolean).join(".") || "(event)";
        if (!byField.has(field)) byField.set(field, e.message ?? "invalid");
      }
      const errors = [...byField].slice(0, 20).map(([field, reason]) => ({ field, reason }));
      return { ok: false, eventId, errors };
    }
    const j = raw as Record<string, unknown>;
    const s = (k: string) => (typeof j[k] === "string" ? (j[k] as string) : "");
    const errors: FieldViolation[] = [];
    if (!EVENT_ID.test(s("eventId"))) errors.push({ field: "eventId", reason: "required: 1–100 letters, digits or . _ : -" });
    // Identifiers travel as the CloudEvents id, the record key and in dedupe keys: never a henkilötunnus in them.
    else if (holdsHetu(s("eventId"))) errors.push({ field: "eventId", reason: "must not hold a henkilötunnus (it becomes the event's id)" });
    const municipality = s("municipalityCode");
    if (!/^\d{3}$/.test(municipality)) errors.push({ field: "municipalityCode", reason: "required: the three-digit municipality code" });
    else if (!caller.municipalityCodes.includes(municipality))
      errors.push({ field: "municipalityCode", reason: "not a municipality your organisation acts for" });
    if (!OPAQUE_ID.test(s("unitId"))) errors.push({ field: "unitId", reason: "required: the school or unit id, 1–100 letters, digits or . _ : -" });
    else if (holdsHetu(s("unitId"))) errors.push({ field: "unitId", reason: "must be the unit's id, not hold a henkilötunnus" });
    const pupilId = s("pupilId");
    if (!OPAQUE_ID.test(pupilId)) errors.push({ field: "pupilId", reason: "required: the municipality's opaque pupil id, 1–100 letters, digits or . _ : -" });
    else if (holdsHetu(pupilId)) {
      errors.push({ field: "pupilId", reason: "must be an opaque id, not a henkilötunnus (it is the record key)" });
    }
    const hetu = validateHetu(s("pupilHetu"));
    if (!hetu.valid) errors.push({ field: "pupilHetu", reason: hetu.reason });
    if (!j.level || j.level === "EDUCATION_LEVEL_UNSPECIFIED") errors.push({ field: "level", reason: "required" });
    const on = s("occurredOn");
    const d = new Date(`${on}T00:00:00Z`);
    if (!DATE.test(on) || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== on)
      errors.push({ field: "occurredOn", reason: "required: a date YYYY-MM-DD" });
    else if (on > today) errors.push({ field: "occurredOn", reason: "is in the future" });
    const present = DETAILS.filter((k) => j[k] !== undefined);
    if (present.length !== 1) {
      errors.push({ field: "detail", reason: "exactly one of attendance, supportDecision, transition, incident" });
    } else {
      const k = present[0] as (typeof DETAILS)[number];
      const detail = j[k] as Record<string, unknown>;
      const kindField = k === "supportDecision" ? "change" : "kind";
      if (!detail[kindField] || String(detail[kindField]).endsWith("_UNSPECIFIED")) errors.push({ field: `${k}.${kindField}`, reason: "required" });
      if (k === "supportDecision" && (!detail.level || String(detail.level).endsWith("_UNSPECIFIED"))) errors.push({ field: `${k}.level`, reason: "required" });
    }
    if (errors.length > 0) return { ok: false, eventId, errors: errors.map((e) => ({ ...e, field: jsonFieldPath(e.field) })) };
    return { ok: true, event: EducationEventRecorded.fromJSON(raw) };
  };
}
