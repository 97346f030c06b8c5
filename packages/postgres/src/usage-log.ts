// The usage log (käyttöloki, AsiakastietoL 703/2023) in the service's own database: one entry
// per record whose content a person read, written before the content is answered (a read that
// is not logged is never given). Append-only (the migration's trigger refuses edits). Served by
// the gRPC kit's UsageLogService.
import { randomUUID } from "node:crypto";
import type { UsageEntry, UsageLog, UsageRead } from "@silta/platform";
import type { Pool, PoolClient } from "./pool.ts";

export class PgUsageLog implements UsageLog {
  private readonly pool: Pool;
  constructor(pool: Pool) {
    this.pool = pool;
  }

  /** Appends the reads in one statement. */
  async record(reads: UsageRead[], q: Pool | PoolClient = this.pool): Promise<void> {
    if (reads.length === 0) return;
    const col = <K extends keyof UsageRead>(k: K) => reads.map((r) => r[k]);
    await q.query({
      name: "silta-usage-log-insert",
      text: `INSERT INTO silta_usage_log (usage_id, actor_user, actor_organisation, actor_signer, record_kind, record_id, subject_pseudonym, area_code, route)
             SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])`,
      values: [
        reads.map(() => randomUUID()),
        col("actorUser"),
        col("actorOrganisation"),
        col("actorSigner"),
        col("recordKind"),
        col("recordId"),
        col("subjectPseudonym"),
        col("areaCode"),
        col("route"),
      ],
    });
  }

  /** One child's entries since `since` in the given areas, oldest first. */
  async list(subjectPseudonym: string, since: Date, areaCodes: readonly string[]): Promise<UsageEntry[]> {
    const r = await this.pool.query(
      "SELECT * FROM silta_usage_log WHERE subject_pseudonym = $1 AND at >= $2 AND area_code = ANY($3::text[]) ORDER BY at, id LIMIT 10000",
      [subjectPseudonym, since, areaCodes],
    );
    return r.rows.map((x) => ({
      usageId: x.usage_id,
      at: x.at,
      actorUser: x.actor_user,
      actorOrganisation: x.actor_organisation,
      actorSigner: x.actor_signer,
      recordKind: x.record_kind,
      recordId: x.record_id,
      subjectPseudonym: x.subject_pseudonym,
      areaCode: x.area_code,
      route: x.route,
    }));
  }
}
