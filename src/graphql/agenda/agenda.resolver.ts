import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, Query, Resolver, Root } from "type-graphql";
import { NotFoundError } from "../../errors";
import { Lang, labelIn } from "../common.type";
import type { GraphQLContext } from "../context";
import { Filiere } from "../filiere/filiere.type";
import { targetsOfAgendaNode } from "../indicator/indicator.loaders";
import { Indicator } from "../indicator/indicator.type";
import { Target } from "../indicator/target.type";
import { Connection, PageArgs, pageOfList } from "../pagination";
import { Site } from "../site/site.type";
import {
  type AgendaNodeRow,
  agendaNodeByCode,
  childrenOfNode,
  filieresOfNode,
  indicatorsOfNode,
  listAgendaNodes,
  nodesTaggedWith,
  sitesOfNode,
  tagsOfNode,
} from "./agenda.loaders";
import { AgendaNode, AgendaNodeKind } from "./agenda.type";

const AgendaNodeConnection = Connection(AgendaNode, "AgendaNode", "A page of agenda nodes.");

@ArgsType()
class AgendaNodesArgs extends PageArgs {
  @Field(() => AgendaNodeKind, { nullable: true, description: "Only this kind (ORIENTATION for the five)." })
  kind?: AgendaNodeKind;
  @Field(() => String, { nullable: true, description: "Only the nodes directly under this one." })
  parent?: string;
}

@Resolver(() => AgendaNode)
export class AgendaNodeResolver {
  @Query(() => AgendaNode, {
    nullable: true,
    description: "One node of the agenda by its code (O1, O1.L2, O1.L2.A3, P1, M1…).",
  })
  async agendaNode(
    @Ctx() ctx: GraphQLContext,
    @Arg("code", () => String, { description: "Node code." }) code: string,
  ) {
    const row = await agendaNodeByCode(ctx).load(code);
    if (!row) throw new NotFoundError("agenda node", code, "codes look like O1, O1.L2, O1.L2.A3, P1, M1");
    return row;
  }

  @Query(() => AgendaNodeConnection, {
    description: "Nodes of the agenda: orientations, leviers, actions, pillars, markers.",
  })
  async agendaNodes(@Ctx() ctx: GraphQLContext, @Args(() => AgendaNodesArgs) args: AgendaNodesArgs) {
    if (args.parent && !(await agendaNodeByCode(ctx).load(args.parent)))
      throw new NotFoundError("agenda node", args.parent, "codes look like O1, O1.L2");
    return pageOfList(args, await listAgendaNodes(ctx, args));
  }

  @FieldResolver(() => String, {
    description: "Title in the language asked (French where no translation exists).",
  })
  label(
    @Root() n: AgendaNodeRow,
    @Arg("lang", () => Lang, { defaultValue: Lang.EN, description: "Language." }) lang: Lang,
  ) {
    return labelIn(lang, n.titleFr, n.titleEn);
  }

  @FieldResolver(() => AgendaNode, { nullable: true, description: "The node above it." })
  parent(@Root() n: AgendaNodeRow, @Ctx() ctx: GraphQLContext) {
    return n.parentCode ? agendaNodeByCode(ctx).load(n.parentCode) : null;
  }

  @FieldResolver(() => [AgendaNode], { description: "Nodes directly under it." })
  children(@Root() n: AgendaNodeRow, @Ctx() ctx: GraphQLContext) {
    return childrenOfNode(ctx).load(n.code);
  }

  @FieldResolver(() => [Indicator], {
    description: "Indicators it acts on (not those of the nodes below it).",
  })
  indicators(@Root() n: AgendaNodeRow, @Ctx() ctx: GraphQLContext) {
    return indicatorsOfNode(ctx).load(n.code);
  }

  @FieldResolver(() => [Filiere], { description: "Filières it acts on." })
  filieres(@Root() n: AgendaNodeRow, @Ctx() ctx: GraphQLContext) {
    return filieresOfNode(ctx).load(n.code);
  }

  @FieldResolver(() => [Site], { description: "Sites it acts on." })
  sites(@Root() n: AgendaNodeRow, @Ctx() ctx: GraphQLContext) {
    return sitesOfNode(ctx).load(n.code);
  }

  @FieldResolver(() => [Target], { description: "Targets it sets." })
  targets(@Root() n: AgendaNodeRow, @Ctx() ctx: GraphQLContext) {
    return targetsOfAgendaNode(ctx).load(n.code);
  }

  @FieldResolver(() => [AgendaNode], { description: "Pillars and markers it is tagged with." })
  tags(@Root() n: AgendaNodeRow, @Ctx() ctx: GraphQLContext) {
    return tagsOfNode(ctx).load(n.code);
  }

  @FieldResolver(() => [AgendaNode], { description: "For a pillar or marker: the nodes tagged with it." })
  tagged(@Root() n: AgendaNodeRow, @Ctx() ctx: GraphQLContext) {
    return nodesTaggedWith(ctx).load(n.code);
  }
}
