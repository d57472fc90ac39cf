import type { SQL } from "drizzle-orm";
import { callerOf, type GraphQLContext } from "./context";

/**
 * The row filter of a caller, as a condition on `s` (the series table). Every repository that reads
 * series (and through them observations, aggregates, changes and progress) adds it to its WHERE, so a
 * per-partner scope is one change here. Every series is public until datasets carry a visibility,
 * hence no condition yet for any caller.
 */
export function seriesVisibleTo(ctx: GraphQLContext): SQL | undefined {
  const caller = callerOf(ctx);
  switch (caller.role) {
    case "anonymous":
    case "partner":
    case "analyst":
    case "admin":
      return undefined;
  }
}
