// Specialists and their availability, the fairness settings, and the secret calendar feed.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { type DateOverride, isTimeZone, overrideProblems, type Schedule, scheduleProblems } from "@silta/calendar";
import { type Identity, invalidArgument, notFound, PERSON_REFERENCE, unauthenticated } from "@silta/platform";
import { type FairnessSettings, LANGUAGES, type Problem, SKILLS } from "../domain/booking.ts";
import { DEFAULT_RULES, type OutOfOffice, type Specialist } from "../domain/specialist.ts";
import { assertCoordinator, assertManages, isBooker, isCoordinator, isSpecialistRole } from "./authorise.ts";
import type { Deps } from "./take-time.ts";

const invalid = (p: Problem[]) => invalidArgument("SILTA_CONSULTATION_INVALID", p);
const ID = /^[0-9a-f-]{36}$/i;

export interface SpecialistInput {
  personRef: string;
  organisationId: string;
  organisationType: Specialist["organisationType"] | undefined;
  displayName: string;
  skills: string[];
  languages: string[];
  municipalityCodes: string[];
  weight: number;
}

export interface AvailabilityInput {
  timeZone: string;
  schedules: Schedule[];
  overrides: DateOverride[];
  worksOnHolidays: boolean;
  rules: Specialist["rules"] | undefined;
}

/** Staff of the area see the specialists (bookers, specialists, coordinators); anyone else sees none. */
function assertSees(deps: Deps, caller: Identity): void {
  const a = deps.settings.area;
  if (!isBooker(caller, a) && !isCoordinator(caller, a) && !isSpecialistRole(caller, a)) throw notFound("SILTA_CONSULTATION_NOT_FOUND", "specialists");
}

export function specialistUseCases(deps: Deps) {
  const { store, settings } = deps;
  const area = settings.area;
  const get = async (id: string, caller: Identity): Promise<Specialist> => {
    if (!ID.test(id)) throw invalid([{ field: "specialist_id", reason: "must be a specialist id (UUID)" }]);
    assertSees(deps, caller);
    const s = await store.getSpecialist(id);
    if (!s) throw notFound("SILTA_CONSULTATION_NOT_FOUND", `specialist ${id}`);
    return s;
  };
  const managed = async (id: string, caller: Identity): Promise<Specialist> => {
    if (!ID.test(id)) throw invalid([{ field: "specialist_id", reason: "must be a specialist id (UUID)" }]);
    const s = await store.getSpecialist(id);
    if (!s) throw notFound("SILTA_CONSULTATION_NOT_FOUND", `specialist ${id}`);
    assertManages(caller, area, s);
    return s;
  };
  return {
    async register(input: SpecialistInput, caller: Identity): Promise<Specialist> {
      assertCoordinator(caller, area);
      const p: Problem[] = [];
      if (!PERSON_REFERENCE.test(input.personRef))
        p.push({ field: "person_ref", reason: "the specialist's user id at their organisation (1–100 of A–Z a–z 0–9 . _ : -)" });
      if (!/^[A-Za-z0-9._:-]{1,100}$/.test(input.organisationId)) p.push({ field: "organisation_id", reason: "an organisation id is required" });
      if (!input.organisationType) p.push({ field: "organisation_type", reason: "the wellbeing area or a regional expert centre" });
      if (input.displayName.length > 100) p.push({ field: "display_name", reason: "at most 100 characters" });
      if (input.skills.length === 0) p.push({ field: "skills", reason: "at least one skill" });
      if (input.skills.length > 20 || input.languages.length > 10 || input.municipalityCodes.length > 100)
        p.push({ field: "skills", reason: "at most 20 skills, 10 languages and 100 municipalities" });
      input.skills.forEach((s, i) => {
        if (!(SKILLS as readonly string[]).includes(s)) p.push({ field: `skills[${i}]`, reason: `unknown skill; one of ${SKILLS.join(", ")}` });
      });
      input.languages.forEach((l, i) => {
        if (!(LANGUAGES as readonly string[]).includes(l)) p.push({ field: `languages[${i}]`, reason: `one of ${LANGUAGES.join(", ")}` });
      });
      input.municipalityCodes.forEach((m, i) => {
        if (!area.municipalities.has(m)) p.push({ field: `municipality_codes[${i}]`, reason: `not a municipality of wellbeing area ${area.code}` });
      });
      const weight = input.weight === 0 ? 1 : input.weight;
      if (!Number.isInteger(weight) || weight < 1 || weight > 100) p.push({ field: "weight", reason: "1–100" });
      if (p.length > 0) throw invalid(p);
      return store.upsertSpecialist({
        specialistId: randomUUID(),
        personRef: input.personRef,
        organisationId: input.organisationId,
        organisationType: input.organisationType as Specialist["organisationType"],
        displayName: input.displayName,
        skills: [...new Set(input.skills)],
        languages: [...new Set(input.languages)],
        municipalityCodes: [...new Set(input.municipalityCodes)],
        weight,
        timeZone: "Europe/Helsinki",
        schedules: [],
        overrides: [],
        worksOnHolidays: false,
        rules: DEFAULT_RULES,
        outOfOffice: [],
        lastBookedAt: undefined,
      });
    },
    get,
    async list(q: { skill: string; language: string }, caller: Identity): Promise<Specialist[]> {
      assertSees(deps, caller);
      const p: Problem[] = [];
      if (q.skill !== "" && !(SKILLS as readonly string[]).includes(q.skill)) p.push({ field: "skill", reason: `unknown skill; one of ${SKILLS.join(", ")}` });
      if (q.language !== "" && !(LANGUAGES as readonly string[]).includes(q.language)) p.push({ field: "language", reason: `one of ${LANGUAGES.join(", ")}` });
      if (p.length > 0) throw invalid(p);
      return store.listSpecialists({ ...(q.skill ? { skill: q.skill } : {}), ...(q.language ? { language: q.language } : {}) });
    },
    async setAvailability(id: string, input: AvailabilityInput, caller: Identity): Promise<Specialist> {
      const s = await managed(id, caller);
      const p: Problem[] = [];
      const zone = input.timeZone || s.timeZone;
      if (!isTimeZone(zone)) p.push({ field: "time_zone", reason: "must be an IANA time-zone name such as Europe/Helsinki" });
      // Bounded before the checks that compare every pair of schedules and rules.
      const tooMany: Problem[] = [];
      if (input.schedules.length > 20) tooMany.push({ field: "schedules", reason: "at most 20 schedules" });
      if (input.schedules.some((x) => x.rules.length > 50)) tooMany.push({ field: "schedules", reason: "at most 50 weekly rules in a schedule" });
      if (input.overrides.length > 400) tooMany.push({ field: "overrides", reason: "at most 400 date overrides" });
      if (tooMany.length > 0) throw invalid([...p, ...tooMany]);
      p.push(...scheduleProblems(input.schedules), ...overrideProblems(input.overrides));
      const rules = input.rules ?? s.rules;
      const range = (field: string, v: number, lo: number, hi: number) => {
        if (!Number.isInteger(v) || v < lo || v > hi) p.push({ field: `rules.${field}`, reason: `${lo}–${hi}` });
      };
      range("buffer_before_minutes", rules.bufferBeforeMin, 0, 240);
      range("buffer_after_minutes", rules.bufferAfterMin, 0, 240);
      range("minimum_notice_minutes", rules.minNoticeMin, 0, 43_200);
      range("booking_window_days", rules.windowDays, 1, 365);
      range("cap_per_day", rules.capPerDay, 0, 50);
      range("cap_per_week", rules.capPerWeek, 0, 200);
      if (p.length > 0) throw invalid(p);
      const next = { ...s, timeZone: zone, schedules: input.schedules, overrides: input.overrides, worksOnHolidays: input.worksOnHolidays, rules };
      await store.saveAvailability(next);
      return next;
    },
    async setOutOfOffice(id: string, spans: { from: string; until: string; standIn: string }[], caller: Identity): Promise<Specialist> {
      const s = await managed(id, caller);
      const p: Problem[] = [];
      if (spans.length > 50) throw invalid([{ field: "out_of_office", reason: "at most 50 spans" }]);
      const out: OutOfOffice[] = [];
      for (const [i, o] of spans.entries()) {
        const from = new Date(o.from);
        const until = new Date(o.until);
        if (Number.isNaN(from.getTime())) p.push({ field: `out_of_office[${i}].from`, reason: "an RFC 3339 instant" });
        if (Number.isNaN(until.getTime())) p.push({ field: `out_of_office[${i}].until`, reason: "an RFC 3339 instant" });
        else if (until <= from) p.push({ field: `out_of_office[${i}].until`, reason: "the span ends before it starts" });
        if (o.standIn === s.specialistId || !ID.test(o.standIn) || !(await store.getSpecialist(o.standIn)))
          p.push({ field: `out_of_office[${i}].stand_in_specialist_id`, reason: "another registered specialist (usually the pair partner)" });
        out.push({ from, until, standIn: o.standIn });
      }
      if (p.length > 0) throw invalid(p);
      const next = { ...s, outOfOffice: out };
      await store.saveAvailability(next);
      return next;
    },
    async setFairness(f: FairnessSettings, caller: Identity): Promise<FairnessSettings> {
      assertCoordinator(caller, area);
      const p: Problem[] = [];
      if (!Number.isInteger(f.reservedPercent) || f.reservedPercent < 0 || f.reservedPercent > 100) p.push({ field: "reserved_percent", reason: "0–100" });
      if (!Number.isInteger(f.releaseHours) || f.releaseHours < 0 || f.releaseHours > 720) p.push({ field: "release_hours", reason: "0–720" });
      f.priorityMunicipalityCodes.forEach((m, i) => {
        if (!area.municipalities.has(m)) p.push({ field: `priority_municipality_codes[${i}]`, reason: `not a municipality of wellbeing area ${area.code}` });
      });
      if (p.length > 0) throw invalid(p);
      const next = { ...f, priorityMunicipalityCodes: [...new Set(f.priorityMunicipalityCodes)] };
      await store.setFairness(next);
      return next;
    },
    async rotateFeed(id: string, caller: Identity): Promise<string> {
      const s = await managed(id, caller);
      const token = randomBytes(32).toString("base64url");
      await store.setFeedHash(s.specialistId, feedHash(token));
      return token;
    },
    /** The specialist a feed secret belongs to; anything else is UNAUTHENTICATED (the secret is the proof). */
    async feedOwner(token: string): Promise<Specialist> {
      const s = /^[A-Za-z0-9_-]{43}$/.test(token) ? await store.specialistByFeedHash(feedHash(token)) : undefined;
      if (!s) throw unauthenticated("SILTA_CONSULTATION_FEED_INVALID", "this calendar feed URL is unknown or was replaced");
      return s;
    },
  };
}

const feedHash = (token: string) => createHash("sha256").update(token).digest("hex");
