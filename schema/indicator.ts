import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { certainties, refsColumn, type SourceRef, visibilities } from "./common";
import { filieres } from "./filiere";
import { datasets, partners } from "./partner";
import { sites } from "./site";
import { territories } from "./territory";

export const directions = ["higher_is_better", "lower_is_better", "neutral"] as const;
export const frequencies = ["A", "S", "Q", "M", "D", "P"] as const;
/** SDMX FREQ codes: annual, half-year, quarter, month, day, and P for a multi-year span (a census). */
export type Frequency = (typeof frequencies)[number];

/** One of the agenda's 20 impact indicators (`number` 1-20), or a later one (`number` null). */
export const indicators = pgTable("indicators", {
  code: text("code").primaryKey(),
  number: integer("number").unique(),
  nameFr: text("name_fr").notNull(),
  nameEn: text("name_en").notNull(),
  description: text("description"),
  unit: text("unit").notNull(),
  /** Whether values of this unit may be summed across territories or breakdowns (counts yes, rates no). */
  additive: boolean("additive").notNull(),
  periodicity: text("periodicity").notNull(),
  direction: text("direction", { enum: directions }).notNull(),
  /** The sources as the agenda prints them ("Pôle emploi", "Cigale AtmoSud"). */
  sourcesNamed: text("sources_named").array().notNull().default([]),
  providerPartnerCode: text("provider_partner_code").references(() => partners.code),
  geoLevels: text("geo_levels").array().notNull().default([]),
  breakdowns: text("breakdowns").array().notNull().default([]),
  note: text("note"),
  refs: refsColumn(),
});

/**
 * One measured line: an indicator at a territory for one breakdown (filière, NAF sector, sex, age…) and
 * one measure (a rate and a count of the same indicator are two series).
 */
export const series = pgTable(
  "series",
  {
    id: serial("id").primaryKey(),
    indicatorCode: text("indicator_code")
      .notNull()
      .references(() => indicators.code),
    territoryCode: text("territory_code")
      .notNull()
      .references(() => territories.code),
    measure: text("measure").notNull(),
    /** Dimension → code, e.g. `{ "filiere": "F1" }`; `{}` for the total. */
    breakdown: jsonb("breakdown").$type<Record<string, string>>().notNull().default({}),
    /** `breakdown` as a canonical string (`filiere=F1;sex=F`), so it can be part of a unique key. */
    breakdownKey: text("breakdown_key").notNull().default(""),
    filiereCode: text("filiere_code").references(() => filieres.code),
    nafCode: text("naf_code"),
    datasetCode: text("dataset_code").references(() => datasets.code),
    /** The identifier at the source (an INSEE idbank, a Melodi dataset and key…). */
    sourceKey: text("source_key"),
    frequency: text("frequency", { enum: frequencies }).notNull(),
    unit: text("unit").notNull(),
    /** Power of ten the values are expressed in (SDMX UNIT_MULT): 3 means thousands. */
    unitMult: integer("unit_mult").notNull().default(0),
    titleFr: text("title_fr"),
    titleEn: text("title_en"),
    /** When the source last updated the series (SDMX LAST_UPDATE), not when we fetched it. */
    sourceUpdatedAt: timestamp("source_updated_at", { withTimezone: true }),
    /** True for series we compute from stored observations (sums over communes, jobs by filière…). */
    derived: boolean("derived").notNull().default(false),
    derivation: text("derivation"),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    /** Overrides of the dataset's visibility for this series alone; null inherits the dataset's. */
    visibility: text("visibility", { enum: visibilities }),
    sharedWith: text("shared_with").array(),
    embargoUntil: timestamp("embargo_until", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("series_natural_key").on(t.indicatorCode, t.territoryCode, t.measure, t.breakdownKey),
    index("series_territory_idx").on(t.territoryCode),
    index("series_filiere_idx").on(t.filiereCode),
    index("series_dataset_idx").on(t.datasetCode),
  ],
);

/** Provenance of an observation: where the value came from and which run put it there. */
const provenanceColumns = () => ({
  sourceUrl: text("source_url"),
  retrievedAt: timestamp("retrieved_at", { withTimezone: true }),
  runId: bigint("run_id", { mode: "number" }),
  rawPayloadId: bigint("raw_payload_id", { mode: "number" }),
  /** For figures quoted from the agenda: the document and line. */
  docRef: jsonb("doc_ref").$type<SourceRef>(),
  /** For derived values: the inputs (series ids and periods) they were computed from. */
  derivedFrom: jsonb("derived_from").$type<{ seriesId: number; period: string }[]>(),
});

/**
 * The current value of a series for a period. `period` is in SDMX form (`2024`, `2024-S1`, `2024-Q3`,
 * `2024-07`, `2024-07-14`); `obsStatus` is the SDMX OBS_STATUS code (A normal, P provisional, E estimated,
 * SD semi-definitive, C confidential, M missing…). `validFrom` is when this value was first stored.
 */
export const observations = pgTable(
  "observations",
  {
    seriesId: integer("series_id")
      .notNull()
      .references(() => series.id),
    period: text("period").notNull(),
    periodStart: date("period_start").notNull(),
    periodEnd: date("period_end").notNull(),
    value: doublePrecision("value"),
    obsStatus: text("obs_status").notNull().default("A"),
    obsQual: text("obs_qual"),
    attributes: jsonb("attributes").$type<Record<string, string>>().notNull().default({}),
    ...provenanceColumns(),
    validFrom: timestamp("valid_from", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.seriesId, t.period] }),
    index("observations_period_start_idx").on(t.periodStart),
  ],
);

/**
 * Every value an observation had before its current one: it was valid from `validFrom` until
 * `validTo`, when run `replacedByRunId` changed it. `asOf` queries read from here.
 */
export const observationRevisions = pgTable(
  "observation_revisions",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    // No foreign key: a revision is only ever copied from an observation, which has one, and checking
    // it again cost a fifth of every revising load (npm run bench).
    seriesId: integer("series_id").notNull(),
    period: text("period").notNull(),
    value: doublePrecision("value"),
    obsStatus: text("obs_status").notNull(),
    obsQual: text("obs_qual"),
    attributes: jsonb("attributes").$type<Record<string, string>>().notNull().default({}),
    ...provenanceColumns(),
    validFrom: timestamp("valid_from", { withTimezone: true }).notNull(),
    validTo: timestamp("valid_to", { withTimezone: true }).notNull().default(sql`now()`),
    replacedByRunId: bigint("replaced_by_run_id", { mode: "number" }),
  },
  (t) => [index("observation_revisions_key_idx").on(t.seriesId, t.period, t.validTo)],
);

export const targetValueKinds = [
  "absolute",
  "relative_percent",
  "multiplier",
  "share_percent",
  "rank",
  "qualitative",
] as const;

/** A quantified objective of the agenda, as printed (`valueText`) and, where it is a number, parsed. */
export const targets = pgTable("targets", {
  code: text("code").primaryKey(),
  label: text("label").notNull(),
  valueText: text("value_text").notNull(),
  valueNumeric: doublePrecision("value_numeric"),
  valueKind: text("value_kind", { enum: targetValueKinds }).notNull(),
  unit: text("unit").notNull(),
  horizon: text("horizon").notNull(),
  horizonYear: integer("horizon_year"),
  baselineText: text("baseline_text"),
  baselineValue: doublePrecision("baseline_value"),
  baselinePeriod: text("baseline_period"),
  territoryCode: text("territory_code").references(() => territories.code),
  agendaNodeCode: text("agenda_node_code"),
  note: text("note"),
  refs: refsColumn(),
});

/** Links a target to the indicators it is measured by; `certainty` says whether the agenda or we made the link. */
export const targetIndicators = pgTable(
  "target_indicators",
  {
    targetCode: text("target_code")
      .notNull()
      .references(() => targets.code),
    indicatorCode: text("indicator_code")
      .notNull()
      .references(() => indicators.code),
    certainty: text("certainty", { enum: certainties }).notNull().default("inference"),
  },
  (t) => [
    primaryKey({ columns: [t.targetCode, t.indicatorCode] }),
    index("target_indicators_indicator_idx").on(t.indicatorCode),
  ],
);

export const targetFilieres = pgTable(
  "target_filieres",
  {
    targetCode: text("target_code")
      .notNull()
      .references(() => targets.code),
    filiereCode: text("filiere_code")
      .notNull()
      .references(() => filieres.code),
  },
  (t) => [primaryKey({ columns: [t.targetCode, t.filiereCode] })],
);

export const targetSites = pgTable(
  "target_sites",
  {
    targetCode: text("target_code")
      .notNull()
      .references(() => targets.code),
    siteCode: text("site_code")
      .notNull()
      .references(() => sites.code),
  },
  (t) => [primaryKey({ columns: [t.targetCode, t.siteCode] })],
);

/** A figure the agenda gives as a starting point or context (9,3 % unemployment, 101 653 students in 2021…). */
export const baselines = pgTable("baselines", {
  code: text("code").primaryKey(),
  measure: text("measure").notNull(),
  valueText: text("value_text").notNull(),
  valueNumeric: doublePrecision("value_numeric"),
  unit: text("unit").notNull(),
  period: text("period"),
  scope: text("scope"),
  territoryCode: text("territory_code").references(() => territories.code),
  sourceNamed: text("source_named"),
  note: text("note"),
  refs: refsColumn(),
});

export const baselineIndicators = pgTable(
  "baseline_indicators",
  {
    baselineCode: text("baseline_code")
      .notNull()
      .references(() => baselines.code),
    indicatorCode: text("indicator_code")
      .notNull()
      .references(() => indicators.code),
    certainty: text("certainty", { enum: certainties }).notNull().default("inference"),
  },
  (t) => [
    primaryKey({ columns: [t.baselineCode, t.indicatorCode] }),
    index("baseline_indicators_indicator_idx").on(t.indicatorCode),
  ],
);

/**
 * Places where the documents contradict themselves. Both values are kept with their lines; the hub
 * never picks one silently.
 */
export const documentConflicts = pgTable("document_conflicts", {
  code: text("code").primaryKey(),
  topic: text("topic").notNull(),
  values: jsonb("values").$type<{ value: string; refs: SourceRef[] }[]>().notNull(),
  /** Baseline or target codes the conflict bears on. */
  relatedCodes: text("related_codes").array().notNull().default([]),
  note: text("note"),
});
