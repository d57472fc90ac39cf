import { doublePrecision, index, integer, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { refsColumn } from "./common";
import { filieres } from "./filiere";
import { partners } from "./partner";
import { territories } from "./territory";

/** A place the agenda names: technopôle, activity zone, port basin, airport, totem project, campus… */
export const sites = pgTable(
  "sites",
  {
    code: text("code").primaryKey(),
    name: text("name").notNull(),
    /** Normalised kind (technopole, port, airport, activity_zone, campus…), for filtering. */
    kind: text("kind").notNull(),
    /** The kind as the agenda words it ("village d'entreprises / immobilier biotech"). */
    kindLabel: text("kind_label").notNull(),
    /** The larger site this one belongs to (Luminy Biotech inside Luminy). */
    partOfCode: text("part_of_code"),
    /** Set only when the documents name exactly one commune; see locationNote otherwise. */
    communeCode: text("commune_code").references(() => territories.code),
    /** Where the documents place the site, verbatim ("not stated (Marignane per external knowledge)"). */
    locationNote: text("location_note"),
    latitude: doublePrecision("latitude"),
    longitude: doublePrecision("longitude"),
    /** How far the coordinates can be trusted ("approximate ±2-3 km"); null when there are none. */
    coordinatesNote: text("coordinates_note"),
    surfaceHa: doublePrecision("surface_ha"),
    jobs: integer("jobs"),
    figures: text("figures").array().notNull().default([]),
    description: text("description"),
    refs: refsColumn(),
  },
  (t) => [index("sites_commune_idx").on(t.communeCode), index("sites_kind_idx").on(t.kind)],
);

export const siteFilieres = pgTable(
  "site_filieres",
  {
    siteCode: text("site_code")
      .notNull()
      .references(() => sites.code),
    filiereCode: text("filiere_code")
      .notNull()
      .references(() => filieres.code),
  },
  (t) => [
    primaryKey({ columns: [t.siteCode, t.filiereCode] }),
    index("site_filieres_filiere_idx").on(t.filiereCode),
  ],
);

export const sitePartners = pgTable(
  "site_partners",
  {
    siteCode: text("site_code")
      .notNull()
      .references(() => sites.code),
    partnerCode: text("partner_code")
      .notNull()
      .references(() => partners.code),
    role: text("role"),
  },
  (t) => [
    primaryKey({ columns: [t.siteCode, t.partnerCode] }),
    index("site_partners_partner_idx").on(t.partnerCode),
  ],
);
