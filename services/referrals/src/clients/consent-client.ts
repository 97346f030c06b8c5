// Outbound: the consent service's Check, as this service's own identity (a Silta service may
// check on behalf of a recipient), proven with this service's own signing key. Deadline, proof
// and trace context come from the gRPC kit.
import type { ChannelCredentials } from "@grpc/grpc-js";
import { ConsentServiceClient, DataCategory, Decision, OrganisationType, Purpose } from "@silta/contracts/consent/v1/consent.ts";
import { type ClientIdentity, createClient, unary } from "@silta/grpc";
import type { Identity } from "@silta/platform";
import type { ConsentChecker } from "../app/ports.ts";

export function consentClient(address: string, areaCode: string, creds: ChannelCredentials, proof: ClientIdentity): ConsentChecker & { close(): void } {
  const client = createClient(ConsentServiceClient, address, creds, proof);
  const identity: Identity = {
    subject: "silta-referrals",
    organisationId: `silta-referrals-${areaCode}`,
    organisationType: "service",
    roles: [],
    areaCodes: [areaCode],
    municipalityCodes: [],
  };
  return {
    async allows(q) {
      const r = await unary(
        client,
        client.check,
        {
          subjectPseudonym: q.subjectPseudonym,
          recipient: { organisationId: q.unitId, organisationType: OrganisationType.ORGANISATION_TYPE_MUNICIPALITY, role: "" },
          purpose: q.purpose === "early_education_support" ? Purpose.PURPOSE_EARLY_EDUCATION_SUPPORT : Purpose.PURPOSE_SCHOOL_SUPPORT,
          dataCategory: DataCategory.DATA_CATEGORY_EDUCATION_EVENTS,
        },
        { identity, deadlineMs: 3000 },
      );
      return r.decision === Decision.DECISION_ALLOW;
    },
    close: () => client.close(),
  };
}
