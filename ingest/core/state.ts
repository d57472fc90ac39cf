/**
 * Per-stream and per-resource state: the lease that keeps two runners (or two hub instances) off the
 * same stream, the cursor saved on success, the retry schedule after a failure, the derive still owed
 * after a load, and the hash of the last payload loaded (or held) per resource.
 *
 * The lease is a row lock taken by one conditional upsert rather than a PostgreSQL advisory lock:
 * advisory locks belong to a session, and postgres.js hands statements to pooled connections, so a
 * lock taken on one connection could be released on another. A row works the same on PGlite. Its TTL is
 * short and a heartbeat renews it while the run lives, so a crashed process blocks its stream for one
 * TTL, not for as long as a run may take.
 */
import { sql } from "drizzle-orm";
import type { RunStatus } from "../../schema/ingest";
import { type Db, selectRows } from "../../src/db/client";

export type LeaseOutcome =
  | { acquired: true; interruptedRuns: number }
  | { acquired: false; holder: string; until: Date };

const toDate = (v: string | Date) => (v instanceof Date ? v : new Date(v));

/**
 * Takes the stream's lease when it is free or expired. The taker then closes, as `interrupted`, the
 * runs the previous holder left `running`: holding the lease, no other process can still be running them.
 */
export async function acquireLease(
  db: Db,
  streamId: string,
  sourceId: string,
  owner: string,
  ttlMs: number,
): Promise<LeaseOutcome> {
  const rows = await selectRows<{ stream_id: string }>(
    db,
    sql`insert into stream_state (stream_id, source_id, lease_owner, lease_expires_at)
        values (${streamId}, ${sourceId}, ${owner}, now() + ${`${ttlMs} milliseconds`}::interval)
        on conflict (stream_id) do update
          set lease_owner = excluded.lease_owner, lease_expires_at = excluded.lease_expires_at, updated_at = now()
          where stream_state.lease_owner is null or stream_state.lease_expires_at < now()
        returning stream_id`,
  );
  if (rows.length === 1) {
    const closed = await selectRows<{ id: number }>(
      db,
      sql`update ingest_runs set status = 'interrupted', finished_at = now(),
            duration_ms = (extract(epoch from now() - started_at) * 1000)::int,
            error = coalesce(error, 'interrupted: the process running it (' || coalesce(instance, '?')
              || ') stopped without finishing it; its lease expired')
          where stream_id = ${streamId} and status = 'running'
          returning id`,
    );
    return { acquired: true, interruptedRuns: closed.length };
  }
  const [holder] = await selectRows<{ lease_owner: string | null; lease_expires_at: string | Date | null }>(
    db,
    sql`select lease_owner, lease_expires_at from stream_state where stream_id = ${streamId}`,
  );
  return {
    acquired: false,
    holder: holder?.lease_owner ?? "another process",
    until: holder?.lease_expires_at ? toDate(holder.lease_expires_at) : new Date(),
  };
}

/** What a caller saw of a stream when it found the stream owed a run. */
export interface FoundDue {
  /** The id of the stream's last run then (0: it had none). */
  lastRunId: number;
  /** The database's clock then. */
  at: Date;
}

/**
 * The instance that ran the stream since `seen`, if one did: a caller that found the stream owed a run
 * may find, once it holds the lease, that another process did the work in between (two instances
 * catching up or retrying at once). A run counts when it started after the last one seen, or when it
 * finished after the caller looked: the last run seen may itself have been running on the other instance.
 * An interrupted run did not do the work, and taking the lease closes a crashed holder's run as one.
 */
export async function ranSince(db: Db, streamId: string, seen: FoundDue): Promise<string | null> {
  const [run] = await selectRows<{ instance: string | null }>(
    db,
    sql`select instance from ingest_runs where stream_id = ${streamId} and status <> 'interrupted'
          and (id > ${seen.lastRunId} or finished_at >= ${seen.at.toISOString()}::timestamptz)
        order by id desc limit 1`,
  );
  return run ? (run.instance ?? "another process") : null;
}

export interface LastRuns {
  /** The database's clock when they were read. */
  at: Date;
  lastRunId: Map<string, number>;
  lastStartedAt: Map<string, Date>;
}

/** Each stream's last run (its id, when it started), and the database's clock, in one read. */
export async function lastRuns(db: Db): Promise<LastRuns> {
  const rows = await selectRows<{
    stream_id: string | null;
    id: number | string | null;
    started_at: string | Date | null;
    at: string | Date;
  }>(
    db,
    sql`select r.stream_id, max(r.id) as id, max(r.started_at) as started_at, now() as at
        from (select 1) one left join ingest_runs r on true group by r.stream_id`,
  );
  const runs = rows.filter((r) => r.stream_id !== null);
  return {
    at: toDate(rows[0]?.at ?? new Date()),
    lastRunId: new Map(runs.map((r) => [r.stream_id as string, Number(r.id)])),
    lastStartedAt: new Map(runs.map((r) => [r.stream_id as string, toDate(r.started_at ?? new Date())])),
  };
}

/** Lets go of a lease this owner took and will not use. */
export async function releaseLease(db: Db, streamId: string, owner: string): Promise<void> {
  await db.execute(
    sql`update stream_state set lease_owner = null, lease_expires_at = null, updated_at = now()
        where stream_id = ${streamId} and lease_owner = ${owner}`,
  );
}

/** Pushes the lease forward while a run lives; false when this owner no longer holds it. */
export async function renewLease(db: Db, streamId: string, owner: string, ttlMs: number): Promise<boolean> {
  const rows = await selectRows<{ stream_id: string }>(
    db,
    sql`update stream_state set lease_expires_at = now() + ${`${ttlMs} milliseconds`}::interval
        where stream_id = ${streamId} and lease_owner = ${owner}
        returning stream_id`,
  );
  return rows.length === 1;
}

export interface StreamStateRow {
  cursor: Record<string, unknown>;
  consecutiveFailures: number;
  derivePending: boolean;
}

export async function readStreamState(db: Db, streamId: string): Promise<StreamStateRow> {
  const [row] = await selectRows<{
    cursor: Record<string, unknown> | string;
    consecutive_failures: number | string;
    derive_pending: boolean;
  }>(
    db,
    sql`select cursor, consecutive_failures, derive_pending from stream_state where stream_id = ${streamId}`,
  );
  if (!row) return { cursor: {}, consecutiveFailures: 0, derivePending: false };
  return {
    cursor: typeof row.cursor === "string" ? (JSON.parse(row.cursor) as Record<string, unknown>) : row.cursor,
    consecutiveFailures: Number(row.consecutive_failures),
    derivePending: row.derive_pending === true,
  };
}

export async function readCursor(db: Db, streamId: string): Promise<Record<string, unknown>> {
  return (await readStreamState(db, streamId)).cursor;
}

/** Called in the transaction of a load that changed rows: the stream's derive is owed until it runs. */
export async function markDerivePending(db: Db, streamId: string): Promise<void> {
  await db.execute(sql`update stream_state set derive_pending = true where stream_id = ${streamId}`);
}

/** Called in the transaction of the derive itself, so the flag clears only with a derive that committed. */
export async function clearDerivePending(db: Db, streamId: string): Promise<void> {
  await db.execute(sql`update stream_state set derive_pending = false where stream_id = ${streamId}`);
}

/** How a run ended, for the stream's state. */
export interface StreamOutcome {
  runId: number;
  status: RunStatus;
  error: string | null;
  cursor: Record<string, unknown> | null;
  /** When to try again (failed, partial, interrupted); null to wait for the schedule. */
  nextAttemptAt: Date | null;
}

const SUCCEEDED: readonly RunStatus[] = ["success", "unchanged"];
/** Outcomes that say nothing about the source's health: neither a success nor a failure. */
const NEUTRAL: readonly RunStatus[] = ["not_configured", "skipped"];

/**
 * Records how the run ended and lets go of the lease. The cursor moves only on success; a failure
 * counts toward the retry backoff, a success resets it.
 */
export async function finishStream(
  db: Db,
  streamId: string,
  owner: string,
  outcome: StreamOutcome,
): Promise<void> {
  const succeeded = SUCCEEDED.includes(outcome.status);
  const neutral = NEUTRAL.includes(outcome.status);
  const cursor = succeeded && outcome.cursor ? JSON.stringify(outcome.cursor) : "{}";
  const nextAttemptAt = outcome.nextAttemptAt?.toISOString() ?? null;
  await db.execute(
    sql`update stream_state set
          cursor = cursor || ${cursor}::jsonb,
          last_run_id = ${outcome.runId},
          last_success_at = case when ${succeeded} then now() else last_success_at end,
          last_failure_at = case when ${succeeded} or ${neutral} then last_failure_at else now() end,
          last_error = case when ${succeeded} then null else ${outcome.error} end,
          consecutive_failures = case when ${succeeded} or ${neutral} then 0 else consecutive_failures + 1 end,
          next_attempt_at = ${nextAttemptAt}::timestamptz,
          lease_owner = null, lease_expires_at = null, updated_at = now()
        where stream_id = ${streamId} and lease_owner = ${owner}`,
  );
}

export interface ResourceStateRow {
  lastSha256: string | null;
  heldRawPayloadId: number | null;
  heldReason: string | null;
}

export async function readResourceState(
  db: Db,
  streamId: string,
  resourceKey: string,
): Promise<ResourceStateRow> {
  const [row] = await selectRows<{
    last_sha256: string | null;
    held_raw_payload_id: number | string | null;
    held_reason: string | null;
  }>(
    db,
    sql`select last_sha256, held_raw_payload_id, held_reason from resource_state
        where stream_id = ${streamId} and resource_key = ${resourceKey}`,
  );
  return {
    lastSha256: row?.last_sha256 ?? null,
    heldRawPayloadId: row?.held_raw_payload_id == null ? null : Number(row.held_raw_payload_id),
    heldReason: row?.held_reason ?? null,
  };
}

export async function lastPayloadHash(db: Db, streamId: string, resourceKey: string): Promise<string | null> {
  return (await readResourceState(db, streamId, resourceKey)).lastSha256;
}

/** A loaded payload: its hash is the one an unchanged payload is compared with; any hold is over. */
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
          last_raw_payload_id = excluded.last_raw_payload_id, last_success_at = excluded.last_success_at,
          held_raw_payload_id = null, held_reason = null`,
  );
}

/** A payload held for review: kept in the raw archive, its values not applied until accepted. */
export async function holdPayload(
  db: Db,
  streamId: string,
  resourceKey: string,
  rawPayloadId: number,
  reason: string,
): Promise<void> {
  await db.execute(
    sql`insert into resource_state (stream_id, resource_key, held_raw_payload_id, held_reason)
        values (${streamId}, ${resourceKey}, ${rawPayloadId}, ${reason})
        on conflict (stream_id, resource_key) do update set
          held_raw_payload_id = excluded.held_raw_payload_id, held_reason = excluded.held_reason`,
  );
}

/** Streams the scheduler should run now: a retry fell due, or a crashed holder's lease expired. */
export async function streamsDueForRetry(db: Db, now: Date = new Date()): Promise<string[]> {
  const rows = await selectRows<{ stream_id: string }>(
    db,
    sql`select stream_id from stream_state
        where (lease_owner is null and next_attempt_at is not null and next_attempt_at <= ${now.toISOString()}::timestamptz)
           or (lease_owner is not null and lease_expires_at < ${now.toISOString()}::timestamptz)
        order by stream_id`,
  );
  return rows.map((r) => r.stream_id);
}

/**
 * Streams whose last run failed or was interrupted: the next start tries them at once. Only what
 * happened before `startedAt` (this process's start) counts, unless the retry fell due anyway: a run
 * another instance is doing, or a failure it had while this one was starting, is that instance's to
 * retry on its backoff, not this one's to repeat at once.
 */
export async function streamsOwingARetry(db: Db, startedAt: Date): Promise<string[]> {
  const before = startedAt.toISOString();
  const rows = await selectRows<{ stream_id: string }>(
    db,
    sql`select s.stream_id from stream_state s
        where (s.next_attempt_at is not null
               and (s.next_attempt_at <= now()
                    or not exists (select 1 from ingest_runs r
                                   where r.stream_id = s.stream_id and r.started_at >= ${before}::timestamptz)))
           or exists (select 1 from ingest_runs r where r.stream_id = s.stream_id and r.status = 'running'
                      and r.started_at < ${before}::timestamptz)
        order by s.stream_id`,
  );
  return rows.map((r) => r.stream_id);
}
