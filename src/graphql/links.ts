import { type AnyColumn, asc, eq, getTableColumns, type InferSelectModel, inArray } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import { type GraphQLContext, manyLoader } from "./context";

/**
 * A loader that follows a link table for many parents at once: the rows of `target` whose `targetKey`
 * equals the link's `to`, for every link whose `from` is one of the keys. `extra` columns of the link
 * (a role, a certainty) ride along on each row. One statement per request level, whatever the parents.
 */
export function linkLoader<T extends PgTable, E extends Record<string, AnyColumn> = Record<string, never>>(
  ctx: GraphQLContext,
  name: string,
  link: { from: AnyColumn; to: AnyColumn; extra?: E },
  target: T,
  targetKey: AnyColumn,
  orderBy: AnyColumn,
) {
  type Row = InferSelectModel<T> & { [K in keyof E]: E[K]["_"]["data"] } & { linkFrom: string };
  return manyLoader<string, Row>(
    ctx,
    name,
    async (keys) =>
      (await ctx.db
        .select({ ...getTableColumns(target), ...(link.extra ?? {}), linkFrom: link.from })
        .from(link.from.table)
        .innerJoin(target as PgTable, eq(targetKey, link.to))
        .where(inArray(link.from, keys))
        .orderBy(asc(orderBy))) as unknown as Row[],
    (r) => r.linkFrom,
  );
}
