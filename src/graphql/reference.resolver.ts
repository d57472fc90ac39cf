import { asc, eq } from "drizzle-orm";
import { Arg, Ctx, Query, Resolver } from "type-graphql";
import { indicators } from "../../schema/indicator";
import { territories } from "../../schema/territory";
import type { GraphQLContext } from "./context";
import { Indicator } from "./indicator/indicator.type";
import { Territory } from "./territory/territory.type";

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
}
