// The live inbox's ears: one connection per replica LISTENs on `silta_inbox`, where PostgreSQL
// announces each in-app item created (the migration's trigger) and each one read (markRead), when
// their transactions commit, whichever replica wrote them. Each announcement goes to the streams
// this replica holds for that person. The connection is opened with the first subscriber; when it
// is lost, every subscriber is told to resync (changes may have been missed) and it is opened again.
import type { Logger } from "@silta/platform";
import type { Pool, PoolClient } from "@silta/postgres";
import type { InboxChange, InboxFeed } from "../app/ports.ts";
import { INBOX_CHANNEL } from "./notification-store.ts";

type Listener = (change: InboxChange | "resync") => void;

export class PgInboxFeed implements InboxFeed {
  readonly #pool: Pool;
  readonly #logger: Logger;
  readonly #listeners = new Map<string, Set<Listener>>();
  #client: Promise<PoolClient> | undefined;
  #stopped = false;

  constructor(pool: Pool, logger: Logger) {
    this.#pool = pool;
    this.#logger = logger;
  }

  async subscribe(organisationId: string, personRef: string, on: Listener) {
    const key = JSON.stringify([organisationId, personRef]);
    const set = this.#listeners.get(key) ?? new Set();
    set.add(on);
    this.#listeners.set(key, set);
    try {
      await this.#listen();
    } catch (e) {
      set.delete(on);
      throw e;
    }
    return () => {
      set.delete(on);
      if (set.size === 0) this.#listeners.delete(key);
    };
  }

  /** Releases the connection (the service is stopping). */
  stop() {
    this.#stopped = true;
    const c = this.#client;
    this.#client = undefined;
    void c?.then((x) => x.release(true)).catch(() => {});
  }

  #listen(): Promise<PoolClient> {
    if (this.#stopped) return Promise.reject(new Error("the inbox feed is stopped"));
    if (this.#client) return this.#client;
    const connecting = (async () => {
      const client = await this.#pool.connect();
      client.on("notification", (n) => {
        if (n.channel !== INBOX_CHANNEL || !n.payload) return;
        let m: { o?: string; p?: string; i?: string; r?: string };
        try {
          m = JSON.parse(n.payload);
        } catch {
          return;
        }
        if (!m.o || !m.p) return;
        const change: InboxChange = m.i ? { organisationId: m.o, personRef: m.p, created: m.i } : { organisationId: m.o, personRef: m.p, read: m.r ?? "" };
        for (const on of this.#listeners.get(JSON.stringify([m.o, m.p])) ?? []) on(change);
      });
      client.on("error", (e) => {
        this.#logger.warn({ err: e.message }, "the inbox feed's connection failed; listening again");
        this.#lost(client);
      });
      // Closed by the server (a restart): the same as failing.
      client.on("end", () => this.#lost(client));
      try {
        await client.query(`LISTEN ${INBOX_CHANNEL}`);
      } catch (e) {
        client.release(true);
        throw e;
      }
      return client;
    })();
    this.#client = connecting;
    connecting.catch(() => {
      if (this.#client === connecting) this.#client = undefined;
    });
    return connecting;
  }

  #lost(client: PoolClient) {
    // Once per connection: an error and its end both come here.
    const current = this.#client;
    void current?.then((c) => {
      if (c !== client || this.#client !== current) return;
      this.#client = undefined;
      client.release(true);
      if (this.#stopped) return;
      // Listen again, then tell every stream to read what it may have missed.
      const retry = (delay: number) =>
        setTimeout(() => {
          if (this.#stopped || this.#listeners.size === 0) return;
          this.#listen().then(
            () => {
              for (const set of this.#listeners.values()) for (const on of set) on("resync");
            },
            () => retry(Math.min(delay * 2, 10_000)),
          );
        }, delay).unref();
      retry(200);
    });
  }
}
