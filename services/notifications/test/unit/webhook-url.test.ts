import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { notPublic, signWebhook, webhookUrlProblem } from "../../src/senders.ts";

describe("a webhook's URL", () => {
  it("outside development: https to a public host only; an address in the URL (never looked up) is checked itself", () => {
    expect(webhookUrlProblem("https://hooks.example.org/silta", false)).toBeUndefined();
    expect(webhookUrlProblem("https://93.184.216.34/hook", false)).toBeUndefined();
    for (const url of [
      "https://127.0.0.1/hook",
      "https://[::1]/hook",
      "https://169.254.169.254/latest",
      "https://10.1.2.3/",
      "https://[::ffff:192.168.1.1]/",
      "https://localhost/",
    ])
      expect(webhookUrlProblem(url, false), url).toBe("a public host (not a private, loopback or link-local address)");
    expect(webhookUrlProblem("http://hooks.example.org/silta", false)).toBe("https");
    expect(webhookUrlProblem("https://user:pw@hooks.example.org/", false)).toBe("no credentials in the URL");
    expect(webhookUrlProblem("hooks.example.org", false)).toBe("an absolute URL");
  });

  it("in development: http to loopback too", () => {
    expect(webhookUrlProblem("http://127.0.0.1:8080/hook", true)).toBeUndefined();
    expect(webhookUrlProblem("https://10.1.2.3/", true)).toBeUndefined();
    expect(webhookUrlProblem("http://hooks.example.org/", true)).toBe("https (or http to a loopback address in development)");
  });

  it("reads IPv4-mapped IPv6 addresses as the IPv4 address they are", () => {
    expect(notPublic("::ffff:127.0.0.1")).toBe(true);
    expect(notPublic("::ffff:8.8.8.8")).toBe(false);
    expect(notPublic("fe80::1")).toBe(true);
    expect(notPublic("2001:4860:4860::8888")).toBe(false);
  });
});

describe("a webhook's signature", () => {
  it("is the one the Standard Webhooks library makes and verifies, for any id, time and body", () => {
    const secret = `whsec_${randomBytes(32).toString("base64")}`;
    const lib = new Webhook(secret);
    fc.assert(
      fc.property(fc.uuid(), fc.integer({ min: 1_600_000_000, max: 2_000_000_000 }), fc.string({ unit: "grapheme", maxLength: 300 }), (id, seconds, body) => {
        const at = new Date(seconds * 1000);
        const ours = signWebhook(secret, id, at, body);
        expect(ours).toBe(lib.sign(id, at, body));
        const headers = { "webhook-id": id, "webhook-timestamp": String(seconds), "webhook-signature": ours };
        // The library's verify checks the time against its clock: only a fresh one is checked so.
        if (Math.abs(Date.now() / 1000 - seconds) < 300) expect(() => lib.verify(body, headers)).not.toThrow();
      }),
      { numRuns: 300 },
    );
    const now = new Date();
    const fresh = signWebhook(secret, "msg_1", now, '{"a":1}');
    expect(() =>
      lib.verify('{"a":1}', { "webhook-id": "msg_1", "webhook-timestamp": String(Math.floor(now.getTime() / 1000)), "webhook-signature": fresh }),
    ).not.toThrow();
    expect(() =>
      lib.verify('{"a":2}', { "webhook-id": "msg_1", "webhook-timestamp": String(Math.floor(now.getTime() / 1000)), "webhook-signature": fresh }),
    ).toThrow();
  });
});
