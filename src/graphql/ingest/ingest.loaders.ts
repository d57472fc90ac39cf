import { and, asc, desc, eq, inArray, type SQL, sql } from "drizzle-orm";
import { wasMissed } from "../../../ingest/core/scheduler";
import { type RunRow, streamStatuses } from "../../../ingest/core/status";
import type { SourceDefinition, StreamDefinition } from "../../../ingest/core/types";
import { sources } from "../../../ingest/registry";
import { ingestResourceEvents, ingestRuns } from "../../../schema/ingest";
import { datasets } from "../../../schema/partner";
import { type GraphQLContext, manyLoader, oneLoader } from "../context";
import { keyedStatement, pageOfTable } from "../links";
import type { PageArgs } from "../pagination";
import { datasetsVisibleTo, mayReadRunDetails } from "../scope";
import type { IngestStream } from "./ingest.type";

/** A run is late if its due time passed more than this long ago without a success. */
const GRACE_MS = 60 * 60 * 1000;

export type { RunRow };

export function registeredSources(): SourceDefinition[] {
  return sources;
}

/** The codes of the datasets the caller may see, read once per request; null means every one. */
function visibleDatasetCodes(ctx: GraphQLContext): Promise<Set<string> | null> {
  const condition = datasetsVisibleTo(ctx);
  if (!condition) return Promise.resolve(null);
  return oneLoader<string, Set<string>>(
    ctx,
    "ingest.visibleDatasets",
    async () => [
      new Set(
        (await ctx.db.select({ code: datasets.code }).from(datasets).where(condition)).map((d) => d.code),
      ),
    ],
    () => "all",
  )
    .load("all")
    .then((codes) => codes ?? new Set());
}

/**
 * Freshness of the registered streams the caller may see (those of datasets visible to it). The first key of a request
 * reads them all in one statement (there are a few dozen), and the loader's cache answers the rest.
 */
export const streamFreshness = (ctx: GraphQLContext) =>
  oneLoader<string, IngestStream>(
    ctx,
    "ingest.streams",
    async () => {
      const dueBefore = new Date(Date.now() - GRACE_MS);
      // Side by side: neither needs the other, and each is a round trip.
      const [visible, all] = await Promise.all([
        visibleDatasetCodes(ctx),
        streamStatuses(ctx.db, registeredSources()),
      ]);
      const statuses = all.filter((s) => !visible || visible.has(s.datasetCode));
      return statuses.map((s) => ({
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
        lastRun: s.lastRun,
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

/**
 * The ids of the streams whose runs the caller may read, null meaning every run (those of streams no
 * longer registered, and of partner submissions, included).
 */
async function readableStreamIds(ctx: GraphQLContext): Promise<string[] | null> {
  if (mayReadRunDetails(ctx)) return null;
  const ids = sources.flatMap((source) => source.streams.map((s) => s.id));
  return (await streamFreshness(ctx).loadMany(ids)).flatMap((s) =>
    s !== null && !(s instanceof Error) ? [s.id] : [],
  );
}

export async function pageRuns(ctx: GraphQLContext, f: RunFilter, page: PageArgs) {
  const where: SQL[] = [];
  const readable = await readableStreamIds(ctx);
  if (readable) where.push(readable.length ? inArray(ingestRuns.streamId, readable) : sql`false`);
  if (f.sourceId) where.push(eq(ingestRuns.sourceId, f.sourceId));
  if (f.streamIds) where.push(inArray(ingestRuns.streamId, f.streamIds));
  if (f.status) where.push(eq(ingestRuns.status, f.status));
  return pageOfTable(ctx, ingestRuns, and(...where), [desc(ingestRuns.startedAt), desc(ingestRuns.id)], page);
}

/**
 * The latest `perStream` runs of many streams, newest first, in one statement: for each stream, the
 * first `perStream` entries of the (stream_id, started_at) index. Numbering every run of the streams
 * and keeping the first read the whole run log, which grows by every run of every stream: 13 ms a
 * request for a year of daily runs.
 */
export const runsOfStream = (ctx: GraphQLContext, perStream: number) =>
  manyLoader<string, RunRow>(
    ctx,
    `ingest.runsOfStream.${perStream}`,
    async (streamIds) => {
      const statement = keyedStatement(ctx.db, `ingest.runsOfStream.${perStream}`, () =>
        ctx.db
          .select()
          .from(ingestRuns)
          .where(
            sql`${ingestRuns.id} in (
              select unnest(array(select x.id from ingest_runs x where x.stream_id = k.stream_id
                order by x.started_at desc, x.id desc limit ${sql.raw(String(Math.trunc(perStream)))}))
              from unnest(${sql.placeholder("keys")}::text[]) as k(stream_id))`,
          )
          .orderBy(asc(ingestRuns.streamId), desc(ingestRuns.startedAt), desc(ingestRuns.id)),
      );
      return (await statement.execute({ keys: streamIds })) as RunRow[];
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
