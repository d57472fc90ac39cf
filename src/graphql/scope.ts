import type { SQL } from "drizzle-orm";
import { type GraphQLContext, scopeOf } from "./context";

/**
 * The row filter of a caller, as a condition on `s` (the series table). Every repository that reads
 * series (and through them observations, aggregates, changes and progress) adds it to its WHERE, so a
 * per-partner scope is one change here. Public callers see everything, hence no condition yet.
 */
export function seriesVisibleTo(ctx: GraphQLContext): SQL | undefined {
  const scope = scopeOf(ctx);
  switch (scope.kind) {
    case "public":
      return undefined;
  }
}
