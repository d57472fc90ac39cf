import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, Query, Resolver, Root } from "type-graphql";
import { NotFoundError } from "../../errors";
import { agendaNodeByCode } from "../agenda/agenda.loaders";
import { AgendaNode } from "../agenda/agenda.type";
import { progressOf, TargetProgress } from "../analysis/progress";
import { instantArg } from "../args";
import type { GraphQLContext } from "../context";
import { Filiere } from "../filiere/filiere.type";
import { Connection, PageArgs, pageOfList } from "../pagination";
import { Site } from "../site/site.type";
import { territoryByCode } from "../territory/territory.loaders";
import { Territory } from "../territory/territory.type";
import {
  type BaselineRow,
  filieresOfTarget,
  indicatorsOfBaseline,
  indicatorsOfTarget,
  listTargets,
  sitesOfTarget,
  type TargetRow,
  targetByCode,
} from "./indicator.loaders";
import { Indicator } from "./indicator.type";
import { Baseline, Target } from "./target.type";

const TargetConnection = Connection(Target, "Target", "A page of targets.");

@ArgsType()
class TargetsArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: "Only targets measured by this indicator." })
  indicator?: string;
  @Field(() => String, { nullable: true, description: "Only targets about this filière." })
  filiere?: string;
}

@Resolver(() => Target)
export class TargetResolver {
  @Query(() => Target, {
    nullable: true,
    description: "One target of the agenda by its code (T_STUDENTS_2030…).",
  })
  async target(
    @Ctx() ctx: GraphQLContext,
    @Arg("code", () => String, { description: "Target code." }) code: string,
  ) {
    const row = await targetByCode(ctx).load(code);
    if (!row) throw new NotFoundError("target", code, "list them with { targets { nodes { code label } } }");
    return row;
  }

  @Query(() => TargetConnection, {
    description: "The agenda's targets, each with the seed line that states it.",
  })
  async targets(@Ctx() ctx: GraphQLContext, @Args(() => TargetsArgs) args: TargetsArgs) {
    return pageOfList(args, await listTargets(ctx, args));
  }

  @FieldResolver(() => [Indicator], { description: "Indicators that measure it." })
  indicators(@Root() t: TargetRow, @Ctx() ctx: GraphQLContext) {
    return indicatorsOfTarget(ctx).load(t.code);
  }

  @FieldResolver(() => [Filiere], { description: "Filières it is about." })
  filieres(@Root() t: TargetRow, @Ctx() ctx: GraphQLContext) {
    return filieresOfTarget(ctx).load(t.code);
  }

  @FieldResolver(() => [Site], { description: "Sites it is about." })
  sites(@Root() t: TargetRow, @Ctx() ctx: GraphQLContext) {
    return sitesOfTarget(ctx).load(t.code);
  }

  @FieldResolver(() => Territory, {
    nullable: true,
    description: "Territory it applies to (null: the Métropole).",
  })
  territory(@Root() t: TargetRow, @Ctx() ctx: GraphQLContext) {
    return t.territoryCode ? territoryByCode(ctx).load(t.territoryCode) : null;
  }

  @FieldResolver(() => AgendaNode, { nullable: true, description: "Agenda node that sets it." })
  agendaNode(@Root() t: TargetRow, @Ctx() ctx: GraphQLContext) {
    return t.agendaNodeCode ? agendaNodeByCode(ctx).load(t.agendaNodeCode) : null;
  }

  @FieldResolver(() => [TargetProgress], { description: "Progress of each of its indicators toward it." })
  async progress(
    @Root() t: TargetRow,
    @Ctx() ctx: GraphQLContext,
    @Arg("territory", () => String, { nullable: true, description: "Measure at this territory instead." })
    territory?: string,
    @Arg("asOf", () => String, { nullable: true, description: "As known at this date (ISO 8601)." })
    asOf?: string,
  ) {
    if (territory && !(await territoryByCode(ctx).load(territory)))
      throw new NotFoundError("territory", territory);
    return progressOf(ctx).load({ targetCode: t.code, territory, asOf: instantArg(asOf, "asOf") });
  }
}

@Resolver(() => Baseline)
export class BaselineResolver {
  @FieldResolver(() => [Indicator], { description: "Indicators it is a starting point for." })
  indicators(@Root() b: BaselineRow, @Ctx() ctx: GraphQLContext) {
    return indicatorsOfBaseline(ctx).load(b.code);
  }

  @FieldResolver(() => Territory, { nullable: true, description: "Territory it covers, where stated." })
  territory(@Root() b: BaselineRow, @Ctx() ctx: GraphQLContext) {
    return b.territoryCode ? territoryByCode(ctx).load(b.territoryCode) : null;
  }
}
