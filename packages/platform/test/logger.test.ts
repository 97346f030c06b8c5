import { captureLogs } from "@silta/testing";
import { describe, expect, it } from "vitest";
import { containsHetu, isSensitiveKey, maskHetu, redact } from "../src/privacy.ts";

const HETUS = ["131052-308T", "010594Y9021", "020516C903K", "020504B904H"];

describe("log lines never carry a henkilötunnus or a person's name", () => {
  it("masks a henkilötunnus in the message, in nested fields, in arrays and in errors", () => {
    const { logger, text } = captureLogs();
    logger.info(`received notification about ${HETUS[0]}`);
    logger.info({ child: { ids: [HETUS[1], { other: `x ${HETUS[2]} y` }] } }, "nested");
    logger.error({ err: new Error(`lookup failed for ${HETUS[3]}`) }, "failed");
    logger.warn({ reference: "REF-1" }, "lowercase %s", "131052-308t");
    const out = text();
    for (const h of HETUS) {
      expect(out).not.toContain(h);
      expect(out.toLowerCase()).not.toContain(h.toLowerCase());
    }
    expect(out).toContain("received notification about [hetu]");
    expect(out).toContain("REF-1");
  });

  it("replaces values of fields named like personal data, whatever their case or separator", () => {
    const { logger, lines } = captureLogs();
    logger.info(
      {
        firstName: "Aino",
        last_name: "Virtanen",
        childName: "Eetu",
        FULL_NAME: "Eetu Virtanen",
        concernText: "isä juo",
        guardian: { name: "Matti", phone: "040 123" },
      },
      "submitted",
    );
    const [line] = lines();
    expect(JSON.stringify(line)).not.toMatch(/Aino|Virtanen|Eetu|isä juo|Matti|040 123/);
    expect(line).toMatchObject({ firstName: "[redacted]", last_name: "[redacted]", guardian: { name: "[redacted]", phone: "[redacted]" } });
  });

  it("keeps technical fields that merely contain such words", () => {
    const { logger, lines } = captureLogs();
    logger.info({ topicName: "referrals.referral.v1", methodName: "/x/Y", hostname: "db-1" }, "ok");
    expect(lines()[0]).toMatchObject({ topicName: "referrals.referral.v1", methodName: "/x/Y", hostname: "db-1", service: "test", level: "info" });
  });

  it("recognises the henkilötunnus shape with every century sign, and nothing shorter or longer", () => {
    for (const sign of "+-YXWVUABCDEF") expect(containsHetu(`x 131052${sign}308T y`)).toBe(true);
    expect(containsHetu("131052G308T")).toBe(false);
    expect(containsHetu("1310521308T")).toBe(false);
    expect(containsHetu("9131052-308T")).toBe(false);
    expect(maskHetu("a,131052-308T,b")).toBe("a,[hetu],b");
  });

  it("bounds cycles and depth instead of throwing", () => {
    const a: Record<string, unknown> = { id: 1 };
    a.self = a;
    expect(redact(a)).toEqual({ id: 1, self: "[cycle]" });
    expect(isSensitiveKey("hostname")).toBe(false);
    expect(isSensitiveKey("email")).toBe(true);
  });
});
