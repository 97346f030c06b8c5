export * from "./cloudevents.ts";
export * from "./codec.ts";
export * from "./consumer.ts";
export * from "./kafka.ts";
export * from "./producer.ts";
export * from "./topics.ts";
