import { boolean, index, pgTable, primaryKey, real, text } from "drizzle-orm/pg-core";
import { certainties, refsColumn } from "./common";
import { partners } from "./partner";

export const filiereKinds = ["filiere_excellence", "segment", "filiere"] as const;

/** A filière d'excellence of the agenda, or a segment inside one (`parentCode`). */
export const filieres = pgTable(
  "filieres",
  {
    code: text("code").primaryKey(),
    nameFr: text("name_fr").notNull(),
    nameEn: text("name_en").notNull(),
    kind: text("kind", { enum: filiereKinds }).notNull(),
    parentCode: text("parent_code"),
    industrial: boolean("industrial").notNull().default(false),
    description: text("description"),
    refs: refsColumn(),
  },
  (t) => [index("filieres_parent_idx").on(t.parentCode)],
);

/** A code of the French activity nomenclature (NAF rév. 2), at any level (section to sous-classe). */
export const nafCodes = pgTable("naf_codes", {
  code: text("code").primaryKey(),
  label: text("label").notNull(),
  level: text("level", { enum: ["section", "division", "groupe", "classe", "sous_classe"] }).notNull(),
});

/**
 * Which NAF codes make a filière. The agenda gives no mapping: ours is a proposal, so every row says
 * its certainty and a weight (the share of the code's jobs we count in the filière).
 */
export const filiereNafCodes = pgTable(
  "filiere_naf_codes",
  {
    filiereCode: text("filiere_code")
      .notNull()
      .references(() => filieres.code),
    nafCode: text("naf_code")
      .notNull()
      .references(() => nafCodes.code),
    scope: text("scope", { enum: ["core", "extended"] }).notNull(),
    weight: real("weight").notNull().default(1),
    certainty: text("certainty", { enum: certainties }).notNull().default("proposal"),
    note: text("note"),
  },
  (t) => [primaryKey({ columns: [t.filiereCode, t.nafCode] }), index("filiere_naf_naf_idx").on(t.nafCode)],
);

/** Partners that animate or structure a filière (pôles de compétitivité, clusters, anchor firms). */
export const filierePartners = pgTable(
  "filiere_partners",
  {
    filiereCode: text("filiere_code")
      .notNull()
      .references(() => filieres.code),
    partnerCode: text("partner_code")
      .notNull()
      .references(() => partners.code),
    role: text("role"),
  },
  (t) => [
    primaryKey({ columns: [t.filiereCode, t.partnerCode] }),
    index("filiere_partners_partner_idx").on(t.partnerCode),
  ],
);
