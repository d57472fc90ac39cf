/**
 * Freshness of every registered stream: its last run, last success and last failure with the reason,
 * when it is tried again after a failure, who holds it now, and which payloads wait for review.
 */
import { sql } from "drizzle-orm";
import { type Db, selectRows } from "../../src/db/client";
import type { SourceDefinition } from "./types";

export interface StreamStatus {
  sourceId: string;
  streamId: string;
  description: string;
  datasetCode: string;
  schedule: string;
  indicators: string[];
  lastRun: {
    id: number;
    status: string;
    trigger: string;
    startedAt: Date;
    finishedAt: Date | null;
    rowsInserted: number;
    rowsUpdated: number;
    rowsUnchanged: number;
    error: string | null;
  } | null;
  lastSuccessAt: Date | null;
  lastFailureAt: Date | null;
  lastError: string | null;
  /** When the scheduler retries it after a failure or an interruption; null: on its schedule. */
  nextAttemptAt: Date | null;
  consecutiveFailures: number;
  /** The process running it now, and until when its lease holds without a heartbeat. */
  lease: { owner: string; until: Date } | null;
  /** Resources whose last payload is held for review (`ingest --accept-held`), with why. */
  held: { resourceKey: string; rawPayloadId: number; reason: string }[];
}

interface Row {
  stream_id: string;
  id: number | string | null;
  status: string | null;
  trigger: string | null;
  started_at: string | Date | null;
  finished_at: string | Date | null;
  rows_inserted: number | null;
  rows_updated: number | null;
  rows_unchanged: number | null;
  error: string | null;
  last_success_at: string | Date | null;
  last_failure_at: string | Date | null;
  last_error: string | null;
  next_attempt_at: string | Date | null;
  consecutive_failures: number | string | null;
  lease_owner: string | null;
  lease_expires_at: string | Date | null;
  held: { resourceKey: string; rawPayloadId: number | string; reason: string }[] | null;
}

const toDate = (v: string | Date | null) => (v === null ? null : new Date(v));

export async function streamStatuses(db: Db, sources: SourceDefinition[]): Promise<StreamStatus[]> {
  // One statement: the held payloads were a second one, a round trip on every freshness question for
  // a list that is almost always empty (a stream's resources, on the primary key's prefix).
  const rows = await selectRows<Row>(
    db,
    sql`select s.stream_id, r.id, r.status, r.trigger, r.started_at, r.finished_at, r.rows_inserted,
        r.rows_updated, r.rows_unchanged, r.error, s.last_success_at, s.last_failure_at, s.last_error,
        s.next_attempt_at, s.consecutive_failures, s.lease_owner, s.lease_expires_at,
        (select json_agg(json_build_object('resourceKey', h.resource_key, 'rawPayloadId', h.held_raw_payload_id,
            'reason', coalesce(h.held_reason, '')) order by h.resource_key)
          from resource_state h where h.stream_id = s.stream_id and h.held_raw_payload_id is not null) as held
      from stream_state s
      left join lateral (
        select * from ingest_runs r where r.stream_id = s.stream_id order by r.started_at desc, r.id desc limit 1
      ) r on true`,
  );
  const byStream = new Map(rows.map((r) => [r.stream_id, r]));
  const now = Date.now();
  return sources.flatMap((source) =>
    source.streams.map((stream) => {
      const r = byStream.get(stream.id);
      return {
        sourceId: source.id,
        streamId: stream.id,
        description: stream.description,
        datasetCode: stream.datasetCode,
        schedule: stream.schedule,
        indicators: stream.indicators,
        lastRun:
          r?.id != null && r.started_at !== null
            ? {
                id: Number(r.id),
                status: r.status ?? "running",
                trigger: r.trigger ?? "",
                startedAt: new Date(r.started_at),
                finishedAt: toDate(r.finished_at),
                rowsInserted: r.rows_inserted ?? 0,
                rowsUpdated: r.rows_updated ?? 0,
                rowsUnchanged: r.rows_unchanged ?? 0,
                error: r.error,
              }
            : null,
        lastSuccessAt: toDate(r?.last_success_at ?? null),
        lastFailureAt: toDate(r?.last_failure_at ?? null),
        lastError: r?.last_error ?? null,
        nextAttemptAt: toDate(r?.next_attempt_at ?? null),
        consecutiveFailures: Number(r?.consecutive_failures ?? 0),
        lease:
          r?.lease_owner && r.lease_expires_at && new Date(r.lease_expires_at).getTime() > now
            ? { owner: r.lease_owner, until: new Date(r.lease_expires_at) }
            : null,
        held: (r?.held ?? []).map((h) => ({ ...h, rawPayloadId: Number(h.rawPayloadId) })),
      };
    }),
  );
}
