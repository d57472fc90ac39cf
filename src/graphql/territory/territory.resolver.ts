import type { GraphQLResolveInfo } from "graphql";
import {
  Arg,
  Args,
  ArgsType,
  Ctx,
  Field,
  FieldResolver,
  Info,
  InputType,
  Query,
  Resolver,
  Root,
  registerEnumType,
} from "type-graphql";
import { NotFoundError } from "../../errors";
import type { GraphQLContext } from "../context";
import { Connection, PageArgs, SortDirection } from "../pagination";
import { observationsAskedUnder } from "../series/selection";
import { BreakdownInput, breakdownOf } from "../series/series.args";
import { seriesOf } from "../series/series.loaders";
import { Series } from "../series/series.type";
import { sitesOfCommune } from "../site/site.loaders";
import { Site } from "../site/site.type";
import {
  pageTerritories,
  type TerritoryLinkRow,
  TerritoryOrderField,
  type TerritoryRow,
  territoryByCode,
  territoryChildren,
  territoryParents,
} from "./territory.loaders";
import { Territory, TerritoryLevel, TerritoryLink, TerritoryRelation } from "./territory.type";

registerEnumType(TerritoryOrderField, {
  name: "TerritoryOrderField",
  description: "What to sort territories by.",
});

@InputType({ description: "How to sort territories." })
class TerritoryOrder {
  @Field(() => TerritoryOrderField, { description: "Sort key." })
  field!: TerritoryOrderField;
  @Field(() => SortDirection, { defaultValue: SortDirection.ASC, description: "Direction." })
  direction!: SortDirection;
}

@ArgsType()
class TerritoriesArgs extends PageArgs {
  @Field(() => TerritoryLevel, { nullable: true, description: "Only this level." })
  level?: TerritoryLevel;
  @Field(() => String, {
    nullable: true,
    description: "Only territories inside this one (members and subdivisions).",
  })
  memberOf?: string;
  @Field(() => String, { nullable: true, description: "Name contains this text (case-insensitive)." })
  search?: string;
  @Field(() => TerritoryOrder, { nullable: true, description: "Sort order (default: code)." })
  orderBy?: TerritoryOrder;
}

const TerritoryConnection = Connection(Territory, "Territory", "A page of territories.");

const toLink = (r: TerritoryLinkRow) => ({
  territory: r.territory,
  relation: r.link.relation,
  confirmed: r.link.confirmed,
  source: r.link.source,
});

@Resolver(() => Territory)
export class TerritoryResolver {
  @Query(() => Territory, {
    nullable: true,
    description: "One territory by its code (COM-13055, EPCI-200054807, DEP-13, CT-2…).",
  })
  async territory(
    @Ctx() ctx: GraphQLContext,
    @Arg("code", () => String, { description: "Territory code." }) code: string,
  ) {
    const row = await territoryByCode(ctx).load(code);
    if (!row)
      throw new NotFoundError(
        "territory",
        code,
        "codes look like COM-13055, ARM-13201, EPCI-200054807, DEP-13, CT-2",
      );
    return row;
  }

  @Query(() => TerritoryConnection, {
    description: "Territories, filtered by level or parent, sorted and paged.",
  })
  async territories(@Ctx() ctx: GraphQLContext, @Args(() => TerritoriesArgs) args: TerritoriesArgs) {
    if (args.memberOf && !(await territoryByCode(ctx).load(args.memberOf)))
      throw new NotFoundError(
        "territory",
        args.memberOf,
        "memberOf takes a territory code such as CT-2 or EPCI-200054807",
      );
    return pageTerritories(
      ctx,
      { level: args.level, memberOf: args.memberOf, search: args.search },
      args.orderBy ?? { field: TerritoryOrderField.CODE, direction: SortDirection.ASC },
      args,
    );
  }

  @FieldResolver(() => [TerritoryLink], {
    description: "Territories this one belongs to (EPCI, département, conseil de territoire…).",
  })
  async parents(
    @Root() t: TerritoryRow,
    @Ctx() ctx: GraphQLContext,
    @Arg("level", () => TerritoryLevel, { nullable: true, description: "Only parents of this level." })
    level?: TerritoryLevel,
  ) {
    return (await territoryParents(ctx, level).load(t.code)).map(toLink);
  }

  @FieldResolver(() => [TerritoryLink], {
    description: "Territories inside this one: members (communes) and subdivisions (arrondissements).",
  })
  async children(
    @Root() t: TerritoryRow,
    @Ctx() ctx: GraphQLContext,
    @Arg("level", () => TerritoryLevel, { nullable: true, description: "Only children of this level." })
    level?: TerritoryLevel,
    @Arg("relation", () => TerritoryRelation, {
      nullable: true,
      description: "Only MEMBER or only SUBDIVISION links.",
    })
    relation?: TerritoryRelation,
  ) {
    const rows = await territoryChildren(ctx, level).load(t.code);
    return rows.filter((r) => !relation || r.link.relation === relation).map(toLink);
  }

  @FieldResolver(() => [Series], { description: "Series measured at this territory." })
  series(
    @Root() t: TerritoryRow,
    @Ctx() ctx: GraphQLContext,
    @Arg("indicator", () => String, { nullable: true, description: "Only this indicator." })
    indicator?: string,
    @Arg("measure", () => String, { nullable: true, description: "Only this measure." }) measure?: string,
    @Arg("breakdown", () => [BreakdownInput], {
      nullable: true,
      description: "Exactly this breakdown; [] for the totals only (a commune has a series per NAF code).",
    })
    breakdown?: BreakdownInput[],
    @Info() info?: GraphQLResolveInfo,
  ) {
    return seriesOf(ctx).load({
      by: "territory",
      code: t.code,
      filter: {
        indicatorCodes: indicator ? [indicator] : undefined,
        measure,
        breakdown: breakdownOf(breakdown),
      },
      observations: observationsAskedUnder(info),
    });
  }

  @FieldResolver(() => [Site], { description: "Sites located in this commune." })
  sites(@Root() t: TerritoryRow, @Ctx() ctx: GraphQLContext) {
    return sitesOfCommune(ctx).load(t.code);
  }
}
