/**
 * The SQL of observations, each with the previous period's value and the same period a year before, so
 * changes are computed by the database and not row by row in resolvers: current values read on the
 * table's (series_id, period) key, or the values as they stood at `asOf` rebuilt from the revision
 * history (window functions over what was known then).
 */
import { type SQL, sql } from "drizzle-orm";
import { type Db, selectRows } from "../../db/client";
import type { Period } from "../../period";
import { keyValues } from "../common.type";
import { roundPercent, roundTo } from "./precision";
import type { Change, Observation } from "./series.type";

export interface ObservationQuery {
  /** A condition on `s`, the series table: which series to read. */
  seriesWhere: SQL;
  from?: Period;
  to?: Period;
  asOf?: Date;
  /** Only these SDMX OBS_STATUS codes. */
  statuses?: string[];
  /** Only the last N periods of each series. */
  last?: number;
  /** false: the query asks for no change, the previous period and the year before are not read. */
  changes?: boolean;
  /**
   * false: the query asks only an observation's period, value and status, so its attributes and provenance
   * are not read (they came null): most of a `latest` row's bytes, parsed for nothing.
   */
  details?: boolean;
  order?: "period" | "value_asc" | "value_desc" | "period_desc";
  limit?: number;
  offset?: number;
}

export interface ObservationRow extends Observation {
  total: number;
}

export interface RawRow {
  series_id: number;
  period: string;
  period_start: string;
  period_end: string;
  value: number | null;
  obs_status: string;
  obs_qual: string | null;
  attributes: Record<string, string> | null;
  source_url: string | null;
  retrieved_at: string | Date | null;
  run_id: number | string | null;
  raw_payload_id: number | string | null;
  doc_ref: { doc: string; line: number; lineEnd?: number } | null;
  derived_from: { seriesId: number; period: string }[] | null;
  valid_from: string | Date;
  prev_period: string | null;
  prev_value: number | null;
  ya_period: string | null;
  ya_value: number | null;
  prev_abs: number | null;
  prev_pct: number | null;
  ya_abs: number | null;
  ya_pct: number | null;
  decimals: number | null;
  total: number | string;
}

/** The observations visible at `asOf` (or now), restricted to the series matching `seriesWhere`. */
export function observationSource(seriesWhere: SQL, asOf?: Date): SQL {
  const ids = sql`(select s.id from series s where ${seriesWhere})`;
  const columns = sql`o.period_start, o.period_end, o.value, o.obs_status, o.obs_qual, o.attributes, o.source_url,
    o.retrieved_at, o.run_id, o.raw_payload_id, o.doc_ref, o.derived_from, o.valid_from`;
  if (!asOf)
    return sql`select o.series_id, o.period, ${columns} from observations o where o.series_id in ${ids}`;
  const at = asOf.toISOString();
  return sql`select o.series_id, o.period, ${columns} from observations o
      where o.series_id in ${ids} and o.valid_from <= ${at}::timestamptz
    union all
    select r.series_id, r.period, o.period_start, o.period_end, r.value, r.obs_status, r.obs_qual, r.attributes,
      r.source_url, r.retrieved_at, r.run_id, r.raw_payload_id, r.doc_ref, r.derived_from, r.valid_from
      from observation_revisions r
      join observations o on o.series_id = r.series_id and o.period = r.period
      where r.series_id in ${ids} and r.valid_from <= ${at}::timestamptz and r.valid_to > ${at}::timestamptz`;
}

/** Periods overlapping [from, to]: "since 2020" keeps 2020's quarters and the year 2020. */
export function periodOverlap(alias: string, from?: Period, to?: Period): SQL {
  const a = sql.raw(alias);
  return sql.join(
    [
      sql`true`,
      ...(from ? [sql`${a}.period_end >= ${from.start}::date`] : []),
      ...(to ? [sql`${a}.period_start <= ${to.end}::date`] : []),
    ],
    sql` and `,
  );
}

const ORDER: Record<NonNullable<ObservationQuery["order"]>, (alias: string) => SQL> = {
  period: (a) => sql.raw(`${a}.series_id, ${a}.period_start, ${a}.period`),
  period_desc: (a) => sql.raw(`${a}.period_start desc, ${a}.series_id, ${a}.period`),
  value_asc: (a) => sql.raw(`${a}.value asc nulls last, ${a}.series_id, ${a}.period_start`),
  value_desc: (a) => sql.raw(`${a}.value desc nulls last, ${a}.series_id, ${a}.period_start`),
};

const statusIn = (alias: string, statuses?: string[]) =>
  statuses?.length
    ? sql`and ${sql.raw(alias)}.obs_status in (${sql.join(
        statuses.map((v) => sql`${v}`),
        sql`, `,
      )})`
    : sql``;

const pageOf = (q: ObservationQuery) =>
  sql`${q.limit !== undefined ? sql`limit ${q.limit}` : sql``} ${q.offset ? sql`offset ${q.offset}` : sql``}`;

/**
 * Current values (no `asOf`), read on the (series_id, period) key: the period range filters the rows
 * it reads, and the previous period and the year before are one index probe per row returned, read
 * only when asked for. With `last`, N index reads per series where the general statement numbers every
 * observation of the series (ten years of a daily series to keep one row). Periods of one series share
 * a format, so their text order is their time order.
 */
export function currentObservationsSql(
  q: ObservationQuery,
  shape: { source?: SQL; extraColumns?: SQL } = {},
): SQL {
  const changes = q.changes !== false;
  const observations =
    q.last !== undefined
      ? sql`cross join lateral (select * from observations o where o.series_id = s.id order by o.period desc limit ${q.last}) o`
      : sql`join observations o on o.series_id = s.id`;
  return sql`select ${shape.extraColumns ?? sql``} o.series_id, o.period, o.period_start::text as period_start, o.period_end::text as period_end,
      o.value, o.obs_status, o.obs_qual, o.valid_from,
      ${
        q.details === false
          ? sql`null as attributes, null as source_url, null as retrieved_at, null as run_id, null as raw_payload_id,
      null as doc_ref, null as derived_from,`
          : sql`o.attributes, o.source_url, o.retrieved_at, o.run_id, o.raw_payload_id, o.doc_ref, o.derived_from,`
      }
      ${
        changes
          ? sql`p.period as prev_period, p.value as prev_value, y.period as ya_period, y.value as ya_value,
      o.value - p.value as prev_abs,
      case when p.value <> 0 then (o.value - p.value) / abs(p.value) * 100 end as prev_pct,
      o.value - y.value as ya_abs,
      case when y.value <> 0 then (o.value - y.value) / abs(y.value) * 100 end as ya_pct,`
          : sql`null as prev_period, null as prev_value, null as ya_period, null as ya_value, null as prev_abs,
      null as prev_pct, null as ya_abs, null as ya_pct,`
      }
      s.decimals, count(*) over () as total
    from ${shape.source ?? sql`series s`}
    ${observations}
    ${
      changes
        ? sql`left join lateral (select p.period, p.value from observations p where p.series_id = o.series_id
        and p.period < o.period order by p.period desc limit 1) p on true
    left join observations y on y.series_id = o.series_id
      and y.period = (left(o.period, 4)::int - 1)::text || substr(o.period, 5)`
        : sql``
    }
    where ${q.seriesWhere} and ${periodOverlap("o", q.from, q.to)} ${statusIn("o", q.statuses)}
    order by ${ORDER[q.order ?? "period"]("o")}
    ${pageOf(q)}`;
}

export async function selectObservations(db: Db, q: ObservationQuery): Promise<ObservationRow[]> {
  if (!q.asOf) return (await selectRows<RawRow>(db, currentObservationsSql(q))).map(toObservation);
  // As of a past date the values are rebuilt from the revision history first (observationSource), so
  // the previous period and the year before are read among them, not on the table's key.
  const rows = await selectRows<RawRow>(
    db,
    sql`with src as (${observationSource(q.seriesWhere, q.asOf)}),
      w as (
        select src.*,
          lag(src.period) over p as prev_period,
          lag(src.value) over p as prev_value,
          row_number() over (partition by src.series_id order by src.period_start desc) as rank_from_last
        from src window p as (partition by src.series_id order by src.period_start, src.period)
      )
      select w.series_id, w.period, w.period_start::text as period_start, w.period_end::text as period_end, w.value,
        w.obs_status, w.obs_qual, w.attributes, w.source_url, w.retrieved_at, w.run_id, w.raw_payload_id, w.doc_ref,
        w.derived_from, w.valid_from, w.prev_period, w.prev_value, y.period as ya_period, y.value as ya_value,
        w.value - w.prev_value as prev_abs,
        case when w.prev_value <> 0 then (w.value - w.prev_value) / abs(w.prev_value) * 100 end as prev_pct,
        w.value - y.value as ya_abs,
        case when y.value <> 0 then (w.value - y.value) / abs(y.value) * 100 end as ya_pct,
        (select sd.decimals from series sd where sd.id = w.series_id) as decimals,
        count(*) over () as total
      from w
      left join src y on y.series_id = w.series_id
        and y.period = (left(w.period, 4)::int - 1)::text || substr(w.period, 5)
      where ${periodOverlap("w", q.from, q.to)}
        ${q.last !== undefined ? sql`and w.rank_from_last <= ${q.last}` : sql``}
        ${statusIn("w", q.statuses)}
      order by ${ORDER[q.order ?? "period"]("w")}
      ${pageOf(q)}`,
  );
  return rows.map(toObservation);
}

const date = (v: string | Date | null): Date | null => (v === null ? null : new Date(v));

const float = (v: number | string | null): number | null => (v === null ? null : Number(v));

function change(
  basePeriod: string | null,
  baseValue: number | null,
  absolute: number | null,
  percent: number | null,
  decimals: number | null,
): Change | null {
  if (basePeriod === null) return null;
  return {
    basePeriod,
    baseValue: roundTo(float(baseValue), decimals),
    absolute: roundTo(float(absolute), decimals),
    percent: roundPercent(float(percent)),
  };
}

export function toObservation(r: RawRow): ObservationRow {
  return {
    seriesId: Number(r.series_id),
    period: r.period,
    periodStart: r.period_start,
    periodEnd: r.period_end,
    value: roundTo(float(r.value), r.decimals),
    obsStatus: r.obs_status,
    obsQual: r.obs_qual,
    attributes: keyValues(r.attributes),
    provenance: {
      sourceUrl: r.source_url,
      retrievedAt: date(r.retrieved_at),
      runId: float(r.run_id),
      rawPayloadId: float(r.raw_payload_id),
      docRef: r.doc_ref,
      derivedFrom: r.derived_from,
    },
    validFrom: new Date(r.valid_from),
    changeFromPrevious: change(r.prev_period, r.prev_value, r.prev_abs, r.prev_pct, r.decimals),
    changeFromYearBefore: change(r.ya_period, r.ya_value, r.ya_abs, r.ya_pct, r.decimals),
    total: Number(r.total),
  };
}
