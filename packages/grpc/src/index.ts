export * from "./client.ts";
export * from "./server.ts";
export * from "./status.ts";
