/**
 * Progress of indicators toward the agenda's targets, computed by the database in one statement for
 * many targets: which series measures the target, its baseline and latest values, the target value in
 * absolute terms, the share achieved and whether the pace since the baseline reaches it by the horizon.
 */
import { type SQL, sql } from "drizzle-orm";
import { Field, Float, Int, ObjectType, registerEnumType } from "type-graphql";
import { selectRows } from "../../db/client";
import { type GraphQLContext, groupedLoader } from "../context";
import { seriesVisibleTo } from "../scope";
import { observationSource } from "../series/observation.sql";
import { roundTo, SHARE_DECIMALS } from "../series/precision";
import { anyOf, HEADLINE } from "../series/series.loaders";

/** Where a target applies when it does not say: the Métropole (EPCI 200054807). */
export const METROPOLE = "EPCI-200054807";

export enum ProgressStatus {
  ACHIEVED = "achieved",
  ON_TRACK = "on_track",
  OFF_TRACK = "off_track",
  PACE_UNKNOWN = "pace_unknown",
  NO_BASELINE = "no_baseline",
  NO_DATA = "no_data",
  NOT_QUANTIFIED = "not_quantified",
}
registerEnumType(ProgressStatus, {
  name: "ProgressStatus",
  description: "Where an indicator stands against a target.",
  valuesConfig: {
    ACHIEVED: { description: "The latest value reaches the target." },
    ON_TRACK: { description: "At the pace since the baseline, the target is reached by its horizon." },
    OFF_TRACK: { description: "At the pace since the baseline, the target is not reached by its horizon." },
    PACE_UNKNOWN: {
      description: "Share achieved is known, but the target has no horizon year or the baseline no period.",
    },
    NO_BASELINE: { description: "The target is relative (+x %, ×n) and no baseline value is known." },
    NO_DATA: { description: "No series with a value measures this indicator at this territory yet." },
    NOT_QUANTIFIED: { description: "The target is qualitative or a rank: no number to compare with." },
  },
});

@ObjectType({ description: "Progress of one indicator toward one target at one territory." })
export class TargetProgress {
  @Field(() => String, { description: "Code of the target." })
  targetCode!: string;
  @Field(() => String, { description: "Code of the indicator measured." })
  indicatorCode!: string;
  @Field(() => String, {
    description:
      "Code of the territory measured (the Métropole unless the target or the query says otherwise).",
  })
  territoryCode!: string;
  @Field(() => String, {
    nullable: true,
    description: "Filière measured, when the target is about one filière (its jobs, not all jobs).",
  })
  filiereCode!: string | null;
  @Field(() => Int, {
    nullable: true,
    description: "Id of the series used: the indicator's total at the territory, or its filière's.",
  })
  seriesId!: number | null;
  @Field(() => String, { nullable: true, description: "Measure of that series." })
  measure!: string | null;
  @Field(() => String, { nullable: true, description: "Unit of that series." })
  unit!: string | null;
  @Field(() => Float, {
    nullable: true,
    description: "Starting value: the agenda's baseline figure, else the series at the baseline period.",
  })
  baselineValue!: number | null;
  @Field(() => String, { nullable: true, description: "Period of the starting value." })
  baselinePeriod!: string | null;
  @Field(() => Float, { nullable: true, description: "Latest value of the series." })
  latestValue!: number | null;
  @Field(() => String, { nullable: true, description: "Period of the latest value." })
  latestPeriod!: string | null;
  @Field(() => Float, {
    nullable: true,
    description: "The target as a value of the series (baseline × 1.2 for +20 %).",
  })
  targetValue!: number | null;
  @Field(() => Float, {
    nullable: true,
    description:
      "(latest − baseline) / (target − baseline): 0 at the baseline, 1 when the target is reached.",
  })
  shareAchieved!: number | null;
  @Field(() => Float, {
    nullable: true,
    description:
      "Share of the time from the baseline period to the horizon that has passed at the latest period.",
  })
  timeElapsed!: number | null;
  @Field(() => Float, {
    nullable: true,
    description: "Value expected at the horizon if the pace since the baseline holds.",
  })
  projectedValue!: number | null;
  @Field(() => ProgressStatus, { description: "Verdict." })
  status!: ProgressStatus;
}

export interface ProgressKey {
  targetCode: string;
  /** Restrict to one indicator of the target. */
  indicatorCode?: string;
  territory?: string;
  asOf?: Date;
}

interface Raw {
  target_code: string;
  indicator_code: string;
  territory_code: string;
  filiere_code: string | null;
  series_id: number | string | null;
  measure: string | null;
  unit: string | null;
  decimals: number | null;
  base_value: number | null;
  base_period: string | null;
  latest_value: number | null;
  latest_period: string | null;
  target_value: number | null;
  share_achieved: number | null;
  time_elapsed: number | null;
  projected_value: number | null;
  status: ProgressStatus;
}

const n = (v: number | string | null) => (v === null ? null : Number(v));

/*
 * As known now, a series' latest and baseline observations are read from the (series_id, period) key
 * backwards, as `latest` reads them (series.loaders.ts), a few index pages a series. As of a date they
 * come from the reconstructed history (`src`), which PostgreSQL materialises once: it holds every
 * observation of the measured series (daily air quality included), and scanning it for each target was
 * most of the dashboard's database time.
 */
function latestObservation(asOf: Date | undefined): SQL {
  return asOf
    ? sql`select l.period, l.value, l.period_end from src l where l.series_id = sel.series_id and l.value is not null
        order by l.period_start desc limit 1`
    : sql`select l.period, l.value, l.period_end from observations l where l.series_id = sel.series_id
        and l.value is not null order by l.period desc limit 1`;
}

/**
 * The series' last value in the baseline year. Now: a range of the key, [year, year + 1), which holds
 * exactly the periods of that year in any collation (every period starts with its 4-digit year); the
 * CASE keeps a baseline period that is not a year from reaching the cast.
 */
function baselineObservation(asOf: Date | undefined): SQL {
  return asOf
    ? sql`select b.value from src b where b.series_id = sel.series_id and left(b.period, 4) = sel.baseline_period
        and b.value is not null order by b.period_start desc limit 1`
    : sql`select b.value from observations b where b.series_id = sel.series_id
        and b.period >= sel.baseline_period
        and b.period < case when sel.baseline_period ~ '^[0-9]{4}$' then (sel.baseline_period::int + 1)::text end
        and left(b.period, 4) = sel.baseline_period and b.value is not null order by b.period desc limit 1`;
}

/** `which` picks the (target, indicator) pairs, as a condition on `tg` (targets) and `ti` (their indicators). */
function progressSql(ctx: GraphQLContext, which: SQL, territory: string | undefined, asOf?: Date): SQL {
  const scope = seriesVisibleTo(ctx) ?? sql`true`;
  return sql`with t as (
      select tg.code as target_code, ti.indicator_code,
        coalesce(${territory ?? null}::text, tg.territory_code, ${METROPOLE}) as territory_code,
        tg.value_kind, tg.value_numeric, tg.baseline_value, tg.baseline_period, tg.horizon_year,
        (select min(f.filiere_code) from target_filieres f where f.target_code = tg.code
          having count(*) = 1) as filiere_code
      from targets tg join target_indicators ti on ti.target_code = tg.code
      where ${which}
    ),
    sel as (
      select t.*, s.id as series_id, s.measure, s.unit, s.decimals from t left join lateral (
        select s.id, s.measure, s.unit, s.decimals from series s
        where s.indicator_code = t.indicator_code and s.territory_code = t.territory_code
          and s.breakdown_key = coalesce('filiere=' || t.filiere_code, '')
          and ${scope}
        order by ${HEADLINE} desc, s.measure limit 1
      ) s on true
    ),
    ${asOf ? sql`src as (${observationSource(sql`s.id in (select series_id from sel)`, asOf)}),` : sql``}
    calc as (
      select sel.*,
        lat.period as latest_period, lat.value as latest_value, lat.period_end as latest_end,
        coalesce(sel.baseline_value, (${baselineObservation(asOf)})) as base_value,
        sel.baseline_period as base_period,
        case when sel.baseline_period ~ '^[0-9]{4}' then make_date(left(sel.baseline_period, 4)::int, 12, 31) end as base_end,
        case when sel.horizon_year is not null then make_date(sel.horizon_year, 12, 31) end as horizon_end
      from sel left join lateral (${latestObservation(asOf)}) lat on true
    ),
    goal as (
      select calc.*,
        case calc.value_kind
          when 'absolute' then calc.value_numeric
          when 'share_percent' then calc.value_numeric
          when 'relative_percent' then calc.base_value * (1 + calc.value_numeric / 100)
          when 'multiplier' then calc.base_value * calc.value_numeric
        end as target_value
      from calc
    ),
    pace as (
      select goal.*,
        case when goal.target_value <> goal.base_value
          then (goal.latest_value - goal.base_value) / (goal.target_value - goal.base_value) end as share_achieved,
        case when goal.horizon_end > goal.base_end and goal.latest_end > goal.base_end
          then (goal.latest_end - goal.base_end)::float8 / (goal.horizon_end - goal.base_end) end as time_elapsed
      from goal
    )
    select target_code, indicator_code, territory_code, filiere_code, series_id, measure, unit, decimals, base_value, base_period,
      latest_value, latest_period, target_value, share_achieved, time_elapsed,
      case when time_elapsed > 0 then base_value + (latest_value - base_value) / time_elapsed end as projected_value,
      case
        when value_kind in ('qualitative', 'rank') or value_numeric is null then 'not_quantified'
        when latest_value is null then 'no_data'
        when target_value is null or base_value is null then 'no_baseline'
        when share_achieved >= 1 then 'achieved'
        when time_elapsed is null then 'pace_unknown'
        when share_achieved >= time_elapsed then 'on_track'
        else 'off_track'
      end as status
    from pace order by target_code, indicator_code`;
}

const argsOf = (k: { territory?: string; asOf?: Date }) =>
  JSON.stringify([k.territory ?? null, k.asOf?.toISOString() ?? null]);

function toProgress(r: Raw): TargetProgress {
  return {
    targetCode: r.target_code,
    indicatorCode: r.indicator_code,
    territoryCode: r.territory_code,
    filiereCode: r.filiere_code,
    seriesId: n(r.series_id),
    measure: r.measure,
    unit: r.unit,
    // The agenda's figure as parsed, or a stored value: both are already as published.
    baselineValue: roundTo(n(r.base_value), null),
    baselinePeriod: r.base_period,
    latestValue: roundTo(n(r.latest_value), r.decimals),
    latestPeriod: r.latest_period,
    targetValue: roundTo(n(r.target_value), r.decimals),
    shareAchieved: roundTo(n(r.share_achieved), SHARE_DECIMALS),
    timeElapsed: roundTo(n(r.time_elapsed), SHARE_DECIMALS),
    projectedValue: roundTo(n(r.projected_value), r.decimals),
    status: r.status,
  };
}

/** Progress rows of many targets; keys sharing a territory and an `asOf` cost one statement. */
export const progressOf = (ctx: GraphQLContext) =>
  groupedLoader<ProgressKey, TargetProgress[]>(
    ctx,
    "target.progress",
    argsOf,
    async (keys) => {
      const { territory, asOf } = keys[0];
      const codes = [...new Set(keys.map((k) => k.targetCode))];
      const rows = await selectRows<Raw>(
        ctx.db,
        progressSql(ctx, sql`tg.code = ${anyOf(codes, "text")}`, territory, asOf),
      );
      const all = rows.map(toProgress);
      return keys.map((k) =>
        all.filter(
          (p) => p.targetCode === k.targetCode && (!k.indicatorCode || p.indicatorCode === k.indicatorCode),
        ),
      );
    },
    (k) => `${k.targetCode}|${k.indicatorCode ?? ""}|${argsOf(k)}`,
  );

export interface IndicatorProgressKey {
  indicatorCode: string;
  territory?: string;
  asOf?: Date;
}

/**
 * Progress of many indicators toward each of their targets, by target code: `Indicator.progress` asks
 * by indicator so its statement goes out with the indicator's targets, not after them (one database
 * round trip less per request).
 */
export const progressOfIndicator = (ctx: GraphQLContext) =>
  groupedLoader<IndicatorProgressKey, TargetProgress[]>(
    ctx,
    "indicator.progress",
    argsOf,
    async (keys) => {
      const { territory, asOf } = keys[0];
      const codes = [...new Set(keys.map((k) => k.indicatorCode))];
      const rows = await selectRows<Raw>(
        ctx.db,
        progressSql(ctx, sql`ti.indicator_code = ${anyOf(codes, "text")}`, territory, asOf),
      );
      const byIndicator = new Map<string, TargetProgress[]>();
      for (const p of rows.map(toProgress)) {
        const list = byIndicator.get(p.indicatorCode);
        if (list) list.push(p);
        else byIndicator.set(p.indicatorCode, [p]);
      }
      return keys.map((k) => byIndicator.get(k.indicatorCode) ?? []);
    },
    (k) => `${k.indicatorCode}|${argsOf(k)}`,
  );
