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
} from "type-graphql";
import { BadUserInputError, NotFoundError } from "../../errors";
import { agendaNodeByCode } from "../agenda/agenda.loaders";
import { AgendaNode } from "../agenda/agenda.type";
import { METROPOLE, progressOfIndicator, TargetProgress } from "../analysis/progress";
import { instantArg } from "../args";
import { Lang, labelIn } from "../common.type";
import type { GraphQLContext } from "../context";
import { Connection, PageArgs, pageOfList } from "../pagination";
import { partnerByCode } from "../partner/partner.loaders";
import { Partner } from "../partner/partner.type";
import { asksForChanges, asksForDetails, observationsAskedUnder } from "../series/selection";
import { seriesOf } from "../series/series.loaders";
import { Observation, Series } from "../series/series.type";
import { territoryByCode } from "../territory/territory.loaders";
import { latestOfIndicator } from "./headline";
import {
  agendaNodesOfIndicator,
  baselinesOfIndicator,
  type IndicatorRow,
  indicatorByCode,
  listIndicators,
  targetsOfIndicator,
} from "./indicator.loaders";
import { Indicator } from "./indicator.type";
import { Baseline, Target } from "./target.type";

const IndicatorConnection = Connection(Indicator, "Indicator", "A page of indicators.");

@ArgsType()
class IndicatorsArgs extends PageArgs {
  @Field(() => String, {
    nullable: true,
    description: "Only the indicators an agenda node (O1, O1.L2…) or any node below it acts on.",
  })
  agendaNode?: string;
  @Field(() => String, {
    nullable: true,
    description: "Only the indicators this partner provides (INSEE, DARES…).",
  })
  provider?: string;
  @Field(() => String, {
    nullable: true,
    description: "Code or name (French or English) contains this text.",
  })
  search?: string;
  @Field(() => Boolean, {
    nullable: true,
    description:
      "true: only the agenda's 20 impact indicators (001:L557-L570); false: only those the hub adds beside them.",
  })
  inAgenda?: boolean;
}

async function territoryOrDefault(ctx: GraphQLContext, code: string | undefined): Promise<string> {
  if (!code) return METROPOLE;
  if (!(await territoryByCode(ctx).load(code)))
    throw new NotFoundError("territory", code, "codes look like COM-13055, DEP-13, EPCI-200054807");
  return code;
}

@Resolver(() => Indicator)
export class IndicatorResolver {
  @Query(() => Indicator, {
    nullable: true,
    description: "One indicator, by code (unemployment_rate) or by its number in the agenda (1-20).",
  })
  async indicator(
    @Ctx() ctx: GraphQLContext,
    @Arg("code", () => String, { nullable: true, description: "Indicator code." }) code?: string,
    @Arg("number", () => Int, { nullable: true, description: "Number in the agenda's table, 1-20." })
    number?: number,
  ) {
    if ((code === undefined) === (number === undefined))
      throw new BadUserInputError("give exactly one of code or number", { arguments: ["code", "number"] });
    const row =
      code !== undefined
        ? await indicatorByCode(ctx).load(code)
        : (await listIndicators(ctx, {})).find((i) => i.number === number);
    if (!row)
      throw new NotFoundError(
        "indicator",
        code ?? String(number),
        "the agenda numbers its indicators 1 to 20",
      );
    return row;
  }

  @Query(() => IndicatorConnection, {
    description: "The agenda's indicators in the order of its table, optionally filtered.",
  })
  async indicators(@Ctx() ctx: GraphQLContext, @Args(() => IndicatorsArgs) args: IndicatorsArgs) {
    if (args.agendaNode && !(await agendaNodeByCode(ctx).load(args.agendaNode)))
      throw new NotFoundError("agenda node", args.agendaNode, "codes look like O1, O1.L2, O1.L2.A3");
    if (args.provider && !(await partnerByCode(ctx).load(args.provider)))
      throw new NotFoundError("partner", args.provider);
    return pageOfList(args, await listIndicators(ctx, args));
  }

  @FieldResolver(() => String, {
    description: "Name in the language asked: the agenda's French wording or English.",
  })
  label(
    @Root() i: IndicatorRow,
    @Arg("lang", () => Lang, { defaultValue: Lang.EN, description: "Language." }) lang: Lang,
  ) {
    return labelIn(lang, i.nameFr, i.nameEn);
  }

  @FieldResolver(() => Boolean, {
    description:
      "True for the agenda's 20 impact indicators (numbered 1-20 in its table); false for those the hub carries beside them (legal populations, the ATMO index).",
  })
  inAgenda(@Root() i: IndicatorRow) {
    return i.number !== null;
  }

  @FieldResolver(() => Partner, { nullable: true, description: "The partner that publishes it." })
  provider(@Root() i: IndicatorRow, @Ctx() ctx: GraphQLContext) {
    return i.providerPartnerCode ? partnerByCode(ctx).load(i.providerPartnerCode) : null;
  }

  @FieldResolver(() => [Series], {
    description: "Series measuring it, optionally at one territory or for one measure or filière.",
  })
  async series(
    @Root() i: IndicatorRow,
    @Ctx() ctx: GraphQLContext,
    @Arg("territory", () => String, { nullable: true, description: "Only at this territory." })
    territory?: string,
    @Arg("measure", () => String, { nullable: true, description: "Only this measure." }) measure?: string,
    @Arg("filiere", () => String, { nullable: true, description: "Only for this filière." }) filiere?: string,
    @Info() info?: GraphQLResolveInfo,
  ) {
    const rows = await seriesOf(ctx).load({
      by: "indicator",
      code: i.code,
      filter: { territoryCodes: territory ? [territory] : undefined, measure },
      observations: observationsAskedUnder(info),
    });
    return filiere ? rows.filter((s) => s.filiereCode === filiere) : rows;
  }

  @FieldResolver(() => Observation, {
    nullable: true,
    description:
      "Latest value of its total at a territory (the Métropole by default), optionally as known at a past date.",
  })
  async latest(
    @Root() i: IndicatorRow,
    @Ctx() ctx: GraphQLContext,
    @Arg("territory", () => String, {
      nullable: true,
      description: "Territory code; the Métropole by default.",
    })
    territory?: string,
    @Arg("measure", () => String, { nullable: true, description: "Measure, when the indicator has several." })
    measure?: string,
    @Arg("asOf", () => String, { nullable: true, description: "As known at this date (ISO 8601)." })
    asOf?: string,
    @Info() info?: GraphQLResolveInfo,
  ) {
    // The read is queued with the check of the territory, not after it: waiting for the check first put
    // every \`latest(territory:)\` alias in a later batch than the plain \`latest\`, one more statement.
    const at = instantArg(asOf, "asOf");
    const [, latest] = await Promise.all([
      territoryOrDefault(ctx, territory),
      latestOfIndicator(
        ctx,
        i.code,
        territory || METROPOLE,
        measure,
        at,
        asksForChanges(info),
        asksForDetails(info),
      ),
    ]);
    return latest?.observation ?? null;
  }

  @FieldResolver(() => [Target], { description: "The agenda's targets it measures." })
  targets(@Root() i: IndicatorRow, @Ctx() ctx: GraphQLContext) {
    return targetsOfIndicator(ctx).load(i.code);
  }

  @FieldResolver(() => [Baseline], { description: "The agenda's baseline and context figures for it." })
  baselines(@Root() i: IndicatorRow, @Ctx() ctx: GraphQLContext) {
    return baselinesOfIndicator(ctx).load(i.code);
  }

  @FieldResolver(() => [AgendaNode], {
    description: "Agenda nodes (orientations, leviers, actions) that act on it.",
  })
  agendaNodes(@Root() i: IndicatorRow, @Ctx() ctx: GraphQLContext) {
    return agendaNodesOfIndicator(ctx).load(i.code);
  }

  @FieldResolver(() => [TargetProgress], {
    description:
      "Progress toward each of its targets, at a territory (the target's own, else the Métropole).",
  })
  async progress(
    @Root() i: IndicatorRow,
    @Ctx() ctx: GraphQLContext,
    @Arg("territory", () => String, { nullable: true, description: "Measure at this territory instead." })
    territory?: string,
    @Arg("asOf", () => String, { nullable: true, description: "As known at this date (ISO 8601)." })
    asOf?: string,
  ) {
    const at = instantArg(asOf, "asOf");
    const code = territory ? await territoryOrDefault(ctx, territory) : undefined;
    return progressOfIndicator(ctx).load({ indicatorCode: i.code, territory: code, asOf: at });
  }
}
