// The CPU budget's bare route (tests/bench/budget.ts): fastify with nothing else, a GET and a POST
// that parses its JSON body, each answering a small JSON document. Sends its port when listening.
import Fastify from "fastify";

const app = Fastify({ logger: false, bodyLimit: 2 * 1024 * 1024 });
app.get("/bare", async () => ({ ok: true }));
app.post("/bare", async (req) => ({ ok: true, size: JSON.stringify(req.body).length }));
await app.listen({ port: 0, host: "127.0.0.1" });
process.send?.({ port: (app.server.address() as { port: number }).port });
process.on("SIGTERM", () => void app.close().then(() => process.exit(0)));
