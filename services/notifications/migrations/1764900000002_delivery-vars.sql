-- Up Migration
-- What a message says, as variables, for the deliveries rendered at sending (a family member's
-- invitation: their language is read from the meetings service then, with their address).
ALTER TABLE deliveries ADD COLUMN vars jsonb NOT NULL DEFAULT '{}';
