import { sql } from "drizzle-orm";
import { bigint, check, integer, pgTable, timestamp } from "drizzle-orm/pg-core";

/**
 * One row whose `version` every load that writes rows advances, inside the load's own transaction: the
 * new version becomes visible exactly when the new rows do, to every hub instance on the database.
 * HTTP caches (ETags, the response cache) key answers on it, so a load invalidates them all at once.
 */
export const dataVersion = pgTable(
  "data_version",
  {
    id: integer("id").primaryKey().default(1),
    version: bigint("version", { mode: "number" }).notNull().default(0),
    changedAt: timestamp("changed_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check("data_version_single_row", sql`${t.id} = 1`)],
);
