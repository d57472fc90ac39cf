import type { GraphQLResolveInfo } from "graphql";
import {
  Arg,
  Args,
  ArgsType,
  Ctx,
  Field,
  FieldResolver,
  Info,
  Int,
  Query,
  Resolver,
  Root,
  registerEnumType,
} from "type-graphql";
import { MAX_PAGE_SIZE, NotFoundError } from "../../errors";
import { Lang, labelIn } from "../common.type";
import type { GraphQLContext } from "../context";
import { filiereByCode } from "../filiere/filiere.loaders";
import { Filiere } from "../filiere/filiere.type";
import { indicatorByCode } from "../indicator/indicator.loaders";
import { Indicator } from "../indicator/indicator.type";
import { Connection, PageArgs } from "../pagination";
import { datasetByCode } from "../partner/partner.loaders";
import { Dataset } from "../partner/partner.type";
import { territoryByCode } from "../territory/territory.loaders";
import { Territory } from "../territory/territory.type";
import type { ObservationRow } from "./observation.sql";
import { asksForChanges } from "./selection";
import {
  lastArg,
  ObservationPageArgs,
  PeriodArgs,
  parsePeriodArgs,
  SeriesFilterInput,
  seriesFilterOf,
} from "./series.args";
import {
  observationsOf,
  pageObservations,
  pageSeries,
  revisionsOf,
  SeriesOrderField,
  type SeriesRow,
  seriesById,
} from "./series.loaders";
import { Observation, ObservationRevision, Series } from "./series.type";

registerEnumType(SeriesOrderField, { name: "SeriesOrderField", description: "What to sort series by." });

export enum ObservationOrder {
  PERIOD = "period",
  PERIOD_DESC = "period_desc",
  VALUE_ASC = "value_asc",
  VALUE_DESC = "value_desc",
}
registerEnumType(ObservationOrder, {
  name: "ObservationOrder",
  description:
    "PERIOD: by series then period (the default); PERIOD_DESC: newest first; VALUE_ASC / VALUE_DESC: by value.",
});

const SeriesConnection = Connection(Series, "Series", "A page of series.");
const ObservationConnection = Connection(Observation, "Observation", "A page of observations.");

@ArgsType()
class SeriesListArgs extends PageArgs {
  @Field(() => SeriesFilterInput, { nullable: true, description: "Which series." })
  filter?: SeriesFilterInput;
  @Field(() => SeriesOrderField, { defaultValue: SeriesOrderField.INDICATOR, description: "Sort order." })
  orderBy!: SeriesOrderField;
}

@ArgsType()
class ObservationsArgs extends ObservationPageArgs {
  @Field(() => SeriesFilterInput, { nullable: true, description: "Which series." })
  filter?: SeriesFilterInput;
  @Field(() => [String], { nullable: true, description: "Only these SDMX OBS_STATUS codes (A, P, SD…)." })
  status?: string[];
  @Field(() => ObservationOrder, { defaultValue: ObservationOrder.PERIOD, description: "Sort order." })
  orderBy!: ObservationOrder;
}

@Resolver(() => Series)
export class SeriesResolver {
  @Query(() => Series, {
    nullable: true,
    description: "One series by its id.",
  })
  async series(@Ctx() ctx: GraphQLContext, @Arg("id", () => Int, { description: "Series id." }) id: number) {
    const row = await seriesById(ctx).load(id);
    if (!row) throw new NotFoundError("series", id, "find ids with seriesList(filter: …)");
    return row;
  }

  @Query(() => SeriesConnection, {
    description: "Series matching a filter (indicator, territory, level, filière, NAF…).",
  })
  async seriesList(@Ctx() ctx: GraphQLContext, @Args(() => SeriesListArgs) args: SeriesListArgs) {
    return pageSeries(ctx, await seriesFilterOf(ctx, args.filter), args.orderBy, args);
  }

  @Query(() => ObservationConnection, {
    name: "observations",
    description:
      "Observations of the series matching a filter, in a period range, optionally as known at a past date.",
  })
  async observationList(@Ctx() ctx: GraphQLContext, @Args(() => ObservationsArgs) args: ObservationsArgs) {
    const filter = await seriesFilterOf(ctx, args.filter);
    return pageObservations(
      ctx,
      {
        ...parsePeriodArgs(args),
        last: lastArg(args.last),
        statuses: args.status,
        order: args.orderBy,
        filter,
      },
      args,
    );
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: "Title at the source in the language asked (French if none).",
  })
  title(
    @Root() s: SeriesRow,
    @Arg("lang", () => Lang, { defaultValue: Lang.EN, description: "Language." }) lang: Lang,
  ) {
    return s.titleFr ? labelIn(lang, s.titleFr, s.titleEn) : s.titleEn;
  }

  @FieldResolver(() => Indicator, { description: "The indicator it measures." })
  indicator(@Root() s: SeriesRow, @Ctx() ctx: GraphQLContext) {
    return indicatorByCode(ctx).load(s.indicatorCode);
  }

  @FieldResolver(() => Territory, { description: "The territory it covers." })
  territory(@Root() s: SeriesRow, @Ctx() ctx: GraphQLContext) {
    return territoryByCode(ctx).load(s.territoryCode);
  }

  @FieldResolver(() => Filiere, { nullable: true, description: "The filière it is restricted to, if any." })
  filiere(@Root() s: SeriesRow, @Ctx() ctx: GraphQLContext) {
    return s.filiereCode ? filiereByCode(ctx).load(s.filiereCode) : null;
  }

  @FieldResolver(() => Dataset, { nullable: true, description: "The dataset it comes from." })
  dataset(@Root() s: SeriesRow, @Ctx() ctx: GraphQLContext) {
    return s.datasetCode ? datasetByCode(ctx).load(s.datasetCode) : null;
  }

  @FieldResolver(() => [Observation], {
    description: "Its values, oldest first, in a period range, optionally as known at a past date.",
  })
  observations(
    @Root() s: SeriesRow,
    @Ctx() ctx: GraphQLContext,
    @Args(() => PeriodArgs) args: PeriodArgs,
    @Arg("last", () => Int, {
      nullable: true,
      description: `Only the last N periods (at most ${MAX_PAGE_SIZE}).`,
    })
    last?: number,
    @Info() info?: GraphQLResolveInfo,
  ) {
    return observationsOf(ctx).load({
      seriesId: s.id,
      ...parsePeriodArgs(args),
      last: lastArg(last),
      changes: asksForChanges(info),
    });
  }

  @FieldResolver(() => Observation, {
    nullable: true,
    description: "Its latest value (optionally as known at a past date).",
  })
  async latest(
    @Root() s: SeriesRow,
    @Ctx() ctx: GraphQLContext,
    @Arg("asOf", () => String, { nullable: true, description: "As known at this date (ISO 8601)." })
    asOf?: string,
    @Info() info?: GraphQLResolveInfo,
  ) {
    const rows = await observationsOf(ctx).load({
      seriesId: s.id,
      ...parsePeriodArgs({ asOf }),
      last: 1,
      changes: asksForChanges(info),
    });
    return rows[0] ?? null;
  }
}

@Resolver(() => Observation)
export class ObservationResolver {
  @FieldResolver(() => Series, { description: "The series it belongs to." })
  series(@Root() o: ObservationRow, @Ctx() ctx: GraphQLContext) {
    return seriesById(ctx).load(o.seriesId);
  }

  @FieldResolver(() => [ObservationRevision], {
    description: "Earlier values of this period, newest first (empty if never revised).",
  })
  revisions(@Root() o: ObservationRow, @Ctx() ctx: GraphQLContext) {
    return revisionsOf(ctx).load(`${o.seriesId}|${o.period}`);
  }
}
