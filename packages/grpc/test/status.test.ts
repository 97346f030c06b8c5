import { Metadata, type ServiceError, status } from "@grpc/grpc-js";
import { type ErrorCode, type ErrorKind, failedPrecondition, invalidArgument, SiltaError } from "@silta/platform";
import { describe, expect, it } from "vitest";
import { fromServiceError, toStatus } from "../src/status.ts";

function asServiceError(st: ReturnType<typeof toStatus>): ServiceError {
  return Object.assign(new Error(st.details), { code: st.code, details: st.details, metadata: st.metadata ?? new Metadata() }) as ServiceError;
}

describe("errors mapped to gRPC status once, and back", () => {
  it.each([
    ["invalid_argument", status.INVALID_ARGUMENT],
    ["not_found", status.NOT_FOUND],
    ["already_exists", status.ALREADY_EXISTS],
    ["permission_denied", status.PERMISSION_DENIED],
    ["unauthenticated", status.UNAUTHENTICATED],
    ["failed_precondition", status.FAILED_PRECONDITION],
    ["resource_exhausted", status.RESOURCE_EXHAUSTED],
    ["unavailable", status.UNAVAILABLE],
  ] as [ErrorKind, status][])("%s → %s, and the client gets the same kind and code back", (kind, code) => {
    const st = toStatus(new SiltaError(`SILTA_TEST_${kind.toUpperCase()}` as ErrorCode, kind, "why"));
    expect(st.code).toBe(code);
    const back = fromServiceError(asServiceError(st));
    expect(back.kind).toBe(kind);
    expect(back.code).toBe(`SILTA_TEST_${kind.toUpperCase()}`);
  });

  it("carries every invalid field, and the failed state, in standard error details", () => {
    const bad = fromServiceError(
      asServiceError(
        toStatus(
          invalidArgument("SILTA_X_INVALID" as ErrorCode, [
            { field: "child.hetu", reason: "check character is wrong" },
            { field: "concern", reason: "required" },
          ]),
        ),
      ),
    );
    expect(bad.fields).toEqual([
      { field: "child.hetu", reason: "check character is wrong" },
      { field: "concern", reason: "required" },
    ]);
    const pre = fromServiceError(asServiceError(toStatus(failedPrecondition("SILTA_X_STATE" as ErrorCode, "referral is closed", "referral/1"))));
    expect(pre.preconditions).toEqual([{ type: "STATE", subject: "referral/1", description: "referral is closed" }]);
  });

  it("hides anything that is not a SiltaError behind INTERNAL 'internal error'", () => {
    const st = toStatus(new Error("connection to db-secret-host:5432 refused"));
    expect(st.code).toBe(status.INTERNAL);
    expect(st.details).toBe("internal error");
    expect(JSON.stringify(st.metadata?.getMap())).not.toContain("db-secret-host");
  });

  it("never puts a henkilötunnus into a status message", () => {
    const st = toStatus(invalidArgument("SILTA_X_INVALID" as ErrorCode, [{ field: "hetu", reason: "131052-308X has a wrong check character" }]));
    expect(st.details).not.toContain("131052-308X");
    expect(fromServiceError(asServiceError(st)).fields[0]?.reason).toBe("[hetu] has a wrong check character");
  });
});
