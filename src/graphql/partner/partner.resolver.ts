import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, Query, Resolver, Root } from "type-graphql";
import { NotFoundError } from "../../errors";
import type { GraphQLContext } from "../context";
import { filieresOfPartner } from "../filiere/filiere.loaders";
import { Filiere } from "../filiere/filiere.type";
import { indicatorsOfProvider } from "../indicator/indicator.loaders";
import { Indicator } from "../indicator/indicator.type";
import { Connection, PageArgs } from "../pagination";
import { sitesOfPartner } from "../site/site.loaders";
import { Site } from "../site/site.type";
import { datasetsOfPartner, type PartnerRow, pagePartners, partnerByCode } from "./partner.loaders";
import { Dataset, Partner } from "./partner.type";

const PartnerConnection = Connection(Partner, "Partner", "A page of partners.");

@ArgsType()
class PartnersArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: "Only this kind of organisation." })
  kind?: string;
  @Field(() => String, { nullable: true, description: "Only partners playing this role (data_provider…)." })
  role?: string;
  @Field(() => String, { nullable: true, description: "Name, acronym or code contains this text." })
  search?: string;
}

@Resolver(() => Partner)
export class PartnerResolver {
  @Query(() => Partner, {
    nullable: true,
    description: "One partner by its code (INSEE, URSSAF, ATMOSUD…).",
  })
  async partner(
    @Ctx() ctx: GraphQLContext,
    @Arg("code", () => String, { description: "Partner code." }) code: string,
  ) {
    const row = await partnerByCode(ctx).load(code);
    if (!row) throw new NotFoundError("partner", code, "find codes with partners(search: …)");
    return row;
  }

  @Query(() => PartnerConnection, {
    description: "Partners: data providers, pôles, institutions, firms the agenda names.",
  })
  partners(@Ctx() ctx: GraphQLContext, @Args(() => PartnersArgs) args: PartnersArgs) {
    return pagePartners(ctx, args, args);
  }

  @FieldResolver(() => [Dataset], { description: "Datasets it publishes." })
  datasets(@Root() p: PartnerRow, @Ctx() ctx: GraphQLContext) {
    return datasetsOfPartner(ctx).load(p.code);
  }

  @FieldResolver(() => [Site], { description: "Sites it animates." })
  sites(@Root() p: PartnerRow, @Ctx() ctx: GraphQLContext) {
    return sitesOfPartner(ctx).load(p.code);
  }

  @FieldResolver(() => [Filiere], { description: "Filières it animates or structures." })
  filieres(@Root() p: PartnerRow, @Ctx() ctx: GraphQLContext) {
    return filieresOfPartner(ctx).load(p.code);
  }

  @FieldResolver(() => [Indicator], { description: "Indicators it provides." })
  indicators(@Root() p: PartnerRow, @Ctx() ctx: GraphQLContext) {
    return indicatorsOfProvider(ctx).load(p.code);
  }
}
