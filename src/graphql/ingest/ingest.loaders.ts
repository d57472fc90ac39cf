import { and, asc, desc, eq, getTableColumns, inArray, lte, type SQL, sql } from "drizzle-orm";
import { wasMissed } from "../../../ingest/core/scheduler";
import { streamStatuses } from "../../../ingest/core/status";
import type { SourceDefinition, StreamDefinition } from "../../../ingest/core/types";
import { sources } from "../../../ingest/registry";
import { ingestResourceEvents, ingestRuns } from "../../../schema/ingest";
import { type GraphQLContext, manyLoader, oneLoader } from "../context";
import { pageOfTable } from "../links";
import type { PageArgs } from "../pagination";
import type { IngestStream } from "./ingest.type";

/** A run is late if its due time passed more than this long ago without a success. */
const GRACE_MS = 60 * 60 * 1000;

export type RunRow = typeof ingestRuns.$inferSelect;

export function registeredSources(): SourceDefinition[] {
  return sources;
}

/**
 * Freshness of every registered stream. The first key of a request reads them all in one statement
 * (there are a few dozen), and the loader's cache answers the rest.
 */
export const streamFreshness = (ctx: GraphQLContext) =>
  oneLoader<string, IngestStream>(
    ctx,
    "ingest.streams",
    async () => {
      const dueBefore = new Date(Date.now() - GRACE_MS);
      return (await streamStatuses(ctx.db, registeredSources())).map((s) => ({
        id: s.streamId,
        sourceId: s.sourceId,
        description: s.description,
        schedule: s.schedule,
        indicatorCodes: s.indicators,
        datasetCode: s.datasetCode,
        lastSuccessAt: s.lastSuccessAt,
        lastFailureAt: s.lastFailureAt,
        lastError: s.lastError,
        nextAttemptAt: s.nextAttemptAt,
        stale: wasMissed(s.schedule, s.lastSuccessAt, dueBefore),
      }));
    },
    (s) => s.id,
  );

/** The registered streams that `keep` selects, with their freshness. */
export async function streamsWhere(
  ctx: GraphQLContext,
  keep: (source: SourceDefinition, stream: StreamDefinition) => boolean,
): Promise<IngestStream[]> {
  const ids = sources.flatMap((source) => source.streams.filter((s) => keep(source, s)).map((s) => s.id));
  return (await streamFreshness(ctx).loadMany(ids)).filter(
    (s): s is IngestStream => s !== null && !(s instanceof Error),
  );
}

export interface RunFilter {
  sourceId?: string;
  streamIds?: string[];
  status?: RunRow["status"];
}

export function pageRuns(ctx: GraphQLContext, f: RunFilter, page: PageArgs) {
  const where: SQL[] = [];
  if (f.sourceId) where.push(eq(ingestRuns.sourceId, f.sourceId));
  if (f.streamIds) where.push(inArray(ingestRuns.streamId, f.streamIds));
  if (f.status) where.push(eq(ingestRuns.status, f.status));
  return pageOfTable(ctx, ingestRuns, and(...where), [desc(ingestRuns.startedAt), desc(ingestRuns.id)], page);
}

/** The latest `perStream` runs of many streams, newest first, in one statement. */
export const runsOfStream = (ctx: GraphQLContext, perStream: number) =>
  manyLoader<string, RunRow>(
    ctx,
    `ingest.runsOfStream.${perStream}`,
    async (streamIds) => {
      const ranked = ctx.db
        .select({
          ...getTableColumns(ingestRuns),
          rank: sql<number>`row_number() over (partition by ${ingestRuns.streamId} order by ${ingestRuns.startedAt} desc, ${ingestRuns.id} desc)`.as(
            "rank",
          ),
        })
        .from(ingestRuns)
        .where(inArray(ingestRuns.streamId, streamIds))
        .as("ranked");
      const rows = await ctx.db
        .select()
        .from(ranked)
        .where(lte(ranked.rank, perStream))
        .orderBy(asc(ranked.streamId), asc(ranked.rank));
      return rows.map(({ rank: _rank, ...run }) => run);
    },
    (r) => r.streamId,
  );

export const resourcesOfRun = (ctx: GraphQLContext) =>
  manyLoader(
    ctx,
    "ingest.resourcesOfRun",
    (runIds: number[]) =>
      ctx.db
        .select()
        .from(ingestResourceEvents)
        .where(inArray(ingestResourceEvents.runId, runIds))
        .orderBy(ingestResourceEvents.id),
    (r) => r.runId,
  );
