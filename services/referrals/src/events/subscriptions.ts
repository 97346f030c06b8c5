// What this service consumes, routed by ce_type (STYLE.md: each service's subscriptions in one place).

import type { Counter } from "@opentelemetry/api";
import { type EducationEventRecorded, EducationLevel } from "@silta/contracts/education/v1/education.ts";
import { educationEventRecorded } from "@silta/contracts/events";
import { on, type Subscription } from "@silta/events";
import type { Pool } from "@silta/postgres";
import { handleManyOnce, handleOnce } from "@silta/postgres";
import type { IncomingEducationEvent, recordEducationEvent, recordEducationEvents } from "../app/record-education-event.ts";

const levels: Record<number, IncomingEducationEvent["level"]> = {
  [EducationLevel.EDUCATION_LEVEL_EARLY_EDUCATION]: "early_education",
  [EducationLevel.EDUCATION_LEVEL_PRE_PRIMARY]: "pre_primary",
  [EducationLevel.EDUCATION_LEVEL_BASIC_EDUCATION]: "basic_education",
};

export function toIncoming(m: EducationEventRecorded): IncomingEducationEvent {
  const d = m.detail;
  const detail: IncomingEducationEvent["detail"] =
    d?.$case === "attendance"
      ? { kind: "attendance", code: `absence:${d.value.kind}:${d.value.absentDays}d` }
      : d?.$case === "supportDecision"
        ? { kind: "support_decision", code: `support:${d.value.change}:${d.value.level}` }
        : d?.$case === "transition"
          ? { kind: "transition", code: `transition:${d.value.kind}` }
          : d?.$case === "incident"
            ? { kind: "incident", code: `incident:${d.value.kind}` }
            : undefined;
  return {
    eventId: m.eventId,
    municipalityCode: m.municipalityCode,
    unitId: m.unitId,
    pupilId: m.pupilId,
    pupilHetu: m.pupilHetu,
    level: levels[m.level],
    occurredOn: m.occurredOn,
    detail,
  };
}

export function subscriptions(deps: {
  pool: Pool;
  record: ReturnType<typeof recordEducationEvent>;
  recordMany: ReturnType<typeof recordEducationEvents>;
  outcomes: Counter;
}): Subscription<unknown>[] {
  return [
    {
      ...on(educationEventRecorded, async (message, event) => {
        // Idempotent by ce_id; the outcome (attached or dropped) is decided once.
        let outcome = "duplicate";
        await handleOnce(deps.pool, "referrals.education", event.id, async () => {
          outcome = await deps.record(toIncoming(message));
        });
        deps.outcomes.add(1, { outcome });
      }),
      // A consumer that is behind (a morning's intake): a partition's events a batch at a time,
      // their ce_ids marked in one statement and the open referrals of all their children read in
      // one; what one at a time decides, for each. If it throws, the kit handles them one at a time.
      handleMany: async (records: { message: EducationEventRecorded; event: { id: string } }[]) => {
        const outcomes: string[] = [];
        const fresh = await handleManyOnce(
          deps.pool,
          "referrals.education",
          records.map((r) => r.event.id),
          async (fresh) => {
            // One record per fresh ce_id: a redelivery within the batch is handled once.
            const once = new Map(records.filter((r) => fresh.has(r.event.id)).map((r) => [r.event.id, r.message]));
            outcomes.push(...(await deps.recordMany([...once.values()].map(toIncoming))));
          },
        );
        for (const outcome of outcomes) deps.outcomes.add(1, { outcome });
        for (let i = fresh.size; i < records.length; i++) deps.outcomes.add(1, { outcome: "duplicate" });
      },
    } as Subscription<unknown>,
  ];
}
