// The two outward channels: e-mail over SMTP (nodemailer) and webhooks signed to the Standard
// Webhooks spec (`webhook-id`, `webhook-timestamp`, `webhook-signature`: HMAC-SHA256 by node:crypto,
// checked against the standardwebhooks library in the unit tests, whose pure-JS hash cost a
// third of a webhook's CPU). A
// webhook's host is resolved and checked when connecting, on every attempt: an address that is
// private, loopback, link-local or otherwise not public is refused unless development allows it
// (a name that resolved to a public address at registration may not later point inside).

import { createHmac } from "node:crypto";
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { BlockList, isIP } from "node:net";
import nodemailer from "nodemailer";
import type { Senders } from "./app/deliver.ts";
import type { Delivery, Outcome, Webhook } from "./app/ports.ts";

const NOT_PUBLIC = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const)
  NOT_PUBLIC.addSubnet(net, prefix, "ipv4");
for (const [net, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const)
  NOT_PUBLIC.addSubnet(net, prefix, "ipv6");

/** Whether an address is one a webhook may not reach outside development (IPv4-mapped IPv6 read as IPv4). */
export function notPublic(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return NOT_PUBLIC.check(mapped, "ipv4");
  return NOT_PUBLIC.check(address, isIP(address) === 6 ? "ipv6" : "ipv4");
}

/** Why a webhook URL cannot be registered (undefined: it can). */
export function webhookUrlProblem(url: string, allowPrivate: boolean): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return "an absolute URL";
  }
  if (u.username || u.password) return "no credentials in the URL";
  // A name is resolved and checked when connecting; an address in the URL is never looked up, so
  // it is checked here (at registration and before every attempt).
  const host = u.hostname.replace(/^\[|\]$/g, "");
  const inside = host === "localhost" || (isIP(host) !== 0 && notPublic(host));
  if (inside && !allowPrivate) return "a public host (not a private, loopback or link-local address)";
  if (u.protocol === "https:") return undefined;
  if (u.protocol === "http:" && allowPrivate && inside) return undefined;
  return allowPrivate ? "https (or http to a loopback address in development)" : "https";
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
/** dns.lookup that refuses addresses that are not public. */
function checkedLookup(hostname: string, options: object, callback: LookupCallback) {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, "");
    const bad = addresses.find((a) => notPublic(a.address));
    if (bad) {
      const e = new Error(`${hostname} resolves to an address that is not public (${bad.address})`) as NodeJS.ErrnoException;
      e.code = "E_NOT_PUBLIC_ADDRESS";
      return callback(e, "");
    }
    if ((options as { all?: boolean }).all) return callback(null, addresses);
    const first = addresses[0] as LookupAddress;
    callback(null, first.address, first.family);
  });
}

/** SMTP connections kept open (nodemailer's pool). */
export const SMTP_CONNECTIONS = 4;

export interface SenderSettings {
  smtp: { host: string; port: number; secure: boolean; user?: string; password?: string };
  from: string;
  allowPrivateWebhooks: boolean;
  webhookTimeoutMs: number;
  /** The webhook's timestamp (the service's clock). */
  now(): Date;
}

/** The webhook's body: what happened, its reference and link, never a text about the case. */
export const webhookPayload = (d: Delivery, at: Date) =>
  JSON.stringify({
    type: `silta.${d.kind}`,
    timestamp: at.toISOString(),
    data: { kind: d.kind, reference: d.reference, link: d.link, eventId: d.eventId, mustDeliver: d.mustDeliver },
  });

/** The Standard Webhooks signature (`v1,` and the base64 HMAC-SHA256 of `id.timestamp.body` under the secret's key). */
export function signWebhook(secret: string, id: string, at: Date, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  return `v1,${createHmac("sha256", key)
    .update(`${id}.${Math.floor(at.getTime() / 1000)}.${body}`)
    .digest("base64")}`;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function senders(s: SenderSettings): Senders & { close(): void } {
  const transport = nodemailer.createTransport({
    // A few SMTP connections kept open and reused (deliveries go out side by side).
    pool: true,
    maxConnections: SMTP_CONNECTIONS,
    maxMessages: 500,
    host: s.smtp.host,
    port: s.smtp.port,
    secure: s.smtp.secure,
    ...(s.smtp.user ? { auth: { user: s.smtp.user, pass: s.smtp.password ?? "" } } : {}),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  return {
    async email(d, to, ical) {
      try {
        await transport.sendMail({
          // The invitation as text/calendar (its METHOD: REQUEST, or CANCEL), which mail clients offer to add or remove: no child data in it.
          ...(ical ? { icalEvent: { method: /^METHOD:(\w+)/m.exec(ical)?.[1] ?? "REQUEST", filename: "kutsu.ics", content: ical } } : {}),
          from: s.from,
          to,
          subject: d.title,
          messageId: `<${d.deliveryId}@notifications.silta>`,
          text: d.link ? `${d.body}\n\n${d.link}\n` : `${d.body}\n`,
          html: `<!doctype html><html lang="${d.language}"><body><p>${escapeHtml(d.body)}</p>${d.link ? `<p><a href="${escapeHtml(d.link)}">${escapeHtml(d.link)}</a></p>` : ""}</body></html>`,
        });
        return { ok: true };
      } catch (e) {
        const code = (e as { responseCode?: number }).responseCode;
        // 5xx: the server refuses this message for good (an unknown mailbox); anything else is tried again.
        return { ok: false, permanent: code !== undefined && code >= 500, error: `smtp ${code ?? (e as Error).message}` };
      }
    },
    webhook(d, w: Webhook) {
      const problem = webhookUrlProblem(w.url, s.allowPrivateWebhooks);
      if (problem) return Promise.resolve({ ok: false, permanent: true, error: `webhook URL: ${problem}` } satisfies Outcome);
      const at = s.now();
      const body = webhookPayload(d, at);
      const signature = signWebhook(w.secret, d.deliveryId, at, body);
      const url = new URL(w.url);
      const request = url.protocol === "https:" ? httpsRequest : httpRequest;
      return new Promise<Outcome>((resolve) => {
        const req = request(
          url,
          {
            method: "POST",
            headers: {
              "content-type": "application/json",
              "webhook-id": d.deliveryId,
              "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
              "webhook-signature": signature,
            },
            timeout: s.webhookTimeoutMs,
            ...(s.allowPrivateWebhooks ? {} : { lookup: checkedLookup as never }),
          },
          (res) => {
            res.resume();
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve({ ok: true });
            // 410 Gone and other 4xx (but timeouts and rate limits) will not change by trying again.
            else resolve({ ok: false, permanent: status >= 400 && status < 500 && status !== 408 && status !== 429, error: `http ${status}` });
          },
        );
        req.on("timeout", () => req.destroy(new Error("timed out")));
        req.on("error", (e: NodeJS.ErrnoException) => resolve({ ok: false, permanent: e.code === "E_NOT_PUBLIC_ADDRESS", error: e.message }));
        req.end(body);
      });
    },
    close: () => transport.close(),
  };
}
