-- Up Migration
-- Request keys were `<organisation>:<request id>`, which two organisations could share (`urn` +
-- `fi:school:12:r-1` and `urn:fi:school:12` + `r-1`). Now `<length of organisation>:<organisation>:<request id>`
-- (idempotencyKey of @silta/platform), so a retry across the upgrade still finds its referral.
UPDATE referrals
   SET request_key = length(submitted_by_organisation) || ':' || request_key
 WHERE left(request_key, length(submitted_by_organisation) + 1) = submitted_by_organisation || ':';

-- Down Migration
UPDATE referrals
   SET request_key = substr(request_key, length(length(submitted_by_organisation)::text) + 2)
 WHERE left(request_key, length(length(submitted_by_organisation)::text) + 1) = length(submitted_by_organisation) || ':';
