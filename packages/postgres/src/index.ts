export * from "./idempotency.ts";
export * from "./leader.ts";
export * from "./migrate.ts";
export * from "./outbox.ts";
export * from "./outbox-relay.ts";
export * from "./pool.ts";
export * from "./usage-log.ts";
