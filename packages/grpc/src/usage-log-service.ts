// The usage log as every record-keeping service serves it (proto silta.usage.v1): register
// `usageLogService(log)` beside the service's own, and call `personReads(ctx, records)` for
// what a handler is about to answer. Listing is for the responsible area's data protection
// officer or auditor, scoped to the areas they act for.
import { type UsageLogServiceServer, UsageLogServiceService } from "@silta/contracts/usage/v1/usage.ts";
import { AUDIT_ROLES, hasRole, invalidArgument, permissionDenied, type UsageLog, type UsageRead } from "@silta/platform";
import { type CallContext, service } from "./server.ts";

/** AsiakastietoL: the client may ask for the usage log, normally for two years back. */
const DEFAULT_WINDOW_MS = 2 * 366 * 86_400_000;
const PSEUDONYM = /^[A-Za-z0-9_-]{16,128}$/;

export function usageLogService(log: UsageLog) {
  return service<UsageLogServiceServer>(UsageLogServiceService, {
    async listUsageLog(req, ctx) {
      const caller = ctx.requireIdentity();
      if (caller.organisationType !== "wellbeing_area" || !AUDIT_ROLES.some((r) => hasRole(caller, r))) {
        throw permissionDenied("SILTA_USAGE_AUDITOR_REQUIRED", `the usage log is read by a wellbeing area's ${AUDIT_ROLES.join(" or ")}`);
      }
      const fields = [];
      if (!PSEUDONYM.test(req.subjectPseudonym)) fields.push({ field: "subject_pseudonym", reason: "must be a pseudonym" });
      const since = req.since ? new Date(req.since) : new Date(Date.now() - DEFAULT_WINDOW_MS);
      if (Number.isNaN(since.getTime())) fields.push({ field: "since", reason: "must be an RFC 3339 time" });
      if (fields.length > 0) throw invalidArgument("SILTA_USAGE_INVALID_QUERY", fields);
      const entries = await log.list(req.subjectPseudonym, since, caller.areaCodes);
      return { entries: entries.map((e) => ({ ...e, at: e.at.toISOString() })) };
    },
  });
}

/**
 * The usage-log entries for the records a handler is about to answer: one per record when the
 * caller is a person; none when it is a Silta service acting on its own behalf.
 */
export function personReads(ctx: CallContext, records: { recordKind: string; recordId: string; subjectPseudonym: string; areaCode: string }[]): UsageRead[] {
  const caller = ctx.identity;
  if (!caller || caller.organisationType === "service") return [];
  return records.map((r) => ({
    ...r,
    actorUser: caller.subject,
    actorOrganisation: caller.organisationId,
    actorSigner: ctx.signer ?? "",
    route: ctx.method,
  }));
}
