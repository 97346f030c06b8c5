-- Up Migration
-- The responsible social worker (the `sub` of their token) and team (a group address of the
-- area's notifications directory) of a referral: opaque references, '' until assigned. Each
-- change is also in referral_history (action assign_responsible, who and when).
ALTER TABLE referrals
  ADD COLUMN responsible_worker_ref text NOT NULL DEFAULT '',
  ADD COLUMN responsible_team_ref   text NOT NULL DEFAULT '';

-- Down Migration
ALTER TABLE referrals DROP COLUMN responsible_worker_ref, DROP COLUMN responsible_team_ref;
