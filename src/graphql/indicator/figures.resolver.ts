/**
 * Baselines and document conflicts as first-class lists, and their links from every entity they concern
 * (indicator, filière, site, territory, agenda node, target) and back.
 */
import { type FieldNode, type GraphQLResolveInfo, Kind, type SelectionSetNode } from "graphql";
import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, Info, Query, Resolver, Root } from "type-graphql";
import { agendaNodes } from "../../../schema/agenda";
import { filieres } from "../../../schema/filiere";
import {
  baselineAgendaNodes,
  baselineFilieres,
  baselineSites,
  targetBaselines,
  targets,
} from "../../../schema/indicator";
import { sites } from "../../../schema/site";
import { NotFoundError } from "../../errors";
import { agendaNodeByCode } from "../agenda/agenda.loaders";
import { AgendaNode } from "../agenda/agenda.type";
import { METROPOLE, TargetProgress } from "../analysis/progress";
import { instantArg } from "../args";
import type { GraphQLContext } from "../context";
import { filiereByCode } from "../filiere/filiere.loaders";
import { Filiere } from "../filiere/filiere.type";
import { linkLoader } from "../links";
import { Connection, PageArgs, pageOfList } from "../pagination";
import { asksForChanges, asksForDetails } from "../series/selection";
import { siteByCode } from "../site/site.loaders";
import { Site } from "../site/site.type";
import { territoryByCode } from "../territory/territory.loaders";
import { Territory } from "../territory/territory.type";
import {
  baselinesOf,
  type ConflictRow,
  conflictsOf,
  type FigureFilter,
  type FigureLink,
  listBaselines,
  listConflicts,
} from "./figures.loaders";
import { agendaFigureFor, Headline, headlineOf, latestOfIndicator } from "./headline";
import {
  type BaselineRow,
  type IndicatorRow,
  indicatorByCode,
  targetByCode,
  targetsOfIndicator,
} from "./indicator.loaders";
import { Indicator } from "./indicator.type";
import { Baseline, DocumentConflict, Target } from "./target.type";

const BaselineConnection = Connection(Baseline, "Baseline", "A page of the agenda's baseline figures.");
const ConflictConnection = Connection(DocumentConflict, "DocumentConflict", "A page of document conflicts.");

@ArgsType()
class FigureArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: "Only those about this indicator." })
  indicator?: string;
  @Field(() => String, { nullable: true, description: "Only those about this filière (F1…)." })
  filiere?: string;
  @Field(() => String, { nullable: true, description: "Only those about this site." })
  site?: string;
  @Field(() => String, {
    nullable: true,
    description: "Only those stated for this territory (EPCI-200054807 for the Métropole, DEP-13…).",
  })
  territory?: string;
  @Field(() => String, {
    nullable: true,
    description: "Only those stated under this agenda node (O1, O1.L2…) or a node below it.",
  })
  agendaNode?: string;
  @Field(() => String, {
    nullable: true,
    description: "Only those stated on a line of this seed document (001 the agenda, 002 the roadmap…).",
  })
  document?: string;
  @Field(() => String, { nullable: true, description: "Only those a target's starting point cites." })
  target?: string;
}

@ArgsType()
class ConflictArgs extends FigureArgs {
  @Field(() => String, { nullable: true, description: "Only the one bearing on this baseline." })
  baseline?: string;
  @Field(() => String, { nullable: true, description: "Topic contains this text." })
  search?: string;
}

/** Unknown codes are an error naming the code, never an empty list that looks like an answer. */
async function checkFilter(ctx: GraphQLContext, f: FigureFilter): Promise<void> {
  const checks: [string | undefined, string, (code: string) => Promise<unknown>][] = [
    [f.indicator, "indicator", (c) => indicatorByCode(ctx).load(c)],
    [f.filiere, "filière", (c) => filiereByCode(ctx).load(c)],
    [f.site, "site", (c) => siteByCode(ctx).load(c)],
    [f.territory, "territory", (c) => territoryByCode(ctx).load(c)],
    [f.agendaNode, "agenda node", (c) => agendaNodeByCode(ctx).load(c)],
    [f.target, "target", (c) => targetByCode(ctx).load(c)],
  ];
  for (const [code, kind, load] of checks)
    if (code && !(await load(code))) throw new NotFoundError(kind, code);
  if (f.document && !/^\d{3}$/.test(f.document))
    throw new NotFoundError("document", f.document, "documents are numbered 000 to 004 (001 is the agenda)");
}

const filterOf = (a: ConflictArgs | FigureArgs): FigureFilter & { search?: string } => {
  const { first: _f, after: _a, ...rest } = a as ConflictArgs;
  return rest;
};

@Resolver(() => DocumentConflict)
export class DocumentConflictResolver {
  @Query(() => BaselineConnection, {
    description:
      "The figures the agenda gives as starting points or context (9,3 % unemployment, 101 653 students in 2021…), each with its document and line.",
  })
  async baselines(@Ctx() ctx: GraphQLContext, @Args(() => FigureArgs) args: FigureArgs) {
    const filter = filterOf(args);
    await checkFilter(ctx, filter);
    return pageOfList(args, await listBaselines(ctx, filter));
  }

  @Query(() => ConflictConnection, {
    description:
      "The places where the seed documents contradict themselves (1,9 or 1,8 million inhabitants…), every value with its document and line.",
  })
  async documentConflicts(@Ctx() ctx: GraphQLContext, @Args(() => ConflictArgs) args: ConflictArgs) {
    const filter = filterOf(args);
    await checkFilter(ctx, filter);
    return pageOfList(args, await listConflicts(ctx, filter));
  }

  @FieldResolver(() => [Baseline], {
    name: "baselines",
    description: "The baselines among its related codes.",
  })
  async relatedBaselines(@Root() c: ConflictRow, @Ctx() ctx: GraphQLContext) {
    return (await Promise.all(c.relatedCodes.map((code) => baselinesOf(ctx, "baseline").load(code)))).flat();
  }

  @FieldResolver(() => [Target], { description: "The targets among its related codes." })
  async targets(@Root() c: ConflictRow, @Ctx() ctx: GraphQLContext) {
    const rows = await Promise.all(c.relatedCodes.map((code) => targetByCode(ctx).load(code)));
    return rows.filter((t) => t !== null);
  }
}

const conflictsField = { description: "Places where the documents contradict themselves about it." };
const baselinesField = { description: "The agenda's baseline and context figures about it." };
const conflicts = (ctx: GraphQLContext, link: FigureLink, code: string) => conflictsOf(ctx, link).load(code);
const baselinesFor = (ctx: GraphQLContext, link: FigureLink, code: string) =>
  baselinesOf(ctx, link).load(code);

@Resolver(() => Indicator)
export class IndicatorFiguresResolver {
  @FieldResolver(() => [DocumentConflict], conflictsField)
  documentConflicts(@Root() i: { code: string }, @Ctx() ctx: GraphQLContext) {
    return conflicts(ctx, "indicator", i.code);
  }
}

@Resolver(() => Filiere)
export class FiliereFiguresResolver {
  @FieldResolver(() => [Baseline], baselinesField)
  baselines(@Root() f: { code: string }, @Ctx() ctx: GraphQLContext) {
    return baselinesFor(ctx, "filiere", f.code);
  }

  @FieldResolver(() => [DocumentConflict], conflictsField)
  documentConflicts(@Root() f: { code: string }, @Ctx() ctx: GraphQLContext) {
    return conflicts(ctx, "filiere", f.code);
  }
}

@Resolver(() => Site)
export class SiteFiguresResolver {
  @FieldResolver(() => [Baseline], baselinesField)
  baselines(@Root() s: { code: string }, @Ctx() ctx: GraphQLContext) {
    return baselinesFor(ctx, "site", s.code);
  }

  @FieldResolver(() => [DocumentConflict], conflictsField)
  documentConflicts(@Root() s: { code: string }, @Ctx() ctx: GraphQLContext) {
    return conflicts(ctx, "site", s.code);
  }
}

@Resolver(() => Territory)
export class TerritoryFiguresResolver {
  @FieldResolver(() => [Baseline], {
    description: "The agenda's baseline figures stated for this territory.",
  })
  baselines(@Root() t: { code: string }, @Ctx() ctx: GraphQLContext) {
    return baselinesFor(ctx, "territory", t.code);
  }

  @FieldResolver(() => [DocumentConflict], conflictsField)
  documentConflicts(@Root() t: { code: string }, @Ctx() ctx: GraphQLContext) {
    return conflicts(ctx, "territory", t.code);
  }
}

@Resolver(() => AgendaNode)
export class AgendaNodeFiguresResolver {
  @FieldResolver(() => [Baseline], {
    description:
      "Baseline figures stated in its span of the agenda or below it (our inference from the lines).",
  })
  baselines(@Root() n: { code: string }, @Ctx() ctx: GraphQLContext) {
    return baselinesFor(ctx, "agendaNode", n.code);
  }

  @FieldResolver(() => [DocumentConflict], conflictsField)
  documentConflicts(@Root() n: { code: string }, @Ctx() ctx: GraphQLContext) {
    return conflicts(ctx, "agendaNode", n.code);
  }
}

@Resolver(() => Target)
export class TargetFiguresResolver {
  @FieldResolver(() => [Baseline], { description: "The baseline figures its starting point cites." })
  baselines(@Root() t: { code: string }, @Ctx() ctx: GraphQLContext) {
    return baselinesFor(ctx, "target", t.code);
  }

  @FieldResolver(() => [DocumentConflict], conflictsField)
  documentConflicts(@Root() t: { code: string }, @Ctx() ctx: GraphQLContext) {
    return conflicts(ctx, "target", t.code);
  }
}

export const baselineFiliereLinks = (ctx: GraphQLContext) =>
  linkLoader(
    ctx,
    "baseline.filieres",
    { from: baselineFilieres.baselineCode, to: baselineFilieres.filiereCode },
    filieres,
    filieres.code,
    filieres.code,
  );
export const baselineSiteLinks = (ctx: GraphQLContext) =>
  linkLoader(
    ctx,
    "baseline.sites",
    { from: baselineSites.baselineCode, to: baselineSites.siteCode },
    sites,
    sites.code,
    sites.code,
  );
export const baselineNodeLinks = (ctx: GraphQLContext) =>
  linkLoader(
    ctx,
    "baseline.agendaNodes",
    { from: baselineAgendaNodes.baselineCode, to: baselineAgendaNodes.nodeCode },
    agendaNodes,
    agendaNodes.code,
    agendaNodes.code,
  );
export const baselineTargetLinks = (ctx: GraphQLContext) =>
  linkLoader(
    ctx,
    "baseline.targets",
    { from: targetBaselines.baselineCode, to: targetBaselines.targetCode },
    targets,
    targets.code,
    targets.code,
  );

@Resolver(() => Baseline)
export class BaselineLinksResolver {
  @FieldResolver(() => [Filiere], { description: "Filières it is about." })
  filieres(@Root() b: BaselineRow, @Ctx() ctx: GraphQLContext) {
    return baselineFiliereLinks(ctx).load(b.code);
  }

  @FieldResolver(() => [Site], { description: "Sites it is about." })
  sites(@Root() b: BaselineRow, @Ctx() ctx: GraphQLContext) {
    return baselineSiteLinks(ctx).load(b.code);
  }

  @FieldResolver(() => [AgendaNode], {
    description: "Agenda nodes in whose span of lines it is stated (our inference).",
  })
  agendaNodes(@Root() b: BaselineRow, @Ctx() ctx: GraphQLContext) {
    return baselineNodeLinks(ctx).load(b.code);
  }

  @FieldResolver(() => [Target], { description: "Targets whose starting point cites it." })
  targets(@Root() b: BaselineRow, @Ctx() ctx: GraphQLContext) {
    return baselineTargetLinks(ctx).load(b.code);
  }

  @FieldResolver(() => [DocumentConflict], { description: "Places where the documents contradict it." })
  documentConflicts(@Root() b: BaselineRow, @Ctx() ctx: GraphQLContext) {
    return conflicts(ctx, "baseline", b.code);
  }
}

/** The `observation` fields a headline's selection asks for, through its fragments. */
function observationNodes(info: GraphQLResolveInfo): FieldNode[] {
  const out: FieldNode[] = [];
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode | undefined) => {
    for (const s of set?.selections ?? []) {
      if (s.kind === Kind.FIELD) {
        if (s.name.value === "observation") out.push(s);
      } else if (s.kind === Kind.INLINE_FRAGMENT) walk(s.selectionSet);
      else if (!seen.has(s.name.value)) {
        seen.add(s.name.value);
        walk(info.fragments[s.name.value]?.selectionSet);
      }
    }
  };
  for (const node of info.fieldNodes) walk(node.selectionSet);
  return out;
}

@Resolver(() => Indicator)
export class IndicatorHeadlineResolver {
  @FieldResolver(() => Headline, {
    nullable: true,
    description:
      "The figure to show at a territory (the Métropole by default): its latest measured value, else the agenda's printed baseline, flagged `fromAgenda` with its document and line. Null when neither exists.",
  })
  async headline(
    @Root() i: IndicatorRow,
    @Ctx() ctx: GraphQLContext,
    @Arg("territory", () => String, {
      nullable: true,
      description: "Territory code; the Métropole by default.",
    })
    territory?: string,
    @Arg("asOf", () => String, { nullable: true, description: "As known at this date (ISO 8601)." })
    asOf?: string,
    @Info() info?: GraphQLResolveInfo,
  ) {
    const code = territory ?? METROPOLE;
    if (!(await territoryByCode(ctx).load(code))) throw new NotFoundError("territory", code);
    // Changes and details only when `observation` asks for them: then a headline and `latest` beside it
    // share one statement, where always reading them made the headline a second, costlier one.
    const asked = info ? { ...info, fieldNodes: observationNodes(info) } : undefined;
    const measured = await latestOfIndicator(
      ctx,
      i.code,
      code,
      undefined,
      instantArg(asOf, "asOf"),
      asked ? asksForChanges(asked) : true,
      asked ? asksForDetails(asked) : true,
    );
    if (measured?.observation.value != null) return headlineOf(measured, null);
    const targets = await targetsOfIndicator(ctx).load(i.code);
    const cited = new Set(
      (await Promise.all(targets.map((t) => baselinesOf(ctx, "target").load(t.code))))
        .flat()
        .map((b) => b.code),
    );
    const linked = await baselinesOf(ctx, "indicator").load(i.code);
    const figure = agendaFigureFor(
      linked.map((baseline) => ({ baseline, citedByTarget: cited.has(baseline.code) })),
      i.unit,
      code,
    );
    return headlineOf(measured, figure);
  }
}

@Resolver(() => TargetProgress)
export class ProgressFiguresResolver {
  @FieldResolver(() => Baseline, {
    nullable: true,
    description:
      "The agenda's printed figure the starting value is, with its document and line (null when the starting value comes from a series).",
  })
  async agendaBaseline(@Root() p: TargetProgress, @Ctx() ctx: GraphQLContext) {
    return agendaBaselineOf(p, await baselinesOf(ctx, "target").load(p.targetCode));
  }

  @FieldResolver(() => Headline, {
    nullable: true,
    description:
      "The figure to show: the latest measured value, else, before anything is measured, the agenda's printed baseline, flagged `fromAgenda`.",
  })
  async headline(@Root() p: TargetProgress, @Ctx() ctx: GraphQLContext) {
    if (p.latestValue !== null)
      return {
        value: p.latestValue,
        valueText: null,
        period: p.latestPeriod,
        unit: p.unit,
        fromAgenda: false,
        observation: null,
        agendaFigure: null,
      };
    const cited = await baselinesOf(ctx, "target").load(p.targetCode);
    return headlineOf(null, agendaBaselineOf(p, cited) ?? cited.find((b) => b.valueNumeric !== null) ?? null);
  }
}

/** The cited baseline whose value and period the progress starts from, when it starts from the agenda's. */
function agendaBaselineOf(p: TargetProgress, cited: BaselineRow[]): BaselineRow | null {
  if (p.baselineValue === null) return null;
  return (
    cited.find((b) => b.valueNumeric === p.baselineValue && (b.period ?? null) === p.baselinePeriod) ?? null
  );
}
