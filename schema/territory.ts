import { boolean, index, integer, pgTable, primaryKey, text, uniqueIndex } from "drizzle-orm/pg-core";
import { refsColumn } from "./common";

export const territoryLevels = [
  "commune",
  "arrondissement_municipal",
  "epci",
  "conseil_de_territoire",
  "departement",
  "region",
  "zone_emploi",
  "qpv",
  "pays",
] as const;
export type TerritoryLevel = (typeof territoryLevels)[number];

/**
 * A territory of any level. `code` is the natural key in INSEE Melodi's form (`COM-13055`, `ARM-13201`,
 * `EPCI-200054807`, `DEP-13`, `REG-93`, `FRANCE-F`, `ZE2020-9312`, `CT-1`, `QPV-QN01306M`), so codes read
 * the same in the API and in the sources; `cogCode` is the bare official code.
 */
export const territories = pgTable(
  "territories",
  {
    code: text("code").primaryKey(),
    level: text("level", { enum: territoryLevels }).notNull(),
    cogCode: text("cog_code").notNull(),
    name: text("name").notNull(),
    /** Millésime of the Code officiel géographique the code belongs to. */
    cogVintage: integer("cog_vintage").notNull(),
    siren: text("siren"),
    population: integer("population"),
    populationYear: integer("population_year"),
    populationSource: text("population_source"),
    note: text("note"),
    refs: refsColumn(),
  },
  (t) => [uniqueIndex("territories_level_cog_idx").on(t.level, t.cogCode, t.cogVintage)],
);

export const territoryRelations = ["member", "subdivision"] as const;
/**
 * An edge of the territory graph, child → parent. `member` edges can be summed (communes of an EPCI);
 * `subdivision` edges cannot be added to their parent (Marseille's arrondissements inside 13055).
 */
export const territoryLinks = pgTable(
  "territory_links",
  {
    childCode: text("child_code")
      .notNull()
      .references(() => territories.code),
    parentCode: text("parent_code")
      .notNull()
      .references(() => territories.code),
    relation: text("relation", { enum: territoryRelations }).notNull().default("member"),
    /** False where the membership is a proposal not yet checked against an official list. */
    confirmed: boolean("confirmed").notNull().default(true),
    source: text("source").notNull(),
    note: text("note"),
  },
  (t) => [
    primaryKey({ columns: [t.childCode, t.parentCode] }),
    index("territory_links_parent_idx").on(t.parentCode),
  ],
);
