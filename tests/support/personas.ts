// The people and systems of the tests (area 13, Pohjois-Savo; Kuopio 297), apart from the chain
// that starts the services, so a script (make load-tokens) can mint their tokens without loading them.
import type { TokenClaims } from "@silta/gateway/dev-token";

/** The people and systems of the tests, as token claims. */
export const personas = {
  teacher: { sub: "teacher-7", org_id: "kuopio-school-12", org_type: "municipality", roles: ["teacher"], municipality_codes: ["297"] },
  publisher: { sub: "wilma-sync", org_id: "kuopio-education", org_type: "municipality", roles: ["education_event_publisher"], municipality_codes: ["297"] },
  worker13: { sub: "sw-1", org_id: "pohjois-savo-lastensuojelu", org_type: "wellbeing_area", roles: ["child_protection_worker"], area_codes: ["13"] },
  worker03: { sub: "sw-2", org_id: "lansi-uusimaa-lastensuojelu", org_type: "wellbeing_area", roles: ["child_protection_worker"], area_codes: ["03"] },
  auditor13: { sub: "dpo-1", org_id: "pohjois-savo-tietosuoja", org_type: "wellbeing_area", roles: ["data_protection_officer"], area_codes: ["13"] },
  ngo: { sub: "ngo-1", org_id: "mll-kuopio", org_type: "ngo", roles: ["family_worker"] },
  /** The area's coordinator of the paired-worker model. */
  coordinator13: {
    sub: "coord-1",
    org_id: "pohjois-savo-hyvinvointialue",
    org_type: "wellbeing_area",
    roles: ["consultation_coordinator"],
    area_codes: ["13"],
  },
  /** Area 13's notifications administrator (an organisation of its own: its directory, webhooks, deliveries). */
  admin13: { sub: "admin-1", org_id: "pohjois-savo-viestinta", org_type: "wellbeing_area", roles: ["notifications_admin"], area_codes: ["13"] },
  /** A specialist of the paired-worker model in area 13. */
  specialist13: { sub: "spec-1", org_id: "pohjois-savo-erityispalvelut", org_type: "wellbeing_area", roles: ["consultation_specialist"], area_codes: ["13"] },
} satisfies Record<string, TokenClaims>;
export type Persona = keyof typeof personas;
