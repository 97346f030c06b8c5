// Fault drills without touching the servers other test files share: a PostgreSQL cluster of the
// test's own (Debian's binaries, as scripts/infra.sh runs them) that the test stops and starts,
// and a TCP proxy in front of the broker's fault-drill listener (scripts/infra.sh advertises it on
// the proxy's port) that the test cuts and restores.
import { execFileSync } from "node:child_process";
import { chownSync, mkdtempSync, readdirSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A free TCP port on 127.0.0.1, from the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface PrivatePostgres {
  port: number;
  /** A URL of database `name` on this cluster (create it with `createDatabase`). */
  url(name: string): string;
  createDatabase(name: string): void;
  /** `pg_ctl stop -m fast`: connections are cut, new ones refused. */
  stop(): void;
  start(): void;
  /** Stops it for good and leaves nothing running. */
  dispose(): void;
}

export async function privatePostgres(): Promise<PrivatePostgres> {
  const bin = join("/usr/lib/postgresql", readdirSync("/usr/lib/postgresql").sort().at(-1) as string, "bin");
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), "silta-pg-"));
  const data = join(dir, "data");
  if (root) chownSync(dir, uidOf("postgres"), uidOf("postgres"));
  // initdb refuses root: as scripts/infra.sh, the cluster belongs to the postgres user.
  const asPg = (cmd: string, args: string[]) =>
    root
      ? execFileSync("runuser", ["-u", "postgres", "--", join(bin, cmd), ...args], { stdio: "pipe" })
      : execFileSync(join(bin, cmd), args, { stdio: "pipe" });
  asPg("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]);
  const port = await freePort();
  const start = () => {
    asPg("pg_ctl", [
      "-D",
      data,
      "-l",
      join(dir, "postgres.log"),
      "-w",
      "-t",
      "60",
      "-o",
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      "start",
    ]);
  };
  const stop = () => {
    asPg("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]);
  };
  start();
  return {
    port,
    url: (name) => `postgres://postgres@127.0.0.1:${port}/${name}`,
    createDatabase: (name) => void execFileSync("psql", ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-qc", `CREATE DATABASE ${name}`]),
    stop,
    start,
    dispose: () => {
      try {
        stop();
      } catch {
        // already stopped
      }
    },
  };
}

function uidOf(user: string): number {
  return Number(execFileSync("id", ["-u", user], { encoding: "utf8" }).trim());
}

export interface FaultProxy {
  /** Every open connection is reset and new ones are reset at once, until `restore()`. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

/** A TCP proxy on 127.0.0.1:`listenPort` to 127.0.0.1:`targetPort`. */
export async function faultProxy(listenPort: number, targetPort: number): Promise<FaultProxy> {
  let cut = false;
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    if (cut) return void client.resetAndDestroy();
    const upstream = connect(targetPort, "127.0.0.1");
    open.add(client);
    open.add(upstream);
    const end = () => {
      open.delete(client);
      open.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(listenPort, "127.0.0.1", resolve));
  return {
    cut() {
      cut = true;
      for (const s of open) s.resetAndDestroy();
      open.clear();
    },
    restore() {
      cut = false;
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
