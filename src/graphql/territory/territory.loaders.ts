import { and, asc, desc, eq, ilike, inArray, type SQL, sql } from "drizzle-orm";
import { territories, territoryLinks } from "../../../schema/territory";
import { type GraphQLContext, manyLoader } from "../context";
import { anyKey, containing, keyLoader, pageOfTable } from "../links";
import { type PageArgs, SortDirection } from "../pagination";

export type TerritoryRow = typeof territories.$inferSelect;
export type TerritoryLinkRow = { link: typeof territoryLinks.$inferSelect; territory: TerritoryRow };

export const territoryByCode = (ctx: GraphQLContext) =>
  keyLoader(ctx, "territory.byCode", territories, territories.code);

/** Parents of many territories at once, each with the link (member or subdivision, confirmed or not). */
export const territoryParents = (ctx: GraphQLContext) =>
  manyLoader(
    ctx,
    "territory.parents",
    (codes: string[]) =>
      ctx.db
        .select({ link: territoryLinks, territory: territories })
        .from(territoryLinks)
        .innerJoin(territories, eq(territories.code, territoryLinks.parentCode))
        .where(anyKey(territoryLinks.childCode, codes))
        .orderBy(asc(territories.code)),
    (r: TerritoryLinkRow) => r.link.childCode,
  );

export const territoryChildren = (ctx: GraphQLContext) =>
  manyLoader(
    ctx,
    "territory.children",
    (codes: string[]) =>
      ctx.db
        .select({ link: territoryLinks, territory: territories })
        .from(territoryLinks)
        .innerJoin(territories, eq(territories.code, territoryLinks.childCode))
        .where(anyKey(territoryLinks.parentCode, codes))
        .orderBy(asc(territories.code)),
    (r: TerritoryLinkRow) => r.link.parentCode,
  );

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
  return pageOfTable(ctx, territories, where, [sql`${dir(column)} nulls last`, asc(territories.code)], page);
}
