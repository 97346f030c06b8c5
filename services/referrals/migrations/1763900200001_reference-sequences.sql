-- Up Migration
-- Reference numbers from one sequence per wellbeing area: a counter row locked every
-- submission in an area behind the one before it until commit (the throughput limit).
-- Sequences take no row lock; a rolled-back submission leaves a gap in the numbering.
CREATE SEQUENCE referral_reference_01;
CREATE SEQUENCE referral_reference_02;
CREATE SEQUENCE referral_reference_03;
CREATE SEQUENCE referral_reference_04;
CREATE SEQUENCE referral_reference_05;
CREATE SEQUENCE referral_reference_06;
CREATE SEQUENCE referral_reference_07;
CREATE SEQUENCE referral_reference_08;
CREATE SEQUENCE referral_reference_09;
CREATE SEQUENCE referral_reference_10;
CREATE SEQUENCE referral_reference_11;
CREATE SEQUENCE referral_reference_12;
CREATE SEQUENCE referral_reference_13;
CREATE SEQUENCE referral_reference_14;
CREATE SEQUENCE referral_reference_15;
CREATE SEQUENCE referral_reference_16;
CREATE SEQUENCE referral_reference_17;
CREATE SEQUENCE referral_reference_18;
CREATE SEQUENCE referral_reference_19;
CREATE SEQUENCE referral_reference_20;
CREATE SEQUENCE referral_reference_21;
CREATE SEQUENCE referral_reference_90;
CREATE SEQUENCE referral_reference_91;
SELECT setval('referral_reference_' || area_code, max(last)) FROM reference_counters GROUP BY area_code;
DROP TABLE reference_counters;

-- Down Migration
CREATE TABLE reference_counters (area_code text NOT NULL, year integer NOT NULL, last integer NOT NULL, PRIMARY KEY (area_code, year));
DROP SEQUENCE referral_reference_01;
DROP SEQUENCE referral_reference_02;
DROP SEQUENCE referral_reference_03;
DROP SEQUENCE referral_reference_04;
DROP SEQUENCE referral_reference_05;
DROP SEQUENCE referral_reference_06;
DROP SEQUENCE referral_reference_07;
DROP SEQUENCE referral_reference_08;
DROP SEQUENCE referral_reference_09;
DROP SEQUENCE referral_reference_10;
DROP SEQUENCE referral_reference_11;
DROP SEQUENCE referral_reference_12;
DROP SEQUENCE referral_reference_13;
DROP SEQUENCE referral_reference_14;
DROP SEQUENCE referral_reference_15;
DROP SEQUENCE referral_reference_16;
DROP SEQUENCE referral_reference_17;
DROP SEQUENCE referral_reference_18;
DROP SEQUENCE referral_reference_19;
DROP SEQUENCE referral_reference_20;
DROP SEQUENCE referral_reference_21;
DROP SEQUENCE referral_reference_90;
DROP SEQUENCE referral_reference_91;
