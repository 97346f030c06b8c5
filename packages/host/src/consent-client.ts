// The area's consent service as every other service asks it: typed Check and CheckBatch over the
// kit's gRPC client (deadline, signed proof, trace context). A service asks on its own behalf
// (its service identity, for its participants) unless it passes the user it serves.
import {
  type CheckRecipient,
  type CheckResponse,
  ConsentServiceClient,
  type DataCategory,
  Decision,
  type Purpose,
} from "@silta/contracts/consent/v1/consent.ts";
import { unary } from "@silta/grpc";
import type { Identity } from "@silta/platform";
import type { Kit } from "./host.ts";

export interface DisclosureQuestion {
  subjectPseudonym: string;
  purpose: Purpose;
  dataCategory: DataCategory;
}

export interface ConsentClient {
  /** May `recipient` receive this? The whole decision (allow/deny, by what, the audit id). */
  check(q: DisclosureQuestion & { recipient: CheckRecipient }, as?: Identity): Promise<CheckResponse>;
  /** The same question for up to 50 recipients; decisions in the recipients' order. */
  checkBatch(q: DisclosureQuestion & { recipients: CheckRecipient[] }, as?: Identity): Promise<CheckResponse[]>;
}

export const allowed = (r: CheckResponse): boolean => r.decision === Decision.DECISION_ALLOW;

export function consentClient<C>(kit: Kit<C>, options: { address: string; audience: string; areaCode?: string; deadlineMs?: number }): ConsentClient {
  const client = kit.client(ConsentServiceClient, options.address, options.audience);
  const self = kit.serviceIdentity(options.areaCode);
  const deadlineMs = options.deadlineMs ?? 3000;
  return {
    check: (q, as) => unary(client, client.check, q, { identity: as ?? self, deadlineMs }),
    async checkBatch(q, as) {
      const r = await unary(client, client.checkBatch, q, { identity: as ?? self, deadlineMs });
      return r.decisions;
    },
  };
}
