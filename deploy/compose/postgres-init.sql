-- docker compose: one database per database-owning service (the chart takes them from Secrets).
CREATE DATABASE silta_consent;
CREATE DATABASE silta_referrals;
CREATE DATABASE silta_consultations;
CREATE DATABASE silta_meetings;
CREATE DATABASE silta_notifications;
