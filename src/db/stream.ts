/**
 * Reads a large result in batches, so memory holds one batch whatever the size. On PostgreSQL,
 * postgres.js's cursor fetches `batch` rows at a time from one server-side cursor. PGlite has no cursor
 * API (and a transaction held open for a whole export would block every other query of the process),
 * so there the query is paged by keyset: each batch starts after the last row's key.
 */
import type { SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import type postgres from "postgres";
import { type Db, selectRows } from "./client";

export interface BatchedQuery<T, K> {
  /** The statement, ordered by the key, reading rows after `after` (all when undefined), at most `limit` (none when undefined). */
  query: (after: K | undefined, limit: number | undefined) => SQL;
  /** The key of a row, in the statement's order. */
  keyOf: (row: T) => K;
  batch?: number;
}

const dialect = new PgDialect();

function postgresClient(db: Db): postgres.Sql | undefined {
  const client = (db as unknown as { $client?: unknown }).$client;
  return typeof client === "function" && typeof (client as postgres.Sql).unsafe === "function"
    ? (client as postgres.Sql)
    : undefined;
}

export async function* streamRows<T, K>(db: Db, q: BatchedQuery<T, K>): AsyncGenerator<T[]> {
  const batch = q.batch ?? 2_000;
  const client = postgresClient(db);
  if (client) {
    const { sql, params } = dialect.sqlToQuery(q.query(undefined, undefined));
    yield* client.unsafe(sql, params as postgres.ParameterOrJSON<never>[]).cursor(batch) as AsyncIterable<
      T[]
    >;
    return;
  }
  let after: K | undefined;
  for (;;) {
    const rows = await selectRows<T>(db, q.query(after, batch));
    if (rows.length > 0) yield rows;
    if (rows.length < batch) return;
    after = q.keyOf(rows[rows.length - 1]);
  }
}
