// The referrals service's topics. The area inbox gets the whole referral (that area's own systems
// need it; ACLs keep everyone else out); the domain topic gets ids, kind, status, area, deadlines
// and the pseudonym, nothing else.
import {
  ReferralDeadlineAlert,
  ReferralInboxRecord,
  ReferralReceiptIssued,
  ReferralResponsibleAssigned,
  ReferralStatusChanged,
  ReferralSubmitted,
} from "../gen/silta/referrals/v1/referrals.ts";
import { event, type TopicContract, topic } from "./contract.ts";

// The inbox record has its own type: same fact, another message (the whole referral).
export const inboxRecord = event(
  "fi.silta.referral.routed.v1",
  ReferralInboxRecord,
  "silta.referrals.v1.ReferralInboxRecord",
  "The whole referral, to the responsible area.",
);
export const referralSubmitted = event(
  "fi.silta.referral.submitted.v1",
  ReferralSubmitted,
  "silta.referrals.v1.ReferralSubmitted",
  "A referral was filed and routed.",
);
export const statusChanged = event(
  "fi.silta.referral.status-changed.v1",
  ReferralStatusChanged,
  "silta.referrals.v1.ReferralStatusChanged",
  "A referral moved along its lifecycle (with the notifier-visible milestone).",
);
export const receiptIssued = event(
  "fi.silta.referral.receipt-issued.v1",
  ReferralReceiptIssued,
  "silta.referrals.v1.ReferralReceiptIssued",
  "The content-free receipt for the notifying organisation.",
);
export const deadlineAtRisk = event(
  "fi.silta.referral.deadline-at-risk.v1",
  ReferralDeadlineAlert,
  "silta.referrals.v1.ReferralDeadlineAlert",
  "A statutory deadline is within the configured lead (once per referral and deadline).",
);
export const deadlineMissed = event(
  "fi.silta.referral.deadline-missed.v1",
  ReferralDeadlineAlert,
  "silta.referrals.v1.ReferralDeadlineAlert",
  "A statutory deadline passed unmet (once per referral and deadline).",
);

export const responsibleAssigned = event(
  "fi.silta.referral.responsible-assigned.v1",
  ReferralResponsibleAssigned,
  "silta.referrals.v1.ReferralResponsibleAssigned",
  "The responsible social worker and/or team of a referral was named or changed (opaque references).",
);

export const REFERRAL_TOPIC = topic({
  name: "referrals.referral.v1",
  partitions: 6,
  producer: "referrals",
  consumers: ["meetings", "notifications"],
  key: "the referral id",
  events: [referralSubmitted, receiptIssued, statusChanged, deadlineAtRisk, deadlineMissed, responsibleAssigned],
  description: "Referrals submitted, receipts issued, status changes and deadline alerts: no henkilötunnus, name or concern.",
});

/** `referrals.inbox.<area>.v1`: full referrals, readable only by that wellbeing area (ACL). */
export function inboxTopic(areaCode: string): TopicContract {
  return topic({
    name: `referrals.inbox.${areaCode}.v1`,
    partitions: 3,
    producer: "referrals",
    consumers: [],
    key: "the referral id",
    events: [inboxRecord],
    description: `The whole referrals routed to wellbeing area ${areaCode}, for that area's own systems only.`,
  });
}
