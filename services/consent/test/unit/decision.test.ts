import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Consent, Recipient } from "../../src/domain/consent.ts";
import { type DisclosureRequest, decide, recipientCovers } from "../../src/domain/decision.ts";
import type { StatutoryBasis } from "../../src/domain/statutory-basis.ts";
import { dataCategories, organisationTypes, purposes } from "../../src/domain/vocabulary.ts";
import { basis, consent, DAY, NOW } from "../support/builders.ts";

const SUBJECT = "ps_child_0001_abcdefgh";
const request = (over: Partial<DisclosureRequest> = {}): DisclosureRequest => ({
  subjectPseudonym: SUBJECT,
  recipient: { organisationId: "kuopio-school-12", organisationType: "municipality", role: "teacher" },
  purpose: "school_support",
  dataCategory: "education_events",
  ...over,
});

describe("a disclosure decision", () => {
  it("allows with an active, matching consent and cites it", () => {
    expect(decide([consent()], [], request(), NOW)).toEqual({ decision: "allow", by: { kind: "consent", consentId: "c-1" } });
  });

  it.each([
    ["no record at all", [], "no_consent"],
    ["another organisation", [consent({ recipients: [{ organisationId: "other-school", organisationType: undefined, roles: [] }] })], "recipient_not_covered"],
    [
      "a role the consent does not name",
      [consent({ recipients: [{ organisationId: "kuopio-school-12", organisationType: undefined, roles: ["principal"] }] })],
      "recipient_not_covered",
    ],
    ["another purpose", [consent({ purposes: ["meeting_participation"] })], "purpose_not_covered"],
    ["another category", [consent({ dataCategories: ["health_information"] })], "category_not_covered"],
    ["a revoked consent", [consent({ status: "revoked", revokedAt: NOW })], "consent_revoked"],
    ["an expired consent", [consent({ validUntil: new Date(NOW.getTime() - 1) })], "consent_expired"],
    ["a consent marked expired", [consent({ status: "expired" })], "consent_expired"],
    ["a consent not yet valid", [consent({ validFrom: new Date(NOW.getTime() + DAY) })], "not_yet_valid"],
    ["another child's consent", [consent({ subjectPseudonym: "ps_other_child_xxxxxx" })], "no_consent"],
  ] as [string, Consent[], string][])("denies for %s, with that reason", (_what, consents, reason) => {
    expect(decide(consents, [], request(), NOW)).toEqual({ decision: "deny", reason });
  });

  it("reports the reason of the record that came closest", () => {
    const d = decide([consent({ consentId: "a", purposes: ["meeting_participation"] }), consent({ consentId: "b", status: "revoked" })], [], request(), NOW);
    expect(d).toEqual({ decision: "deny", reason: "consent_revoked" });
  });

  it("allows on a recorded statutory basis and cites the provision", () => {
    const d = decide(
      [],
      [basis()],
      request({
        recipient: { organisationId: "kuopio-police", organisationType: undefined, role: "" },
        purpose: "referral_follow_up",
        dataCategory: "referral_status",
      }),
      NOW,
    );
    expect(d).toEqual({ decision: "allow", by: { kind: "basis", basisId: "b-1", basisType: "statutory_notification", legalProvision: "LSL 25 §" } });
  });

  it("covers every organisation of a type when the consent names a type", () => {
    const byType: Recipient = { organisationId: "", organisationType: "ngo", roles: [] };
    expect(recipientCovers(byType, { organisationId: "any-ngo", organisationType: "ngo", role: "" })).toBe(true);
    expect(recipientCovers(byType, { organisationId: "any-school", organisationType: "municipality", role: "" })).toBe(false);
    expect(recipientCovers(byType, { organisationId: "x", organisationType: undefined, role: "" })).toBe(false);
  });
});

// ---- property-based: the rules hold for any mix of consents, bases and revocations ----------

const orgIds = ["org-a", "org-b", "org-c"];
const arbRecipient = fc.record({
  organisationId: fc.constantFrom("", ...orgIds),
  organisationType: fc.constantFrom(undefined, ...organisationTypes),
  roles: fc.subarray(["teacher", "nurse", "principal"]),
});
const arbWindow = fc.tuple(fc.integer({ min: -10, max: 10 }), fc.integer({ min: 1, max: 20 })).map(([start, len]) => ({
  validFrom: new Date(NOW.getTime() + start * DAY),
  validUntil: new Date(NOW.getTime() + (start + len) * DAY),
}));
const arbConsent = fc
  .record({
    consentId: fc.uuid(),
    subjectPseudonym: fc.constantFrom(SUBJECT, "ps_other_child_xxxxxx"),
    recipients: fc.array(arbRecipient, { minLength: 1, maxLength: 3 }),
    purposes: fc.subarray([...purposes], { minLength: 1 }),
    dataCategories: fc.subarray([...dataCategories], { minLength: 1 }),
    window: arbWindow,
    status: fc.constantFrom("active" as const, "revoked" as const, "expired" as const),
  })
  .map(({ window, ...c }) => consent({ ...c, ...window }));
const arbBasis = fc
  .record({
    basisId: fc.uuid(),
    subjectPseudonym: fc.constantFrom(SUBJECT, "ps_other_child_xxxxxx"),
    recipient: arbRecipient,
    purposes: fc.subarray([...purposes], { minLength: 1 }),
    dataCategories: fc.subarray([...dataCategories], { minLength: 1 }),
    window: arbWindow,
    openEnded: fc.boolean(),
  })
  .map(({ window, openEnded, ...b }) => basis({ ...b, validFrom: window.validFrom, validUntil: openEnded ? undefined : window.validUntil }));
const arbRequest = fc.record({
  subjectPseudonym: fc.constant(SUBJECT),
  recipient: fc.record({
    organisationId: fc.constantFrom(...orgIds),
    organisationType: fc.constantFrom(undefined, ...organisationTypes),
    role: fc.constantFrom("", "teacher", "nurse"),
  }),
  purpose: fc.constantFrom(...purposes),
  dataCategory: fc.constantFrom(...dataCategories),
});

/**
 * Whether a granted recipient covers the one asking, written from the rule in its own words and
 * not with the implementation's recipientCovers (an oracle that calls the code under test cannot
 * find its faults): a named organisation covers only itself; with no name, a type covers every
 * organisation of that type, and nothing covers anyone; named roles cover only a recipient acting
 * in one of them, no roles cover any.
 */
function grantedTo(
  granted: { organisationId: string; organisationType?: string | undefined; roles: string[] },
  asking: DisclosureRequest["recipient"],
): boolean {
  let organisation: boolean;
  if (granted.organisationId !== "") organisation = asking.organisationId === granted.organisationId;
  else if (granted.organisationType === undefined) organisation = false;
  else organisation = asking.organisationType === granted.organisationType;
  let role = true;
  if (granted.roles.length > 0) role = granted.roles.some((named) => named === asking.role);
  return organisation && role;
}

/** The oracle: does this record, on its own, permit this disclosure now? */
const consentPermits = (c: Consent, r: DisclosureRequest) =>
  c.subjectPseudonym === r.subjectPseudonym &&
  c.status === "active" &&
  c.validFrom <= NOW &&
  NOW < c.validUntil &&
  c.purposes.includes(r.purpose) &&
  c.dataCategories.includes(r.dataCategory) &&
  c.recipients.some((x) => grantedTo(x, r.recipient));
const basisPermits = (b: StatutoryBasis, r: DisclosureRequest) =>
  b.subjectPseudonym === r.subjectPseudonym &&
  b.validFrom <= NOW &&
  (!b.validUntil || NOW < b.validUntil) &&
  b.purposes.includes(r.purpose) &&
  b.dataCategories.includes(r.dataCategory) &&
  grantedTo(b.recipient, r.recipient);

describe("decision rules (property-based)", () => {
  it("never allows without an active, currently valid consent or basis that matches subject, recipient, purpose and category", () => {
    fc.assert(
      fc.property(fc.array(arbConsent, { maxLength: 6 }), fc.array(arbBasis, { maxLength: 3 }), arbRequest, (consents, bases, req) => {
        const d = decide(consents, bases, req, NOW);
        if (d.decision === "allow") {
          const by = d.by;
          const holds =
            by.kind === "consent"
              ? consents.some((c) => c.consentId === by.consentId && consentPermits(c, req))
              : bases.some((b) => b.basisId === by.basisId && basisPermits(b, req));
          expect(holds).toBe(true);
        }
        // and it allows whenever such a record exists
        const permitted = consents.some((c) => consentPermits(c, req)) || bases.some((b) => basisPermits(b, req));
        expect(d.decision === "allow").toBe(permitted);
      }),
      { numRuns: 2000 },
    );
  });

  it("after revoking every consent, allows only on a statutory basis", () => {
    fc.assert(
      fc.property(fc.array(arbConsent, { maxLength: 6 }), fc.array(arbBasis, { maxLength: 3 }), arbRequest, (consents, bases, req) => {
        const revoked = consents.map((c) => ({ ...c, status: "revoked" as const, revokedAt: NOW }));
        const d = decide(revoked, bases, req, NOW);
        if (d.decision === "allow") expect(d.by.kind).toBe("basis");
        expect(decide(revoked, [], req, NOW).decision).toBe("deny");
      }),
      { numRuns: 1000 },
    );
  });
});
