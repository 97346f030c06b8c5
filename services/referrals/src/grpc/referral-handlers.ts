// gRPC adapter: decode → use case → encode. Every referral whose content goes back to a person
// is in the usage log first (käyttöloki: a read that is not logged is never answered).
import { type ReferralServiceServer, ReferralServiceService } from "@silta/contracts/referrals/v1/referrals.ts";
import { type CallContext, personReads, service } from "@silta/grpc";
import { invalidArgument, type UsageLog } from "@silta/platform";
import type { assignResponsible } from "../app/assign-responsible.ts";
import type { getReferral, getReferralStatus, listReferrals } from "../app/read-referrals.ts";
import type { submitReferral } from "../app/submit-referral.ts";
import type { transitionReferral } from "../app/transition-referral.ts";
import type { Referral, ReferralStatus } from "../domain/referral.ts";
import { kind, milestone, notifierType, outcome, referralToProto, status } from "../proto-mapping.ts";

export interface ReferralUseCases {
  submit: ReturnType<typeof submitReferral>;
  transition: ReturnType<typeof transitionReferral>;
  assignResponsible: ReturnType<typeof assignResponsible>;
  get: ReturnType<typeof getReferral>;
  list: ReturnType<typeof listReferrals>;
  status: ReturnType<typeof getReferralStatus>;
}

export function referralHandlers(uc: ReferralUseCases, areaName: (code: string) => string, usage: UsageLog) {
  /** Logs the person's read of these referrals, then lets them be answered. */
  const read = async <T extends Referral | Referral[]>(ctx: CallContext, referrals: T): Promise<T> => {
    const list = Array.isArray(referrals) ? referrals : [referrals];
    await usage.record(
      personReads(
        ctx,
        list.map((r) => ({ recordKind: "referral", recordId: r.referralId, subjectPseudonym: r.subjectPseudonym, areaCode: r.areaCode })),
      ),
    );
    return referrals;
  };
  return service<ReferralServiceServer>(ReferralServiceService, {
    async submitReferral(req, ctx) {
      const caller = ctx.requireIdentity();
      const type = notifierType.domain(req.notifier?.type ?? 0);
      if (!type) throw invalidArgument("SILTA_REFERRAL_INVALID", [{ field: "notifier.type", reason: "a known notifier type is required" }]);
      const n = req.notifier;
      const c = req.child;
      const receipt = await uc.submit(
        {
          requestId: req.requestId,
          kind: kind.domain(req.kind),
          notifier: { type, organisationId: n?.organisationId ?? "", role: n?.role ?? "", name: n?.name ?? "", phone: n?.phone ?? "", email: n?.email ?? "" },
          child: {
            hetu: c?.hetu ?? "",
            temporaryId: c?.temporaryId ?? "",
            givenNames: c?.givenNames ?? "",
            familyName: c?.familyName ?? "",
            birthDate: c?.birthDate ?? "",
          },
          homeMunicipalityCode: req.homeMunicipalityCode,
          concern: req.concern,
          urgentClaimed: req.urgentClaimed,
          policeNotified: req.policeNotified,
          movingToMunicipalityCode: req.movingToMunicipalityCode,
        },
        caller,
      );
      return { receipt: { ...receipt, submittedAt: receipt.submittedAt.toISOString() } };
    },
    async getReferral(req, ctx) {
      const r = await uc.get(req.referralId, ctx.requireIdentity());
      await read(ctx, [r.referral, ...r.linked]);
      return {
        referral: referralToProto(r.referral, areaName(r.referral.areaCode), r.educationEvents),
        linked: r.linked.map((l) => referralToProto(l, areaName(l.areaCode))),
      };
    },
    async listReferrals(req, ctx) {
      const statuses = req.statuses.map((s) => status.domain(s)).filter((s): s is ReferralStatus => s !== undefined);
      if (statuses.length !== req.statuses.length) throw invalidArgument("SILTA_REFERRAL_INVALID_QUERY", [{ field: "statuses", reason: "unknown status" }]);
      const list = await read(ctx, await uc.list({ areaCode: req.areaCode, statuses, limit: req.limit }, ctx.requireIdentity()));
      return { referrals: list.map((r) => referralToProto(r, areaName(r.areaCode))) };
    },
    async receiveReferral(req, ctx) {
      return { referral: referralToProto(await read(ctx, await uc.transition(req.referralId, { type: "receive" }, ctx.requireIdentity())), "") };
    },
    async assessUrgency(req, ctx) {
      return {
        referral: referralToProto(
          await read(ctx, await uc.transition(req.referralId, { type: "assess_urgency", urgent: req.urgent }, ctx.requireIdentity())),
          "",
        ),
      };
    },
    async decideReferral(req, ctx) {
      const o = outcome.domain(req.outcome);
      if (!o) throw invalidArgument("SILTA_REFERRAL_INVALID_TRANSITION", [{ field: "outcome", reason: "start assessment, no further action or redirect" }]);
      return {
        referral: referralToProto(
          await read(ctx, await uc.transition(req.referralId, { type: "decide", outcome: o, redirectedTo: req.redirectedTo }, ctx.requireIdentity())),
          "",
        ),
      };
    },
    async completeAssessment(req, ctx) {
      return { referral: referralToProto(await read(ctx, await uc.transition(req.referralId, { type: "complete_assessment" }, ctx.requireIdentity())), "") };
    },
    async closeReferral(req, ctx) {
      return { referral: referralToProto(await read(ctx, await uc.transition(req.referralId, { type: "close" }, ctx.requireIdentity())), "") };
    },
    async assignResponsible(req, ctx) {
      const r = await uc.assignResponsible(req.referralId, { workerRef: req.workerRef, teamRef: req.teamRef }, ctx.requireIdentity());
      return { referral: referralToProto(await read(ctx, r), "") };
    },
    async getReferralStatus(req, ctx) {
      const s = await uc.status(req.referenceNumber, ctx.requireIdentity());
      return {
        referenceNumber: s.referenceNumber,
        areaCode: s.areaCode,
        areaName: s.areaName,
        submittedAt: s.submittedAt.toISOString(),
        milestones: s.milestones.map((m) => ({ milestone: milestone.proto(m.milestone), at: m.at.toISOString() })),
      };
    },
  });
}
