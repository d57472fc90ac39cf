/**
 * Data access for series and observations. Every statement goes through `visibleSeries(ctx, …)`, which
 * adds the caller's row filter (scope.ts): a partner's slice is one change there, not in resolvers.
 */
import { type SQL, sql } from "drizzle-orm";
import { selectRows } from "../../db/client";
import type { Period } from "../../period";
import { keyValues } from "../common.type";
import { type GraphQLContext, groupedLoader, manyLoader, oneLoader } from "../context";
import { type PageArgs, paginate } from "../pagination";
import { seriesVisibleTo } from "../scope";
import {
  currentObservationsSql,
  type ObservationQuery,
  type ObservationRow,
  type RawRow,
  selectObservations,
  toObservation,
} from "./observation.sql";
import { roundTo } from "./precision";
import type { Frequency, ObservationRevision, Series } from "./series.type";

export type SeriesRow = Omit<Series, "frequency"> & {
  frequency: Frequency;
  breakdownRecord: Record<string, string>;
};

export interface SeriesFilter {
  ids?: number[];
  indicatorCodes?: string[];
  territoryCodes?: string[];
  territoryLevel?: string;
  /** Territories linked to this one as members or subdivisions. */
  memberOf?: string;
  measure?: string;
  filiereCode?: string;
  nafCode?: string;
  datasetCode?: string;
  frequency?: Frequency;
  derived?: boolean;
  /** Exact breakdown: `{}` is the total; absent means any breakdown. */
  breakdown?: Record<string, string>;
  /** Breakdown dimensions that must be present (any code), on top of `breakdown`'s. */
  breakdownDimensions?: string[];
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The condition on `s` (the series table) for a filter, with the caller's scope applied. */
export function seriesCondition(ctx: GraphQLContext, f: SeriesFilter): SQL {
  const parts: SQL[] = [sql`true`];
  const scope = seriesVisibleTo(ctx);
  if (scope) parts.push(scope);
  if (f.ids) parts.push(sql`s.id = ${anyOf(f.ids, "int")}`);
  if (f.indicatorCodes) parts.push(sql`s.indicator_code = ${anyOf(f.indicatorCodes, "text")}`);
  if (f.territoryCodes) parts.push(sql`s.territory_code = ${anyOf(f.territoryCodes, "text")}`);
  if (f.territoryLevel)
    parts.push(sql`s.territory_code in (select code from territories where level = ${f.territoryLevel})`);
  if (f.memberOf)
    parts.push(
      sql`s.territory_code in (select child_code from territory_links where parent_code = ${f.memberOf})`,
    );
  if (f.measure) parts.push(sql`s.measure = ${f.measure}`);
  if (f.filiereCode) parts.push(sql`s.filiere_code = ${f.filiereCode}`);
  if (f.nafCode) parts.push(sql`s.naf_code = ${f.nafCode}`);
  if (f.datasetCode) parts.push(sql`s.dataset_code = ${f.datasetCode}`);
  if (f.frequency) parts.push(sql`s.frequency = ${f.frequency}`);
  if (f.derived !== undefined) parts.push(sql`s.derived = ${f.derived}`);
  if (f.breakdown || f.breakdownDimensions) {
    const given = f.breakdown ?? {};
    const dims = [...new Set([...Object.keys(given), ...(f.breakdownDimensions ?? [])])].sort();
    const pattern = dims
      .map((d) => `${escapeRegex(d)}=${d in given ? escapeRegex(given[d]) : "[^;]*"}`)
      .join(";");
    parts.push(sql`s.breakdown_key ~ ${`^${pattern}$`}`);
  }
  return sql.join(parts, sql` and `);
}

/**
 * `= any($1::type[])`: one array parameter, so the statement's text (hence its prepared plan) does not
 * change with the number of values, as an `in ($1, …, $n)` list would.
 */
export function anyOf(values: readonly (string | number)[], type: "int" | "text"): SQL {
  return sql`any(${sql.param(values)}::${sql.raw(type)}[])`;
}

interface RawSeries {
  id: number;
  indicator_code: string;
  territory_code: string;
  measure: string;
  breakdown: Record<string, string>;
  breakdown_key: string;
  filiere_code: string | null;
  naf_code: string | null;
  dataset_code: string | null;
  source_key: string | null;
  frequency: Frequency;
  unit: string;
  unit_mult: number;
  title_fr: string | null;
  title_en: string | null;
  source_updated_at: string | Date | null;
  derived: boolean;
  derivation: string | null;
  metadata: Record<string, unknown>;
  headline: boolean;
  decimals: number | null;
  total?: number | string;
}

const toSeries = (r: RawSeries): SeriesRow => ({
  id: Number(r.id),
  indicatorCode: r.indicator_code,
  territoryCode: r.territory_code,
  measure: r.measure,
  breakdown: keyValues(r.breakdown),
  breakdownRecord: r.breakdown,
  breakdownKey: r.breakdown_key,
  filiereCode: r.filiere_code,
  nafCode: r.naf_code,
  datasetCode: r.dataset_code,
  sourceKey: r.source_key,
  frequency: r.frequency,
  unit: r.unit,
  unitMult: r.unit_mult,
  titleFr: r.title_fr,
  titleEn: r.title_en,
  sourceUpdatedAt: r.source_updated_at === null ? null : new Date(r.source_updated_at),
  derived: r.derived,
  headline: r.headline,
  derivation: r.derivation,
  metadata: r.metadata,
  decimals: r.decimals,
});

/**
 * Whether a series (`s`) is in its indicator's own unit: the rate of a rate indicator rather than the
 * counts it is computed from. `latest` and progress read that series first.
 */
export const HEADLINE = sql`exists (select 1 from indicators i where i.code = s.indicator_code
  and (starts_with(lower(i.unit), lower(s.unit)) or starts_with(lower(s.unit), lower(i.unit))))`;

const SERIES_COLUMNS = sql`s.id, s.indicator_code, s.territory_code, s.measure, s.breakdown, s.breakdown_key,
  s.filiere_code, s.naf_code, s.dataset_code, s.source_key, s.frequency, s.unit, s.unit_mult, s.title_fr, s.title_en,
  s.source_updated_at, s.derived, s.derivation, s.metadata, s.decimals, ${HEADLINE} as headline`;

export async function findSeries(ctx: GraphQLContext, f: SeriesFilter): Promise<SeriesRow[]> {
  const rows = await selectRows<RawSeries>(
    ctx.db,
    sql`select ${SERIES_COLUMNS} from series s where ${seriesCondition(ctx, f)}
        order by s.indicator_code, s.territory_code, s.measure, s.breakdown_key`,
  );
  return rows.map(toSeries);
}

export enum SeriesOrderField {
  INDICATOR = "indicator",
  TERRITORY = "territory",
  ID = "id",
}

export function pageSeries(ctx: GraphQLContext, f: SeriesFilter, order: SeriesOrderField, page: PageArgs) {
  const where = seriesCondition(ctx, f);
  const orderBy = {
    indicator: sql`s.indicator_code, s.territory_code, s.measure, s.breakdown_key`,
    territory: sql`s.territory_code, s.indicator_code, s.measure, s.breakdown_key`,
    id: sql`s.id`,
  }[order];
  return paginate<SeriesRow>(
    page,
    async ({ limit, offset }) => {
      const rows = await selectRows<RawSeries>(
        ctx.db,
        sql`select ${SERIES_COLUMNS}, count(*) over () as total from series s where ${where}
            order by ${orderBy}, s.id limit ${limit} offset ${offset}`,
      );
      return { rows: rows.map(toSeries), total: rows.length ? Number(rows[0].total) : null };
    },
    async () => {
      const [r] = await selectRows<{ n: number | string }>(
        ctx.db,
        sql`select count(*) as n from series s where ${where}`,
      );
      return Number(r?.n ?? 0);
    },
  );
}

export const seriesById = (ctx: GraphQLContext) =>
  oneLoader(
    ctx,
    "series.byId",
    (ids: number[]) => findSeries(ctx, { ids }),
    (s) => s.id,
  );

/**
 * Series of many parents (territories, indicators, filières) for one set of filters: keys sharing the
 * same filters cost one statement together, whatever the number of parents.
 */
export interface SeriesOfKey {
  by: "territory" | "indicator" | "filiere" | "dataset";
  code: string;
  filter: Omit<SeriesFilter, "ids">;
  /**
   * The observations the query asks under each of these series (current values only), read in the
   * same statement and handed to `observationsOf`: a list of series and their values cost one
   * statement, not one for the series and one more, a round trip later, for their values.
   */
  observations?: ObservationsAsked;
}

const COLUMN_OF: Record<SeriesOfKey["by"], keyof SeriesRow> = {
  territory: "territoryCode",
  indicator: "indicatorCode",
  filiere: "filiereCode",
  dataset: "datasetCode",
};

export const seriesOf = (ctx: GraphQLContext) =>
  groupedLoader<SeriesOfKey, SeriesRow[]>(
    ctx,
    "series.of",
    (k) => `${k.by}|${filterKey(k.filter)}|${k.observations ? argsKey(k.observations) : "-"}`,
    async (keys) => {
      const { by, filter, observations } = keys[0];
      const codes = keys.map((k) => k.code);
      const parentFilter: SeriesFilter =
        by === "territory"
          ? { ...filter, territoryCodes: codes }
          : by === "indicator"
            ? { ...filter, indicatorCodes: codes }
            : by === "filiere"
              ? { ...filter, filiereCode: undefined }
              : { ...filter, datasetCode: undefined };
      const extra =
        by === "filiere"
          ? sql` and s.filiere_code = ${anyOf(codes, "text")}`
          : by === "dataset"
            ? sql` and s.dataset_code = ${anyOf(codes, "text")}`
            : sql``;
      const rows = await selectRows<RawSeries & { observations?: RawRow[] }>(
        ctx.db,
        sql`select ${SERIES_COLUMNS}${observations ? sql`, ${observationsJson(observations)} as observations` : sql``}
            from series s where ${seriesCondition(ctx, parentFilter)}${extra}
            order by s.indicator_code, s.territory_code, s.measure, s.breakdown_key`,
      );
      const all = rows.map(toSeries);
      if (observations) {
        const loader = observationsOf(ctx);
        rows.forEach((r, i) => {
          loader.prime({ seriesId: all[i].id, ...observations }, (r.observations ?? []).map(toObservation));
        });
      }
      const column = COLUMN_OF[by];
      return keys.map((k) => all.filter((s) => s[column] === k.code));
    },
    (k) => `${k.by}|${k.code}|${filterKey(k.filter)}|${k.observations ? argsKey(k.observations) : "-"}`,
  );

/**
 * The observations of the series `s` of the enclosing statement, as one JSON array in period order: the
 * rows `observationsOf` reads, under the names `toObservation` reads. The series was already checked
 * against the caller's scope by the enclosing statement.
 */
function observationsJson(asked: ObservationsAsked): SQL {
  const rows = currentObservationsSql(
    { ...asked, seriesWhere: sql`true` },
    { source: sql`(select s.id, s.decimals) s` },
  );
  return sql`(select coalesce(json_agg(row_to_json(x) order by x.period_start, x.period), '[]') from (${rows}) x)`;
}

/** A filter as a string, field by field: a loader's cache key, cheaper than `JSON.stringify`. */
function filterKey(f: Omit<SeriesFilter, "ids">): string {
  const b = f.breakdown
    ? Object.keys(f.breakdown)
        .sort()
        .map((k) => `${k}=${f.breakdown?.[k]}`)
        .join(";")
    : "*";
  return [
    f.indicatorCodes?.join(",") ?? "*",
    f.territoryCodes?.join(",") ?? "*",
    f.territoryLevel ?? "",
    f.memberOf ?? "",
    f.measure ?? "",
    f.filiereCode ?? "",
    f.nafCode ?? "",
    f.datasetCode ?? "",
    f.frequency ?? "",
    f.derived ?? "",
    b,
    f.breakdownDimensions?.join(",") ?? "",
  ].join("\u0000");
}

export interface ObservationsOfKey {
  seriesId: number;
  from?: Period;
  to?: Period;
  asOf?: Date;
  last?: number;
  /** false when the query asks for no change (previous period, year before): they are not computed. */
  changes?: boolean;
}

/** The arguments of an `observations` field under a series, without `asOf` (current values). */
export type ObservationsAsked = Omit<ObservationsOfKey, "seriesId" | "asOf">;

/** The arguments of an observations read as a string: equal exactly when the reads are the same. */
export const argsKey = (k: Omit<ObservationsOfKey, "seriesId">) =>
  `${k.from?.period ?? ""}|${k.to?.period ?? ""}|${k.asOf?.getTime() ?? ""}|${k.last ?? ""}|${k.changes === false ? 0 : 1}`;

/** Observations of many series for one set of arguments, in one statement. */
export const observationsOf = (ctx: GraphQLContext) =>
  groupedLoader<ObservationsOfKey, ObservationRow[]>(
    ctx,
    "observations.of",
    argsKey,
    async (keys) => {
      const { from, to, asOf, last, changes } = keys[0];
      const ids = keys.map((k) => k.seriesId);
      const rows = await selectObservations(ctx.db, {
        seriesWhere: seriesCondition(ctx, { ids }),
        from,
        to,
        asOf,
        last,
        changes,
      });
      const bySeries = new Map<number, ObservationRow[]>();
      for (const r of rows) {
        const list = bySeries.get(r.seriesId);
        if (list) list.push(r);
        else bySeries.set(r.seriesId, [r]);
      }
      return keys.map((k) => bySeries.get(k.seriesId) ?? []);
    },
    (k) => `${k.seriesId}|${argsKey(k)}`,
  );

export function pageObservations(
  ctx: GraphQLContext,
  query: Omit<ObservationQuery, "limit" | "offset" | "seriesWhere"> & { filter: SeriesFilter },
  page: PageArgs,
) {
  const seriesWhere = seriesCondition(ctx, query.filter);
  return paginate<ObservationRow>(
    page,
    async ({ limit, offset }) => {
      const rows = await selectObservations(ctx.db, { ...query, seriesWhere, limit, offset });
      return { rows, total: rows.length ? rows[0].total : null };
    },
    // Past the last row the page is empty and carries no total: one row from the start brings it.
    async () => (await selectObservations(ctx.db, { ...query, seriesWhere, limit: 1 }))[0]?.total ?? 0,
  );
}

interface RawRevision {
  series_id: number;
  period: string;
  value: number | null;
  obs_status: string;
  obs_qual: string | null;
  source_url: string | null;
  retrieved_at: string | Date | null;
  run_id: number | string | null;
  raw_payload_id: number | string | null;
  doc_ref: { doc: string; line: number } | null;
  derived_from: { seriesId: number; period: string }[] | null;
  valid_from: string | Date;
  valid_to: string | Date;
  replaced_by_run_id: number | string | null;
  decimals: number | null;
}

/** Earlier values of many observations (key `seriesId|period`), newest first. */
export const revisionsOf = (ctx: GraphQLContext) =>
  manyLoader<string, ObservationRevision & { key: string }>(
    ctx,
    "observations.revisions",
    async (keys) => {
      const pairs = keys.map((k) => {
        const i = k.indexOf("|");
        return sql`(${Number(k.slice(0, i))}::int, ${k.slice(i + 1)}::text)`;
      });
      const rows = await selectRows<RawRevision>(
        ctx.db,
        sql`select r.*, s.decimals from observation_revisions r join series s on s.id = r.series_id
            where ${seriesVisibleTo(ctx) ?? sql`true`} and (r.series_id, r.period) in (${sql.join(pairs, sql`, `)})
            order by r.valid_to desc, r.id desc`,
      );
      return rows.map((r) => ({
        key: `${r.series_id}|${r.period}`,
        value: roundTo(r.value === null ? null : Number(r.value), r.decimals),
        obsStatus: r.obs_status,
        obsQual: r.obs_qual,
        validFrom: new Date(r.valid_from),
        validTo: new Date(r.valid_to),
        replacedByRunId: r.replaced_by_run_id === null ? null : Number(r.replaced_by_run_id),
        provenance: {
          sourceUrl: r.source_url,
          retrievedAt: r.retrieved_at === null ? null : new Date(r.retrieved_at),
          runId: r.run_id === null ? null : Number(r.run_id),
          rawPayloadId: r.raw_payload_id === null ? null : Number(r.raw_payload_id),
          docRef: r.doc_ref,
          derivedFrom: r.derived_from,
        },
      }));
    },
    (r) => r.key,
  );

export interface LatestTotalKey {
  indicatorCode: string;
  territoryCode: string;
  measure?: string;
  /** Whether the query asks for the changes (previous period, year before) of the observation. */
  changes: boolean;
  /** Whether it asks more than its period, value and status (attributes, provenance…); absent: it may. */
  details?: boolean;
}

export interface LatestTotal {
  observation: ObservationRow;
  unit: string;
}

/**
 * The latest observation of an indicator's total at a territory, on its headline series (the one in its
 * own unit, else the first by measure): every (indicator, territory, measure) of a request in one
 * statement, so `latest` under ten aliases costs what one costs.
 */
export const latestTotalOf = (ctx: GraphQLContext) =>
  groupedLoader<LatestTotalKey, LatestTotal | null>(
    ctx,
    "indicator.latestTotal",
    (k) => `${k.changes ? "changes" : ""}|${k.details === false ? "" : "details"}`,
    async (keys) => {
      const scope = seriesVisibleTo(ctx) ?? sql`true`;
      const source = sql`unnest(${sql.param(keys.map((k) => k.indicatorCode))}::text[],
          ${sql.param(keys.map((k) => k.territoryCode))}::text[],
          ${sql.param(keys.map((k) => k.measure ?? null))}::text[]) with ordinality as k(indicator_code, territory_code, measure, ord)
        cross join lateral (select s.* from series s
          where s.indicator_code = k.indicator_code and s.territory_code = k.territory_code and s.breakdown_key = ''
            and (k.measure is null or s.measure = k.measure) and ${scope}
          order by ${HEADLINE} desc, s.measure limit 1) s`;
      const rows = await selectRows<RawRow & { ord: number | string; series_unit: string }>(
        ctx.db,
        currentObservationsSql(
          { seriesWhere: sql`true`, last: 1, changes: keys[0].changes, details: keys[0].details },
          { source, extraColumns: sql`k.ord, s.unit as series_unit,` },
        ),
      );
      const out: (LatestTotal | null)[] = keys.map(() => null);
      for (const r of rows) out[Number(r.ord) - 1] = { observation: toObservation(r), unit: r.series_unit };
      return out;
    },
    (k) =>
      `${k.indicatorCode}\u0000${k.territoryCode}\u0000${k.measure ?? "\u0001"}\u0000${k.changes ? 1 : 0}${k.details === false ? 0 : 1}`,
  );
