// The topics this service produces (declared once; the chart's KafkaTopic objects follow them).
import type { TopicSpec } from "@silta/events";

export const CONSENT_TOPIC: TopicSpec = { name: "consent.consent.v1", partitions: 6 };
export const producedTopics: TopicSpec[] = [CONSENT_TOPIC];
