import { Args, Ctx, Query, Resolver } from "type-graphql";
import type { GraphQLContext } from "../context";
import { seriesFilterOf } from "../series/series.args";
import { AggregateArgs, AggregateRow, aggregate } from "./aggregate";

@Resolver()
export class AggregateResolver {
  @Query(() => [AggregateRow], {
    description:
      "Sum, average, min, max or count of observations grouped by territory (or their parent of a level), level, filière, period or year. Refuses sums that would mislead (rates, mixed units, nested territories).",
  })
  async aggregate(@Ctx() ctx: GraphQLContext, @Args(() => AggregateArgs) args: AggregateArgs) {
    return aggregate(ctx, args, await seriesFilterOf(ctx, args.filter));
  }
}
