/**
 * The visibility rule as every read path applies it. The rule itself is SQL (`hub_may_see`,
 * `series_visible_to`, `datasets_visible_to`, created by the migration `visibility_rule`), so the API,
 * the exports and SQL access by role cannot disagree; this module only says who the caller is to it.
 * A repository that reads series adds `seriesVisibleTo(ctx)` to its WHERE (series.loaders.ts does it
 * for every series statement, hence for observations, aggregates, changes and progress too).
 */
import { type SQL, sql } from "drizzle-orm";
import { datasets } from "../../schema/partner";
import { type Caller, callerOf, type GraphQLContext } from "./context";

/** The arguments the SQL rule takes for a caller. */
function ruleArgs(caller: Caller): SQL {
  return sql`${caller.role}::text, ${caller.partnerCode ?? null}::text`;
}

/** Admins see every row: no condition, so their statements cost what they did before the rule. */
const seesEverything = (caller: Caller) => caller.role === "admin";

/** The series the caller may read, as a condition on `s` (the series table); undefined means all. */
export function seriesVisibleTo(ctx: GraphQLContext): SQL | undefined {
  const caller = callerOf(ctx);
  if (seesEverything(caller)) return undefined;
  return sql`s.id in (select v.id from series_visible_to(${ruleArgs(caller)}) as v(id))`;
}

/** The datasets the caller may see (their description and streams), as a condition on `datasets`. */
export function datasetsVisibleTo(ctx: GraphQLContext): SQL | undefined {
  const caller = callerOf(ctx);
  if (seesEverything(caller)) return undefined;
  return sql`${datasets.code} in (select v.code from datasets_visible_to(${ruleArgs(caller)}) as v(code))`;
}

/**
 * Whether the caller may read run details: error texts, resource keys and URLs. Anonymous callers and
 * partners see freshness only (when a stream last succeeded or failed), never why.
 */
export function mayReadRunDetails(ctx: GraphQLContext): boolean {
  const { role } = callerOf(ctx);
  return role === "analyst" || role === "admin";
}

/**
 * A string equal for two callers exactly when they see the same rows: what a cache of answers (or an
 * ETag) must vary on. Every analyst sees the same slice, each partner its own.
 */
export function visibilityKeyOf(caller: Caller): string {
  return caller.role === "partner" ? `partner:${caller.partnerCode}` : caller.role;
}
