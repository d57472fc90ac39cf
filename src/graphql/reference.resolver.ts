import { asc, eq, inArray } from "drizzle-orm";
import { Arg, Ctx, Query, Resolver } from "type-graphql";
import { filiereNafCodes, filieres } from "../../schema/filiere";
import { indicators, targetIndicators, targets } from "../../schema/indicator";
import { partners } from "../../schema/partner";
import { territories, territoryLinks } from "../../schema/territory";
import type { GraphQLContext } from "./context";
import { Filiere } from "./filiere/filiere.type";
import { Indicator } from "./indicator/indicator.type";
import { Target } from "./indicator/target.type";
import { Partner } from "./partner/partner.type";
import { Territory, TerritoryWithMembers } from "./territory/territory.type";

@Resolver()
export class ReferenceResolver {
  @Query(() => [Territory], { description: "Territories, optionally of one level (e.g. commune)." })
  territories(
    @Ctx() ctx: GraphQLContext,
    @Arg("level", () => String, { nullable: true, description: "Only this level." }) level?: string,
  ): Promise<Territory[]> {
    const q = ctx.db.select().from(territories);
    return (level ? q.where(eq(territories.level, level as Territory["level"])) : q).orderBy(
      asc(territories.code),
    );
  }

  @Query(() => [Indicator], { description: "The agenda's indicators, in the order of its table." })
  indicators(@Ctx() ctx: GraphQLContext): Promise<Indicator[]> {
    return ctx.db.select().from(indicators).orderBy(asc(indicators.number));
  }

  @Query(() => [TerritoryWithMembers], {
    description: "The 6 former conseils de territoire with their communes.",
  })
  async conseilsDeTerritoire(@Ctx() ctx: GraphQLContext): Promise<TerritoryWithMembers[]> {
    const cts = await ctx.db
      .select()
      .from(territories)
      .where(eq(territories.level, "conseil_de_territoire"))
      .orderBy(asc(territories.code));
    const links = await ctx.db
      .select({ parent: territoryLinks.parentCode, confirmed: territoryLinks.confirmed, member: territories })
      .from(territoryLinks)
      .innerJoin(territories, eq(territories.code, territoryLinks.childCode))
      .where(
        inArray(
          territoryLinks.parentCode,
          cts.map((c) => c.code),
        ),
      )
      .orderBy(asc(territories.code));
    return cts.map((ct) => {
      const own = links.filter((l) => l.parent === ct.code);
      return { ...ct, members: own.map((l) => l.member), membershipConfirmed: own.every((l) => l.confirmed) };
    });
  }

  @Query(() => [Filiere], { description: "Filières and segments with their NAF codes." })
  async filieres(@Ctx() ctx: GraphQLContext): Promise<Filiere[]> {
    const [rows, naf] = await Promise.all([
      ctx.db.select().from(filieres).orderBy(asc(filieres.code)),
      ctx.db.select().from(filiereNafCodes).orderBy(asc(filiereNafCodes.nafCode)),
    ]);
    return rows.map((f) => ({
      ...f,
      nafCodes: naf.filter((n) => n.filiereCode === f.code).map((n) => ({ ...n, code: n.nafCode })),
    }));
  }

  @Query(() => [Partner], { description: "Partners: data providers, pôles, institutions." })
  partners(@Ctx() ctx: GraphQLContext): Promise<Partner[]> {
    return ctx.db.select().from(partners).orderBy(asc(partners.code));
  }

  @Query(() => [Target], { description: "The agenda's targets with their seed lines." })
  async targets(@Ctx() ctx: GraphQLContext): Promise<Target[]> {
    const [rows, links] = await Promise.all([
      ctx.db.select().from(targets).orderBy(asc(targets.code)),
      ctx.db.select().from(targetIndicators),
    ]);
    return rows.map((t) => ({
      ...t,
      indicatorCodes: links.filter((l) => l.targetCode === t.code).map((l) => l.indicatorCode),
    }));
  }
}
