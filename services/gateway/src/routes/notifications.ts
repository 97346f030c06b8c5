// Notifications over REST: a person's inbox and settings, and an organisation's directory,
// webhooks and deliveries (its notifications administrators). The notifications service decides
// per object (an item is its person's, a delivery its organisation's); the gateway adds the
// coarse gates.
import * as n from "@silta/contracts/notifications/v1/notifications.ts";
import type { Upstream } from "@silta/host";
import type { Redis } from "@silta/platform";
import type { FastifyInstance } from "fastify";
import type { ProtoSchemas } from "../openapi/proto-schemas.ts";
import { inboxStreamRoutes } from "./inbox-stream.ts";
import { addRpcRoute, rpcCaller } from "./rpc-route.ts";

const P = "silta.notifications.v1.";
const ADMIN = { roles: ["notifications_admin"] };

export function notificationRoutes(app: FastifyInstance, schemas: ProtoSchemas, upstream: Upstream, deadlineMs: number, edge: { redis: Redis }): void {
  const client = upstream.client(n.NotificationServiceClient);
  // The inbox live (SSE, opened with a ticket).
  inboxStreamRoutes(app, client, edge.redis);
  const call = rpcCaller(client, deadlineMs, "notifications");
  const route = <Req, Res>(r: Omit<Parameters<typeof addRpcRoute<Req, Res>>[2], "tag">) => addRpcRoute<Req, Res>(app, schemas, { tag: "notifications", ...r });

  route({
    method: "GET",
    url: "/v1/notifications/inbox",
    operationId: "listInbox",
    summary: "My in-app items, newest first, with the unread count",
    description: "Each item says what happened (kind), its reference number and a link; never a name or the case's content.",
    request: `${P}ListInboxRequest`,
    response: `${P}ListInboxResponse`,
    codec: { request: n.ListInboxRequest, response: n.ListInboxResponse },
    call: call(client.listInbox),
  });
  route({
    method: "POST",
    url: "/v1/notifications/inbox/:itemId/read",
    operationId: "markRead",
    summary: "Mark one of my items read (a second time changes nothing)",
    request: `${P}MarkReadRequest`,
    response: `${P}MarkReadResponse`,
    codec: { request: n.MarkReadRequest, response: n.MarkReadResponse },
    call: call(client.markRead),
  });
  route({
    method: "POST",
    url: "/v1/notifications/preferences",
    operationId: "setPreference",
    summary: "Whether a kind of message (or every kind) reaches me in-app or by e-mail; an administrator's organisation-level rule may be locked",
    description: "Must-deliver messages (an urgent referral, a missed deadline) reach me whatever I choose.",
    request: `${P}SetPreferenceRequest`,
    response: `${P}SetPreferenceResponse`,
    codec: { request: n.SetPreferenceRequest, response: n.SetPreferenceResponse },
    call: call(client.setPreference),
  });
  route({
    method: "POST",
    url: "/v1/notifications/quiet-hours",
    operationId: "setQuietHours",
    summary: "My quiet hours, weekly windows in my time zone: e-mails wait until they end",
    request: `${P}SetQuietHoursRequest`,
    response: `${P}SetQuietHoursResponse`,
    codec: { request: n.SetQuietHoursRequest, response: n.SetQuietHoursResponse },
    call: call(client.setQuietHours),
  });
  route({
    ...ADMIN,
    method: "POST",
    url: "/v1/notifications/people",
    operationId: "putPerson",
    summary: "A person of my organisation in its directory: language, e-mail, channels",
    request: `${P}PutPersonRequest`,
    response: `${P}PutPersonResponse`,
    codec: { request: n.PutPersonRequest, response: n.PutPersonResponse },
    call: call(client.putPerson),
  });
  route({
    ...ADMIN,
    method: "POST",
    url: "/v1/notifications/groups",
    operationId: "putGroup",
    summary: "A group address of my organisation (intake_desk, duty_desk, a team) and its members",
    request: `${P}PutGroupRequest`,
    response: `${P}PutGroupResponse`,
    codec: { request: n.PutGroupRequest, response: n.PutGroupResponse },
    call: call(client.putGroup),
  });
  route({
    ...ADMIN,
    method: "POST",
    url: "/v1/notifications/webhooks",
    operationId: "registerWebhook",
    summary: "An https endpoint of my organisation for webhooks signed to the Standard Webhooks spec; the secret is answered once",
    request: `${P}RegisterWebhookRequest`,
    response: `${P}RegisterWebhookResponse`,
    status: 201,
    codec: { request: n.RegisterWebhookRequest, response: n.RegisterWebhookResponse },
    call: call(client.registerWebhook),
  });
  route({
    ...ADMIN,
    method: "GET",
    url: "/v1/notifications/deliveries",
    operationId: "listDeliveries",
    summary: "My organisation's deliveries by status (failed: the dead letters to re-drive)",
    request: `${P}ListDeliveriesRequest`,
    response: `${P}ListDeliveriesResponse`,
    codec: { request: n.ListDeliveriesRequest, response: n.ListDeliveriesResponse },
    call: call(client.listDeliveries),
  });
  route({
    ...ADMIN,
    method: "POST",
    url: "/v1/notifications/deliveries/:deliveryId/replay",
    operationId: "replayDelivery",
    summary: "Send a delivery of my organisation again, with the same id (webhook-id, Message-ID) and a new retry horizon",
    request: `${P}ReplayDeliveryRequest`,
    response: `${P}ReplayDeliveryResponse`,
    codec: { request: n.ReplayDeliveryRequest, response: n.ReplayDeliveryResponse },
    call: call(client.replayDelivery),
  });
}
