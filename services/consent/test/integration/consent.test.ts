// The consent service against the real PostgreSQL and Kafka, two replicas on one database.
import { spawn } from "node:child_process";
import {
  BasisType,
  type CheckRequest,
  ConsentStatus,
  DataCategory,
  Decision,
  DenyReason,
  GiverRole,
  type GrantConsentRequest,
  ObtainedBy,
  OrganisationType,
  Purpose,
} from "@silta/contracts/consent/v1/consent.ts";
import { CONSENT_TOPIC, consentExpired, consentGranted } from "@silta/contracts/events";
import { createKafka, headerString } from "@silta/events";
import { unary } from "@silta/grpc";
import { IDENTITY_PROOF_METADATA_KEY, type Identity, type SiltaError } from "@silta/platform";
import {
  captureLogs,
  createTestDatabase,
  readTopicUntil,
  sharedTestIdentities,
  type TestDatabase,
  testEnv,
  testTopic,
  uniqueName,
  waitFor,
} from "@silta/testing";
import type { KafkaMessage } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dpo, manager, meetingsService, school, worker } from "../support/builders.ts";
import { startReplica } from "../support/start.ts";

const logs = captureLogs("consent");
let db: TestDatabase;
let a: Awaited<ReturnType<typeof startReplica>>;
let b: Awaited<ReturnType<typeof startReplica>>;

const subject = () => `ps_${uniqueName("child")}_0123456789`;
const inAYear = () => new Date(Date.now() + 365 * 86_400_000).toISOString();
const grant = (over: Partial<GrantConsentRequest> = {}): GrantConsentRequest => ({
  subjectPseudonym: subject(),
  areaCode: "13",
  givenBy: [{ role: GiverRole.GIVER_ROLE_CUSTODIAN, personRef: "person-77" }],
  childViewRecorded: true,
  childBirthDate: "2015-03-14",
  recipients: [{ organisationId: "kuopio-school-12", organisationType: OrganisationType.ORGANISATION_TYPE_UNSPECIFIED, roles: [] }],
  purposes: [Purpose.PURPOSE_SCHOOL_SUPPORT],
  dataCategories: [DataCategory.DATA_CATEGORY_EDUCATION_EVENTS],
  validFrom: "",
  validUntil: inAYear(),
  obtainedBy: ObtainedBy.OBTAINED_BY_WRITTEN,
  ...over,
});
const check = (subjectPseudonym: string, over: Partial<CheckRequest> = {}): CheckRequest => ({
  subjectPseudonym,
  recipient: { organisationId: "kuopio-school-12", organisationType: OrganisationType.ORGANISATION_TYPE_MUNICIPALITY, role: "teacher" },
  purpose: Purpose.PURPOSE_SCHOOL_SUPPORT,
  dataCategory: DataCategory.DATA_CATEGORY_EDUCATION_EVENTS,
  ...over,
});
const fail = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (e: SiltaError) => e,
  );
const counts = async () =>
  (
    await a.service.pool.query(
      "SELECT (SELECT count(*) FROM consents)::int AS c, (SELECT count(*) FROM statutory_bases)::int AS b, (SELECT count(*) FROM consent_audit)::int AS au, (SELECT count(*) FROM silta_outbox)::int AS o",
    )
  ).rows[0];

/** The records on consent.consent.v1 whose key is this subject. */
async function eventsAbout(subjectPseudonym: string, atLeast: number): Promise<KafkaMessage[]> {
  const kafka = createKafka({ brokers: testEnv.kafkaBrokers, clientId: "consent-test", logger: logs.logger });
  const mine = (seen: KafkaMessage[]) => seen.filter((m) => m.key?.toString() === subjectPseudonym);
  return mine(await readTopicUntil(kafka, testTopic(CONSENT_TOPIC.name), (seen) => mine(seen).length >= atLeast, `${atLeast} events about the subject`));
}

beforeAll(async () => {
  db = await createTestDatabase("consent");
  a = await startReplica(db.url, logs.logger);
  b = await startReplica(db.url, logs.logger);
});
afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await db?.drop();
});

describe("consents and decisions", () => {
  it("grant → ALLOW citing the consent; revoke on one replica → DENY at once on the other", async () => {
    const { consent } = await unary(a.client, a.client.grantConsent, grant(), { identity: worker });
    expect(consent?.status).toBe(ConsentStatus.CONSENT_STATUS_ACTIVE);
    const allowed = await unary(b.client, b.client.check, check(consent?.subjectPseudonym ?? ""), { identity: school });
    expect(allowed.decision).toBe(Decision.DECISION_ALLOW);
    expect(allowed.consentId).toBe(consent?.consentId);

    await unary(a.client, a.client.revokeConsent, { consentId: consent?.consentId ?? "", reason: "custodian withdrew consent by phone" }, { identity: worker });
    const denied = await unary(b.client, b.client.check, check(consent?.subjectPseudonym ?? ""), { identity: school });
    expect(denied.decision).toBe(Decision.DECISION_DENY);
    // The school is not told why; a Silta service checking for it is.
    expect(denied.denyReason).toBe(DenyReason.DENY_REASON_NOT_DISCLOSED);
    const forSchool = await unary(b.client, b.client.check, check(consent?.subjectPseudonym ?? ""), { identity: meetingsService });
    expect(forSchool.denyReason).toBe(DenyReason.DENY_REASON_CONSENT_REVOKED);
  });

  it("never answers ALLOW after a revoke returned, with checks racing on both replicas", async () => {
    const { consent } = await unary(a.client, a.client.grantConsent, grant(), { identity: worker });
    const s = consent?.subjectPseudonym ?? "";
    let revokedAt = Number.POSITIVE_INFINITY;
    const results: { started: number; decision: number }[] = [];
    const hammer = async (c: typeof a.client) => {
      for (let i = 0; i < 60; i++) {
        const started = performance.now();
        const r = await unary(c, c.check, check(s), { identity: school });
        results.push({ started, decision: r.decision });
      }
    };
    const revoke = (async () => {
      await new Promise((r) => setTimeout(r, 30));
      await unary(a.client, a.client.revokeConsent, { consentId: consent?.consentId ?? "", reason: "withdrawn" }, { identity: worker });
      revokedAt = performance.now();
    })();
    await Promise.all([hammer(a.client), hammer(b.client), revoke]);
    const after = results.filter((r) => r.started > revokedAt);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((r) => r.decision === Decision.DECISION_DENY)).toBe(true);
  });

  it.each([
    [
      "another recipient",
      { recipient: { organisationId: "kuopio-school-99", organisationType: OrganisationType.ORGANISATION_TYPE_MUNICIPALITY, role: "teacher" } },
      DenyReason.DENY_REASON_RECIPIENT_NOT_COVERED,
      "kuopio-school-99",
    ],
    ["another purpose", { purpose: Purpose.PURPOSE_MEETING_PARTICIPATION }, DenyReason.DENY_REASON_PURPOSE_NOT_COVERED, "kuopio-school-12"],
    ["another data category", { dataCategory: DataCategory.DATA_CATEGORY_HEALTH_INFORMATION }, DenyReason.DENY_REASON_CATEGORY_NOT_COVERED, "kuopio-school-12"],
  ] as [string, Partial<CheckRequest>, number, string][])(
    "denies %s with the right reason to a service, and without one to the recipient",
    async (_what, over, reason, org) => {
      const { consent } = await unary(a.client, a.client.grantConsent, grant(), { identity: worker });
      const r = await unary(b.client, b.client.check, check(consent?.subjectPseudonym ?? "", over), { identity: meetingsService });
      expect(r.decision).toBe(Decision.DECISION_DENY);
      expect(r.denyReason).toBe(reason);
      const itself = await unary(b.client, b.client.check, check(consent?.subjectPseudonym ?? "", over), { identity: { ...school, organisationId: org } });
      expect(itself).toMatchObject({ decision: Decision.DECISION_DENY, denyReason: DenyReason.DENY_REASON_NOT_DISCLOSED });
    },
  );

  it("denies outside the validity period, and expires the consent by itself with an `expired` event", async () => {
    const future = await unary(a.client, a.client.grantConsent, grant({ validFrom: new Date(Date.now() + 86_400_000).toISOString() }), { identity: worker });
    const notYet = await unary(a.client, a.client.check, check(future.consent?.subjectPseudonym ?? ""), { identity: meetingsService });
    expect(notYet.denyReason).toBe(DenyReason.DENY_REASON_NOT_YET_VALID);

    const { consent } = await unary(a.client, a.client.grantConsent, grant({ validUntil: new Date(Date.now() + 1200).toISOString() }), { identity: worker });
    const s = consent?.subjectPseudonym ?? "";
    expect((await unary(a.client, a.client.check, check(s), { identity: school })).decision).toBe(Decision.DECISION_ALLOW);
    await new Promise((r) => setTimeout(r, 1300));
    const after = await unary(b.client, b.client.check, check(s), { identity: meetingsService });
    expect(after.decision).toBe(Decision.DECISION_DENY);
    expect(after.denyReason).toBe(DenyReason.DENY_REASON_CONSENT_EXPIRED);
    await waitFor(
      async () =>
        (await unary(a.client, a.client.getConsent, { consentId: consent?.consentId ?? "" }, { identity: worker })).consent?.status ===
        ConsentStatus.CONSENT_STATUS_EXPIRED,
      {
        what: "the expiry job",
      },
    );
    const events = await eventsAbout(s, 2);
    const types = events.map((m) => headerString(m.headers, "ce_type"));
    expect(types).toEqual(["fi.silta.consent.granted.v1", "fi.silta.consent.expired.v1"]);
    expect(consentExpired.decode(events[1]?.value as Buffer, "application/protobuf").consentId).toBe(consent?.consentId);
    // Exactly one expired event although both replicas run the job.
    await new Promise((r) => setTimeout(r, 500));
    expect(
      (
        await a.service.pool.query("SELECT count(*)::int AS n FROM silta_outbox WHERE ce_subject = $1 AND ce_type = 'fi.silta.consent.expired.v1'", [
          consent?.consentId,
        ])
      ).rows[0].n,
    ).toBe(1);
  });

  it("allows on a recorded statutory basis, citing it, and keeps the justification out of the event", async () => {
    const s = subject();
    const justification = "School reported suspected violence at home; police must be informed under LSL 25 § 3 mom";
    const { basis } = await unary(
      a.client,
      a.client.recordStatutoryBasis,
      {
        subjectPseudonym: s,
        areaCode: "13",
        basisType: BasisType.BASIS_TYPE_STATUTORY_NOTIFICATION,
        legalProvision: "LSL 25 § 3 mom",
        justification,
        recipient: { organisationId: "ita-suomen-poliisi", organisationType: OrganisationType.ORGANISATION_TYPE_UNSPECIFIED, roles: [] },
        purposes: [Purpose.PURPOSE_REFERRAL_FOLLOW_UP],
        dataCategories: [DataCategory.DATA_CATEGORY_REFERRAL_STATUS],
        validFrom: "",
        validUntil: "",
      },
      { identity: worker },
    );
    const police: Identity = {
      subject: "officer",
      organisationId: "ita-suomen-poliisi",
      organisationType: "municipality",
      roles: [],
      areaCodes: [],
      municipalityCodes: [],
    };
    const r = await unary(
      b.client,
      b.client.check,
      check(s, {
        recipient: { organisationId: "ita-suomen-poliisi", organisationType: 0, role: "" },
        purpose: Purpose.PURPOSE_REFERRAL_FOLLOW_UP,
        dataCategory: DataCategory.DATA_CATEGORY_REFERRAL_STATUS,
      }),
      { identity: police },
    );
    expect(r).toMatchObject({
      decision: Decision.DECISION_ALLOW,
      basisId: basis?.basisId,
      basisType: BasisType.BASIS_TYPE_STATUTORY_NOTIFICATION,
      legalProvision: "LSL 25 § 3 mom",
    });
    const [event] = await eventsAbout(s, 1);
    expect(headerString(event?.headers, "ce_type")).toBe("fi.silta.statutory-basis.recorded.v1");
    expect(event?.value?.toString("utf8")).not.toContain("suspected violence");
  });

  it("answers a batch for a meeting's twelve participants in one call, in order", async () => {
    const { consent } = await unary(
      a.client,
      a.client.grantConsent,
      grant({
        recipients: [
          { organisationId: "", organisationType: OrganisationType.ORGANISATION_TYPE_NGO, roles: [] },
          { organisationId: "kuopio-school-12", organisationType: 0, roles: [] },
        ],
        purposes: [Purpose.PURPOSE_MEETING_PARTICIPATION],
        dataCategories: [DataCategory.DATA_CATEGORY_MEETING_INFORMATION],
      }),
      { identity: worker },
    );
    const recipients = Array.from({ length: 12 }, (_, i) =>
      i < 5
        ? { organisationId: `ngo-${i}`, organisationType: OrganisationType.ORGANISATION_TYPE_NGO, role: "" }
        : i === 5
          ? { organisationId: "kuopio-school-12", organisationType: OrganisationType.ORGANISATION_TYPE_MUNICIPALITY, role: "teacher" }
          : { organisationId: `health-${i}`, organisationType: OrganisationType.ORGANISATION_TYPE_HEALTH, role: "" },
    );
    const meetings = meetingsService;
    const r = await unary(
      a.client,
      a.client.checkBatch,
      {
        subjectPseudonym: consent?.subjectPseudonym ?? "",
        recipients,
        purpose: Purpose.PURPOSE_MEETING_PARTICIPATION,
        dataCategory: DataCategory.DATA_CATEGORY_MEETING_INFORMATION,
      },
      { identity: meetings },
    );
    expect(r.decisions.map((d) => d.decision)).toEqual([...Array(6).fill(Decision.DECISION_ALLOW), ...Array(6).fill(Decision.DECISION_DENY)]);
    expect(new Set(r.decisions.map((d) => d.auditId)).size).toBe(12);
  });
});

describe("who the recipient is, and what the caller learns", () => {
  const nurseConsent = () =>
    grant({
      recipients: [{ organisationId: "", organisationType: OrganisationType.ORGANISATION_TYPE_HEALTH, roles: ["school_nurse"] }],
      purposes: [Purpose.PURPOSE_SCHOOL_SUPPORT],
    });
  const ngo: Identity = {
    subject: "ngo-1",
    organisationId: "mll-kuopio",
    organisationType: "ngo",
    roles: ["family_worker"],
    areaCodes: [],
    municipalityCodes: [],
  };
  const nurse: Identity = { ...ngo, subject: "nurse-1", organisationId: "kuopio-terveys", organisationType: "health", roles: ["school_nurse"] };

  it("takes the recipient's type and role from the proven caller: an NGO naming itself a health organisation's school nurse is not allowed", async () => {
    const { consent } = await unary(a.client, a.client.grantConsent, nurseConsent(), { identity: worker });
    const s = consent?.subjectPseudonym ?? "";
    const posing = { recipient: { organisationId: "mll-kuopio", organisationType: OrganisationType.ORGANISATION_TYPE_HEALTH, role: "school_nurse" } };
    expect(await fail(unary(a.client, a.client.check, check(s, posing), { identity: ngo }))).toMatchObject({
      kind: "permission_denied",
      code: "SILTA_CONSENT_CHECK_FOR_OTHERS",
    });
    const asHealth = { recipient: { organisationId: "mll-kuopio", organisationType: OrganisationType.ORGANISATION_TYPE_HEALTH, role: "" } };
    expect(await unary(a.client, a.client.check, check(s, asHealth), { identity: ngo })).toMatchObject({
      decision: Decision.DECISION_DENY,
      denyReason: DenyReason.DENY_REASON_NOT_DISCLOSED,
    });
    // The real school nurse of a health organisation, naming no role: its own roles count.
    const real = { recipient: { organisationId: "kuopio-terveys", organisationType: OrganisationType.ORGANISATION_TYPE_UNSPECIFIED, role: "" } };
    expect((await unary(a.client, a.client.check, check(s, real), { identity: nurse })).decision).toBe(Decision.DECISION_ALLOW);
  });

  it("gives an unrelated organisation the same answer whether or not records about the child exist (no existence oracle)", async () => {
    const { consent } = await unary(a.client, a.client.grantConsent, grant(), { identity: worker });
    const self = { recipient: { organisationId: "mll-kuopio", organisationType: OrganisationType.ORGANISATION_TYPE_UNSPECIFIED, role: "" } };
    const withRecords = await unary(a.client, a.client.check, check(consent?.subjectPseudonym ?? "", self), { identity: ngo });
    const without = await unary(a.client, a.client.check, check(subject(), self), { identity: ngo });
    for (const r of [withRecords, without]) expect(r).toMatchObject({ decision: Decision.DECISION_DENY, denyReason: DenyReason.DENY_REASON_NOT_DISCLOSED });
    // The responsible area's own service is told the difference.
    const forNgo = { recipient: { organisationId: "mll-kuopio", organisationType: OrganisationType.ORGANISATION_TYPE_NGO, role: "" } };
    expect((await unary(a.client, a.client.check, check(consent?.subjectPseudonym ?? "", forNgo), { identity: meetingsService })).denyReason).toBe(
      DenyReason.DENY_REASON_RECIPIENT_NOT_COVERED,
    );
    expect((await unary(a.client, a.client.check, check(subject(), forNgo), { identity: meetingsService })).denyReason).toBe(DenyReason.DENY_REASON_NO_CONSENT);
  });

  it("stops audit flooding by bounding batches and rate-limiting checks per caller and child, auditing every decision it gives", async () => {
    const c = await startReplica(db.url, logs.logger, { SILTA_CONSENT_CHECKS_PER_MINUTE: "5" });
    try {
      const { consent } = await unary(a.client, a.client.grantConsent, grant(), { identity: worker });
      const s = consent?.subjectPseudonym ?? "";
      const audited = async () =>
        (await a.service.pool.query("SELECT count(*)::int AS n FROM consent_audit WHERE subject_pseudonym = $1 AND action = 'check'", [s])).rows[0].n;
      const batch = (n: number) => ({
        subjectPseudonym: s,
        recipients: Array.from({ length: n }, () => ({
          organisationId: "kuopio-school-12",
          organisationType: OrganisationType.ORGANISATION_TYPE_UNSPECIFIED,
          role: "",
        })),
        purpose: Purpose.PURPOSE_SCHOOL_SUPPORT,
        dataCategory: DataCategory.DATA_CATEGORY_EDUCATION_EVENTS,
      });
      expect((await fail(unary(c.client, c.client.checkBatch, batch(51), { identity: meetingsService }))).fields[0]?.field).toBe("recipients");
      expect((await fail(unary(c.client, c.client.checkBatch, batch(200), { identity: school }))).kind).toBe("invalid_argument");
      expect(await audited()).toBe(0);
      for (let i = 0; i < 5; i++) expect((await unary(c.client, c.client.check, check(s), { identity: school })).decision).toBe(Decision.DECISION_ALLOW);
      expect(await fail(unary(c.client, c.client.check, check(s), { identity: school }))).toMatchObject({
        kind: "resource_exhausted",
        code: "SILTA_CONSENT_CHECK_RATE_LIMITED",
      });
      expect(await audited()).toBe(5);
      // Another child, and a service checking for its participants, are not held back.
      expect((await unary(c.client, c.client.check, check(subject()), { identity: school })).decision).toBe(Decision.DECISION_DENY);
      expect((await unary(c.client, c.client.check, check(s), { identity: meetingsService })).decision).toBe(Decision.DECISION_ALLOW);
    } finally {
      await c.stop();
    }
  });
});

describe("bad input and authorisation", () => {
  it.each([
    ["an unknown purpose", { purposes: [99 as Purpose] }, "purposes[0]"],
    ["valid_until before valid_from", { validFrom: "2027-01-01T00:00:00Z", validUntil: "2026-12-01T00:00:00Z" }, "valid_until"],
    ["empty recipients", { recipients: [] }, "recipients"],
    ["a malformed pseudonym", { subjectPseudonym: "not a pseudonym!" }, "subject_pseudonym"],
    ["a henkilötunnus as subject", { subjectPseudonym: "131052-308T" }, "subject_pseudonym"],
    ["a malformed time", { validUntil: "next year" }, "valid_until"],
  ] as [string, Partial<GrantConsentRequest>, string][])("refuses %s with INVALID_ARGUMENT naming the field, writing nothing", async (_what, over, field) => {
    const before = await counts();
    const err = await fail(unary(a.client, a.client.grantConsent, grant(over), { identity: worker }));
    expect(err.kind).toBe("invalid_argument");
    expect(err.fields.map((f) => f.field)).toContain(field);
    expect(err.message).not.toContain("131052-308T");
    expect(await counts()).toEqual(before);
  });

  it("lets only the responsible area's child-protection roles grant, and a recipient check only for itself", async () => {
    const before = await counts();
    const asSchool = await fail(unary(a.client, a.client.grantConsent, grant(), { identity: school }));
    expect(asSchool).toMatchObject({ kind: "permission_denied", code: "SILTA_CONSENT_ROLE_REQUIRED" });
    const otherArea = await fail(unary(a.client, a.client.grantConsent, grant(), { identity: { ...worker, areaCodes: ["03"] } }));
    expect(otherArea).toMatchObject({ kind: "permission_denied", code: "SILTA_CONSENT_OTHER_AREA" });
    expect(await counts()).toEqual(before);
    const forOthers = await fail(unary(a.client, a.client.check, check(subject()), { identity: { ...school, organisationId: "curious-ngo" } }));
    expect(forOthers).toMatchObject({ kind: "permission_denied", code: "SILTA_CONSENT_CHECK_FOR_OTHERS" });
    const revokeTwice = await unary(a.client, a.client.grantConsent, grant(), { identity: worker });
    await unary(a.client, a.client.revokeConsent, { consentId: revokeTwice.consent?.consentId ?? "", reason: "r" }, { identity: worker });
    const again = await fail(unary(a.client, a.client.revokeConsent, { consentId: revokeTwice.consent?.consentId ?? "", reason: "r" }, { identity: worker }));
    expect(again).toMatchObject({ kind: "failed_precondition", code: "SILTA_CONSENT_NOT_ACTIVE" });
    expect(again.preconditions[0]?.description).toBe("the consent is revoked, not active");
  });
});

describe("the audit trail", () => {
  it("tells the family who was allowed to see what, and why", async () => {
    const { consent } = await unary(a.client, a.client.grantConsent, grant(), { identity: worker });
    const s = consent?.subjectPseudonym ?? "";
    await unary(b.client, b.client.check, check(s), { identity: school });
    await unary(a.client, a.client.revokeConsent, { consentId: consent?.consentId ?? "", reason: "withdrawn" }, { identity: worker });
    await unary(b.client, b.client.check, check(s), { identity: school });
    const { entries } = await unary(a.client, a.client.listAudit, { subjectPseudonym: s, since: "" }, { identity: worker });
    expect(entries.map((e) => [e.action, e.actorOrganisation, e.decision, e.denyReason])).toEqual([
      ["grant", worker.organisationId, Decision.DECISION_UNSPECIFIED, 0],
      ["check", "kuopio-school-12", Decision.DECISION_ALLOW, 0],
      ["revoke", worker.organisationId, Decision.DECISION_UNSPECIFIED, 0],
      ["check", "kuopio-school-12", Decision.DECISION_DENY, DenyReason.DENY_REASON_CONSENT_REVOKED],
    ]);
    expect(entries[1]?.consentId).toBe(consent?.consentId);
    // The area's data protection officer reads the same; a school is answered as if nothing existed.
    const byDpo = await unary(a.client, a.client.listAudit, { subjectPseudonym: s, since: "" }, { identity: dpo });
    expect(byDpo.entries).toHaveLength(4);
    const denied = await fail(unary(a.client, a.client.listAudit, { subjectPseudonym: s, since: "" }, { identity: school }));
    expect(denied).toMatchObject({ kind: "not_found", code: "SILTA_CONSENT_SUBJECT_NOT_FOUND" });
  });

  it("keeps the disclosure log with its area: recording a consent in one's own area never opens another area's entries", async () => {
    const { consent } = await unary(a.client, a.client.grantConsent, grant(), { identity: worker });
    const s = consent?.subjectPseudonym ?? "";
    await unary(b.client, b.client.check, check(s), { identity: school });
    const helsinki: Identity = { ...worker, subject: "sw-90", organisationId: "helsinki-lastensuojelu", areaCodes: ["90"] };
    const before = await fail(unary(a.client, a.client.listAudit, { subjectPseudonym: s, since: "" }, { identity: helsinki }));
    expect(before.kind).toBe("not_found");
    await unary(a.client, a.client.grantConsent, grant({ subjectPseudonym: s, areaCode: "90" }), { identity: helsinki });
    const after = await unary(a.client, a.client.listAudit, { subjectPseudonym: s, since: "" }, { identity: helsinki });
    expect(after.entries.map((e) => [e.action, e.actorOrganisation])).toEqual([["grant", "helsinki-lastensuojelu"]]);
    // Area 13 still sees its own grant and the school's check, and not Helsinki's grant.
    const own = await unary(a.client, a.client.listAudit, { subjectPseudonym: s, since: "" }, { identity: worker });
    expect(own.entries.map((e) => [e.action, e.actorOrganisation])).toEqual([
      ["grant", worker.organisationId],
      ["check", "kuopio-school-12"],
    ]);
  });

  it("verifies intact, then names the first entry edited by SQL, and a deleted one", async () => {
    await waitFor(async () => (await a.service.pool.query("SELECT count(*)::int AS n FROM consent_audit WHERE chain_seq IS NULL")).rows[0].n === 0, {
      what: "chained audit",
    });
    const ok = await unary(a.client, a.client.verifyAudit, {}, { identity: dpo });
    expect(ok.intact).toBe(true);
    expect(Number(ok.entriesChecked)).toBeGreaterThan(10);
    // The same audit roles as the gateway's gate, of a wellbeing area only, counted for its own area.
    for (const who of [worker, manager, { ...dpo, organisationType: "ngo" as const, areaCodes: [] }]) {
      expect((await fail(unary(a.client, a.client.verifyAudit, {}, { identity: who }))).code).toBe("SILTA_CONSENT_AUDITOR_REQUIRED");
    }
    const otherArea = await unary(a.client, a.client.verifyAudit, {}, { identity: { ...dpo, areaCodes: ["21"] } });
    expect(otherArea).toMatchObject({ intact: true, entriesChecked: "0" });

    // The application cannot edit a chained entry…
    await expect(a.service.pool.query("UPDATE consent_audit SET decision = 'allow' WHERE chain_seq = 5")).rejects.toThrow(/cannot be changed/);
    // …but someone with the power to disable the guard can; the chain shows it.
    const target = (await a.service.pool.query("SELECT audit_id::text FROM consent_audit WHERE chain_seq = 7")).rows[0].audit_id;
    await a.service.pool.query("ALTER TABLE consent_audit DISABLE TRIGGER consent_audit_guard");
    await a.service.pool.query("UPDATE consent_audit SET actor_organisation = 'someone-else' WHERE chain_seq = 7");
    const edited = await unary(b.client, b.client.verifyAudit, {}, { identity: dpo });
    expect(edited).toMatchObject({ intact: false, firstBrokenSeq: "7", firstBrokenAuditId: target, entriesChecked: "6" });
    expect(edited.problem).toContain("edited");

    await a.service.pool.query("DELETE FROM consent_audit WHERE chain_seq = 3");
    await a.service.pool.query("ALTER TABLE consent_audit ENABLE TRIGGER consent_audit_guard");
    const deleted = await unary(b.client, b.client.verifyAudit, {}, { identity: dpo });
    expect(deleted).toMatchObject({ intact: false, firstBrokenSeq: "3" });
    expect(deleted.problem).toContain("missing");
  });
});

describe("operability", () => {
  it("is listed by reflection and answers Check from grpcurl", async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const p = spawn(process.env.SILTA_GRPCURL ?? "grpcurl", args);
        let out = "";
        p.stdout.on("data", (d) => (out += d));
        p.stderr.on("data", (d) => (out += d));
        p.on("close", (code) => resolve({ code, out }));
        p.on("error", (e) => resolve({ code: -1, out: String(e) }));
      });
    const addr = `127.0.0.1:${a.service.grpcPort}`;
    expect((await run(["-plaintext", addr, "list"])).out).toContain("silta.consent.v1.ConsentService");
    const { consent } = await unary(a.client, a.client.grantConsent, grant(), { identity: worker });
    const r = await run([
      "-plaintext",
      "-H",
      `${IDENTITY_PROOF_METADATA_KEY}: ${await (await sharedTestIdentities()).prover.gateway.prove(school, "silta-consent")}`,
      "-d",
      JSON.stringify({
        subject_pseudonym: consent?.subjectPseudonym,
        recipient: { organisation_id: "kuopio-school-12", organisation_type: "ORGANISATION_TYPE_MUNICIPALITY" },
        purpose: "PURPOSE_SCHOOL_SUPPORT",
        data_category: "DATA_CATEGORY_EDUCATION_EVENTS",
      }),
      addr,
      "silta.consent.v1.ConsentService/Check",
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ decision: "DECISION_ALLOW", consent_id: consent?.consentId });
  });

  it("keeps subjects' data out of its logs", () => {
    const text = logs.text();
    expect(text).toContain("grpc call");
    expect(text).not.toMatch(/custodian withdrew|suspected violence|person-77/);
  });

  it("publishes granted events with ids and codes only", async () => {
    const { consent } = await unary(a.client, a.client.grantConsent, grant(), { identity: worker });
    const [e] = await eventsAbout(consent?.subjectPseudonym ?? "", 1);
    const payload = consentGranted.decode(e?.value as Buffer, "application/protobuf");
    expect(payload).toMatchObject({ consentId: consent?.consentId, areaCode: "13" });
    expect(e?.value?.toString("latin1")).not.toContain("person-77");
  });
});
