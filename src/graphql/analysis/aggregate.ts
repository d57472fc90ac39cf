/**
 * Aggregates of observations grouped by territory (or the territories they roll up into), territory
 * level, filière, period or year, computed by the database. Sums that would mislead are refused:
 * rates, mixed measures or units, and territories that contain one another.
 */
import { type SQL, sql } from "drizzle-orm";
import { ArgsType, Field, Float, Int, ObjectType, registerEnumType } from "type-graphql";
import { selectRows } from "../../db/client";
import { AggregationNotAllowedError, BadUserInputError } from "../../errors";
import type { GraphQLContext } from "../context";
import { observationSource, periodOverlap } from "../series/observation.sql";
import { roundTo } from "../series/precision";
import { PeriodArgs, parsePeriodArgs, SeriesFilterInput } from "../series/series.args";
import { type SeriesFilter, seriesCondition } from "../series/series.loaders";
import { TerritoryLevel } from "../territory/territory.type";

export enum AggregateFunction {
  SUM = "sum",
  AVG = "avg",
  MIN = "min",
  MAX = "max",
  COUNT = "count",
}
registerEnumType(AggregateFunction, {
  name: "AggregateFunction",
  description:
    "SUM is refused for rates and shares (indicators whose values do not add up); COUNT counts values.",
});

export enum AggregateDimension {
  TERRITORY = "territory",
  TERRITORY_LEVEL = "territory_level",
  FILIERE = "filiere",
  PERIOD = "period",
  YEAR = "year",
  MEASURE = "measure",
}
registerEnumType(AggregateDimension, {
  name: "AggregateDimension",
  description:
    "TERRITORY (or the territory each rolls up into, with rollUpTo), TERRITORY_LEVEL, FILIERE, PERIOD (as published), YEAR (months and quarters into their year), MEASURE.",
});

@ArgsType()
export class AggregateArgs extends PeriodArgs {
  @Field(() => SeriesFilterInput, {
    description:
      "Which series. Unless it names a breakdown (or FILIERE is grouped on), only totals are read, so a breakdown is never added to its own total.",
  })
  filter!: SeriesFilterInput;
  @Field(() => AggregateFunction, { description: "What to compute." })
  function!: AggregateFunction;
  @Field(() => [AggregateDimension], {
    defaultValue: [],
    description: "Group by these; [] aggregates everything into one row.",
  })
  groupBy!: AggregateDimension[];
  @Field(() => TerritoryLevel, {
    nullable: true,
    description:
      "Count each territory in the territory of this level it is a member of (communes into CONSEIL_DE_TERRITOIRE or EPCI); territories with no such parent are left out.",
  })
  rollUpTo?: TerritoryLevel;
}

@ObjectType({ description: "One group of an aggregate: its keys (null when not grouped on) and the value." })
export class AggregateRow {
  @Field(() => String, { nullable: true, description: "Territory code of the group." })
  territoryCode!: string | null;
  @Field(() => String, { nullable: true, description: "Territory level of the group." })
  territoryLevel!: string | null;
  @Field(() => String, { nullable: true, description: "Filière code of the group." })
  filiereCode!: string | null;
  @Field(() => String, { nullable: true, description: "Period of the group (a year when grouped by YEAR)." })
  period!: string | null;
  @Field(() => String, {
    nullable: true,
    description:
      "First day of the group's time span (ISO date): its period's, its year's when grouped by YEAR, else the earliest value's; so time-series tools can plot it.",
  })
  periodStart!: string | null;
  @Field(() => String, {
    nullable: true,
    description: "Last day of the group's time span (ISO date), as periodStart.",
  })
  periodEnd!: string | null;
  @Field(() => String, { nullable: true, description: "Measure of the group." })
  measure!: string | null;
  @Field(() => String, { description: 'Unit of the value ("count" for COUNT).' })
  unit!: string;
  @Field(() => Float, { nullable: true, description: "The aggregate." })
  value!: number | null;
  @Field(() => Int, { description: "Values aggregated (nulls, e.g. confidential cells, are not counted)." })
  observationCount!: number;
  @Field(() => Int, { description: "Series they come from." })
  seriesCount!: number;
}

/**
 * Decimals of an aggregate: a sum, minimum or maximum has those of the series it reads; a mean two more
 * (the mean of 9.1 and 8.8 is 8.95); a count none.
 */
function decimalsOf(fn: AggregateFunction, decimals: number | null): number | null {
  if (fn === AggregateFunction.COUNT) return 0;
  if (decimals === null) return null;
  return fn === AggregateFunction.AVG ? decimals + 2 : decimals;
}

/** Units whose values never add up: a sum of rates or shares means nothing. */
const NON_ADDITIVE_UNIT = /%|rate|taux|ratio|per |par |\/|index|indice/i;

interface Profile {
  measures: string[];
  units: string[];
  levels: string[];
  indicators: { code: string; additive: boolean; unit: string }[];
}

/** The profile as the statement returns it: lists with a null where a series has none, or none at all. */
interface ProfileRow {
  measures: (string | null)[] | null;
  units: (string | null)[] | null;
  levels: (string | null)[] | null;
  indicators: Profile["indicators"] | null;
}

const present = (xs: (string | null)[] | null | undefined) => (xs ?? []).filter((x): x is string => !!x);

const GROUP_SQL: Record<AggregateDimension, SQL> = {
  territory: sql`g.territory_code`,
  territory_level: sql`g.territory_level`,
  filiere: sql`g.filiere_code`,
  period: sql`g.period`,
  year: sql`left(g.period, 4)`,
  measure: sql`g.measure`,
};

const FUNCTION_SQL: Record<AggregateFunction, SQL> = {
  sum: sql`sum(g.value)`,
  avg: sql`avg(g.value)`,
  min: sql`min(g.value)`,
  max: sql`max(g.value)`,
  count: sql`count(g.value)`,
};

/**
 * Refuses what would mislead, with a message that says what to ask instead. `profile` describes the
 * series selected (read by the aggregate's own statement).
 */
export function checkAggregate(args: AggregateArgs, profile: Profile): void {
  const groups = new Set(args.groupBy);
  if (profile.units.length > 1 && !groups.has(AggregateDimension.MEASURE))
    throw new AggregationNotAllowedError(
      `the selection mixes units (${profile.units.join(", ")}): pass filter.measure or group by MEASURE`,
      { units: profile.units },
    );
  if (profile.measures.length > 1 && !groups.has(AggregateDimension.MEASURE))
    throw new AggregationNotAllowedError(
      `the selection mixes measures (${profile.measures.join(", ")}): pass filter.measure or group by MEASURE`,
      { measures: profile.measures },
    );
  if (args.function !== AggregateFunction.SUM) return;
  const rate =
    profile.indicators.find((i) => !i.additive) ??
    (profile.units.some((u) => NON_ADDITIVE_UNIT.test(u)) ? profile.indicators[0] : undefined);
  if (rate)
    throw new AggregationNotAllowedError(
      `cannot SUM ${rate.code}: its values are ${profile.units.join(", ") || rate.unit}, which do not add up; use AVG, MIN or MAX, or aggregate a count`,
      { indicator: rate.code },
    );
  if (
    profile.levels.length > 1 &&
    !groups.has(AggregateDimension.TERRITORY) &&
    !groups.has(AggregateDimension.TERRITORY_LEVEL) &&
    !args.rollUpTo
  )
    throw new AggregationNotAllowedError(
      `cannot SUM across territory levels (${profile.levels.join(", ")}): a territory would be counted inside another (Marseille and its arrondissements, communes and their EPCI); pass filter.territoryLevel, or group by TERRITORY or TERRITORY_LEVEL`,
      { levels: profile.levels },
    );
}

export async function aggregate(ctx: GraphQLContext, args: AggregateArgs, filter: SeriesFilter) {
  if (args.groupBy.includes(AggregateDimension.TERRITORY_LEVEL) && args.rollUpTo)
    throw new BadUserInputError(
      "rollUpTo already sets the territory level: drop TERRITORY_LEVEL from groupBy",
      {
        argument: "groupBy",
      },
    );
  const { from, to, asOf } = parsePeriodArgs(args);
  const byFiliere = args.groupBy.includes(AggregateDimension.FILIERE) || filter.filiereCode !== undefined;
  const selection: SeriesFilter = {
    ...filter,
    breakdown: filter.breakdown ?? (byFiliere ? undefined : {}),
    breakdownDimensions: byFiliere && !filter.breakdown ? ["filiere"] : undefined,
  };
  const where = seriesCondition(ctx, selection);
  const named = filter.indicatorCodes ?? [];
  // A territory rolls up into its parent of that level through a member link, or, for Marseille's
  // arrondissements, through their commune: unless the commune itself has the same value, which the
  // arrondissements would then count a second time.
  const rollUp = args.rollUpTo
    ? sql`join (
          select l.child_code as territory_code, l.parent_code, false as via_commune
            from territory_links l join territories p on p.code = l.parent_code
            where l.relation = 'member' and p.level = ${args.rollUpTo}
          union all
          select sub.child_code, l.parent_code, true
            from territory_links sub
            join territory_links l on l.child_code = sub.parent_code and l.relation = 'member'
            join territories p on p.code = l.parent_code
            where sub.relation = 'subdivision' and p.level = ${args.rollUpTo}
        ) r on r.territory_code = s.territory_code
        join territories p on p.code = r.parent_code`
    : sql``;
  const notTwice = args.rollUpTo
    ? sql`and not (r.via_commune and exists (
          select 1 from src c join series cs on cs.id = c.series_id
          join territory_links sub on sub.parent_code = cs.territory_code and sub.relation = 'subdivision'
          where sub.child_code = s.territory_code and cs.indicator_code = s.indicator_code
            and cs.measure = s.measure and cs.breakdown_key = s.breakdown_key and c.period = src.period))`
    : sql``;
  const territory = args.rollUpTo ? sql`p.code` : sql`s.territory_code`;
  const level = args.rollUpTo ? sql`p.level` : sql`s.level`;
  const groups = [...new Set(args.groupBy)];
  const keys = groups.map((d) => GROUP_SQL[d]);
  const select = (d: AggregateDimension, column: string) =>
    groups.includes(d) ? sql`${GROUP_SQL[d]} as ${sql.raw(column)}` : sql`null as ${sql.raw(column)}`;
  // One statement: the selected series once (`sel`, with what grouping reads of them), what they are
  // (`profile`, which the checks read) and the aggregate of their values. The profile comes back even when no value does: a selection
  // that mixes units is refused whether or not its range holds values.
  const rows = await selectRows<{
    profile: ProfileRow | null;
    ord: number | string | null;
    territory_code: string | null;
    territory_level: string | null;
    filiere_code: string | null;
    period: string | null;
    measure: string | null;
    period_start: string | null;
    period_end: string | null;
    unit: string;
    value: number | string | null;
    decimals: number | null;
    observation_count: number | string;
    series_count: number | string;
  }>(
    ctx.db,
    sql`with sel as materialized (
        select s.id, s.indicator_code, s.territory_code, s.measure, s.breakdown_key, s.filiere_code, s.unit,
          s.decimals, t.level
        from series s join territories t on t.code = s.territory_code where ${where}
      ),
      profile as (
        select array_agg(distinct sel.measure) as measures, array_agg(distinct sel.unit) as units,
          array_agg(distinct sel.level) as levels,
          (select json_agg(json_build_object('code', i.code, 'additive', i.additive, 'unit', i.unit) order by i.code)
            from indicators i
            where i.code = any(array_agg(distinct sel.indicator_code))
              ${
                named.length
                  ? sql`or i.code in (${sql.join(
                      named.map((c) => sql`${c}`),
                      sql`, `,
                    )})`
                  : sql``
              }) as indicators
        from sel
      ),
      src as (${observationSource(sql`s.id in (select sel.id from sel)`, asOf)}),
      g as (
        select src.series_id, src.period, src.period_start, src.period_end, src.value, ${territory} as territory_code,
          ${level} as territory_level, s.filiere_code, s.measure, s.unit, s.decimals
        from src join sel s on s.id = src.series_id ${rollUp}
        where ${periodOverlap("src", from, to)} ${notTwice}
      ),
      a as (
        select ${select(AggregateDimension.TERRITORY, "territory_code")}, ${select(AggregateDimension.TERRITORY_LEVEL, "territory_level")},
          ${select(AggregateDimension.FILIERE, "filiere_code")},
          ${groups.includes(AggregateDimension.YEAR) ? sql`left(g.period, 4) as period` : select(AggregateDimension.PERIOD, "period")},
          ${select(AggregateDimension.MEASURE, "measure")},
          ${
            groups.includes(AggregateDimension.YEAR)
              ? sql`make_date(left(g.period, 4)::int, 1, 1)::text as period_start, make_date(left(g.period, 4)::int, 12, 31)::text as period_end`
              : sql`min(g.period_start)::text as period_start, max(g.period_end)::text as period_end`
          },
          ${args.function === AggregateFunction.COUNT ? sql`'count'` : sql`min(g.unit)`} as unit,
          ${FUNCTION_SQL[args.function]} as value, max(g.decimals) as decimals, count(g.value) as observation_count,
          count(distinct g.series_id) as series_count,
          row_number() over (${keys.length ? sql`order by ${sql.join(keys, sql`, `)}` : sql``}) as ord
        from g
        ${keys.length ? sql`group by ${sql.join(keys, sql`, `)}` : sql``}
      )
      select row_to_json(profile) as profile, a.* from profile left join a on true order by a.ord`,
  );
  const profile = rows[0]?.profile;
  checkAggregate(args, {
    measures: present(profile?.measures),
    units: present(profile?.units),
    levels: present(profile?.levels),
    indicators: profile?.indicators ?? [],
  });
  return rows
    .filter((r) => r.ord !== null && (Number(r.observation_count) > 0 || keys.length === 0))
    .map((r) => ({
      territoryCode: r.territory_code,
      territoryLevel: r.territory_level,
      filiereCode: r.filiere_code,
      period: r.period,
      periodStart: r.period_start,
      periodEnd: r.period_end,
      measure: r.measure,
      unit: r.unit ?? "",
      value: roundTo(r.value === null ? null : Number(r.value), decimalsOf(args.function, r.decimals)),
      observationCount: Number(r.observation_count),
      seriesCount: Number(r.series_count),
    }));
}
