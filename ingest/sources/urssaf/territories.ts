import { inArray, like, or } from "drizzle-orm";
import { territories } from "../../../schema/territory";
import type { PlanContext } from "../../core/types";

/** URSSAF publishes Marseille only by arrondissement (13201-13216); those are ARM territories, not communes. */
export function urssafCommuneTerritory(codeCommune: string): string {
  return /^132(0[1-9]|1[0-6])$/.test(codeCommune) ? `ARM-${codeCommune}` : `COM-${codeCommune}`;
}

/**
 * The territory codes of the given levels the reference data holds, read at plan time and carried in
 * the resource so `convert` can skip (and count) rows for territories the hub does not know instead of
 * failing the whole payload on them.
 */
export async function knownTerritories(
  ctx: Pick<PlanContext, "db">,
  prefixes: readonly string[],
  codes: readonly string[] = [],
): Promise<string[]> {
  const conditions = [
    ...prefixes.map((p) => like(territories.code, `${p}-%`)),
    ...(codes.length ? [inArray(territories.code, [...codes])] : []),
  ];
  if (conditions.length === 0) return [];
  const rows = await ctx.db
    .select({ code: territories.code })
    .from(territories)
    .where(or(...conditions));
  return rows.map((r) => r.code).sort();
}
