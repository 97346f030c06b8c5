import { randomUUID } from "node:crypto";
import { helsinkiDate } from "@silta/calendar";
import { type Identity, idempotencyKey, invalidArgument, permissionDenied } from "@silta/platform";
import { holdsHetu } from "@silta/platform/hetu";
import { deadlinesFor } from "../domain/deadlines.ts";
import { type Referral, type ReferralKind, referenceNumber, type SubmissionInput, validateSubmission } from "../domain/referral.ts";
import type { Clock, Pseudonymiser, ReferralSettings, ReferralStore } from "./ports.ts";

export interface Receipt {
  referralId: string;
  referenceNumber: string;
  areaCode: string;
  areaName: string;
  submittedAt: Date;
}

/**
 * Files a referral: validated, the child pseudonymised, routed to the wellbeing area of the home
 * municipality (for a move notification, the area moved to), deadlines set, linked to recent
 * referrals about the same child. One read (an earlier filing of the same request, recent
 * referrals about the child, the next reference number), then one atomic statement: the row,
 * its deadlines and history and three events (the full record to the area inbox, the thin
 * domain event, the notifier's receipt).
 */
export function submitReferral(deps: { store: ReferralStore; clock: Clock; pseudonymiser: Pseudonymiser; settings: ReferralSettings }) {
  const { settings } = deps;
  return async (input: SubmissionInput & { requestId: string }, caller: Identity): Promise<Receipt> => {
    const now = deps.clock.now();
    const violations = validateSubmission(input, (c) => settings.municipalities.has(c), helsinkiDate(now));
    if (!input.requestId || input.requestId.length > 100) violations.push({ field: "request_id", reason: "required, at most 100 characters" });
    else if (holdsHetu(input.requestId)) violations.push({ field: "request_id", reason: "must not hold a henkilötunnus (it is kept as the idempotency key)" });
    if (violations.length > 0) throw invalidArgument("SILTA_REFERRAL_INVALID", violations);
    const professional = input.notifier.type === "mandatory_professional" || input.notifier.type === "other_professional";
    // A professional notifies for their own organisation; private persons come through a Silta service.
    if (professional && input.notifier.organisationId !== caller.organisationId && caller.organisationType !== "service") {
      throw permissionDenied("SILTA_REFERRAL_NOT_YOUR_ORGANISATION", "a professional notifies on behalf of their own organisation");
    }
    if (!professional && caller.organisationType !== "service") {
      throw permissionDenied(
        "SILTA_REFERRAL_PRIVATE_VIA_SERVICE",
        "a private person's notification is filed by a service inside the wellbeing area's deployment (organisation type service, such as the backend of its public web form), not by an organisation's token",
      );
    }

    const kind = input.kind as ReferralKind;
    const routeBy = kind === "move_notification" ? input.movingToMunicipalityCode : input.homeMunicipalityCode;
    const area = settings.municipalities.get(routeBy);
    if (!area) throw invalidArgument("SILTA_REFERRAL_INVALID", [{ field: "home_municipality_code", reason: "unknown municipality" }]);
    const [subjectPseudonym, ...earlierKeys] = deps.pseudonymiser.candidatesFor(input.child) as [string, ...string[]];
    // Unambiguous: the organisation's length first, so (`urn`, `fi:school:12:r-1`) and
    // (`urn:fi:school:12`, `r-1`) are two keys, not one.
    const requestKey = idempotencyKey(caller.organisationId, input.requestId);

    const year = Number(helsinkiDate(now).slice(0, 4));
    const since = new Date(now.getTime() - settings.linkWindowDays * 86_400_000);
    const prior = () => deps.store.priorFor({ requestKey, subjectPseudonyms: [subjectPseudonym, ...earlierKeys], since, areaCode: area.areaCode });
    const { earlier, recent, nextNumber } = await prior();
    if (earlier) return receiptOf(earlier, settings);
    if (nextNumber === undefined) throw new Error("no reference number drawn");
    const actor = { actorUser: caller.subject, actorOrganisation: caller.organisationId };
    const referral: Referral = {
      referralId: randomUUID(),
      referenceNumber: referenceNumber(area.areaCode, year, nextNumber),
      kind,
      status: "submitted",
      areaCode: area.areaCode,
      homeMunicipalityCode: input.homeMunicipalityCode,
      movingToMunicipalityCode: input.movingToMunicipalityCode,
      subjectPseudonym,
      child: input.child,
      notifier: input.notifier,
      concern: input.concern,
      urgentClaimed: input.urgentClaimed,
      urgent: false,
      policeNotified: input.policeNotified,
      receivedAt: now,
      decision: undefined,
      redirectedTo: "",
      transferredTo: undefined,
      transferredFrom: undefined,
      deadlines: deadlinesFor(now, settings).map((d) => ({ ...d, strictDueDate: d.strictDueDate, metAt: undefined })),
      history: [{ action: "submitted", status: "submitted", ...actor, at: now }],
      linkedReferralIds: recent.map((r) => r.referralId),
      responsibleWorkerRef: "",
      responsibleTeamRef: "",
    };
    // LSL 25 d §: responsibility moves to the new area, with the history of the old one.
    const movedFrom = kind === "move_notification" ? recent.find((r) => r.areaCode !== area.areaCode && r.status !== "closed") : undefined;
    if (movedFrom) referral.transferredFrom = movedFrom.referralId;
    const transfer = movedFrom && {
      from: movedFrom.referralId,
      entry: { action: `transferred to area ${area.areaCode}`, status: "closed" as const, ...actor, at: now },
    };
    if (await deps.store.file(referral, requestKey, { user: caller.subject, organisation: caller.organisationId }, transfer)) {
      return receiptOf(referral, settings);
    }
    // A concurrent call with the same request id filed first: answer with its receipt.
    const winner = (await prior()).earlier;
    if (!winner) throw new Error("request key conflict without an earlier referral");
    return receiptOf(winner, settings);
  };
}

function receiptOf(r: Pick<Referral, "referralId" | "referenceNumber" | "areaCode" | "receivedAt">, settings: ReferralSettings): Receipt {
  return {
    referralId: r.referralId,
    referenceNumber: r.referenceNumber,
    areaCode: r.areaCode,
    areaName: settings.areaName(r.areaCode),
    submittedAt: r.receivedAt,
  };
}
