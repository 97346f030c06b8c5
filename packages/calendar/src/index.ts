export * from "./availability.ts";
export * from "./common-slots.ts";
export * from "./ical.ts";
export * from "./recurrence.ts";
export * from "./slots.ts";
export * from "./working-days.ts";
export * from "./zone.ts";
