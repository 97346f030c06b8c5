// A person's inbox, live, for a browser: Server-Sent Events. A browser's EventSource cannot send an
// Authorization header, so the page first gets a ticket with its bearer token
// (`POST /v1/notifications/stream-tickets`): random, kept in Redis (hashed) for 30 s with the
// proven identity, good once. `GET /v1/notifications/stream?ticket=…` takes it (GETDEL: a second
// use, or another gateway replica's, finds nothing) and relays the notifications service's
// WatchInbox as it comes: `unread` events (the count) and `item` events whose `id` is the item's,
// so a page that reconnects with a new ticket and `lastEventId` gets what it missed. The stream
// ends when the bearer token would have expired (the page takes a new ticket), at most after an hour,
// and when this gateway stops; a comment every 15 s keeps proxies from closing it.
import { createHash, randomBytes } from "node:crypto";
import * as n from "@silta/contracts/notifications/v1/notifications.ts";
import { serverStream } from "@silta/grpc";
import { type Identity, type Redis, SiltaError } from "@silta/platform";
import type { FastifyInstance } from "fastify";
import { decodeJwt } from "jose";
import { identityOf } from "../auth/authenticate.ts";
import { problemResponse } from "./rpc-route.ts";

/** How long a ticket may wait to be used. */
export const TICKET_TTL_MS = 30_000;
/** The longest a stream stays open (the page opens a new one). */
export const STREAM_MAX_MS = 3_600_000;
export const HEARTBEAT_MS = 15_000;
const KEY = "silta:gateway:stream-ticket:";
const keyOf = (ticket: string) => KEY + createHash("sha256").update(ticket).digest("base64url");

/** The expiry of the request's bearer token (verified already), in epoch ms; undefined if it has none. */
function tokenExpiry(authorization: string | undefined): number | undefined {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? "")?.[1];
  if (!token) return undefined;
  try {
    const exp = decodeJwt(token).exp;
    return typeof exp === "number" ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

export function inboxStreamRoutes(app: FastifyInstance, client: n.NotificationServiceClient, redis: Redis): void {
  const open = new Set<() => void>();
  // A stopping gateway ends its streams (the pages reconnect to another replica).
  app.addHook("preClose", async () => {
    for (const end of open) end();
  });

  app.post(
    "/v1/notifications/stream-tickets",
    {
      schema: {
        operationId: "createStreamTicket",
        summary: "A ticket to open my live inbox (Server-Sent Events) from a browser: good once, for 30 seconds",
        description:
          "A browser's EventSource cannot send the bearer token: get a ticket with it here, then open `GET /v1/notifications/stream?ticket=…`. The stream ends when the token would expire; get a new ticket then (with `lastEventId`, the last item's id, to get what was missed).",
        tags: ["notifications"],
        security: [{ bearer: [] }],
        response: {
          201: {
            description: "The ticket",
            type: "object",
            required: ["ticket", "expiresAt", "url"],
            properties: { ticket: { type: "string" }, expiresAt: { type: "string", format: "date-time" }, url: { type: "string" } },
          },
          default: problemResponse,
        },
      },
    },
    async (req, reply) => {
      const identity = identityOf(req);
      const until = Math.min(tokenExpiry(req.headers.authorization) ?? Number.POSITIVE_INFINITY, Date.now() + STREAM_MAX_MS);
      const ticket = randomBytes(32).toString("base64url");
      try {
        await redis.set(keyOf(ticket), JSON.stringify({ identity, until }), "PX", TICKET_TTL_MS);
      } catch (err) {
        throw new SiltaError("SILTA_DEPENDENCY_UNAVAILABLE", "unavailable", "tickets cannot be issued now (Redis); retry shortly", { cause: err });
      }
      reply.code(201).header("cache-control", "no-store");
      return {
        ticket,
        expiresAt: new Date(Date.now() + TICKET_TTL_MS).toISOString(),
        url: `/v1/notifications/stream?ticket=${ticket}`,
      };
    },
  );

  app.get<{ Querystring: { ticket: string; lastEventId?: string } }>(
    "/v1/notifications/stream",
    {
      config: { public: true },
      schema: {
        operationId: "streamInbox",
        summary: "My inbox live (text/event-stream), opened with a ticket",
        description:
          'Events: `unread` (data: {"unread": n}) at once and whenever the count changes; `item` (id: the item\'s id; data: {"item": InboxItem, "unread": n}) for each new item; `end` (data: {"reason"}) before it closes. A comment every 15 s keeps it open. A used, unknown or expired ticket is 401.',
        tags: ["notifications"],
        querystring: {
          type: "object",
          required: ["ticket"],
          additionalProperties: false,
          properties: {
            ticket: { type: "string", minLength: 20, maxLength: 100 },
            lastEventId: { type: "string", maxLength: 100, description: "The last item id the page saw (after a reconnect)" },
          },
        },
        response: { 200: { description: "text/event-stream", content: { "text/event-stream": { schema: { type: "string" } } } }, default: problemResponse },
      },
    },
    async (req, reply) => {
      const raw = await redis.getdel(keyOf(req.query.ticket)).catch((err: unknown) => {
        throw new SiltaError("SILTA_DEPENDENCY_UNAVAILABLE", "unavailable", "the ticket cannot be checked now (Redis); retry shortly", { cause: err });
      });
      if (!raw) throw new SiltaError("SILTA_GATEWAY_STREAM_TICKET", "unauthenticated", "the ticket is unknown, used already or expired: get a new one");
      const { identity, until } = JSON.parse(raw) as { identity: Identity; until: number };
      if (until <= Date.now()) throw new SiltaError("SILTA_GATEWAY_STREAM_TICKET", "unauthenticated", "the token the ticket was issued for has expired");
      const afterItemId = (req.headers["last-event-id"] as string | undefined) ?? req.query.lastEventId ?? "";
      const stop = new AbortController();
      // The first answer decides the status: a refusal (an unknown lastEventId) is still a problem document.
      const feed = serverStream(client, client.watchInbox, { afterItemId }, { identity, signal: stop.signal });
      const first = await feed.next();
      reply.hijack();
      const res = reply.raw;
      req.raw.socket.setTimeout(0);
      res.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        "x-accel-buffering": "no",
        connection: "keep-alive",
      });
      const write = (frame: string) => {
        if (!res.writableEnded) res.write(frame);
      };
      const emit = (m: n.WatchInboxResponse) =>
        m.item
          ? write(`id: ${m.item.itemId}\nevent: item\ndata: ${JSON.stringify({ item: n.InboxItem.toJSON(m.item), unread: m.unread })}\n\n`)
          : write(`event: unread\ndata: ${JSON.stringify({ unread: m.unread })}\n\n`);
      let reason = "upstream_closed";
      const end = (why: string) => {
        reason = why;
        stop.abort();
      };
      const stopping = () => end("gateway_stopping");
      open.add(stopping);
      const heartbeat = setInterval(() => write(": keep-alive\n\n"), HEARTBEAT_MS);
      const expiry = setTimeout(() => end("token_expired"), Math.max(0, until - Date.now()));
      res.on("close", () => end("client_gone"));
      try {
        if (!first.done) emit(first.value);
        for await (const m of feed) emit(m);
      } catch (err) {
        reason = err instanceof SiltaError && err.kind === "unavailable" ? "upstream_unavailable" : "upstream_error";
        req.log.warn({ code: err instanceof SiltaError ? err.code : undefined }, "inbox stream ended by the notifications service");
      } finally {
        clearInterval(heartbeat);
        clearTimeout(expiry);
        open.delete(stopping);
        if (reason !== "client_gone") write(`event: end\ndata: ${JSON.stringify({ reason })}\n\n`);
        res.end();
      }
    },
  );
}
