// What every scenario shares: where Silta is, the tokens of the run, JSON requests with a name
// tag, and realistic data (valid test henkilötunnus values, Helsinki working days). Only k6
// modules are imported, so the scenarios run under k6 as they are (k6 ≥ 1.0 runs TypeScript).
import { fail } from "k6";
import http, { type RefinedResponse, type ResponseType } from "k6/http";

/** The gateway: SILTA_BASE_URL (a staging deployment's, or `make up`'s). */
export const BASE_URL = (__ENV.SILTA_BASE_URL || "http://127.0.0.1:8080").replace(/\/$/, "");

/** The run's bearer tokens (`make load-tokens` writes them): one per persona, and one publisher per municipality code. */
export interface Tokens {
  personas: Record<string, string>;
  publishers: Record<string, string>;
}

/** The tokens file's text: read by the scenario itself in its init code (k6 resolves open() there). */
export function tokensFrom(text: string): Tokens {
  const t = JSON.parse(text) as Tokens;
  if (!t.personas || !t.publishers) fail("the tokens file has no personas or publishers: run make load-tokens");
  return t;
}

export function token(t: Tokens, persona: string): string {
  const v = t.personas[persona];
  if (!v) fail(`no token for persona ${persona} in the tokens file`);
  return v as string;
}

/** A JSON request to the gateway, tagged with `name` (the route, so URLs with ids group together). */
export function api(method: string, path: string, bearer: string, body: unknown, name: string): RefinedResponse<ResponseType | undefined> {
  return http.request(method, `${BASE_URL}${path}`, body === undefined ? null : JSON.stringify(body), {
    headers: { Authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
    tags: { name },
  });
}

/** The parsed body of a response (an empty object when it is not JSON). */
export function bodyOf<T = Record<string, unknown>>(r: { body: unknown }): T {
  try {
    return JSON.parse(String(r.body)) as T;
  } catch {
    return {} as T;
  }
}

/** A unique id for request ids and references: VU, iteration and randomness. */
export function uniqueId(prefix: string): string {
  return `${prefix}-${__VU}-${__ITER}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e9).toString(36)}`;
}

const CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY";
/**
 * A valid test henkilötunnus (individual number 900–999, which DVV never gives a real person) of
 * a child born 2010–2023: the century sign A, the check character mod 31.
 */
export function testHetu(): string {
  const year = 2010 + Math.floor(Math.random() * 14);
  const month = 1 + Math.floor(Math.random() * 12);
  const day = 1 + Math.floor(Math.random() * 28);
  const individual = 900 + Math.floor(Math.random() * 100);
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  const date = `${pad(day)}${pad(month)}${pad(year % 100)}`;
  return `${date}A${individual}${CHECK[Number(`${date}${individual}`) % 31]}`;
}

/** The municipality codes of the CSV the referrals service loads (its text, read by the scenario). */
export function municipalityCodes(csv: string): string[] {
  return csv
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((l) => l.split(",")[0] as string)
    .filter((c) => /^\d{3}$/.test(c));
}

/** A weekday `days` or more ahead (YYYY-MM-DD): meetings and bookings are a week or so out. */
export function weekdayAhead(days: number): string {
  const d = new Date(Date.now() + days * 86_400_000);
  while (d.getUTCDay() === 0 || d.getUTCDay() === 6) d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** A child welfare notification as a Kuopio teacher files it: a test henkilötunnus, made-up names, a generic concern. */
export function referralBody(requestPrefix: string, concern: string) {
  return {
    requestId: uniqueId(requestPrefix),
    kind: "REFERRAL_KIND_CHILD_WELFARE_NOTIFICATION",
    notifier: {
      type: "NOTIFIER_TYPE_MANDATORY_PROFESSIONAL",
      organisationId: "kuopio-school-12",
      role: "teacher",
      name: "Kuormitus Opettaja",
      email: "opettaja@kuopio.example",
    },
    child: { hetu: testHetu(), givenNames: "Testi", familyName: "Kuormitus" },
    homeMunicipalityCode: "297",
    concern,
  };
}
