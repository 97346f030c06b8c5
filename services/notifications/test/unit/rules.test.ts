import { CONSENT_TOPIC, CONSULTATION_TOPIC, MEETING_TOPIC, NOTIFICATION_TOPIC, REFERRAL_TOPIC, referralSubmitted } from "@silta/contracts/events";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TRIGGERS, type Trigger, triggerProblems } from "../../src/app/triggers.ts";
import { DEFAULT_BACKOFF, nextAttempt, stepMs } from "../../src/domain/backoff.ts";
import { render, TEMPLATES, templateProblems } from "../../src/domain/messages.ts";

describe("backoff", () => {
  it("waits between half the step and the step, the step doubling up to its cap, and never past the horizon", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 30 * 3_600_000 }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        (attempts, elapsed, random) => {
          const first = 1_700_000_000_000;
          const now = first + elapsed;
          const at = nextAttempt(attempts, first, now, DEFAULT_BACKOFF, random);
          const step = Math.min(DEFAULT_BACKOFF.capMs, DEFAULT_BACKOFF.baseMs * 2 ** (attempts - 1));
          expect(stepMs(attempts, DEFAULT_BACKOFF)).toBe(step);
          if (at === undefined) expect(now + step / 2).toBeGreaterThan(first + DEFAULT_BACKOFF.horizonMs - step / 2);
          else {
            expect(at - now).toBeGreaterThanOrEqual(step / 2);
            expect(at - now).toBeLessThanOrEqual(step);
            expect(at).toBeLessThanOrEqual(first + DEFAULT_BACKOFF.horizonMs);
          }
        },
      ),
    );
  });
});

describe("templates", () => {
  it("has every kind the triggers send in Finnish, Swedish and English, using only the variables messages carry", () => {
    expect(templateProblems(TEMPLATES, [...new Set(TRIGGERS.map((t) => t.kind)), "must_deliver_failed", "digest", "webhook_failing"])).toEqual([]);
  });

  it("refuses a missing language, a missing kind, a text that does not parse, and a variable messages do not carry", () => {
    const broken = {
      ...TEMPLATES,
      referral_receipt: {
        ...(TEMPLATES.referral_receipt as NonNullable<(typeof TEMPLATES)["x"]>),
        sv: { title: "Anmälan {reference", body: "{childName} har anmälts" },
      },
    };
    const { en: _en, ...noEnglish } = TEMPLATES.referral_submitted as NonNullable<(typeof TEMPLATES)["x"]>;
    const problems = templateProblems({ ...broken, referral_submitted: noEnglish as never }, ["referral_receipt", "referral_submitted", "no_such_kind"]);
    expect(problems).toEqual([
      expect.stringMatching(/^referral_receipt\.sv\.title: /),
      "referral_receipt.sv.body: unknown variable {childName}",
      "referral_submitted.en: missing",
      "no_such_kind: no template",
    ]);
  });

  it("gets plurals right in each language", () => {
    const title = (lang: "fi" | "sv" | "en", count: number) => render(TEMPLATES, "must_deliver_failed", lang, { reference: "LS-13-2026-000001", count }).title;
    expect(title("fi", 1)).toContain("(1 vastaanottaja)");
    expect(title("fi", 3)).toContain("(3 vastaanottajaa)");
    expect(title("sv", 2)).toContain("(2 mottagare)");
    expect(title("en", 1)).toContain("(1 recipient)");
    expect(title("en", 5)).toContain("(5 recipients)");
    expect(render(TEMPLATES, "deadline_missed", "sv", { reference: "LS-1", deadline: "decision" }).body).toContain("(beslutet)");
  });
});

describe("the trigger table", () => {
  it("reads only event types of the topics consumed; an unknown one is refused at start, named", () => {
    expect(triggerProblems(TRIGGERS, [REFERRAL_TOPIC, MEETING_TOPIC, CONSULTATION_TOPIC, CONSENT_TOPIC])).toEqual([]);
    const stray: Trigger = { ...(TRIGGERS[0] as Trigger), kind: "stray", event: { ...referralSubmitted, type: "fi.silta.referral.no-such.v1" } as never };
    expect(triggerProblems([...TRIGGERS, stray], [REFERRAL_TOPIC, MEETING_TOPIC, CONSULTATION_TOPIC, CONSENT_TOPIC])).toEqual([
      "trigger stray: unknown event type fi.silta.referral.no-such.v1",
    ]);
    expect(triggerProblems(TRIGGERS, [NOTIFICATION_TOPIC]).length).toBe(TRIGGERS.length);
  });
});
