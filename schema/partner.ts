import { index, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { refsColumn, visibilities } from "./common";

/** An organisation that publishes data, animates a site or a filière (INSEE, URSSAF, AtmoSud, GPMM…). */
export const partners = pgTable("partners", {
  code: text("code").primaryKey(),
  name: text("name").notNull(),
  acronym: text("acronym"),
  kind: text("kind").notNull(),
  roles: text("roles").array().notNull().default([]),
  website: text("website"),
  note: text("note"),
  refs: refsColumn(),
});

/** What a partner publishes: a dataset with its licence and where to get it. */
export const datasets = pgTable(
  "datasets",
  {
    code: text("code").primaryKey(),
    partnerCode: text("partner_code")
      .notNull()
      .references(() => partners.code),
    name: text("name").notNull(),
    description: text("description"),
    licence: text("licence").notNull(),
    url: text("url").notNull(),
    /** The ingest source that loads it (`insee-bdm`, `urssaf`…), when one does. */
    sourceId: text("source_id"),
    note: text("note"),
    /** `public`, `restricted` or `private` (schema/access.ts says who each reaches). */
    visibility: text("visibility", { enum: visibilities }).notNull().default("public"),
    /** Partners a `restricted` dataset is shared with, beside its owner and analysts. */
    sharedWith: text("shared_with").array().notNull().default([]),
    /** Before this instant only the owner and admins see it. */
    embargoUntil: timestamp("embargo_until", { withTimezone: true }),
  },
  (t) => [index("datasets_partner_idx").on(t.partnerCode)],
);
