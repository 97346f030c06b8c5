// The referrals service's topics. The area inbox gets the whole referral (that area's own systems
// need it; ACLs keep everyone else out); the domain topic gets ids, kind, status, area, deadlines
// and the pseudonym, nothing else.
import { codec } from "@silta/events";
import {
  ReferralDeadlineAlert,
  ReferralInboxRecord,
  ReferralReceiptIssued,
  ReferralStatusChanged,
  ReferralSubmitted,
} from "../gen/silta/referrals/v1/referrals.ts";
import { type TopicContract, topic } from "./contract.ts";

// The inbox record has its own type: same fact, another message (the whole referral).
export const inboxRecord = codec("fi.silta.referral.routed.v1", ReferralInboxRecord);
export const referralSubmitted = codec("fi.silta.referral.submitted.v1", ReferralSubmitted);
export const statusChanged = codec("fi.silta.referral.status-changed.v1", ReferralStatusChanged);
export const receiptIssued = codec("fi.silta.referral.receipt-issued.v1", ReferralReceiptIssued);
export const deadlineAtRisk = codec("fi.silta.referral.deadline-at-risk.v1", ReferralDeadlineAlert);
export const deadlineMissed = codec("fi.silta.referral.deadline-missed.v1", ReferralDeadlineAlert);

export const REFERRAL_TOPIC = topic({
  name: "referrals.referral.v1",
  partitions: 6,
  producer: "referrals",
  consumers: [],
  key: "the referral id",
  events: [referralSubmitted, receiptIssued, statusChanged, deadlineAtRisk, deadlineMissed],
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
