import { sql } from "drizzle-orm";
import { check, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * One row: the fingerprint of the reference data last loaded (its files, the packages it derives from
 * and the loader's own code). A start whose fingerprint matches skips the reload, which was most of a
 * second start's time.
 */
export const referenceState = pgTable(
  "reference_state",
  {
    id: integer("id").primaryKey().default(1),
    fingerprint: text("fingerprint").notNull(),
    loadedAt: timestamp("loaded_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check("reference_state_single_row", sql`${t.id} = 1`)],
);
