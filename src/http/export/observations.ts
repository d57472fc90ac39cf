/**
 * The flat observations export (`/export/observations.csv`): one row per value with stable columns
 * named after SDMX-CSV's concepts (REF_AREA, TIME_PERIOD, OBS_VALUE, UNIT_MULT, OBS_STATUS…), read
 * from the database in batches (src/db/stream.ts) so memory stays flat whatever the size. The series
 * are selected by the same filter as GraphQL's, the caller's visibility included (seriesCondition).
 */
import "reflect-metadata"; // the GraphQL filter types it reuses are type-graphql classes
import { type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { territoryLevels } from "../../../schema/territory";
import { streamRows } from "../../db/stream";
import { BadUserInputError } from "../../errors";
import type { GraphQLContext } from "../../graphql/context";
import { observationSource, periodOverlap } from "../../graphql/series/observation.sql";
import { parsePeriodArgs, seriesFilterOf } from "../../graphql/series/series.args";
import { seriesCondition } from "../../graphql/series/series.loaders";

/** The columns, in order: the file's contract with the tools that read it (add, never rename). */
export const OBSERVATION_COLUMNS = [
  "INDICATOR",
  "INDICATOR_NAME",
  "MEASURE",
  "BREAKDOWN",
  "FILIERE",
  "REF_AREA",
  "REF_AREA_NAME",
  "REF_AREA_LEVEL",
  "FREQ",
  "TIME_PERIOD",
  "TIME_PERIOD_START",
  "TIME_PERIOD_END",
  "OBS_VALUE",
  "UNIT_MEASURE",
  "UNIT_MULT",
  "OBS_STATUS",
  "DATASET",
  "SOURCE_URL",
  "RETRIEVED_AT",
] as const;

const list = z
  .string()
  .transform((s) => {
    const codes = s
      .split(",")
      .map((c) => c.trim())
      .filter(Boolean);
    return codes.length ? codes : undefined;
  })
  .optional();
const one = z.string().trim().min(1).optional();

/** The query parameters of the export, checked once here. */
export const exportParams = z.object({
  indicator: list,
  territory: list,
  memberOf: one,
  level: z.enum(territoryLevels).optional(),
  filiere: one,
  measure: one,
  from: one,
  to: one,
  asOf: one,
});
export type ExportParams = z.infer<typeof exportParams>;

export function parseExportParams(query: unknown): ExportParams {
  const parsed = exportParams.safeParse(query);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BadUserInputError(`${issue.path.join(".") || "query"}: ${issue.message}`, {
      argument: String(issue.path[0] ?? ""),
    });
  }
  return parsed.data;
}

interface Row {
  series_id: number;
  period: string;
  indicator_code: string;
  indicator_name: string;
  measure: string;
  breakdown_key: string;
  filiere_code: string | null;
  territory_code: string;
  territory_name: string;
  territory_level: string;
  frequency: string;
  period_start: string;
  period_end: string;
  value: number | null;
  unit: string;
  unit_mult: number;
  obs_status: string;
  dataset_code: string | null;
  source_url: string | null;
  retrieved_at: Date | string | null;
}

const cells = (r: Row): unknown[] => [
  r.indicator_code,
  r.indicator_name,
  r.measure,
  r.breakdown_key,
  r.filiere_code,
  r.territory_code,
  r.territory_name,
  r.territory_level,
  r.frequency,
  r.period,
  r.period_start,
  r.period_end,
  r.value,
  r.unit,
  r.unit_mult,
  r.obs_status,
  r.dataset_code,
  r.source_url,
  r.retrieved_at === null ? null : new Date(r.retrieved_at),
];

/**
 * Checks the parameters (unknown codes are NOT_FOUND, bad periods INVALID_PERIOD, as in GraphQL) and
 * returns the rows as batches of cell arrays in OBSERVATION_COLUMNS order, by series then period.
 */
export async function observationExport(
  ctx: GraphQLContext,
  params: ExportParams,
  options: { batch?: number } = {},
): Promise<AsyncGenerator<unknown[][]>> {
  const filter = await seriesFilterOf(ctx, {
    indicators: params.indicator,
    territories: params.territory,
    memberOf: params.memberOf,
    filiere: params.filiere,
    measure: params.measure,
  });
  const { from, to, asOf } = parsePeriodArgs(params);
  const where = seriesCondition(ctx, { ...filter, territoryLevel: params.level });
  const source = observationSource(where, asOf);
  const query = (after: { seriesId: number; period: string } | undefined, limit: number | undefined): SQL =>
    sql`select src.series_id, src.period, s.indicator_code, i.name_fr as indicator_name, s.measure, s.breakdown_key,
        s.filiere_code, s.territory_code, t.name as territory_name, t.level as territory_level, s.frequency,
        src.period_start::text as period_start, src.period_end::text as period_end, src.value, s.unit, s.unit_mult,
        src.obs_status, s.dataset_code, src.source_url, src.retrieved_at
      from (${source}) src join series s on s.id = src.series_id join indicators i on i.code = s.indicator_code
        join territories t on t.code = s.territory_code
      where ${periodOverlap("src", from, to)}
        ${after ? sql`and (src.series_id, src.period) > (${after.seriesId}::int, ${after.period}::text)` : sql``}
      order by src.series_id, src.period ${limit !== undefined ? sql`limit ${limit}` : sql``}`;
  const batches = streamRows<Row, { seriesId: number; period: string }>(ctx.db, {
    query,
    keyOf: (r) => ({ seriesId: Number(r.series_id), period: r.period }),
    batch: options.batch,
  });
  return (async function* () {
    for await (const batch of batches) yield batch.map(cells);
  })();
}
