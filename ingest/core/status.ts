/**
 * Freshness of every registered stream: its last run, last success and last failure with the reason,
 * when it is tried again after a failure, who holds it now, and which payloads wait for review.
 */
import { and, desc, eq, isNotNull, sql } from "drizzle-orm";
import { ingestRuns, resourceState, streamState } from "../../schema/ingest";
import type { Db } from "../../src/db/client";
import { preparedOnce } from "../../src/db/prepared";
import type { SourceDefinition } from "./types";

export type RunRow = typeof ingestRuns.$inferSelect;
type HeldPayload = { resourceKey: string; rawPayloadId: number; reason: string };
type HeldList = HeldPayload[] | null;

export interface StreamStatus {
  sourceId: string;
  streamId: string;
  description: string;
  datasetCode: string;
  schedule: string;
  indicators: string[];
  /** Its latest run, whole (the API answers `lastRun` from it). */
  lastRun: RunRow | null;
  lastSuccessAt: Date | null;
  lastFailureAt: Date | null;
  lastError: string | null;
  /** When the scheduler retries it after a failure or an interruption; null: on its schedule. */
  nextAttemptAt: Date | null;
  consecutiveFailures: number;
  /** The process running it now, and until when its lease holds without a heartbeat. */
  lease: { owner: string; until: Date } | null;
  /** Resources whose last payload is held for review (`ingest --accept-held`), with why. */
  held: HeldPayload[];
}

export async function streamStatuses(db: Db, sources: SourceDefinition[]): Promise<StreamStatus[]> {
  // One statement: the latest run and the held payloads were two more, a round trip each on every
  // freshness question (the API asks for the latest run beside it; the held list is almost always empty).
  const rows = await preparedOnce(db, "ingest.streamStatuses", (name) => {
    const lastRun = db
      .select()
      .from(ingestRuns)
      .where(eq(ingestRuns.streamId, streamState.streamId))
      .orderBy(desc(ingestRuns.startedAt), desc(ingestRuns.id))
      .limit(1)
      .as("last_run");
    const held = db
      .select({
        list: sql<HeldList>`json_agg(json_build_object('resourceKey', ${resourceState.resourceKey},
            'rawPayloadId', ${resourceState.heldRawPayloadId}, 'reason', coalesce(${resourceState.heldReason}, ''))
            order by ${resourceState.resourceKey})`.as("list"),
      })
      .from(resourceState)
      .where(and(eq(resourceState.streamId, streamState.streamId), isNotNull(resourceState.heldRawPayloadId)))
      .as("held");
    return db
      .select()
      .from(streamState)
      .leftJoinLateral(lastRun, sql`true`)
      .leftJoinLateral(held, sql`true`)
      .prepare(name);
  }).execute();
  const byStream = new Map(rows.map((r) => [r.stream_state.streamId, r]));
  const now = Date.now();
  return sources.flatMap((source) =>
    source.streams.map((stream) => {
      const r = byStream.get(stream.id);
      const state = r?.stream_state;
      return {
        sourceId: source.id,
        streamId: stream.id,
        description: stream.description,
        datasetCode: stream.datasetCode,
        schedule: stream.schedule,
        indicators: stream.indicators,
        lastRun: r?.last_run ?? null,
        lastSuccessAt: state?.lastSuccessAt ?? null,
        lastFailureAt: state?.lastFailureAt ?? null,
        lastError: state?.lastError ?? null,
        nextAttemptAt: state?.nextAttemptAt ?? null,
        consecutiveFailures: state?.consecutiveFailures ?? 0,
        lease:
          state?.leaseOwner && state.leaseExpiresAt && state.leaseExpiresAt.getTime() > now
            ? { owner: state.leaseOwner, until: state.leaseExpiresAt }
            : null,
        held: (r?.held?.list ?? []).map((h) => ({ ...h, rawPayloadId: Number(h.rawPayloadId) })),
      };
    }),
  );
}
