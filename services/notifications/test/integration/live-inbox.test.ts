// The live inbox as a person's browser opens it: Chromium's own EventSource on a page of the real
// gateway, with a ticket got with the bearer token (EventSource cannot send it), relaying the
// notifications service's WatchInbox. Two notifications replicas on one database: the gateway's
// stream is held by one, and an item written by the other reaches it (PostgreSQL NOTIFY). A used
// ticket, a missing token and another person's item as the resume point are refused.
import { NotificationServiceClient } from "@silta/contracts/notifications/v1/notifications.ts";
import { serverStream } from "@silta/grpc";
import { callers, captureLogs, createTestDatabase, fail, type TestDatabase, uniqueName, waitFor } from "@silta/testing";
import { type Chain, http, type NotificationsUnderTest, personas, referralSubmission, startChain, startNotifications } from "@silta/tests/chain";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const logs = captureLogs("live-inbox");
let dbs: TestDatabase[] = [];
let chain: Chain;
/** The replica the gateway does not talk to. */
let other: NotificationsUnderTest;
let browser: Browser;
let page: Page;

const worker = personas.worker13; // sw-1 of pohjois-savo-lastensuojelu, area 13
const admin = { ...personas.worker13, sub: "admin-ls", roles: ["notifications_admin"] };
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update"];

interface Seen {
  type: string;
  id: string;
  data: { item?: { itemId: string; kind: string; reference: string; title: string }; unread?: number; reason?: string };
}

/** A ticket for `persona`, then an EventSource opened with it in the page (its events kept in `window.seen`). */
async function openStream(lastEventId = ""): Promise<string> {
  const t = await http(chain.baseUrl, "POST", "/v1/notifications/stream-tickets", { token: await chain.token(worker), body: {} });
  expect(t.status).toBe(201);
  const url = `${t.body.url as string}${lastEventId ? `&lastEventId=${lastEventId}` : ""}`;
  await page.evaluate((u) => {
    const w = globalThis as unknown as { seen: Seen[]; source?: EventSource };
    w.source?.close();
    w.seen = [];
    const s = new EventSource(u);
    for (const type of ["unread", "item", "end"])
      s.addEventListener(type, (e) => w.seen.push({ type, id: (e as MessageEvent).lastEventId, data: JSON.parse((e as MessageEvent).data) }));
    s.onerror = () => w.seen.push({ type: "error", id: "", data: {} });
    w.source = s;
  }, url);
  // Open (subscribed) once its first count arrives.
  await waitFor(async () => (await seen()).some((e) => e.type === "unread"), { what: "the stream open" });
  return t.body.ticket as string;
}
const seen = () => page.evaluate(() => (globalThis as unknown as { seen: Seen[] }).seen);
const items = async () => (await seen()).filter((e) => e.type === "item");

/** An in-app item for the worker written by the other replica, as its notify step writes them. */
async function itemFromOtherReplica(reference: string) {
  await other.exports.store.createDeliveries(
    [
      {
        eventId: uniqueName("evt"),
        kind: "deadline_at_risk",
        mustDeliver: false,
        channel: "in_app",
        organisationId: worker.org_id,
        recipientRef: worker.sub,
        language: "fi",
        reference,
        title: `Määräaika lähestyy: ${reference}`,
        body: "",
        link: `https://silta.test/referrals/${reference}`,
      },
    ],
    new Date(),
  );
}

beforeAll(async () => {
  dbs = await Promise.all(["live_consent", "live_referrals", "live_notifications"].map((n) => createTestDatabase(n)));
  const [consentDb, referralsDb, notificationsDb] = dbs as [TestDatabase, TestDatabase, TestDatabase];
  chain = await startChain({
    consentDbUrl: consentDb.url,
    referralsDbUrl: referralsDb.url,
    notificationsDbUrl: notificationsDb.url,
    logger: logs.logger,
    consumerGroup: uniqueName("live"),
  });
  other = await startNotifications(notificationsDb.url, 9, logs.logger);
  // The area's intake desk is the worker.
  const g = await http(chain.baseUrl, "POST", "/v1/notifications/groups", {
    token: await chain.token(admin),
    body: { group: { groupRef: "intake_desk", memberRefs: [worker.sub] } },
  });
  expect(g.status).toBe(200);
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
  page = await browser.newPage();
  await page.goto(`${chain.baseUrl}/openapi.json`);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await other?.stop();
  await chain?.stop();
  await Promise.all(dbs.map((d) => d.drop()));
});

describe("the live inbox in a browser", () => {
  it("shows the unread count at once, a referral's item for the intake desk as it arrives, an item written on the other replica, and the count falling when one is read", async () => {
    await openStream();
    const first = await waitFor(async () => (await seen()).find((e) => e.type === "unread"), { what: "the first unread count" });
    const before = first.data.unread as number;
    // A referral submitted through the gateway: the intake desk's item, live.
    const submitted = await http(chain.baseUrl, "POST", "/v1/referrals", { token: await chain.token(personas.teacher), body: referralSubmission() });
    expect(submitted.status).toBe(201);
    const reference = (submitted.body.receipt as { referenceNumber: string }).referenceNumber;
    const live = await waitFor(async () => (await items()).find((e) => e.data.item?.reference === reference), { what: "the referral's item in the browser" });
    expect(live.data.item).toMatchObject({ kind: "referral_submitted", title: `Uusi lastensuojeluilmoitus ${reference}` });
    expect(live.id).toBe(live.data.item?.itemId);
    expect(live.data.unread).toBe(before + 1);
    // Written by the replica the gateway does not talk to.
    await itemFromOtherReplica("LS-13-2026-777001");
    const fromOther = await waitFor(async () => (await items()).find((e) => e.data.item?.reference === "LS-13-2026-777001"), {
      what: "the other replica's item in the browser",
    });
    expect(fromOther.data.unread).toBe(before + 2);
    // Read through the REST API: the count falls, live.
    const read = await http(chain.baseUrl, "POST", `/v1/notifications/inbox/${live.id}/read`, { token: await chain.token(worker), body: {} });
    expect(read.status).toBe(200);
    await waitFor(async () => (await seen()).some((e) => e.type === "unread" && e.data.unread === before + 1), { what: "the count after reading" });
    // Each item once on the stream.
    expect((await items()).filter((e) => e.data.item?.reference === reference)).toHaveLength(1);
  });

  it("gives a page that reconnects with a new ticket and the last id what it missed, and nothing it had", async () => {
    await openStream();
    await itemFromOtherReplica("LS-13-2026-777002");
    const last = await waitFor(async () => (await items()).find((e) => e.data.item?.reference === "LS-13-2026-777002"), { what: "an item" });
    await page.evaluate(() => (globalThis as unknown as { source: EventSource }).source.close());
    // While the page is away.
    await itemFromOtherReplica("LS-13-2026-777003");
    await openStream(last.id);
    const missed = await waitFor(async () => (await items()).find((e) => e.data.item?.reference === "LS-13-2026-777003"), { what: "the missed item" });
    expect(missed.data.item?.title).toBe("Määräaika lähestyy: LS-13-2026-777003");
    expect((await items()).map((e) => e.data.item?.reference)).not.toContain("LS-13-2026-777002");
  });

  it("keeps the stream when the replica's LISTEN connection is cut: it listens again and sends what came meanwhile", async () => {
    await openStream();
    // Cut every LISTEN connection of the database (both replicas'), as a PostgreSQL restart would.
    const cut = await other.pool.query(
      "SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%'",
    );
    expect(cut.rows[0].n).toBeGreaterThan(0);
    await itemFromOtherReplica("LS-13-2026-777005");
    const item = await waitFor(async () => (await items()).find((e) => e.data.item?.reference === "LS-13-2026-777005"), {
      what: "the item written while the feed was reconnecting",
      timeoutMs: 15_000,
    });
    expect(item.data.item?.title).toBe("Määräaika lähestyy: LS-13-2026-777005");
  });

  it("refuses a used or unknown ticket and a ticket without a token (401), and another person's item as the resume point (400), before any stream", async () => {
    const ticket = await openStream();
    const again = await http(chain.baseUrl, "GET", `/v1/notifications/stream?ticket=${ticket}`);
    expect(again.status).toBe(401);
    expect(again.body.code).toBe("SILTA_GATEWAY_STREAM_TICKET");
    expect((await http(chain.baseUrl, "GET", `/v1/notifications/stream?ticket=${"x".repeat(43)}`)).status).toBe(401);
    expect((await http(chain.baseUrl, "POST", "/v1/notifications/stream-tickets", { body: {} })).status).toBe(401);
    // The teacher's own ticket, resuming after the worker's item: not theirs.
    const list = await http(chain.baseUrl, "GET", "/v1/notifications/inbox?limit=1", { token: await chain.token(worker) });
    const mine = (list.body.items as { itemId: string }[])[0]?.itemId;
    expect(mine).toBeTruthy();
    const t = await http(chain.baseUrl, "POST", "/v1/notifications/stream-tickets", { token: await chain.token(personas.teacher), body: {} });
    const theirs = await http(chain.baseUrl, "GET", `${t.body.url as string}&lastEventId=${mine}`);
    expect(theirs.status).toBe(400);
    expect(JSON.stringify(theirs.body)).toContain("after_item_id");
  });

  it("ends the notifications service's stream when the caller goes away (the gRPC call, directly)", async () => {
    const c = other.client(NotificationServiceClient);
    const stop = new AbortController();
    const got: number[] = [];
    const identity = { ...callers.worker13, subject: worker.sub, organisationId: worker.org_id };
    const reading = (async () => {
      for await (const m of serverStream(c, c.watchInbox, { afterItemId: "" }, { identity, signal: stop.signal })) {
        got.push(m.unread);
        if (m.item) stop.abort();
      }
    })();
    await waitFor(() => got.length > 0, { what: "the first message" });
    await itemFromOtherReplica("LS-13-2026-777004");
    await reading;
    expect(got.length).toBe(2);
    // A forged caller (no proof) is refused.
    const bare = other.client(NotificationServiceClient);
    const refused = fail(
      (async () => {
        for await (const _ of serverStream(bare, bare.watchInbox, { afterItemId: "" })) break;
      })(),
    );
    expect(await refused).toMatchObject({ kind: "unauthenticated" });
  });
});
