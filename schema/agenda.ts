import { index, integer, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { certainties, refsColumn } from "./common";
import { filieres } from "./filiere";
import { indicators } from "./indicator";
import { sites } from "./site";

export const agendaNodeKinds = ["orientation", "levier", "action", "pillar", "marker", "modality"] as const;
export type AgendaNodeKind = (typeof agendaNodeKinds)[number];

/**
 * The agenda tree: 5 orientations × 5 leviers × actions (`parentCode` links them), plus the 5 pillars
 * and 5 markers, which are tags rather than branches.
 */
export const agendaNodes = pgTable(
  "agenda_nodes",
  {
    code: text("code").primaryKey(),
    kind: text("kind", { enum: agendaNodeKinds }).notNull(),
    parentCode: text("parent_code"),
    position: integer("position").notNull().default(0),
    titleFr: text("title_fr").notNull(),
    titleEn: text("title_en"),
    description: text("description"),
    refs: refsColumn(),
  },
  (t) => [index("agenda_nodes_parent_idx").on(t.parentCode)],
);

export const agendaNodeIndicators = pgTable(
  "agenda_node_indicators",
  {
    nodeCode: text("node_code")
      .notNull()
      .references(() => agendaNodes.code),
    indicatorCode: text("indicator_code")
      .notNull()
      .references(() => indicators.code),
    certainty: text("certainty", { enum: certainties }).notNull().default("inference"),
  },
  (t) => [
    primaryKey({ columns: [t.nodeCode, t.indicatorCode] }),
    index("agenda_node_indicators_ind_idx").on(t.indicatorCode),
  ],
);

export const agendaNodeFilieres = pgTable(
  "agenda_node_filieres",
  {
    nodeCode: text("node_code")
      .notNull()
      .references(() => agendaNodes.code),
    filiereCode: text("filiere_code")
      .notNull()
      .references(() => filieres.code),
    certainty: text("certainty", { enum: certainties }).notNull().default("inference"),
  },
  (t) => [
    primaryKey({ columns: [t.nodeCode, t.filiereCode] }),
    index("agenda_node_filieres_fil_idx").on(t.filiereCode),
  ],
);

export const agendaNodeSites = pgTable(
  "agenda_node_sites",
  {
    nodeCode: text("node_code")
      .notNull()
      .references(() => agendaNodes.code),
    siteCode: text("site_code")
      .notNull()
      .references(() => sites.code),
    certainty: text("certainty", { enum: certainties }).notNull().default("inference"),
  },
  (t) => [
    primaryKey({ columns: [t.nodeCode, t.siteCode] }),
    index("agenda_node_sites_site_idx").on(t.siteCode),
  ],
);

/** Tags a node with a pillar or a marker (themselves agenda nodes of kind `pillar` / `marker`). */
export const agendaNodeTags = pgTable(
  "agenda_node_tags",
  {
    nodeCode: text("node_code")
      .notNull()
      .references(() => agendaNodes.code),
    tagCode: text("tag_code")
      .notNull()
      .references(() => agendaNodes.code),
  },
  (t) => [primaryKey({ columns: [t.nodeCode, t.tagCode] }), index("agenda_node_tags_tag_idx").on(t.tagCode)],
);
