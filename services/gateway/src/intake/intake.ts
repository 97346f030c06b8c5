// Education-event intake: a batch from a municipal system, each event checked on its own;
// the valid ones produced to `municipal.education.v1` (CloudEvents binary mode, protobuf, key =
// the municipality's opaque pupil id, acks=-1), the invalid ones answered with their reasons.
// Idempotent by event id: ce_id is `<municipality>/<idempotencyKey(publisher organisation, event id)>`
// (consumers dedupe by it; two publishers' "e-1" are two events) and the gateway remembers
// accepted ids in Redis, so a retried batch adds nothing to the topic.
// Redis may be lost (ARCHITECTURE.md): without it events are produced again and the consumers'
// dedupe by ce_id still keeps them single downstream.
import { EducationEventRecorded } from "@silta/contracts/education/v1/education.ts";
import { educationEventRecorded } from "@silta/contracts/events";
import { type EventProducer, PROTOBUF } from "@silta/events";
import { type FieldViolation, type Identity, idempotencyKey, type Logger, type Redis, SiltaError } from "@silta/platform";
import type { EventCheck } from "./education-event.ts";

export const MAX_BATCH = 500;

export interface ItemResult {
  index: number;
  eventId?: string;
  status: "accepted" | "duplicate" | "rejected";
  errors?: FieldViolation[];
}

export interface IntakeResult {
  accepted: number;
  duplicates: number;
  rejected: number;
  results: ItemResult[];
}

export interface IntakeDeps {
  producer: EventProducer;
  redis: Redis;
  logger: Logger;
  check: (raw: unknown, caller: Identity, today: string) => EventCheck;
  /** The topic's configured name (SILTA_EDUCATION_TOPIC). */
  topic: string;
  dedupSeconds: number;
  /**
   * How long the batch may wait for Kafka's acknowledgement before it is answered 503: shorter
   * than the clients' and the gateway's own request timeout, so a Kafka outage gets an answer.
   */
  deadlineMs: number;
  now?: () => Date;
}

/** Today in Helsinki as YYYY-MM-DD (made once: a formatter costs more than a batch's checks). */
const helsinkiDay = new Intl.DateTimeFormat("sv-SE", { timeZone: "Europe/Helsinki" });
const seenKey = (ceId: string) => `silta:intake:seen:${ceId}`;
const REMEMBER = "for _, k in ipairs(KEYS) do redis.call('SET', k, '1', 'EX', ARGV[1]) end return #KEYS";
/** The encoded bytes as a Buffer without copying them. */
const asBuffer = (u8: Uint8Array) => Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);

export function educationIntake(deps: IntakeDeps) {
  const now = deps.now ?? (() => new Date());
  return async (events: unknown[], caller: Identity): Promise<IntakeResult> => {
    const today = helsinkiDay.format(now());
    const results: ItemResult[] = [];
    const valid: { index: number; ceId: string; event: EducationEventRecorded }[] = [];
    const inBatch = new Set<string>();
    events.forEach((raw, index) => {
      const c = deps.check(raw, caller, today);
      if (!c.ok) {
        results[index] = { index, ...(c.eventId ? { eventId: c.eventId.slice(0, 100) } : {}), status: "rejected", errors: c.errors };
        return;
      }
      const ceId = `${c.event.municipalityCode}/${idempotencyKey(caller.organisationId, c.event.eventId)}`;
      if (inBatch.has(ceId)) {
        results[index] = { index, eventId: c.event.eventId, status: "duplicate" };
        return;
      }
      inBatch.add(ceId);
      valid.push({ index, ceId, event: c.event });
    });

    let seen: (string | null)[] = [];
    if (valid.length > 0) {
      try {
        seen = await deps.redis.mget(valid.map((v) => seenKey(v.ceId)));
      } catch (err) {
        deps.logger.warn({ err }, "intake dedupe window unavailable; producing (consumers dedupe by ce_id)");
      }
    }
    const fresh = valid.filter((v, i) => {
      if (seen[i]) results[v.index] = { index: v.index, eventId: v.event.eventId, status: "duplicate" };
      return !seen[i];
    });

    let timer: NodeJS.Timeout | undefined;
    try {
      const sent = deps.producer.publish(
        fresh.map((v) => ({
          topic: deps.topic,
          key: v.event.pupilId,
          event: {
            id: v.ceId,
            type: educationEventRecorded.type,
            source: `/silta/gateway/municipalities/${v.event.municipalityCode}`,
            subject: v.event.pupilId,
            time: now().toISOString(),
            contentType: PROTOBUF,
            data: asBuffer(EducationEventRecorded.encode(v.event).finish()),
          },
        })),
      );
      sent.catch(() => undefined); // answered by the race below; a late failure has nobody to tell
      await Promise.race([
        sent,
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error("no acknowledgement in time")), deps.deadlineMs);
        }),
      ]);
    } catch (err) {
      // Nothing is remembered as accepted: the municipality retries the whole batch (events that
      // reached the topic after all are kept once downstream: consumers dedupe by ce_id).
      throw new SiltaError("SILTA_INTAKE_KAFKA_UNAVAILABLE", "unavailable", "the event log (Kafka) did not confirm the events; retry the batch", {
        cause: err,
      });
    } finally {
      clearTimeout(timer);
    }
    for (const v of fresh) results[v.index] = { index: v.index, eventId: v.event.eventId, status: "accepted" };

    if (fresh.length > 0) {
      // One command for the whole batch (a MULTI of 100 SETs costs the gateway far more CPU).
      await deps.redis
        .eval(REMEMBER, fresh.length, ...fresh.map((v) => seenKey(v.ceId)), deps.dedupSeconds)
        .catch((err: unknown) => deps.logger.warn({ err }, "intake dedupe window not updated"));
    }
    const count = (s: ItemResult["status"]) => results.filter((r) => r.status === s).length;
    return { accepted: count("accepted"), duplicates: count("duplicate"), rejected: count("rejected"), results };
  };
}
