import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, Query, Resolver, Root } from "type-graphql";
import { NotFoundError } from "../../errors";
import { AgendaNode } from "../agenda/agenda.type";
import type { GraphQLContext } from "../context";
import { filieresOfSite } from "../filiere/filiere.loaders";
import { Filiere } from "../filiere/filiere.type";
import { Connection, PageArgs } from "../pagination";
import { Partner } from "../partner/partner.type";
import { territoryByCode } from "../territory/territory.loaders";
import { Territory } from "../territory/territory.type";
import {
  agendaNodesOfSite,
  pageSites,
  partnersOfSite,
  partsOfSite,
  type SiteRow,
  siteByCode,
} from "./site.loaders";
import { Site } from "./site.type";

const SiteConnection = Connection(Site, "Site", "A page of sites.");

@ArgsType()
class SitesArgs extends PageArgs {
  @Field(() => String, {
    nullable: true,
    description: "Only this kind (technopole, port, airport, activity_zone, campus…).",
  })
  kind?: string;
  @Field(() => String, { nullable: true, description: "Only sites of this filière (F1…)." })
  filiere?: string;
  @Field(() => String, { nullable: true, description: "Only sites this partner animates." })
  partner?: string;
  @Field(() => String, { nullable: true, description: "Only sites in this commune (COM-13001…)." })
  commune?: string;
  @Field(() => String, { nullable: true, description: "Name or code contains this text." })
  search?: string;
}

@Resolver(() => Site)
export class SiteResolver {
  @Query(() => Site, {
    nullable: true,
    description: "One site by its code (S_ARBOIS…).",
  })
  async site(
    @Ctx() ctx: GraphQLContext,
    @Arg("code", () => String, { description: "Site code." }) code: string,
  ) {
    const row = await siteByCode(ctx).load(code);
    if (!row) throw new NotFoundError("site", code, "find codes with sites(search: …)");
    return row;
  }

  @Query(() => SiteConnection, {
    description: "Sites the agenda names, filtered by kind, filière, partner or commune.",
  })
  sites(@Ctx() ctx: GraphQLContext, @Args(() => SitesArgs) args: SitesArgs) {
    return pageSites(ctx, args, args);
  }

  @FieldResolver(() => Territory, {
    nullable: true,
    description: "Its commune, when the documents name exactly one.",
  })
  commune(@Root() s: SiteRow, @Ctx() ctx: GraphQLContext) {
    return s.communeCode ? territoryByCode(ctx).load(s.communeCode) : null;
  }

  @FieldResolver(() => [Filiere], { description: "Filières it belongs to." })
  filieres(@Root() s: SiteRow, @Ctx() ctx: GraphQLContext) {
    return filieresOfSite(ctx).load(s.code);
  }

  @FieldResolver(() => [Partner], { description: "Partners that animate it." })
  partners(@Root() s: SiteRow, @Ctx() ctx: GraphQLContext) {
    return partnersOfSite(ctx).load(s.code);
  }

  @FieldResolver(() => Site, { nullable: true, description: "The larger site it is part of." })
  partOf(@Root() s: SiteRow, @Ctx() ctx: GraphQLContext) {
    return s.partOfCode ? siteByCode(ctx).load(s.partOfCode) : null;
  }

  @FieldResolver(() => [Site], { description: "Sites inside it." })
  parts(@Root() s: SiteRow, @Ctx() ctx: GraphQLContext) {
    return partsOfSite(ctx).load(s.code);
  }

  @FieldResolver(() => [AgendaNode], { description: "Agenda nodes that act on it." })
  agendaNodes(@Root() s: SiteRow, @Ctx() ctx: GraphQLContext) {
    return agendaNodesOfSite(ctx).load(s.code);
  }
}
