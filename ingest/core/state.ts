/**
 * Per-stream and per-resource state: the lease that keeps two runners (or two hub instances) off the
 * same stream, the cursor saved on success, and the hash of the last payload loaded per resource.
 *
 * The lease is a row lock taken by one conditional upsert rather than a PostgreSQL advisory lock:
 * advisory locks belong to a session, and postgres.js hands statements to pooled connections, so a
 * lock taken on one connection could be released on another. A row works the same on PGlite.
 */
import { sql } from "drizzle-orm";
import { type Db, selectRows } from "../../src/db/client";

export async function acquireLease(
  db: Db,
  streamId: string,
  sourceId: string,
  owner: string,
  ttlMs: number,
): Promise<boolean> {
  const rows = await selectRows<{ stream_id: string }>(
    db,
    sql`insert into stream_state (stream_id, source_id, lease_owner, lease_expires_at)
        values (${streamId}, ${sourceId}, ${owner}, now() + ${`${ttlMs} milliseconds`}::interval)
        on conflict (stream_id) do update
          set lease_owner = excluded.lease_owner, lease_expires_at = excluded.lease_expires_at, updated_at = now()
          where stream_state.lease_owner is null or stream_state.lease_expires_at < now()
        returning stream_id`,
  );
  return rows.length === 1;
}

/** Pushes the lease forward while a long run progresses, so it does not expire under it. */
export async function renewLease(db: Db, streamId: string, owner: string, ttlMs: number): Promise<void> {
  await db.execute(
    sql`update stream_state set lease_expires_at = now() + ${`${ttlMs} milliseconds`}::interval
        where stream_id = ${streamId} and lease_owner = ${owner}`,
  );
}

export async function readCursor(db: Db, streamId: string): Promise<Record<string, unknown>> {
  const [row] = await selectRows<{ cursor: Record<string, unknown> | string }>(
    db,
    sql`select cursor from stream_state where stream_id = ${streamId}`,
  );
  if (!row) return {};
  return typeof row.cursor === "string" ? (JSON.parse(row.cursor) as Record<string, unknown>) : row.cursor;
}

/** Records how the run ended and lets go of the lease; the cursor moves only on success. */
export async function finishStream(
  db: Db,
  streamId: string,
  owner: string,
  outcome: {
    runId: number;
    succeeded: boolean;
    error: string | null;
    cursor: Record<string, unknown> | null;
  },
): Promise<void> {
  const cursor = outcome.succeeded && outcome.cursor ? JSON.stringify(outcome.cursor) : "{}";
  await db.execute(
    sql`update stream_state set
          cursor = cursor || ${cursor}::jsonb,
          last_run_id = ${outcome.runId},
          last_success_at = case when ${outcome.succeeded} then now() else last_success_at end,
          last_failure_at = case when ${outcome.succeeded} then last_failure_at else now() end,
          last_error = case when ${outcome.succeeded} then last_error else ${outcome.error} end,
          lease_owner = null, lease_expires_at = null, updated_at = now()
        where stream_id = ${streamId} and lease_owner = ${owner}`,
  );
}

export async function lastPayloadHash(db: Db, streamId: string, resourceKey: string): Promise<string | null> {
  const [row] = await selectRows<{ last_sha256: string | null }>(
    db,
    sql`select last_sha256 from resource_state where stream_id = ${streamId} and resource_key = ${resourceKey}`,
  );
  return row?.last_sha256 ?? null;
}

export async function saveResourceState(
  db: Db,
  streamId: string,
  resourceKey: string,
  sha256: string,
  rawPayloadId: number,
): Promise<void> {
  await db.execute(
    sql`insert into resource_state (stream_id, resource_key, last_sha256, last_raw_payload_id, last_success_at)
        values (${streamId}, ${resourceKey}, ${sha256}, ${rawPayloadId}, now())
        on conflict (stream_id, resource_key) do update set last_sha256 = excluded.last_sha256,
          last_raw_payload_id = excluded.last_raw_payload_id, last_success_at = excluded.last_success_at`,
  );
}
