// The family's invitation page in a real headless browser (Debian's Chromium, driven by
// playwright-core, which downloads no browser of its own), served by the real gateway in front of
// the real meetings and consent services: open the link, answer with the keyboard only, and the
// organiser sees the answer; an expired and a tampered link show the one clear page; axe-core
// finds no WCAG 2.x A/AA violation in any language, and the page's lang follows the language.
import { createRequire } from "node:module";
import { ConsentServiceClient, OrganisationType } from "@silta/contracts/consent/v1/consent.ts";
import { createClient, unary } from "@silta/grpc";
import { linkTokens } from "@silta/platform";
import { captureLogs, createTestDatabase, freshHetu, sharedTestIdentities, type TestDatabase, uniqueName } from "@silta/testing";
import { type Chain, http, LINK_SECRET, personas, startChain } from "@silta/tests/chain";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { meetingConsent, organiser } from "../support/fixtures.ts";

const axeSource = readAxe();
function readAxe(): string {
  const require = createRequire(import.meta.url);
  return (require("axe-core") as { source: string }).source;
}

const logs = captureLogs("meetings-page");
let dbs: TestDatabase[];
let chain: Chain;
let browser: Browser;
let token: string;
const hetu = freshHetu();
let meetingId = "";
let childLink = "";
let guardianId = "";

/** Chromium as the machine's notes say it runs here: headless, no sandbox (root), no background networking. */
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

beforeAll(async () => {
  dbs = await Promise.all(["page_consent", "page_referrals", "page_meetings"].map((n) => createTestDatabase(n)));
  const [consentDb, referralsDb, meetingsDb] = dbs as [TestDatabase, TestDatabase, TestDatabase];
  chain = await startChain({
    consentDbUrl: consentDb.url,
    referralsDbUrl: referralsDb.url,
    meetingsDbUrl: meetingsDb.url,
    logger: logs.logger,
    consumerGroup: uniqueName("page"),
  });
  token = await chain.token(personas.worker13);
  // The family's consent lets the school take part.
  const ids = await sharedTestIdentities();
  const consent = createClient(ConsentServiceClient, `127.0.0.1:${chain.consentPort}`, undefined, { prover: ids.prover.gateway, audience: "silta-consent" });
  await unary(consent, consent.grantConsent, meetingConsent(hetu, [{ id: "kuopio-school-12", type: OrganisationType.ORGANISATION_TYPE_MUNICIPALITY }]), {
    identity: organiser,
  });
  consent.close();
  const start = new Date(Date.now() + 10 * 86_400_000);
  start.setUTCHours(10, 0, 0, 0);
  const created = await http(chain.baseUrl, "POST", "/v1/meetings", {
    token,
    body: {
      requestId: uniqueName("page"),
      kind: "MEETING_KIND_NETWORK",
      childHetu: hetu,
      reference: "LS-77",
      start: start.toISOString(),
      lengthMinutes: 60,
      location: "Kuopion perhekeskus, Puijonkatu 1",
      booked: true,
      staff: [
        { organisationId: "kuopio-school-12", organisationType: "ORGANISATION_TYPE_MUNICIPALITY", role: "teacher", personRef: "teacher-7", required: true },
      ],
      family: [
        { role: "FAMILY_ROLE_GUARDIAN", email: "huoltaja@example.fi", language: "sv", required: true },
        { role: "FAMILY_ROLE_CHILD", phone: "+358401112223", language: "fi" },
      ],
    },
  });
  expect(created.status).toBe(201);
  const meeting = created.body.meeting as { meetingId: string; participants: { participantId: string; familyRole?: string }[] };
  meetingId = meeting.meetingId;
  const child = meeting.participants.find((p) => p.familyRole === "FAMILY_ROLE_CHILD")?.participantId as string;
  guardianId = meeting.participants.find((p) => p.familyRole === "FAMILY_ROLE_GUARDIAN")?.participantId as string;
  const link = await http(chain.baseUrl, "POST", `/v1/meetings/${meetingId}/participants/${child}/link`, { token, body: {} });
  expect(link.status).toBe(201);
  childLink = link.body.token as string;
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await chain?.stop();
  await Promise.all((dbs ?? []).map((d) => d.drop()));
});

async function axeViolations(page: Page) {
  // Evaluated in the page (its document and the axe it defines), hence strings; through the
  // DevTools protocol, which the page's Content-Security-Policy (no inline script) does not block.
  await page.evaluate(axeSource);
  return page.evaluate(`axe
    .run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] } })
    .then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, help: v.help })))`);
}

describe("the family's invitation page in Chromium", () => {
  it("shows the invitation in Finnish, Swedish and English with the page's lang following, no name or henkilötunnus in title or URL, and 0 axe violations in each", async () => {
    const page = await browser.newPage();
    try {
      for (const lang of ["fi", "sv", "en"]) {
        const url = `${chain.baseUrl}/v1/meetings/invitations/${childLink}?lang=${lang}`;
        const res = await page.goto(url);
        expect(res?.status()).toBe(200);
        expect(await page.getAttribute("html", "lang")).toBe(lang);
        const title = await page.title();
        expect(title).not.toContain(hetu);
        expect(page.url()).not.toContain(hetu);
        const text = await page.textContent("main");
        expect(text).toContain("kuopio-school-12");
        expect(text).toContain("Kuopion perhekeskus");
        expect(await axeViolations(page)).toEqual([]);
      }
      // The child's own wording (Finnish is the child's language).
      await page.goto(`${chain.baseUrl}/v1/meetings/invitations/${childLink}`);
      expect(await page.getAttribute("html", "lang")).toBe("fi");
      expect(await page.textContent("main")).toContain("Sinun mielipiteesi on tärkeä");
    } finally {
      await page.close();
    }
  });

  it("takes the answer by keyboard only, and the organiser then sees it", async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${chain.baseUrl}/v1/meetings/invitations/${childLink}?lang=fi`);
      // Tab to the first answer (past the language links), choose the fourth with the arrow keys.
      for (let i = 0; i < 20; i++) {
        await page.keyboard.press("Tab");
        if ((await page.evaluate("document.activeElement?.name")) === "answer") break;
      }
      expect(await page.evaluate("document.activeElement.value")).toBe("accepted");
      for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowDown");
      expect(await page.evaluate("document.activeElement.value")).toBe("none_suit");
      await page.keyboard.press("Tab");
      expect(await page.evaluate("document.activeElement?.id")).toBe("note");
      await page.keyboard.type("Koulun jälkeen kolmelta");
      await page.keyboard.press("Tab");
      await Promise.all([page.waitForURL(/answered=1/), page.keyboard.press("Enter")]);
      expect(await page.textContent("[role=status]")).toContain("Kiitos");
      expect(await axeViolations(page)).toEqual([]);
      const seen = await http(chain.baseUrl, "GET", `/v1/meetings/${meetingId}`, { token });
      const child = (seen.body.meeting as { participants: { familyRole?: string; answer: string; answerNote: string }[] }).participants.find(
        (p) => p.familyRole === "FAMILY_ROLE_CHILD",
      );
      expect(child).toMatchObject({ answer: "ANSWER_NONE_SUIT", answerNote: "Koulun jälkeen kolmelta" });
    } finally {
      await page.close();
    }
  });

  it("shows one clear page revealing nothing for an expired and for a tampered link, accessible in each language", async () => {
    // A link for the guardian, signed with the service's own secret, that expired yesterday.
    const past = Date.now() - 2 * 86_400_000;
    const expired = await linkTokens(Buffer.from(LINK_SECRET, "base64"), "silta-meetings-13", { now: () => past }).issue(
      `${guardianId}.1`,
      "meeting-invitation",
      3600,
    );
    const tampered = `${childLink.slice(0, -4)}${childLink.endsWith("AAAA") ? "BBBB" : "AAAA"}`;
    const page = await browser.newPage();
    try {
      for (const [t, lang] of [
        [expired, "fi"],
        [tampered, "sv"],
        [tampered, "en"],
      ] as const) {
        const res = await page.goto(`${chain.baseUrl}/v1/meetings/invitations/${t}?lang=${lang}`);
        expect(res?.status()).toBe(404);
        expect(await page.getAttribute("html", "lang")).toBe(lang);
        const text = (await page.textContent("main")) ?? "";
        expect(text).not.toMatch(/kuopio-school-12|perhekeskus|LS-77|Verkosto|Nätverk|Network/);
        expect(await axeViolations(page)).toEqual([]);
      }
      expect(await page.textContent("h1")).toBe("The link does not work");
    } finally {
      await page.close();
    }
  });
});
