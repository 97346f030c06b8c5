-- Up Migration
-- The area's referrals as their submission facts (referrals.referral.v1, a projection): when each
-- was submitted and its three-month assessment deadline, so a service-need assessment is shown
-- against that deadline and the time from a referral to its first multi-agency meeting is measured.
CREATE TABLE referral_facts (
  referral_id          uuid        PRIMARY KEY,
  submitted_at         timestamptz NOT NULL,
  assessment_due_date  date
);
