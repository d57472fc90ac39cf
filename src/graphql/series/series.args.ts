import { ArgsType, Field, InputType, Int } from "type-graphql";
import { BadUserInputError, MAX_PAGE_SIZE, NotFoundError, PageTooLargeError } from "../../errors";
import { instantArg, periodRange } from "../args";
import type { GraphQLContext } from "../context";
import { filiereByCode } from "../filiere/filiere.loaders";
import { indicatorByCode } from "../indicator/indicator.loaders";
import { PageArgs } from "../pagination";
import { territoryByCode } from "../territory/territory.loaders";
import { TerritoryLevel } from "../territory/territory.type";
import type { SeriesFilter } from "./series.loaders";
import { Frequency } from "./series.type";

@InputType({ description: 'One breakdown dimension and its code, e.g. { key: "sex", value: "F" }.' })
export class BreakdownInput {
  @Field(() => String, { description: "Dimension: filiere, naf, sex, age, category…" })
  key!: string;
  @Field(() => String, { description: "Code in that dimension." })
  value!: string;
}

@InputType({ description: "Which series to read. Every condition narrows the selection; none means all." })
export class SeriesFilterInput {
  @Field(() => String, { nullable: true, description: "Indicator code (unemployment_rate…)." })
  indicator?: string;
  @Field(() => [String], { nullable: true, description: "Several indicator codes." })
  indicators?: string[];
  @Field(() => String, { nullable: true, description: "Territory code (DEP-13, COM-13001…)." })
  territory?: string;
  @Field(() => [String], { nullable: true, description: "Several territory codes." })
  territories?: string[];
  @Field(() => TerritoryLevel, { nullable: true, description: "Only territories of this level." })
  territoryLevel?: TerritoryLevel;
  @Field(() => String, {
    nullable: true,
    description: "Only territories inside this one (communes of CT-2, arrondissements of COM-13055).",
  })
  memberOf?: string;
  @Field(() => String, { nullable: true, description: "Measure (rate, jobs, establishments…)." })
  measure?: string;
  @Field(() => String, { nullable: true, description: "Only series restricted to this filière (F1…)." })
  filiere?: string;
  @Field(() => String, { nullable: true, description: "Only series restricted to this NAF code." })
  naf?: string;
  @Field(() => String, { nullable: true, description: "Only series of this dataset." })
  dataset?: string;
  @Field(() => Frequency, { nullable: true, description: "Only series of this frequency." })
  frequency?: Frequency;
  @Field(() => Boolean, {
    nullable: true,
    description: "true: only derived series; false: only published ones.",
  })
  derived?: boolean;
  @Field(() => [BreakdownInput], {
    nullable: true,
    description: "Exactly this breakdown; [] selects the totals. Absent: any breakdown.",
  })
  breakdown?: BreakdownInput[];
}

@ArgsType()
export class PeriodArgs {
  @Field(() => String, { nullable: true, description: "First period, SDMX form (2020, 2020-Q1, 2020-01)." })
  from?: string;
  @Field(() => String, { nullable: true, description: "Last period, SDMX form." })
  to?: string;
  @Field(() => String, {
    nullable: true,
    description: "Values as the hub knew them at this date or instant (ISO 8601), from the revision history.",
  })
  asOf?: string;
}

@ArgsType()
export class ObservationPageArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: "First period, SDMX form (2020, 2020-Q1, 2020-01)." })
  from?: string;
  @Field(() => String, { nullable: true, description: "Last period, SDMX form." })
  to?: string;
  @Field(() => String, { nullable: true, description: "Values as known at this date or instant (ISO 8601)." })
  asOf?: string;
  @Field(() => Int, {
    nullable: true,
    description: `Only the last N periods of each series (at most ${MAX_PAGE_SIZE}).`,
  })
  last?: number;
}

export function parsePeriodArgs(args: { from?: string | null; to?: string | null; asOf?: string | null }) {
  return { ...periodRange(args.from, args.to), asOf: instantArg(args.asOf, "asOf") };
}

/** A breakdown argument as a record; absent stays absent (any breakdown), [] is the total. */
export function breakdownOf(input: BreakdownInput[] | null | undefined): Record<string, string> | undefined {
  return input ? Object.fromEntries(input.map((b) => [b.key, b.value])) : undefined;
}

export function lastArg(last: number | null | undefined): number | undefined {
  if (last === null || last === undefined) return undefined;
  if (last < 1) throw new BadUserInputError(`last: ${last} must be 1 or more`, { argument: "last" });
  if (last > MAX_PAGE_SIZE) throw new PageTooLargeError(last, "last");
  return last;
}

/**
 * Turns the filter input into a repository filter, after checking that every code it names exists,
 * so a typo gets NOT_FOUND rather than an empty answer that looks like "no data".
 */
export async function seriesFilterOf(
  ctx: GraphQLContext,
  input: SeriesFilterInput | undefined | null,
): Promise<SeriesFilter> {
  const f = input ?? {};
  const indicatorCodes = f.indicators ?? (f.indicator ? [f.indicator] : undefined);
  const territoryCodes = f.territories ?? (f.territory ? [f.territory] : undefined);
  const territoryList = [...(territoryCodes ?? []), ...(f.memberOf ? [f.memberOf] : [])];
  const [indicators, territories, filiere] = await Promise.all([
    Promise.all((indicatorCodes ?? []).map((c) => indicatorByCode(ctx).load(c))),
    Promise.all(territoryList.map((c) => territoryByCode(ctx).load(c))),
    f.filiere ? filiereByCode(ctx).load(f.filiere) : Promise.resolve(undefined),
  ]);
  indicators.forEach((row, i) => {
    if (!row)
      throw new NotFoundError(
        "indicator",
        indicatorCodes?.[i] ?? "",
        "list them with { indicators { nodes { code } } }",
      );
  });
  territories.forEach((row, i) => {
    if (!row)
      throw new NotFoundError(
        "territory",
        territoryList[i],
        "territory codes look like COM-13055, DEP-13, EPCI-200054807",
      );
  });
  if (filiere === null) throw new NotFoundError("filière", f.filiere ?? "", "filière codes look like F1…F6");
  return {
    indicatorCodes,
    territoryCodes,
    territoryLevel: f.territoryLevel,
    memberOf: f.memberOf,
    measure: f.measure,
    filiereCode: f.filiere,
    nafCode: f.naf,
    datasetCode: f.dataset,
    frequency: f.frequency,
    derived: f.derived,
    breakdown: breakdownOf(f.breakdown),
  };
}
