import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import type { SQL } from "drizzle-orm";
import type { Logger as DrizzleLogger } from "drizzle-orm/logger";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import * as schema from "../../schema/index";
import { refuseIfHeld } from "./holder";

/** The one database type the rest of the code sees, whichever driver runs underneath. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export type Driver = "pglite" | "postgres";

export interface Database {
  readonly db: Db;
  readonly driver: Driver;
  /** Where the data lives, safe to log (no password). */
  readonly location: string;
  migrate(): Promise<void>;
  /**
   * LISTEN on `channel`: `notified` at each notification, `listening` once listening and again after a
   * lost connection was listening anew (notifications may have gone by in between). Resolves to a
   * function that stops.
   */
  listen(channel: string, handlers: ListenHandlers): Promise<() => Promise<void>>;
  /** The embedded database's directory as a tarball (src/db/seed.ts); PostgreSQL has none. */
  dump?(): Promise<Blob>;
  close(): Promise<void>;
}

export interface ListenHandlers {
  notified(): void;
  listening(): void;
}

export interface DatabaseOptions {
  /** postgres://… ; absent means embedded PGlite. */
  url?: string;
  /** PGlite data directory, or `memory://` for a throw-away database. */
  pgliteDir?: string;
  /** Called with every SQL statement drizzle sends (tests count them). */
  onQuery?: (sql: string) => void;
  /** Max connections of the postgres.js pool. */
  maxConnections?: number;
  /** A PGlite data-dir dump to start from (tests start from a migrated, seeded snapshot). */
  pgliteSnapshot?: Blob;
  /**
   * PostgreSQL's statement_timeout on every connection (0: none), so a statement the request deadline
   * gave up on does not keep running; PGlite runs in the process and has no equivalent.
   */
  statementTimeoutMs?: number;
}

export class DatabaseConnectionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DatabaseConnectionError";
  }
}

export const migrationsFolder = fileURLToPath(new URL("../../drizzle", import.meta.url));

/**
 * The client factory: the only place that knows which driver runs. Everything else takes a `Db`.
 */
export async function openDatabase(options: DatabaseOptions = {}): Promise<Database> {
  const logger: DrizzleLogger | undefined = options.onQuery
    ? { logQuery: (query) => options.onQuery?.(query) }
    : undefined;
  return options.url
    ? openPostgres(options.url, logger, options.maxConnections, options.statementTimeoutMs)
    : openPglite(options.pgliteDir ?? "./data/pglite", logger, options.pgliteSnapshot);
}

/**
 * PGlite's shared buffers live in its WebAssembly memory, which grows but never gives memory back: at
 * PostgreSQL's default of 128 MB a large ingest leaves the process 128 MB bigger for good. 16 MB keeps
 * the hub and an ingest under their memory goal; pages beyond it are read from the OS's file cache.
 */
const PGLITE_START_PARAMS = [...PGlite.defaultStartParams, "-c", "shared_buffers=16MB"];

async function openPglite(
  dir: string,
  logger: DrizzleLogger | undefined,
  snapshot?: Blob,
): Promise<Database> {
  const inMemory = dir.startsWith("memory://");
  let client: PGlite;
  // Whoever opens it, and whatever it checked before: a second process on the directory can corrupt it.
  if (!inMemory) refuseIfHeld(dir);
  try {
    if (!inMemory) mkdirSync(dir, { recursive: true });
    client = await PGlite.create(inMemory ? dir : resolve(dir), {
      ...(snapshot ? { loadDataDir: snapshot } : {}),
      startParams: PGLITE_START_PARAMS,
    });
  } catch (error) {
    throw new DatabaseConnectionError(
      `cannot open the embedded database in ${dir}: ${describeError(error)} (is the directory writable?)`,
      { cause: error },
    );
  }
  const db = drizzlePglite(client, { schema, logger }) as unknown as Db;
  return {
    db,
    driver: "pglite",
    location: inMemory ? dir : resolve(dir),
    migrate: () => migratePglite(drizzlePglite(client, { schema }), { migrationsFolder }),
    // One process, one session: the notification arrives with the result of the COMMIT that sent it,
    // before that result resolves. A SQL_PORT client shares the session: whether its own commits reach
    // this listener is not checked (docs/bi.md: that port is for reading).
    listen: async (channel, handlers) => {
      const stop = await client.listen(channel, () => handlers.notified());
      handlers.listening();
      return stop;
    },
    dump: () => client.dumpDataDir("none"),
    close: () => client.close(),
  };
}

async function openPostgres(
  url: string,
  logger: DrizzleLogger | undefined,
  max = 10,
  statementTimeoutMs?: number,
): Promise<Database> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new DatabaseConnectionError(
      "DATABASE_URL is not a valid URL (expected postgres://user@host:5432/db)",
      {
        cause: error,
      },
    );
  }
  const location = `${parsed.hostname}:${parsed.port || "5432"}${parsed.pathname}`;
  // JIT off: the API's statements are short index reads, where compiling a plan costs more than it saves
  // (the dashboard's statement took 700 ms with JIT, 22 ms without, on a stock PostgreSQL 15).
  const client = postgres(url, {
    max,
    onnotice: () => {},
    connect_timeout: 10,
    prepare: true,
    connection: {
      jit: "off",
      ...(statementTimeoutMs !== undefined ? { statement_timeout: statementTimeoutMs } : {}),
    },
  });
  try {
    await client`select 1`;
  } catch (error) {
    await client.end({ timeout: 1 }).catch(() => {});
    throw new DatabaseConnectionError(`cannot reach PostgreSQL at ${location}: ${describeError(error)}`, {
      cause: error,
    });
  }
  const db = drizzlePostgres(client, { schema, logger }) as unknown as Db;
  prepareStatements(db);
  return {
    db,
    driver: "postgres",
    location,
    migrate: () => migratePostgres(drizzlePostgres(client, { schema }), { migrationsFolder }),
    listen: (channel, handlers) => listenPostgres(client, channel, handlers),
    close: () => client.end({ timeout: 5 }),
  };
}

/**
 * postgres.js listens on a connection of its own and listens again when it is lost, calling `onlisten`
 * each time: what was notified in between is covered by `listening`, after which the caller reads
 * afresh. It listens again at once, so what goes unseen is what commits during the reconnection.
 */
async function listenPostgres(
  client: postgres.Sql,
  channel: string,
  handlers: ListenHandlers,
): Promise<() => Promise<void>> {
  const { unlisten } = await client.listen(
    channel,
    () => handlers.notified(),
    () => handlers.listening(),
  );
  return unlisten;
}

/**
 * How many distinct statement texts a pool prepares. A prepared statement stays on its connection (and
 * in the server backend's memory) until the connection closes, and postgres.js never evicts one: texts
 * that vary with their input (a VALUES list per row count) would pile up. Past this many, new texts run
 * unprepared as before; the API's statements are a few dozen texts, prepared long before the cap.
 */
export const PREPARED_TEXTS_MAX = 200;

/**
 * drizzle sends a statement it has no name for (every `db.execute`, every query builder) unprepared:
 * postgres.js then parses it, waits for its parameter types (one round trip), binds and executes it
 * (another), every time. Prepared, a repeated text is one Bind/Execute round trip and no parse.
 * Transactions run on their own session and stay unprepared (ingest's bulk INSERTs vary in length).
 */
function prepareStatements(db: Db, max = PREPARED_TEXTS_MAX): void {
  type PrepareQuery = (
    query: { sql: string },
    fields: unknown,
    name: string | undefined,
    ...rest: unknown[]
  ) => unknown;
  const session = db._.session as unknown as { prepareQuery: PrepareQuery };
  const texts = new Set<string>();
  session.prepareQuery = function (this: unknown, query, fields, name, ...rest) {
    // Looked up per call: src/db/instrument.ts wraps the prototype's, possibly after this runs.
    const prototypePrepare = (Object.getPrototypeOf(session) as { prepareQuery: PrepareQuery }).prepareQuery;
    let named = name;
    if (named === undefined && (texts.has(query.sql) || texts.size < max)) {
      texts.add(query.sql);
      // postgres.js names the statement itself; drizzle only asks whether there is a name.
      named = "hublot";
    }
    return prototypePrepare.call(session, query, fields, named, ...rest);
  };
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === "string" && !error.message.includes(code)
      ? `${error.message} (${code})`
      : error.message;
  }
  return String(error);
}

/**
 * Rows of a raw SQL statement. The two drivers shape `execute` results differently (an array for
 * postgres.js, `{ rows }` for PGlite); this is the one place that evens it out.
 */
export async function selectRows<T>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown;
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
