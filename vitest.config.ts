import { defineConfig } from "vitest/config";

// One suite: unit tests and integration tests against the real Kafka/PostgreSQL/Redis that
// `make test` starts. Files run in parallel; each integration file uses its own database and
// topics, so they do not see each other.
export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts", "services/*/test/**/*.test.ts", "tests/**/*.test.ts"],
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    // Files wait on Kafka, PostgreSQL and the services more than they compute: two at once even
    // on a 2-core machine (vitest's default there is cores − 1, one file at a time). The fault
    // drills run alone after them (scripts/run-tests.mjs).
    maxWorkers: 2,
  },
});
