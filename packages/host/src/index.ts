export * from "./config.ts";
export * from "./consent-client.ts";
export * from "./host.ts";
export * from "./upstream.ts";
