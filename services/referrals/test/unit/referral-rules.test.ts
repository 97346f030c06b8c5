import { describe, expect, it } from "vitest";
import { type SubmissionInput, transition, validateSubmission } from "../../src/domain/referral.ts";

const known = (c: string) => ["297", "049", "091"].includes(c);
const base = (over: Partial<SubmissionInput> = {}): SubmissionInput => ({
  kind: "child_welfare_notification",
  notifier: { type: "mandatory_professional", organisationId: "kuopio-school-12", role: "teacher", name: "Opettaja", phone: "", email: "ope@example.fi" },
  child: { hetu: "020516C903K", temporaryId: "", givenNames: "Eetu", familyName: "Esimerkki", birthDate: "" },
  homeMunicipalityCode: "297",
  concern: "Absent for three weeks, unexplained.",
  urgentClaimed: false,
  policeNotified: false,
  movingToMunicipalityCode: "",
  ...over,
});
const fields = (s: SubmissionInput) => validateSubmission(s, known, "2026-11-23").map((v) => v.field);

describe("a submission", () => {
  it("is accepted when complete", () => expect(fields(base())).toEqual([]));

  it.each([
    ["an unknown municipality", { homeMunicipalityCode: "999" }, "home_municipality_code"],
    ["a broken henkilötunnus", { child: { ...base().child, hetu: "020516C903X" } }, "child.hetu"],
    ["a mandatory professional without contact details", { notifier: { ...base().notifier, email: "" } }, "notifier.contact"],
    ["a mandatory professional marked anonymous", { notifier: { ...base().notifier, type: "anonymous_private_person" as const } }, "notifier.type"],
    ["a professional without organisation", { notifier: { ...base().notifier, organisationId: "" } }, "notifier.organisation_id"],
    ["an empty concern", { concern: "   " }, "concern"],
    ["an oversized concern", { concern: "x".repeat(10_001) }, "concern"],
    ["no way to identify the child", { child: { hetu: "", temporaryId: "", givenNames: "", familyName: "", birthDate: "" } }, "child"],
    ["a move without a destination", { kind: "move_notification" as const }, "moving_to_municipality_code"],
    ["a henkilötunnus for an unborn child", { kind: "pre_birth_notification" as const }, "child.hetu"],
    ["an unknown kind", { kind: undefined }, "kind"],
  ])("refuses %s, naming the field", (_what, over, field) => {
    expect(fields(base(over))).toContain(field);
  });

  it("identifies a child without henkilötunnus by a temporary id, or by birth date and name", () => {
    expect(fields(base({ child: { hetu: "", temporaryId: "migri-1234", givenNames: "", familyName: "", birthDate: "" } }))).toEqual([]);
    expect(fields(base({ child: { hetu: "", temporaryId: "", givenNames: "Aya", familyName: "", birthDate: "2019-04-02" } }))).toEqual([]);
    expect(
      fields(base({ kind: "pre_birth_notification", child: { hetu: "", temporaryId: "", givenNames: "", familyName: "", birthDate: "2027-02-01" } })),
    ).toEqual([]);
  });

  it("lets an anonymous private person notify without name or contact", () => {
    expect(fields(base({ notifier: { type: "anonymous_private_person", organisationId: "", role: "", name: "", phone: "", email: "" } }))).toEqual([]);
  });
});

describe("the lifecycle", () => {
  it("runs submitted → received → urgency assessed → assessment → completed → closed", () => {
    expect(transition("submitted", { type: "receive" })).toEqual({ ok: true, status: "received" });
    expect(transition("received", { type: "assess_urgency", urgent: true })).toEqual({ ok: true, status: "urgency_assessed" });
    expect(transition("urgency_assessed", { type: "decide", outcome: "start_assessment", redirectedTo: "" })).toEqual({
      ok: true,
      status: "assessment_started",
    });
    expect(transition("assessment_started", { type: "complete_assessment" })).toEqual({ ok: true, status: "assessment_completed" });
    expect(transition("assessment_completed", { type: "close" })).toEqual({ ok: true, status: "closed" });
  });

  it("refuses any other step, naming the current state", () => {
    expect(transition("submitted", { type: "close" })).toEqual({ ok: false, reason: "cannot close a referral that is submitted" });
    expect(transition("closed", { type: "receive" })).toEqual({ ok: false, reason: "cannot receive a referral that is closed" });
    expect(transition("received", { type: "decide", outcome: "no_further_action", redirectedTo: "" })).toMatchObject({ ok: false });
  });

  it("never just sends a referral away: a redirect names its receiver", () => {
    expect(transition("urgency_assessed", { type: "decide", outcome: "redirect", redirectedTo: " " })).toMatchObject({ ok: false, field: "redirected_to" });
    expect(transition("urgency_assessed", { type: "decide", outcome: "redirect", redirectedTo: "perhekeskus Kuopio" })).toEqual({
      ok: true,
      status: "redirected",
    });
  });
});
