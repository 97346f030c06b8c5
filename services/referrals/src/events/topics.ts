// Topics this service produces and consumes (declared once; the chart's KafkaTopic and
// KafkaUser objects follow them).
import type { TopicSpec } from "@silta/events";

export const REFERRAL_TOPIC: TopicSpec = { name: "referrals.referral.v1", partitions: 6 };
export const EDUCATION_TOPIC: TopicSpec = { name: "municipal.education.v1", partitions: 6 };
/** The education topic under its configured name (SILTA_EDUCATION_TOPIC). */
export const educationTopic = (name: string): TopicSpec => ({ ...EDUCATION_TOPIC, name });

/** `referrals.inbox.<area>.v1`: full referrals, readable only by that wellbeing area (ACL). */
export function inboxTopic(areaCode: string): TopicSpec {
  return { name: `referrals.inbox.${areaCode}.v1`, partitions: 3 };
}

export function producedTopics(areaCodes: string[]): TopicSpec[] {
  return [REFERRAL_TOPIC, ...areaCodes.map(inboxTopic)];
}

export const consumedTopics = (educationTopicName: string): TopicSpec[] => [educationTopic(educationTopicName)];
