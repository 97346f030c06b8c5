// Links a service gives to someone without a Silta identity: they open one object for one
// purpose until they expire, and only the service that issued them can make one.
import { describe, expect, it } from "vitest";
import { linkTokens } from "../src/index.ts";

const secret = Buffer.alloc(32, 4);

describe("link tokens", () => {
  it("open the object they were issued for, for their purpose", async () => {
    const links = linkTokens(secret, "silta-meetings");
    const token = await links.issue("meeting-1", "join-meeting", 600);
    expect((await links.verify(token, "join-meeting")).objectId).toBe("meeting-1");
  });

  it("are refused for another purpose, after they expire, from another service's secret, or tampered", async () => {
    let now = Date.parse("2026-12-01T10:00:00Z");
    const links = linkTokens(secret, "silta-meetings", { now: () => now });
    const token = await links.issue("meeting-1", "join-meeting", 600);
    await expect(links.verify(token, "read-minutes")).rejects.toMatchObject({ code: "SILTA_AUTH_LINK_INVALID", kind: "unauthenticated" });
    await expect(linkTokens(Buffer.alloc(32, 5), "silta-meetings").verify(token, "join-meeting")).rejects.toMatchObject({ code: "SILTA_AUTH_LINK_INVALID" });
    await expect(linkTokens(secret, "silta-other").verify(token, "join-meeting")).rejects.toMatchObject({ code: "SILTA_AUTH_LINK_INVALID" });
    await expect(links.verify(`${token}x`, "join-meeting")).rejects.toMatchObject({ code: "SILTA_AUTH_LINK_INVALID" });
    now += 601_000;
    await expect(links.verify(token, "join-meeting")).rejects.toThrow(/expired/);
  });

  it("refuse a short secret at start", () => {
    expect(() => linkTokens(Buffer.alloc(16), "x")).toThrow(/at least 32 bytes/);
  });
});
