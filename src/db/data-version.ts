import { sql } from "drizzle-orm";
import { type Db, selectRows } from "./client";

/**
 * Advances the data version. Call it inside the transaction that writes the rows: the row lock it takes
 * is held until that transaction commits, so the version and the rows become visible together.
 */
export async function bumpDataVersion(db: Db): Promise<void> {
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
