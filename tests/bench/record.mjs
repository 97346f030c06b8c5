// The CPU budget's recorder (tests/bench/budget.ts), preloaded into each service with `--import`:
// from the bench's { record: "on" } message on, it writes down every SQL statement
// the process sends to PostgreSQL (text, parameters, prepared-statement name, which connection, when),
// every Redis command (name, arguments, which connection, when) and counts the unary gRPC calls it serves. The
// bench then issues exactly those statements and commands itself, as the "bare" SQL and Redis of
// the path, and makes as many calls to a bare gRPC echo. Each { record: "mark", file } message
// ends a segment (written to `file`) and begins the next. Plain JavaScript: a preload is not
// type-stripped by the services' loader. It changes nothing when no message comes.
import { writeFileSync } from "node:fs";
import { Server as GrpcServer } from "@grpc/grpc-js";
import { Redis } from "ioredis";
import pg from "pg";

let on = false;
// Each entry's time in ms from the start of its segment: the replay keeps the services' rhythm.
let segmentStart = performance.now();
const at = () => Math.round((performance.now() - segmentStart) * 10) / 10;
let sql = [];
let redis = [];
let grpcCalls = 0;
const ids = new WeakMap();
let nextId = 1;
const idOf = (o) => {
  let id = ids.get(o);
  if (id === undefined) {
    id = nextId++;
    ids.set(o, id);
  }
  return id;
};
// Parameters as JSON that the replay can turn back into what pg and ioredis were given.
const encode = (v) => {
  if (Buffer.isBuffer(v)) return { $b: v.toString("base64") };
  if (v instanceof Date) return { $d: v.toISOString() };
  if (Array.isArray(v)) return v.map(encode);
  return v;
};

const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (config, values, callback) {
  if (on && config !== null && config !== undefined && typeof config.submit !== "function") {
    const text = typeof config === "string" ? config : config.text;
    const params = Array.isArray(values) ? values : typeof config === "object" ? config.values : undefined;
    sql.push({ c: idOf(this), at: at(), t: text, ...(params ? { v: params.map(encode) } : {}), ...(config.name ? { n: config.name } : {}) });
  }
  return query.call(this, config, values, callback);
};

const sendCommand = Redis.prototype.sendCommand;
Redis.prototype.sendCommand = function (command, stream) {
  // A pipeline (and auto-pipelining) passes a stream of its own that writes the batch at once.
  if (on && (!stream || stream.isPipeline) && !command.isTraced) redis.push({ c: idOf(this), at: at(), n: command.name, a: command.args.map(encode) });
  return sendCommand.call(this, command, stream);
};

// Counted where they are served: a client's methods hold grpc-js' request functions from before
// any preload could wrap them, but every service adds its handlers through Server.addService.
const addService = GrpcServer.prototype.addService;
GrpcServer.prototype.addService = function (definition, implementation) {
  const counted = { ...implementation };
  for (const [name, d] of Object.entries(definition)) {
    const handler = implementation[name];
    if (typeof handler !== "function" || d.requestStream || d.responseStream) continue;
    counted[name] = function (...args) {
      if (on) grpcCalls++;
      return handler.apply(this, args);
    };
  }
  return addService.call(this, definition, counted);
};

process.on("message", (m) => {
  if (m?.record === "on") {
    sql = [];
    redis = [];
    grpcCalls = 0;
    segmentStart = performance.now();
    on = true;
    process.send?.({ recording: true });
  } else if (m?.record === "mark") {
    // Ends a segment and begins the next at once: nothing sent in between goes unrecorded.
    const segment = { sql, redis, grpcCalls, ms: at() };
    sql = [];
    redis = [];
    grpcCalls = 0;
    segmentStart = performance.now();
    writeFileSync(m.file, JSON.stringify(segment));
    process.send?.({ recorded: m.file });
  }
});
process.channel?.unref();
