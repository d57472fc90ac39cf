/**
 * The shapes every domain's loaders share: one row by key, the rows of a parent, the rows behind a link
 * table, and a page of a table. Each loader batches the keys of a whole request level into one statement.
 */
import {
  type AnyColumn,
  asc,
  count,
  eq,
  getTableColumns,
  type InferSelectModel,
  inArray,
  type SQL,
  sql,
} from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import type { Db } from "../db/client";
import { preparedOnce } from "../db/prepared";
import { type GraphQLContext, manyLoader, oneLoader } from "./context";
import { type PageArgs, paginate, splitTotal } from "./pagination";
import { isReference, keptByKey, readReference } from "./reference-cache";

type Key = string | number;

/**
 * `column = any($1)`: one array parameter whatever the number of keys, so a loader's statement has one
 * text (one prepared plan) where `in ($1, …, $n)` would have one per batch size.
 */
export function anyKey(column: AnyColumn, keys: readonly Key[]): SQL {
  const type = typeof keys[0] === "number" ? sql.raw("int") : sql.raw("text");
  return sql`${column} = any(${sql.param(keys)}::${type}[])`;
}

/** A loader's statement, built once: it runs again and again with another batch of keys. */
interface KeyedStatement {
  execute(values: { keys: readonly Key[] }): Promise<unknown>;
}

const KEYS = sql.placeholder("keys");

/** `column = any($keys)` in a statement built once (keyedStatement), the batch's keys bound at each run. */
export function anyKeyOfBatch(column: AnyColumn): SQL {
  const type = column.dataType === "number" ? sql.raw("int") : sql.raw("text");
  return sql`${column} = any(${KEYS}::${type}[])`;
}

/**
 * The statement of the loader `name`, built once (preparedOnce): its DataLoader cache in a request is
 * already keyed by the name, and the keys are its one parameter.
 */
export function keyedStatement(db: Db, name: string, build: () => { prepare(name: string): KeyedStatement }) {
  return preparedOnce(db, name, (statementName) => build().prepare(statementName));
}

/** The row of `table` whose `key` column is the key, or null. */
export function keyLoader<T extends PgTable, K extends Key = string>(
  ctx: GraphQLContext,
  name: string,
  table: T,
  key: AnyColumn,
) {
  type Row = InferSelectModel<T>;
  const property = propertyOf(key);
  const statement = keyedStatement(ctx.db, name, () =>
    ctx.db
      .select()
      .from(table as PgTable)
      .where(anyKeyOfBatch(key)),
  );
  const keyOf = (r: Row) => (r as Record<string, unknown>)[property] as K;
  const read = async (keys: K[]) => (await statement.execute({ keys })) as Row[];
  return oneLoader<K, Row>(ctx, name, keptByKey(ctx, name, [table], read, keyOf), keyOf);
}

/** The rows of `table` whose `parent` column is the key (the segments of a filière, the sites of a commune). */
export function childLoader<T extends PgTable>(
  ctx: GraphQLContext,
  name: string,
  table: T,
  parent: AnyColumn,
  orderBy: AnyColumn[],
) {
  type Row = InferSelectModel<T>;
  const property = propertyOf(parent);
  const statement = keyedStatement(ctx.db, name, () =>
    ctx.db
      .select()
      .from(table as PgTable)
      .where(anyKeyOfBatch(parent))
      .orderBy(...orderBy.map((c) => asc(c))),
  );
  const keyOf = (r: Row) => (r as Record<string, unknown>)[property] as string;
  const read = async (keys: string[]) => (await statement.execute({ keys })) as Row[];
  return manyLoader<string, Row>(ctx, name, keptByKey(ctx, name, [table], read, keyOf), keyOf);
}

/**
 * The rows of `target` whose `targetKey` equals the link's `to`, for every link whose `from` is one of
 * the keys. `extra` columns of the link (a role, a certainty) ride along on each row.
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
  const statement = keyedStatement(ctx.db, name, () =>
    ctx.db
      .select({ ...getTableColumns(target), ...(link.extra ?? {}), linkFrom: link.from })
      .from(link.from.table)
      .innerJoin(target as PgTable, eq(targetKey, link.to))
      .where(anyKeyOfBatch(link.from))
      .orderBy(asc(orderBy)),
  );
  const keyOf = (r: Row) => r.linkFrom;
  const read = async (keys: string[]) => (await statement.execute({ keys })) as unknown as Row[];
  const tables = [link.from.table as PgTable, target];
  return manyLoader<string, Row>(ctx, name, keptByKey(ctx, name, tables, read, keyOf), keyOf);
}

/**
 * One page of `table`, its total riding along on the rows (`count(*) over ()`). `key`, a string saying
 * what `where` and `orderBy` select, lets a reference table's pages be kept (src/graphql/reference-cache.ts).
 */
export function pageOfTable<T extends PgTable>(
  ctx: GraphQLContext,
  table: T,
  where: SQL | undefined,
  orderBy: SQL[],
  page: PageArgs,
  key?: string,
) {
  type Row = InferSelectModel<T>;
  const keep = key !== undefined && isReference(table);
  return paginate<Row>(
    page,
    ({ limit, offset }) => {
      const read = async () =>
        splitTotal(
          (await ctx.db
            .select({ ...getTableColumns(table), total: sql<number>`count(*) over ()` })
            .from(table as PgTable)
            .where(where)
            .orderBy(...orderBy)
            .limit(limit)
            .offset(offset)) as (Row & { total: number })[],
        );
      return keep ? readReference(ctx, `${key}\0${limit}\0${offset}`, read) : read();
    },
    // Only for a page past the end, which no dashboard asks again and again: not kept.
    async () =>
      Number(
        (
          await ctx.db
            .select({ n: count() })
            .from(table as PgTable)
            .where(where)
        )[0]?.n ?? 0,
      ),
  );
}

/** An ILIKE pattern matching `text` anywhere, with the caller's % and _ taken literally. */
export function containing(text: string): string {
  return `%${text.replace(/[%_\\]/g, "\\$&")}%`;
}

/** The property name drizzle gives a column in selected rows (its key in the table definition). */
function propertyOf(column: AnyColumn): string {
  const known = properties.get(column);
  if (known) return known;
  for (const [property, c] of Object.entries(getTableColumns(column.table as PgTable)))
    if (c === column) {
      properties.set(column, property);
      return property;
    }
  throw new Error(`column ${column.name} not found in its table`);
}

const properties = new WeakMap<AnyColumn, string>();

/** A condition on `key`: the rows a link table ties to `value` (the targets of an indicator…). */
export function linkedTo(
  ctx: GraphQLContext,
  key: AnyColumn,
  link: { from: PgColumn; to: PgColumn },
  value: string,
): SQL {
  return inArray(key, ctx.db.select({ key: link.to }).from(link.from.table).where(eq(link.from, value)));
}
