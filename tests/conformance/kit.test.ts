// Conformance of the platform kit against the real Kafka, PostgreSQL and Redis: the fixture
// service (fixture/) uses every part of the kit the way a Silta service does.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { credentials, Metadata, makeGenericClientConstructor, status } from "@grpc/grpc-js";
import { FixtureServiceClient } from "@silta/contracts/fixture/v1/fixture.ts";
import { createKafka, dlqOf, headerString } from "@silta/events";
import { proveCallsOf, serverStream, unary } from "@silta/grpc";
import { IDENTITY_PROOF_METADATA_KEY, type Identity, identityProver, newSigningKey, SiltaError } from "@silta/platform";
import {
  captureLogs,
  createTestDatabase,
  installTestTracing,
  readTopicUntil,
  sharedTestIdentities,
  startServiceForTest,
  type TestDatabase,
  type TestIdentities,
  testEnv,
  uniqueName,
  waitFor,
} from "@silta/testing";
import { service as healthService } from "grpc-health-check";
import { importJWK, SignJWT } from "jose";
import type { Kafka, KafkaMessage } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixtureService, noteRecorded } from "./fixture/fixture-service.ts";

const spans = installTestTracing();
const worker: Identity = {
  subject: "user-1",
  organisationId: "org-kuopio",
  organisationType: "wellbeing_area",
  roles: ["child_protection_worker"],
  areaCodes: ["13"],
  municipalityCodes: [],
};
const subject = (n: number) => `subject-pseudonym-${String(n).padStart(4, "0")}`;

let db: TestDatabase;
let fixture: Awaited<ReturnType<typeof startFixture>>;

/** The fixture from its specification, by the kit's test host, with short intervals. */
const startFixture = (o: { databaseUrl: string; topic: string; consumerGroup: string; relay?: boolean; consumer?: boolean }) =>
  startServiceForTest(
    fixtureService,
    { SILTA_DATABASE_URL: o.databaseUrl, SILTA_KAFKA_TOPIC_PREFIX: "", SILTA_FIXTURE_TOPIC: o.topic, SILTA_FIXTURE_CONSUMER: String(o.consumer ?? true) },
    { logger: logs.logger, consumerGroup: o.consumerGroup, relay: o.relay ?? true, relayPollMs: 100, healthIntervalMs: 500, grpcGraceMs: 2000 },
  );
let client: FixtureServiceClient;
let kafka: Kafka;
let ids: TestIdentities;
const AUDIENCE = "silta-fixture";
const logs = captureLogs("fixture");
const topic = `${uniqueName("fixture")}.note.v1`.replace("_", "-");

/** Every record on a topic once `atLeast` are there, read to the topic's end offsets. */
function readTopic(name: string, atLeast: number): Promise<KafkaMessage[]> {
  return readTopicUntil(kafka, name, (s) => s.length >= atLeast, `${atLeast} records on ${name}`);
}

beforeAll(async () => {
  db = await createTestDatabase("kit");
  kafka = createKafka({ brokers: testEnv.kafkaBrokers, clientId: "kit-test", logger: logs.logger });
  ids = await sharedTestIdentities();
  fixture = await startFixture({
    databaseUrl: db.url,
    topic,
    consumerGroup: uniqueName("projection"),
  });
  client = proveCallsOf(new FixtureServiceClient(`127.0.0.1:${fixture.grpcPort}`, credentials.createInsecure()), {
    prover: ids.prover.gateway,
    audience: AUDIENCE,
  });
});

afterAll(async () => {
  client?.close();
  await fixture?.stop();
  await db?.drop();
});

describe("a gRPC call through the kit", () => {
  it("stores the note and its event in one transaction, and the consumer sees the event once", async () => {
    const { note } = await unary(client, client.recordNote, { requestId: "r-1", subjectPseudonym: subject(1), text: "first visit" }, { identity: worker });
    expect(note?.organisationId).toBe("org-kuopio");
    const outbox = await fixture.pool.query("SELECT ce_type, aggregate_id, seq FROM silta_outbox WHERE ce_subject = $1", [note?.noteId]);
    expect(outbox.rows).toEqual([{ ce_type: "fi.silta.note.recorded.v1", aggregate_id: subject(1), seq: 1 }]);
    await waitFor(async () => (await fixture.pool.query("SELECT 1 FROM note_projection WHERE note_id = $1", [note?.noteId])).rowCount === 1, {
      what: "projection row",
    });
    const [record] = (await readTopic(topic, 1)).filter((m) => headerString(m.headers, "ce_subject") === note?.noteId);
    expect(headerString(record?.headers, "ce_type")).toBe("fi.silta.note.recorded.v1");
    expect(headerString(record?.headers, "ce_source")).toBe("/silta/fixture");
    expect(headerString(record?.headers, "content-type")).toBe("application/protobuf");
    expect(record?.key?.toString()).toBe(subject(1));
    // The event carries ids only: the note's text stays in the owning service.
    expect(record?.value?.toString("latin1")).not.toContain("first visit");
    expect(noteRecorded.decode(record?.value as Buffer, "application/protobuf").noteId).toBe(note?.noteId);
  });

  it("answers the same request id with the same note and writes no second event", async () => {
    const a = await unary(client, client.recordNote, { requestId: "r-same", subjectPseudonym: subject(2), text: "x" }, { identity: worker });
    const b = await unary(client, client.recordNote, { requestId: "r-same", subjectPseudonym: subject(2), text: "x" }, { identity: worker });
    expect(b.note?.noteId).toBe(a.note?.noteId);
    const rows = await fixture.pool.query("SELECT count(*)::int AS n FROM silta_outbox WHERE aggregate_id = $1", [subject(2)]);
    expect(rows.rows[0].n).toBe(1);
  });

  it("rejects bad input with INVALID_ARGUMENT naming each field, and writes nothing", async () => {
    const before = await fixture.pool.query("SELECT (SELECT count(*) FROM notes) + (SELECT count(*) FROM silta_outbox) AS n");
    const err = await unary(client, client.recordNote, { requestId: "", subjectPseudonym: "short", text: " " }, { identity: worker }).catch((e) => e);
    expect(err).toBeInstanceOf(SiltaError);
    expect(err.kind).toBe("invalid_argument");
    expect(err.code).toBe("SILTA_FIXTURE_INVALID_NOTE");
    expect(err.fields.map((f: { field: string }) => f.field)).toEqual(["request_id", "subject_pseudonym", "text"]);
    const after = await fixture.pool.query("SELECT (SELECT count(*) FROM notes) + (SELECT count(*) FROM silta_outbox) AS n");
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it("refuses a call without identity (UNAUTHENTICATED) and answers another organisation's note as absent (NOT_FOUND)", async () => {
    const noId = await unary(client, client.recordNote, { requestId: "r-x", subjectPseudonym: subject(3), text: "x" }).catch((e) => e);
    expect(noId.kind).toBe("unauthenticated");
    const { note } = await unary(client, client.recordNote, { requestId: "r-own", subjectPseudonym: subject(3), text: "x" }, { identity: worker });
    const other = { ...worker, organisationId: "org-espoo", areaCodes: ["03"] };
    const denied = await unary(client, client.getNote, { noteId: note?.noteId ?? "" }, { identity: other }).catch((e) => e);
    expect(denied.kind).toBe("not_found");
    expect(denied.code).toBe("SILTA_FIXTURE_NOTE_NOT_FOUND");
    const missing = await unary(client, client.getNote, { noteId: "00000000-0000-4000-8000-000000000000" }, { identity: worker }).catch((e) => e);
    expect(missing.kind).toBe("not_found");
  });

  describe("a caller's identity is proven, not asserted", () => {
    /** The status of GetNote with `proof` (and any other metadata) as the only identity. */
    const callWith = (entries: Record<string, string>) => {
      const md = new Metadata();
      for (const [k, v] of Object.entries(entries)) md.set(k, v);
      return new Promise<{ code: number; reason: string }>((resolve) =>
        client.getNote({ noteId: "00000000-0000-4000-8000-000000000000" }, md, (err) =>
          resolve({ code: err?.code ?? status.OK, reason: String(err?.metadata?.get("x-silta-error-code")[0] ?? "") }),
        ),
      );
    };
    /** A JWT as a signer would make it, with any claims (to forge what a prover never makes). */
    const sign = async (key: TestIdentities["key"]["gateway"], claims: Record<string, unknown>, iat: number, exp: number, aud = AUDIENCE) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: key.key.alg, kid: key.key.kid })
        .setIssuer(key.signer)
        .setAudience(aud)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .sign(await importJWK(key.key, key.key.alg));
    const now = () => Math.floor(Date.now() / 1000);

    it("answers a valid proof (NOT_FOUND for the unknown note) and refuses the unsigned identity metadata of earlier versions", async () => {
      const valid = await ids.prover.gateway.prove(worker, AUDIENCE);
      expect((await callWith({ [IDENTITY_PROOF_METADATA_KEY]: valid })).code).toBe(status.NOT_FOUND);
      const unsigned = Buffer.from(JSON.stringify(worker)).toString("base64url");
      expect(await callWith({ "x-silta-identity": unsigned })).toEqual({ code: status.UNAUTHENTICATED, reason: "SILTA_AUTH_PROOF_MISSING" });
    });

    it.each([
      ["garbage", async () => "not.a.jwt"],
      [
        "a key the trust list does not hold, under a trusted signer's name and key id",
        async () => {
          const forged = await newSigningKey("test-gateway", ids.key.gateway.key.kid);
          return identityProver(forged.signing).prove(worker, AUDIENCE);
        },
      ],
      ["a signer nobody trusts", async () => identityProver((await newSigningKey("rogue-gateway")).signing).prove(worker, AUDIENCE)],
      ["a proof made for another service", async () => ids.prover.gateway.prove(worker, "silta-consent")],
      ["an expired proof", async () => sign(ids.key.gateway, { idn: worker }, now() - 120, now() - 60)],
      ["a proof that lives longer than 60 s", async () => sign(ids.key.gateway, { idn: worker }, now(), now() + 3600)],
      ["a proof issued in the future", async () => sign(ids.key.gateway, { idn: worker }, now() + 600, now() + 630)],
      ["a proof of an invalid identity", async () => sign(ids.key.gateway, { idn: { subject: "x" } }, now(), now() + 30)],
    ])("refuses %s with UNAUTHENTICATED", async (_what, proof) => {
      expect((await callWith({ [IDENTITY_PROOF_METADATA_KEY]: await proof() })).code).toBe(status.UNAUTHENTICATED);
    });

    it("refuses Kuopio's valid proof claiming wellbeing area 13, another municipality, another organisation or the service type", async () => {
      const teacher: Identity = {
        ...worker,
        organisationId: "kuopio-school-12",
        organisationType: "municipality",
        roles: ["teacher"],
        areaCodes: [],
        municipalityCodes: ["297"],
      };
      // Its own teacher passes (NOT_FOUND: the note does not exist).
      expect((await callWith({ [IDENTITY_PROOF_METADATA_KEY]: await ids.prover.kuopio.prove(teacher, AUDIENCE) })).code).toBe(status.NOT_FOUND);
      const claims: Identity[] = [
        { ...worker, organisationId: "kuopio-lastensuojelu" },
        { ...teacher, areaCodes: ["13"] },
        { ...teacher, municipalityCodes: ["091"] },
        { ...teacher, organisationId: "espoo-school-1" },
        { ...teacher, organisationType: "service" },
      ];
      for (const claim of claims) {
        const proof = await ids.prover.kuopio.prove(claim, AUDIENCE);
        expect(await callWith({ [IDENTITY_PROOF_METADATA_KEY]: proof })).toEqual({ code: status.UNAUTHENTICATED, reason: "SILTA_AUTH_SIGNER_NOT_ALLOWED" });
      }
    });
  });

  it("continues one trace from the caller through gRPC, the outbox and Kafka to the consumer", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const md = new Metadata();
    md.set("traceparent", `00-${traceId}-00f067aa0ba902b7-01`);
    md.set(IDENTITY_PROOF_METADATA_KEY, await ids.prover.gateway.prove(worker, AUDIENCE));
    await new Promise<void>((resolve, reject) =>
      client.recordNote({ requestId: "r-trace", subjectPseudonym: subject(4), text: "x" }, md, (err) => (err ? reject(err) : resolve())),
    );
    const kinds = await waitFor(
      () => {
        const mine = spans.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
        return mine.some((s) => s.name.endsWith(" process")) ? mine.map((s) => s.name) : undefined;
      },
      { what: "consumer span in the caller's trace" },
    );
    expect(kinds).toContain("silta.fixture.v1.FixtureService/RecordNote");
    expect(kinds).toContain(`${topic} process`);
  });
});

describe("the consumer's dead-letter queue", () => {
  it("sends undecodable records to <topic>.dlq with the reason, and goes on with the next record", async () => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [
        {
          key: "poison-1",
          value: Buffer.from("not protobuf at all \xff\xfe"),
          headers: {
            ce_specversion: "1.0",
            ce_id: "poison-1",
            ce_source: "/test",
            ce_type: "fi.silta.note.recorded.v1",
            "content-type": "application/protobuf",
          },
        },
        { key: "poison-2", value: Buffer.from("{}"), headers: { ce_id: "poison-2" } },
      ],
    });
    await producer.disconnect();
    const { note } = await unary(client, client.recordNote, { requestId: "r-after-poison", subjectPseudonym: subject(5), text: "x" }, { identity: worker });
    await waitFor(async () => (await fixture.pool.query("SELECT 1 FROM note_projection WHERE note_id = $1", [note?.noteId])).rowCount === 1, {
      what: "the record after the poison ones to be consumed",
    });
    const dead = await readTopic(dlqOf(topic), 2);
    const byKey = new Map(dead.map((m) => [m.key?.toString(), m]));
    expect(headerString(byKey.get("poison-1")?.headers, "silta_dlq_reason")).toMatch(/^undecodable: value is not a valid protobuf/);
    expect(headerString(byKey.get("poison-2")?.headers, "silta_dlq_reason")).toMatch(
      /missing CloudEvents header\(s\): ce_source, ce_type, ce_specversion, content-type/,
    );
    expect(headerString(byKey.get("poison-1")?.headers, "silta_dlq_topic")).toBe(topic);
    expect(byKey.get("poison-1")?.value?.toString()).toBe("not protobuf at all \xff\xfe");
  });
});

describe("a method that carries its own proof (a link), not a user's", () => {
  it("opens the one shared note to a caller without identity, refuses a tampered or missing link, and still refuses a forged identity", async () => {
    const { note } = await unary(client, client.recordNote, { requestId: "r-share", subjectPseudonym: subject(7), text: "shared" }, { identity: worker });
    const { link } = await unary(client, client.shareNote, { noteId: note?.noteId ?? "" }, { identity: worker });
    const opened = await unary(client, client.readSharedNote, { link });
    expect(opened.note?.noteId).toBe(note?.noteId);
    const tampered = `${link.slice(0, -3)}${link.endsWith("A") ? "BBB" : "AAA"}`;
    for (const bad of [tampered, "", "not-a-link"]) {
      const err = await unary(client, client.readSharedNote, { link: bad }).catch((e: SiltaError) => e);
      expect(err).toMatchObject({ kind: "unauthenticated", code: "SILTA_AUTH_LINK_INVALID" });
    }
    // Sharing needs an identity, and another organisation's note is absent to it.
    expect(await unary(client, client.shareNote, { noteId: note?.noteId ?? "" }).catch((e: SiltaError) => e.code)).toBe("SILTA_AUTH_PROOF_MISSING");
    const other = { ...worker, organisationId: "org-espoo", areaCodes: ["03"] };
    expect(await unary(client, client.shareNote, { noteId: note?.noteId ?? "" }, { identity: other }).catch((e: SiltaError) => e.code)).toBe(
      "SILTA_FIXTURE_NOTE_NOT_FOUND",
    );
    // A forged proof beside a valid link is refused: a proof that comes is always verified.
    const forged = await newSigningKey("forger");
    const metadata = new Metadata();
    metadata.set(IDENTITY_PROOF_METADATA_KEY, await identityProver(forged.signing).prove(worker, AUDIENCE));
    const status = await new Promise<number>((resolve) => client.readSharedNote({ link }, metadata, (err) => resolve(err?.code ?? 0)));
    expect(status).toBe(16);
  });
});

describe("a server-streaming method (a live feed)", () => {
  it("streams the caller's organisation's notes as they are recorded, never another's, and refuses a caller without identity", async () => {
    const other = { ...worker, organisationId: "org-espoo", areaCodes: ["03"] };
    const stop = new AbortController();
    const got: string[] = [];
    const reading = (async () => {
      for await (const m of serverStream(client, client.watchNotes, {}, { identity: worker, signal: stop.signal })) got.push(m.note?.noteId ?? "");
    })();
    // The feed is open once the server has its listener: a note recorded before that is not in it.
    await new Promise((r) => setTimeout(r, 300));
    const mine = await unary(client, client.recordNote, { requestId: "r-live-1", subjectPseudonym: subject(6), text: "live" }, { identity: worker });
    const theirs = await unary(client, client.recordNote, { requestId: "r-live-2", subjectPseudonym: subject(6), text: "live" }, { identity: other });
    const mine2 = await unary(client, client.recordNote, { requestId: "r-live-3", subjectPseudonym: subject(6), text: "live" }, { identity: worker });
    await waitFor(() => got.length >= 2, { what: "the two notes on the feed" });
    expect(got).toEqual([mine.note?.noteId, mine2.note?.noteId]);
    expect(got).not.toContain(theirs.note?.noteId);
    stop.abort();
    await reading;

    const refused = await (async () => {
      for await (const _ of serverStream(client, client.watchNotes, {})) return "a message";
      return "ended";
    })().catch((e: SiltaError) => e);
    expect(refused).toMatchObject({ kind: "unauthenticated", code: "SILTA_AUTH_PROOF_MISSING" });
  });
});

describe("health, reflection and metrics", () => {
  it("answers the standard gRPC health check with SERVING once its dependencies are up", async () => {
    const Health = makeGenericClientConstructor(healthService, "Health");
    const health = new Health(`127.0.0.1:${fixture.grpcPort}`, credentials.createInsecure());
    const check = (svc: string) =>
      new Promise<string>((resolve, reject) =>
        (health as unknown as { check: (r: object, cb: (e: Error | null, r: { status: string }) => void) => void }).check({ service: svc }, (e, r) =>
          e ? reject(e) : resolve(r.status),
        ),
      );
    expect(await check("")).toBe("SERVING");
    expect(await check("silta.fixture.v1.FixtureService")).toBe("SERVING");
    health.close();
  });

  it("lists and describes its service to grpcurl by reflection, and grpcurl can call it", async () => {
    const grpcurl = process.env.SILTA_GRPCURL ?? "grpcurl";
    const run = (args: string[]) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const p = spawn(grpcurl, args);
        let out = "";
        p.stdout.on("data", (d) => (out += d));
        p.stderr.on("data", (d) => (out += d));
        p.on("close", (code) => resolve({ code, out }));
        p.on("error", (e) => resolve({ code: -1, out: String(e) }));
      });
    const addr = `127.0.0.1:${fixture.grpcPort}`;
    const list = await run(["-plaintext", addr, "list"]);
    expect(list.out).toContain("silta.fixture.v1.FixtureService");
    expect(list.out).toContain("grpc.health.v1.Health");
    const health = await run(["-plaintext", addr, "grpc.health.v1.Health/Check"]);
    expect(health.code).toBe(0);
    expect(JSON.parse(health.out)).toEqual({ status: "SERVING" });
    const describe_ = await run(["-plaintext", addr, "describe", "silta.fixture.v1.FixtureService.RecordNote"]);
    expect(describe_.out).toContain("rpc RecordNote ( .silta.fixture.v1.RecordNoteRequest )");
    const call = await run([
      "-plaintext",
      "-H",
      `${IDENTITY_PROOF_METADATA_KEY}: ${await ids.prover.gateway.prove(worker, AUDIENCE)}`,
      "-d",
      JSON.stringify({ requestId: "r-grpcurl", subjectPseudonym: subject(6), text: "via grpcurl" }),
      addr,
      "silta.fixture.v1.FixtureService/RecordNote",
    ]);
    expect(call.code).toBe(0);
    // grpcurl prints the proto field names.
    expect(JSON.parse(call.out).note.subject_pseudonym).toBe(subject(6));
    const bad = await run([
      "-plaintext",
      "-H",
      `${IDENTITY_PROOF_METADATA_KEY}: ${await ids.prover.gateway.prove(worker, AUDIENCE)}`,
      "-d",
      "{}",
      addr,
      "silta.fixture.v1.FixtureService/RecordNote",
    ]);
    expect(bad.out).toContain("Code: InvalidArgument");
    expect(bad.out).toContain("subject_pseudonym");
  });

  it("serves /healthz, /readyz and Prometheus /metrics with request counts", async () => {
    const base = `http://127.0.0.1:${fixture.adminPort}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready", checks: { postgres: "ok", redis: "ok" } });
    const text = await (await fetch(`${base}/metrics`)).text();
    const line = text
      .split("\n")
      .find(
        (l) =>
          l.startsWith("silta_grpc_server_requests_total{") && l.includes('method="/silta.fixture.v1.FixtureService/RecordNote"') && l.includes('code="OK"'),
      );
    expect(line).toBeDefined();
    expect(Number(line?.split(" ").pop())).toBeGreaterThanOrEqual(3);
    expect(text).toMatch(/silta_events_consumed_total\{[^}]*outcome="dead_lettered"[^}]*\} [1-9]/);
    expect(text).toContain("silta_outbox_oldest_pending_age_seconds");
  });
});

describe("the outbox relay killed between send and mark", () => {
  it("loses nothing and duplicates nothing that an idempotent consumer would see, and keeps each aggregate's order", async () => {
    // A second fixture on its own database and topic, without an in-process relay.
    const db2 = await createTestDatabase("kit_relay");
    const topic2 = `${uniqueName("relay")}.note.v1`.replace("_", "-");
    const f2 = await startFixture({
      databaseUrl: db2.url,
      topic: topic2,
      consumerGroup: uniqueName("projection"),
      relay: false,
    });
    const c2 = proveCallsOf(new FixtureServiceClient(`127.0.0.1:${f2.grpcPort}`, credentials.createInsecure()), {
      prover: ids.prover.gateway,
      audience: AUDIENCE,
    });
    try {
      const total = 200;
      for (let i = 0; i < total; i += 20) {
        await Promise.all(
          Array.from({ length: 20 }, (_, j) =>
            unary(c2, c2.recordNote, { requestId: `k-${i + j}`, subjectPseudonym: subject((i + j) % 7), text: `n${i + j}` }, { identity: worker }),
          ),
        );
      }
      const script = fileURLToPath(new URL("./fixture/relay-process.ts", import.meta.url));
      const runRelay = (crashAfter: number) =>
        spawn(process.execPath, [script], {
          env: { ...process.env, DATABASE_URL: db2.url, KAFKA_BROKERS: testEnv.kafkaBrokers.join(","), CRASH_AFTER_BATCHES: String(crashAfter) },
          stdio: ["ignore", "inherit", "inherit"],
        });
      const first = runRelay(3);
      const signal = await new Promise((resolve) => first.on("exit", (_code, sig) => resolve(sig)));
      expect(signal).toBe("SIGKILL");
      const marked = (await f2.pool.query("SELECT count(*)::int AS n FROM silta_outbox WHERE published_at IS NOT NULL")).rows[0].n;
      // Three batches reached Kafka; the third was never marked: it will be sent again.
      expect(marked).toBe(50);

      const second = runRelay(0);
      await waitFor(async () => (await f2.pool.query("SELECT count(*)::int AS n FROM silta_outbox WHERE published_at IS NULL")).rows[0].n === 0, {
        what: "all rows published after the restart",
        timeoutMs: 30_000,
      });
      second.kill("SIGTERM");
      await new Promise((r) => second.on("exit", r));

      const records = await readTopic(topic2, total + 25);
      expect(records.length).toBe(total + 25); // the unmarked batch went out twice
      await waitFor(async () => (await f2.pool.query("SELECT count(*)::int AS n FROM note_projection")).rows[0].n === total, {
        what: "the projection to hold every note",
        timeoutMs: 30_000,
      });
      await new Promise((r) => setTimeout(r, 500));
      const projection = await f2.pool.query("SELECT note_id::text, subject_pseudonym FROM note_projection ORDER BY received_order");
      expect(projection.rowCount).toBe(total);
      expect(new Set(projection.rows.map((r) => r.note_id)).size).toBe(total);
      // The projection's UNIQUE key would turn a duplicate that got past handleOnce into a failed
      // handler and a dead-lettered record, not a second row: nothing may be on the DLQ either.
      const admin = kafka.admin();
      await admin.connect();
      const dlq = await admin.fetchTopicOffsets(dlqOf(topic2)).finally(() => admin.disconnect());
      expect(dlq.map((p) => Number(p.high) - Number(p.low))).toEqual(dlq.map(() => 0));
      // Per aggregate (subject), the consumer saw the events in the order they were written.
      const written = await f2.pool.query("SELECT ce_subject AS note_id, aggregate_id FROM silta_outbox ORDER BY aggregate_id, seq");
      for (let s = 0; s < 7; s++) {
        const want = written.rows.filter((r) => r.aggregate_id === subject(s)).map((r) => r.note_id);
        const got = projection.rows.filter((r) => r.subject_pseudonym === subject(s)).map((r) => r.note_id);
        expect(got).toEqual(want);
      }
    } finally {
      c2.close();
      await f2.stop();
      await db2.drop();
    }
  });
});
