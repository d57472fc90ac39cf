import { and, asc, desc, eq, ilike, inArray, type SQL, sql } from "drizzle-orm";
import { territories, territoryLinks } from "../../../schema/territory";
import { type GraphQLContext, manyLoader } from "../context";
import { anyKeyOfBatch, containing, keyedStatement, keyLoader, pageOfTable } from "../links";
import { type PageArgs, SortDirection } from "../pagination";
import { keptByKey } from "../reference-cache";

export type TerritoryRow = typeof territories.$inferSelect;
export type TerritoryLinkRow = { link: typeof territoryLinks.$inferSelect; territory: TerritoryRow };

export const territoryByCode = (ctx: GraphQLContext) =>
  keyLoader(ctx, "territory.byCode", territories, territories.code);

/**
 * Parents (or children) of many territories at once, each with its link (member or subdivision,
 * confirmed or not); only those of `level` when one is given. The level is filtered in SQL: the 100
 * communes of "Communes" have 3 parents each, and mapping the rows not asked for cost more than
 * the statement.
 */
function linkedTerritories(
  ctx: GraphQLContext,
  direction: "parents" | "children",
  level?: TerritoryRow["level"],
) {
  const [from, to] =
    direction === "parents"
      ? [territoryLinks.childCode, territoryLinks.parentCode]
      : [territoryLinks.parentCode, territoryLinks.childCode];
  const name = `territory.${direction}.${level ?? "any"}`;
  const statement = keyedStatement(ctx.db, name, () =>
    ctx.db
      .select({ link: territoryLinks, territory: territories })
      .from(territoryLinks)
      .innerJoin(territories, eq(territories.code, to))
      .where(and(anyKeyOfBatch(from), level ? eq(territories.level, level) : undefined))
      .orderBy(asc(territories.code)),
  );
  const keyOf = (r: TerritoryLinkRow) => (direction === "parents" ? r.link.childCode : r.link.parentCode);
  const read = async (codes: string[]) => (await statement.execute({ keys: codes })) as TerritoryLinkRow[];
  return manyLoader(ctx, name, keptByKey(ctx, name, [territoryLinks, territories], read, keyOf), keyOf);
}

export const territoryParents = (ctx: GraphQLContext, level?: TerritoryRow["level"]) =>
  linkedTerritories(ctx, "parents", level);

export const territoryChildren = (ctx: GraphQLContext, level?: TerritoryRow["level"]) =>
  linkedTerritories(ctx, "children", level);

export async function territoryOrThrow(ctx: GraphQLContext, code: string): Promise<TerritoryRow | null> {
  return territoryByCode(ctx).load(code);
}

export enum TerritoryOrderField {
  CODE = "code",
  NAME = "name",
  POPULATION = "population",
}

export interface TerritoryFilter {
  level?: TerritoryRow["level"];
  search?: string;
  memberOf?: string;
  codes?: string[];
}

export interface Ordering<F> {
  field: F;
  direction: SortDirection;
}

function territoryWhere(ctx: GraphQLContext, f: TerritoryFilter): SQL | undefined {
  const where: SQL[] = [];
  if (f.level) where.push(eq(territories.level, f.level));
  if (f.codes) where.push(inArray(territories.code, f.codes));
  if (f.search) where.push(ilike(territories.name, containing(f.search)));
  if (f.memberOf) {
    const members = ctx.db
      .select({ code: territoryLinks.childCode })
      .from(territoryLinks)
      .where(eq(territoryLinks.parentCode, f.memberOf));
    where.push(inArray(territories.code, members));
  }
  return and(...where);
}

export function pageTerritories(
  ctx: GraphQLContext,
  filter: TerritoryFilter,
  order: Ordering<TerritoryOrderField>,
  page: PageArgs,
) {
  const where = territoryWhere(ctx, filter);
  const column = territories[order.field];
  const dir = order.direction === SortDirection.DESC ? desc : asc;
  const key = JSON.stringify([filter, order]);
  return pageOfTable(
    ctx,
    territories,
    where,
    [sql`${dir(column)} nulls last`, asc(territories.code)],
    page,
    `territories.page\0${key}`,
  );
}
