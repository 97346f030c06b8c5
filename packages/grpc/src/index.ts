export * from "./client.ts";
export * from "./decoder.ts";
export * from "./enum-table.ts";
export * from "./server.ts";
export * from "./status.ts";
export * from "./tls.ts";
export * from "./usage-log-service.ts";
