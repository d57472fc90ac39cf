import type { GraphQLResolveInfo } from "graphql";
import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, Info, Query, Resolver, Root } from "type-graphql";
import { NotFoundError } from "../../errors";
import { AgendaNode } from "../agenda/agenda.type";
import { Lang, labelIn } from "../common.type";
import type { GraphQLContext } from "../context";
import { targetsOfFiliere } from "../indicator/indicator.loaders";
import { Target } from "../indicator/target.type";
import { Connection, PageArgs, pageOfList } from "../pagination";
import { Partner } from "../partner/partner.type";
import { observationsAskedUnder } from "../series/selection";
import { seriesOf } from "../series/series.loaders";
import { Series } from "../series/series.type";
import { Site } from "../site/site.type";
import {
  agendaNodesOfFiliere,
  type FiliereRow,
  filiereByCode,
  filieresOfNaf,
  listFilieres,
  nafCodeByCode,
  nafCodesOfFiliere,
  partnersOfFiliere,
  segmentsOf,
  sitesOfFiliere,
} from "./filiere.loaders";
import { Filiere, FiliereKind, FiliereNafCode, NafCode } from "./filiere.type";

const FiliereConnection = Connection(Filiere, "Filiere", "A page of filières.");

@ArgsType()
class FilieresArgs extends PageArgs {
  @Field(() => FiliereKind, {
    nullable: true,
    description: "Only this kind (FILIERE_EXCELLENCE for the agenda's six).",
  })
  kind?: FiliereKind;
  @Field(() => String, {
    nullable: true,
    description: "Only filières that count this NAF code (e.g. 21.10Z).",
  })
  naf?: string;
}

@Resolver(() => Filiere)
export class FiliereResolver {
  @Query(() => Filiere, {
    nullable: true,
    description: "One filière by its code (F1…F6, F_BLUETECH…).",
  })
  async filiere(
    @Ctx() ctx: GraphQLContext,
    @Arg("code", () => String, { description: "Filière code." }) code: string,
  ) {
    const row = await filiereByCode(ctx).load(code);
    if (!row) throw new NotFoundError("filière", code, "filière codes look like F1…F6 or F_BLUETECH");
    return row;
  }

  @Query(() => FiliereConnection, {
    description: "Filières d'excellence, segments and other filières of the agenda.",
  })
  async filieres(@Ctx() ctx: GraphQLContext, @Args(() => FilieresArgs) args: FilieresArgs) {
    return pageOfList(args, await listFilieres(ctx, args));
  }

  @Query(() => NafCode, { nullable: true, description: "One NAF code with its label." })
  async nafCode(
    @Ctx() ctx: GraphQLContext,
    @Arg("code", () => String, { description: "NAF code, e.g. 21.10Z." }) code: string,
  ) {
    const row = await nafCodeByCode(ctx).load(code);
    if (!row)
      throw new NotFoundError(
        "NAF code",
        code,
        "NAF rév. 2 codes look like 21.10Z (sous-classe) or 21 (division)",
      );
    return row;
  }

  @FieldResolver(() => String, { description: "Name in the language asked." })
  label(
    @Root() f: FiliereRow,
    @Arg("lang", () => Lang, { defaultValue: Lang.EN, description: "Language." }) lang: Lang,
  ) {
    return labelIn(lang, f.nameFr, f.nameEn);
  }

  @FieldResolver(() => [FiliereNafCode], {
    description: "NAF codes that make it (a proposal of the hub: the agenda gives none).",
  })
  nafCodes(@Root() f: FiliereRow, @Ctx() ctx: GraphQLContext) {
    return nafCodesOfFiliere(ctx).load(f.code);
  }

  @FieldResolver(() => Filiere, { nullable: true, description: "The filière a segment belongs to." })
  parent(@Root() f: FiliereRow, @Ctx() ctx: GraphQLContext) {
    return f.parentCode ? filiereByCode(ctx).load(f.parentCode) : null;
  }

  @FieldResolver(() => [Filiere], { description: "Segments inside it." })
  segments(@Root() f: FiliereRow, @Ctx() ctx: GraphQLContext) {
    return segmentsOf(ctx).load(f.code);
  }

  @FieldResolver(() => [Site], { description: "Sites (technopôles, zones, totems) that belong to it." })
  sites(@Root() f: FiliereRow, @Ctx() ctx: GraphQLContext) {
    return sitesOfFiliere(ctx).load(f.code);
  }

  @FieldResolver(() => [Partner], { description: "Partners that animate or structure it (pôles, clusters)." })
  partners(@Root() f: FiliereRow, @Ctx() ctx: GraphQLContext) {
    return partnersOfFiliere(ctx).load(f.code);
  }

  @FieldResolver(() => [Series], { description: "Series restricted to it (salaried jobs of the filière…)." })
  series(
    @Root() f: FiliereRow,
    @Ctx() ctx: GraphQLContext,
    @Arg("indicator", () => String, { nullable: true, description: "Only this indicator." })
    indicator?: string,
    @Arg("territory", () => String, { nullable: true, description: "Only at this territory." })
    territory?: string,
    @Info() info?: GraphQLResolveInfo,
  ) {
    return seriesOf(ctx).load({
      by: "filiere",
      code: f.code,
      filter: {
        indicatorCodes: indicator ? [indicator] : undefined,
        territoryCodes: territory ? [territory] : undefined,
      },
      observations: observationsAskedUnder(info),
    });
  }

  @FieldResolver(() => [AgendaNode], { description: "Agenda nodes that act on it." })
  agendaNodes(@Root() f: FiliereRow, @Ctx() ctx: GraphQLContext) {
    return agendaNodesOfFiliere(ctx).load(f.code);
  }

  @FieldResolver(() => [Target], { description: "Targets about it." })
  targets(@Root() f: FiliereRow, @Ctx() ctx: GraphQLContext) {
    return targetsOfFiliere(ctx).load(f.code);
  }
}

@Resolver(() => NafCode)
export class NafCodeResolver {
  @FieldResolver(() => [Filiere], { description: "Filières that count this code." })
  filieres(@Root() n: NafCode, @Ctx() ctx: GraphQLContext) {
    return filieresOfNaf(ctx).load(n.code);
  }
}
