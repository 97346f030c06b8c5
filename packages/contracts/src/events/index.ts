// Every event contract of Silta, from one place. Import from `@silta/contracts/events`.
import { CONSENT_TOPIC } from "./consent.ts";
import { CONSULTATION_TOPIC } from "./consultations.ts";
import type { TopicContract } from "./contract.ts";
import { EDUCATION_TOPIC } from "./education.ts";
import { MEETING_TOPIC } from "./meetings.ts";
import { NOTIFICATION_TOPIC } from "./notifications.ts";
import { inboxTopic, REFERRAL_TOPIC } from "./referrals.ts";

export * from "./consent.ts";
export * from "./consultations.ts";
export * from "./contract.ts";
export * from "./education.ts";
export * from "./fixture.ts";
export * from "./meetings.ts";
export * from "./notifications.ts";
export * from "./referrals.ts";

/** Every deployed topic (the area inboxes of the given areas), as the chart and AsyncAPI must list them. */
export function deployedTopics(areaCodes: string[]): TopicContract[] {
  return [CONSENT_TOPIC, REFERRAL_TOPIC, EDUCATION_TOPIC, CONSULTATION_TOPIC, MEETING_TOPIC, NOTIFICATION_TOPIC, ...areaCodes.map(inboxTopic)];
}

/** The deployed topics `service` produces. */
export const producedBy = (service: string, areaCodes: string[]): TopicContract[] => deployedTopics(areaCodes).filter((t) => t.producer === service);
/** The deployed topics `service` consumes. */
export const consumedBy = (service: string, areaCodes: string[]): TopicContract[] => deployedTopics(areaCodes).filter((t) => t.consumers.includes(service));
