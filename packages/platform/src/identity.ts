// The caller's verified identity. The gateway verifies the JWT; it reaches services only inside a
// signed assertion (identity-proof.ts) that each service verifies against its trusted signers.
import { z } from "zod";
import { AREA_CODE, MUNICIPALITY_CODE, organisationTypes } from "./vocabulary.ts";

export const identitySchema = z.object({
  /** Opaque user id (the token's `sub`); never a henkilötunnus. */
  subject: z.string().min(1).max(200),
  organisationId: z.string().min(1).max(100),
  organisationType: z.enum(organisationTypes),
  roles: z.array(z.string().min(1).max(100)).max(50).default([]),
  /** Wellbeing-area codes (Statistics Finland, e.g. "13", "90") the organisation acts for. */
  areaCodes: z.array(z.string().regex(AREA_CODE)).max(30).default([]),
  /** Municipality codes (three digits) the organisation acts for. */
  municipalityCodes: z.array(z.string().regex(MUNICIPALITY_CODE)).max(400).default([]),
});

export type Identity = z.infer<typeof identitySchema>;

/**
 * The roles that read and verify audit trails (the disclosure log, the usage log): one set, the
 * same at the gateway's gate and in the services, always scoped to the caller's own area.
 */
export const AUDIT_ROLES = ["data_protection_officer", "auditor"] as const;

/** The child-protection roles of a wellbeing area: they handle referrals and manage consents. */
export const CHILD_PROTECTION_ROLES = ["child_protection_worker", "child_protection_manager", "social_emergency_worker"] as const;

/**
 * The roles Silta's routes and services act on, and what each is for. An organisation's identity
 * provider may send others (they are kept, and grant nothing here); `make token` refuses a
 * spelling not in this list, so a developer does not mint a token whose role nothing honours.
 */
export const KNOWN_ROLES: Record<string, string> = {
  child_protection_worker: "a wellbeing area's child-protection social worker",
  child_protection_manager: "a wellbeing area's child-protection manager",
  social_emergency_worker: "a wellbeing area's social emergency worker (sosiaalipäivystys)",
  data_protection_officer: "a wellbeing area's data protection officer (reads audit trails and usage logs)",
  auditor: "a wellbeing area's auditor (reads audit trails and usage logs)",
  education_event_publisher: "a municipal system that publishes school and early-education events",
  teacher: "a professional who notifies (any profession may; teacher is the development default)",
  social_worker: "a municipality's social worker (books the paired-worker model's specialists for their own organisation)",
  consultation_specialist: "a specialist social worker of the paired-worker model (manages their own schedule and bookings)",
  consultation_coordinator: "a wellbeing area's coordinator of the paired-worker model (manages specialists and the fairness settings)",
  school_support_coordinator: "a school's or early education's named support person for placed children (organises Sisukas / Pikku-Sisukas follow-up meetings)",
  calendar_sync: "an organisation's calendar system (publishes its people's busy times to the meetings service)",
  notifications_admin:
    "an organisation's notifications administrator (keeps its people's languages, e-mails and channels, its group addresses and webhooks, and re-drives failed deliveries)",
};

/** Who organises multi-agency meetings: the area's child-protection roles (Sisukas follow-ups also the school's named support role). */
export const ORGANISER_ROLES = CHILD_PROTECTION_ROLES;

/** Who books the paired-worker model's specialists, for their own organisation. */
export const BOOKER_ROLES = ["child_protection_worker", "child_protection_manager", "social_worker"] as const;

export function hasRole(identity: Identity, role: string): boolean {
  return identity.roles.includes(role);
}
