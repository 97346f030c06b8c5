// What leaves the service on consent.consent.v1: pseudonyms, ids and codes (a revoked or
// expired consent names the organisations it covered, so they are told). Never the
// justification, the revocation reason or who the givers are.
import { CONSENT_TOPIC, consentExpired, consentGranted, consentRevoked, statutoryBasisRecorded } from "@silta/contracts/events";
import { PROTOBUF } from "@silta/events";
import type { OutboxEntry } from "@silta/postgres";
import type { ConsentEvent } from "../app/ports.ts";
import { basisToProto, consentToProto } from "../proto-mapping.ts";

export function toOutboxEntry(e: ConsentEvent, source: string): OutboxEntry {
  const envelope = (type: string, subject: string, data: Buffer, aggregateId: string): OutboxEntry => ({
    topic: CONSENT_TOPIC.name,
    aggregateId,
    event: { type, source, subject, contentType: PROTOBUF, data },
  });
  switch (e.type) {
    case "granted": {
      const p = consentToProto(e.consent);
      const data = consentGranted.encode({
        consentId: p.consentId,
        subjectPseudonym: p.subjectPseudonym,
        areaCode: p.areaCode,
        recipients: p.recipients,
        purposes: p.purposes,
        dataCategories: p.dataCategories,
        validFrom: p.validFrom,
        validUntil: p.validUntil,
      });
      return envelope(consentGranted.type, p.consentId, data, p.subjectPseudonym);
    }
    case "revoked": {
      const c = e.consent;
      const data = consentRevoked.encode({
        consentId: c.consentId,
        subjectPseudonym: c.subjectPseudonym,
        areaCode: c.areaCode,
        revokedAt: c.revokedAt?.toISOString() ?? "",
        recipientOrganisationIds: [...new Set(c.recipients.map((r) => r.organisationId))],
      });
      return envelope(consentRevoked.type, c.consentId, data, c.subjectPseudonym);
    }
    case "expired": {
      const c = e.consent;
      const data = consentExpired.encode({
        consentId: c.consentId,
        subjectPseudonym: c.subjectPseudonym,
        areaCode: c.areaCode,
        expiredAt: c.validUntil.toISOString(),
        recipientOrganisationIds: [...new Set(c.recipients.map((r) => r.organisationId))],
      });
      return envelope(consentExpired.type, c.consentId, data, c.subjectPseudonym);
    }
    case "basis_recorded": {
      const p = basisToProto(e.basis);
      const { justification: _j, recordedByUser: _u, recordedByOrganisation: _o, recordedAt: _a, ...pub } = p;
      return envelope(statutoryBasisRecorded.type, p.basisId, statutoryBasisRecorded.encode(pub), p.subjectPseudonym);
    }
  }
}
