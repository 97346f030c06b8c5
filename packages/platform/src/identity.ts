// The caller's verified identity. The gateway verifies the JWT; it reaches services only inside a
// signed assertion (identity-proof.ts) that each service verifies against its trusted signers.
import { z } from "zod";
import { AREA_CODE, MUNICIPALITY_CODE, organisationTypes } from "./vocabulary.ts";

export { type OrganisationType, organisationTypes } from "./vocabulary.ts";

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

export function hasRole(identity: Identity, role: string): boolean {
  return identity.roles.includes(role);
}
