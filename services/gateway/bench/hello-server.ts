// The baseline of the GET benchmark: a bare fastify hello-world, nothing else.
import Fastify from "fastify";

const app = Fastify({ logger: false });
app.get("/hello", async () => ({ hello: "world" }));
await app.listen({ port: Number(process.env.PORT ?? 0), host: "127.0.0.1" });
process.send?.({ port: (app.server.address() as { port: number }).port });
process.on("SIGTERM", () => void app.close().then(() => process.exit(0)));
