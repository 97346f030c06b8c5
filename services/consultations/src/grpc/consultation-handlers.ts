// gRPC adapter: decode → use case → encode. Every booking whose details go back to a person is in
// the usage log first (a co-work booking carries a child's pseudonym).
import {
  type ConsultationServiceServer,
  ConsultationServiceService,
  type BookingDetails as PDetails,
} from "@silta/contracts/consultations/v1/consultations.ts";
import { type CallContext, Decoder, personReads, service } from "@silta/grpc";
import { invalidArgument, type UsageLog } from "@silta/platform";
import type { cancelBooking, confirmBooking, recordOutcome, rescheduleBooking, takeSeat } from "../app/change-booking.ts";
import type { readUseCases } from "../app/read-bookings.ts";
import type { specialistUseCases } from "../app/specialists.ts";
import type { TakeRequest, takeTime } from "../app/take-time.ts";
import type { Booking, BookingDetails } from "../domain/booking.ts";
import { bookingToProto, kind, organisationType, specialistToProto } from "../proto-mapping.ts";

export interface ConsultationUseCases {
  take: ReturnType<typeof takeTime>;
  confirm: ReturnType<typeof confirmBooking>;
  reschedule: ReturnType<typeof rescheduleBooking>;
  cancel: ReturnType<typeof cancelBooking>;
  outcome: ReturnType<typeof recordOutcome>;
  seat: ReturnType<typeof takeSeat>;
  read: ReturnType<typeof readUseCases>;
  specialists: ReturnType<typeof specialistUseCases>;
}

function details(d: PDetails | undefined, field = "details"): BookingDetails | undefined {
  if (!d) return undefined;
  const dec = new Decoder();
  const k = dec.one(`${field}.kind`, d.kind, kind.domain, "booking kind", true);
  if (dec.fields.length > 0) throw invalidArgument("SILTA_CONSULTATION_INVALID", dec.fields);
  return {
    kind: k as BookingDetails["kind"],
    lengthMinutes: d.lengthMinutes,
    responsibleWorkerRef: d.responsibleWorkerRef,
    municipalityCode: d.municipalityCode,
    childHetu: d.childHetu,
    topic: d.topic,
    location: d.location,
    videoLink: d.videoLink,
    dataCategory: d.dataCategory || "case_summary",
  };
}

const required = (field: string, value: string) => {
  if (value === "") throw invalidArgument("SILTA_CONSULTATION_INVALID", [{ field, reason: "is required" }]);
};

export function consultationHandlers(uc: ConsultationUseCases, areaCode: string, usage: UsageLog) {
  /** Logs the person's read of these bookings (those about a child), then lets them be answered. */
  const read = async <T extends Booking | Booking[]>(ctx: CallContext, bookings: T): Promise<T> => {
    const list = (Array.isArray(bookings) ? bookings : [bookings]).filter((b) => b.subjectPseudonym);
    if (list.length > 0)
      await usage.record(
        personReads(
          ctx,
          list.map((b) => ({ recordKind: "consultation", recordId: b.bookingId, subjectPseudonym: b.subjectPseudonym as string, areaCode })),
        ),
      );
    return bookings;
  };
  const one = async (ctx: CallContext, b: Booking) => ({ booking: bookingToProto(await read(ctx, b)) });
  const take = (r: Omit<TakeRequest, "kind"> & { kind: number }): TakeRequest => {
    const dec = new Decoder();
    const k = dec.one("kind", r.kind, kind.domain, "booking kind", true);
    if (dec.fields.length > 0) throw invalidArgument("SILTA_CONSULTATION_INVALID", dec.fields);
    return { ...r, kind: k };
  };
  return service<ConsultationServiceServer>(
    ConsultationServiceService,
    {
      async registerSpecialist(req, ctx) {
        const s = await uc.specialists.register(
          {
            personRef: req.personRef,
            organisationId: req.organisationId,
            organisationType: organisationType.domain(req.organisationType),
            displayName: req.displayName,
            skills: req.skills,
            languages: req.languages,
            municipalityCodes: req.municipalityCodes,
            weight: req.weight,
          },
          ctx.requireIdentity(),
        );
        return { specialist: specialistToProto(s) };
      },
      async getSpecialist(req, ctx) {
        return { specialist: specialistToProto(await uc.specialists.get(req.specialistId, ctx.requireIdentity())) };
      },
      async listSpecialists(req, ctx) {
        return { specialists: (await uc.specialists.list({ skill: req.skill, language: req.language }, ctx.requireIdentity())).map(specialistToProto) };
      },
      async setAvailability(req, ctx) {
        const r = req.rules;
        const s = await uc.specialists.setAvailability(
          req.specialistId,
          {
            timeZone: req.timeZone,
            schedules: req.schedules.map((x) => ({
              rules: x.rules,
              ...(x.validFrom ? { validFrom: x.validFrom } : {}),
              ...(x.validUntil ? { validUntil: x.validUntil } : {}),
            })),
            overrides: req.overrides.map((o) =>
              o.dayOff ? { date: o.date, kind: "off" as const } : { date: o.date, kind: "extra" as const, start: o.start, end: o.end },
            ),
            worksOnHolidays: req.worksOnHolidays,
            rules: r
              ? {
                  bufferBeforeMin: r.bufferBeforeMinutes,
                  bufferAfterMin: r.bufferAfterMinutes,
                  minNoticeMin: r.minimumNoticeMinutes,
                  windowDays: r.bookingWindowDays,
                  capPerDay: r.capPerDay,
                  capPerWeek: r.capPerWeek,
                }
              : undefined,
          },
          ctx.requireIdentity(),
        );
        return { specialist: specialistToProto(s) };
      },
      async setOutOfOffice(req, ctx) {
        const s = await uc.specialists.setOutOfOffice(
          req.specialistId,
          req.outOfOffice.map((o) => ({ from: o.from, until: o.until, standIn: o.standInSpecialistId })),
          ctx.requireIdentity(),
        );
        return { specialist: specialistToProto(s) };
      },
      async listSlots(req, ctx) {
        const listed = await uc.read.slots(
          {
            specialistId: req.specialistId,
            skill: req.skill,
            language: req.language,
            lengthMinutes: req.lengthMinutes || 60,
            fromDate: req.fromDate,
            toDate: req.toDate,
            withReasons: req.withReasons,
            municipalityCode: req.municipalityCode,
          },
          ctx.requireIdentity(),
        );
        // Many specialists share each time: each instant is formatted once.
        const iso = new Map<number, string>();
        const at = (t: number) => {
          let v = iso.get(t);
          if (v === undefined) {
            v = new Date(t).toISOString();
            iso.set(t, v);
          }
          return v;
        };
        if (req.groupBySpecialist)
          return {
            slots: [],
            bySpecialist: listed.map((g) => ({
              specialistId: g.specialistId,
              starts: g.slots.map((x) => at(x.start)),
              unavailableReasons: req.withReasons ? g.slots.map((x) => x.reason ?? "") : [],
            })),
          };
        // One list by time, specialists in id order at each time (ids are ASCII: compared as code units).
        const flat = listed.flatMap((g) => g.slots.map((x) => ({ ...x, specialistId: g.specialistId })));
        flat.sort((x, y) => x.start - y.start || (x.specialistId < y.specialistId ? -1 : x.specialistId > y.specialistId ? 1 : 0));
        return {
          slots: flat.map((x) => ({ specialistId: x.specialistId, start: at(x.start), end: at(x.end), unavailableReason: x.reason ?? "" })),
          bySpecialist: [],
        };
      },
      async holdSlot(req, ctx) {
        const r = await uc.take(take({ ...req, lengthMinutes: req.lengthMinutes || 60, details: undefined, recurrence: "" }), ctx.requireIdentity());
        return one(ctx, r.bookings[0] as Booking);
      },
      async confirmBooking(req, ctx) {
        return one(ctx, await uc.confirm(req.bookingId, details(req.details), ctx.requireIdentity()));
      },
      async book(req, ctx) {
        const d = details(req.details);
        if (!d)
          throw invalidArgument("SILTA_CONSULTATION_INVALID", [
            { field: "details", reason: "a booking's details are required (HoldSlot holds a time without them)" },
          ]);
        const r = await uc.take(
          take({
            requestId: req.requestId,
            specialistId: req.specialistId,
            skill: req.skill,
            language: req.language,
            start: req.start,
            kind: req.details?.kind ?? 0,
            lengthMinutes: req.details?.lengthMinutes || 60,
            details: d,
            recurrence: req.recurrence,
          }),
          ctx.requireIdentity(),
        );
        return { bookings: (await read(ctx, r.bookings)).map(bookingToProto) };
      },
      async openTrainingSession(req, ctx) {
        const r = await uc.take(
          {
            requestId: req.requestId,
            specialistId: req.specialistId,
            skill: "",
            language: "",
            start: req.start,
            kind: "training",
            lengthMinutes: req.lengthMinutes || 60,
            details: undefined,
            recurrence: "",
            capacity: req.capacity,
            topic: req.topic,
            location: req.location,
            videoLink: req.videoLink,
          },
          ctx.requireIdentity(),
          { training: true },
        );
        return one(ctx, r.bookings[0] as Booking);
      },
      async takeSeat(req, ctx) {
        required("request_id", req.requestId);
        return { session: bookingToProto(await uc.seat(req.bookingId, ctx.requireIdentity())) };
      },
      async rescheduleBooking(req, ctx) {
        return one(ctx, await uc.reschedule(req.bookingId, req.start, req.reason, ctx.requireIdentity()));
      },
      async cancelBooking(req, ctx) {
        return one(ctx, await uc.cancel(req.bookingId, req.reason, ctx.requireIdentity()));
      },
      async recordOutcome(req, ctx) {
        return one(ctx, await uc.outcome(req.bookingId, req.held, ctx.requireIdentity()));
      },
      async getBooking(req, ctx) {
        return one(ctx, await uc.read.get(req.bookingId, ctx.requireIdentity()));
      },
      async listMyBookings(req, ctx) {
        const list = await uc.read.mine({ from: req.from, limit: req.limit }, ctx.requireIdentity());
        return { bookings: (await read(ctx, list)).map(bookingToProto) };
      },
      async getInvitation(req, ctx) {
        return { ics: await uc.read.invitation(req.bookingId, ctx.requireIdentity()) };
      },
      async joinWaitlist(req, ctx) {
        const dec = new Decoder();
        const k = dec.one("kind", req.kind, kind.domain, "booking kind", true);
        if (dec.fields.length > 0) throw invalidArgument("SILTA_CONSULTATION_INVALID", dec.fields);
        return uc.read.joinWaitlist(
          { requestId: req.requestId, specialistId: req.specialistId, skill: req.skill, date: req.date, kind: k, lengthMinutes: req.lengthMinutes || 60 },
          ctx.requireIdentity(),
        );
      },
      async setFairness(req, ctx) {
        return uc.specialists.setFairness(
          { reservedPercent: req.reservedPercent, releaseHours: req.releaseHours, priorityMunicipalityCodes: req.priorityMunicipalityCodes },
          ctx.requireIdentity(),
        );
      },
      async rotateFeed(req, ctx) {
        return { feedToken: await uc.specialists.rotateFeed(req.specialistId, ctx.requireIdentity()) };
      },
      async readFeed(req) {
        return { ics: await uc.read.feed(await uc.specialists.feedOwner(req.feedToken)) };
      },
    },
    { publicMethods: ["readFeed"] },
  );
}
