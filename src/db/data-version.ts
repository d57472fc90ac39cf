import { sql } from "drizzle-orm";
import { type Database, type Db, selectRows } from "./client";

/** The channel a trigger on `data_version` notifies at every commit that advanced it (drizzle/0010). */
export const DATA_VERSION_CHANNEL = "hublot_data_version";

/**
 * Advances made by this process whose notification has not arrived yet may still be uncommitted, or
 * committed a moment before their notification reaches the listening connection: until it does, the
 * version is read from the table.
 */
let bumpsHere = 0;

/**
 * Advances the data version. Call it inside the transaction that writes the rows: the row lock it takes
 * is held until that transaction commits, so the version and the rows become visible together.
 */
export async function bumpDataVersion(db: Db): Promise<void> {
  bumpsHere += 1;
  await db.execute(sql`update data_version set version = version + 1, changed_at = now() where id = 1`);
}

/** The current data version: one primary-key read, never a look at the observations. */
export async function readDataVersion(db: Db): Promise<number> {
  const [row] = await selectRows<{ version: number | string }>(
    db,
    sql`select version from data_version where id = 1`,
  );
  return Number(row?.version ?? 0);
}

/** Where the HTTP cache learns the data version from. */
export interface DataVersionSource {
  current(): Promise<number>;
  close(): Promise<void>;
}

/** The version read from the table at every call. */
export function readEachTime(db: Db): DataVersionSource {
  return { current: () => readDataVersion(db), close: async () => {} };
}

/**
 * The version kept in memory, read again only after a notification said it changed: every cacheable
 * request used to spend one statement (a round trip, on PostgreSQL) on it. Writers in other processes
 * (another hub on the same server, `npm run ingest` on PostgreSQL, a hand-written UPDATE) reach it
 * through the trigger's NOTIFY, within the time a notification takes to arrive; this process's own
 * advances are never missed (`bumpsHere`); after a lost listening connection listens again, the next
 * call reads the table.
 */
export async function watchDataVersion(database: Database): Promise<DataVersionSource> {
  let listening = false;
  let known: number | undefined;
  // A read that started before a notification may return the older version: it is not kept.
  let generation = 0;
  let bumpsSettled = bumpsHere;
  const forget = () => {
    generation += 1;
    known = undefined;
  };
  const stop = await database.listen(DATA_VERSION_CHANNEL, {
    notified: () => {
      forget();
      bumpsSettled = bumpsHere;
    },
    listening: () => {
      forget();
      listening = true;
    },
  });
  return {
    async current() {
      const trusted = listening && bumpsSettled === bumpsHere;
      if (trusted && known !== undefined) return known;
      const startedAt = generation;
      const version = await readDataVersion(database.db);
      if (trusted && startedAt === generation && bumpsSettled === bumpsHere) known = version;
      return version;
    },
    close: stop,
  };
}
