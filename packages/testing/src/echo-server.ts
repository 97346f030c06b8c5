// The benches' baseline: a bare grpc-js unary echo (raw bytes, no proto, no kit), on the port in
// argv[2] when run as a child process (`echoServerScript`); the definition for its clients.
import { Server, ServerCredentials } from "@grpc/grpc-js";

export const echoDefinition = {
  echo: {
    path: "/bench.Echo/Echo",
    requestStream: false,
    responseStream: false,
    requestSerialize: (b: Buffer) => b,
    requestDeserialize: (b: Buffer) => b,
    responseSerialize: (b: Buffer) => b,
    responseDeserialize: (b: Buffer) => b,
  },
} as const;

// Only when forked as the script itself (this module is imported by every test through @silta/testing).
if (process.argv[1] === new URL(import.meta.url).pathname && process.argv[2]) {
  const server = new Server();
  server.addService(echoDefinition, { echo: (call: { request: Buffer }, cb: (e: null, r: Buffer) => void) => cb(null, call.request) });
  server.bindAsync(`127.0.0.1:${process.argv[2]}`, ServerCredentials.createInsecure(), () => process.send?.("ready"));
}

/** The file to fork for an echo server: `fork(echoServerScript, [port])`; it sends "ready" when listening. */
export const echoServerScript = new URL(import.meta.url).pathname;
/** The echo described for tools that need a proto (ghz): `bench.Echo/Echo`, a `Blob { bytes data = 1 }` each way. */
export const echoProto = new URL("./echo.proto", import.meta.url).pathname;
