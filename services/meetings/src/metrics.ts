// What a manager asks: the share of systemic meetings with the family taking part, the share of
// meetings where the child's view was heard, the answers still pending, and the time from a
// referral to its first multi-agency meeting. Counted by the
// database at each scrape (every replica answers the same figures).
import type { Meter } from "@opentelemetry/api";
import type { MeetingStore } from "./app/ports.ts";

export function meetingMetrics(m: Meter, store: MeetingStore, clock: { now(): Date }) {
  const familyShare = m.createObservableGauge("silta_meetings_systemic_family_share", {
    description: "the share (0–1) of held systemic weekly meetings where the family took part",
  });
  const heardShare = m.createObservableGauge("silta_meetings_child_heard_share", {
    description: "the share (0–1) of held meetings where the child's view was heard (present, in writing or through a representative)",
  });
  const pending = m.createObservableGauge("silta_meetings_answers_pending", {
    description: "invited participants of meetings still to come who have not answered",
  });
  const toFirst = m.createObservableGauge("silta_meetings_referral_to_first_meeting_days", {
    description: "median days from a referral's submission to its first multi-agency meeting (referrals with a meeting)",
    unit: "d",
  });
  const withMeeting = m.createObservableGauge("silta_meetings_referrals_with_meeting", {
    description: "referrals (as read from referrals.referral.v1) that have a multi-agency meeting",
  });
  m.addBatchObservableCallback(
    async (r) => {
      const f = await store.figures(clock.now());
      if (f.referralToFirstMeetingDays !== undefined) r.observe(toFirst, f.referralToFirstMeetingDays);
      r.observe(withMeeting, f.referralsWithMeeting);
      r.observe(familyShare, f.systemicHeld === 0 ? 0 : f.systemicWithFamily / f.systemicHeld);
      r.observe(heardShare, f.outcomesRecorded === 0 ? 0 : f.childHeard / f.outcomesRecorded);
      r.observe(pending, f.answersPending);
    },
    [familyShare, heardShare, pending, toFirst, withMeeting],
  );
}
