import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { getTableColumns, getTableName, type SQL, sql } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import { z } from "zod";
import {
  agendaNodeFilieres,
  agendaNodeIndicators,
  agendaNodeKinds,
  agendaNodeSites,
  agendaNodes,
} from "../../schema/agenda";
import { certainties } from "../../schema/common";
import { filiereNafCodes, filierePartners, filieres, nafCodes } from "../../schema/filiere";
import {
  baselineAgendaNodes,
  baselineFilieres,
  baselineIndicators,
  baselineSites,
  baselines,
  documentConflicts,
  indicators,
  targetBaselines,
  targetFilieres,
  targetIndicators,
  targets,
} from "../../schema/indicator";
import { datasets, partners } from "../../schema/partner";
import { siteFilieres, sitePartners, sites } from "../../schema/site";
import { territories, territoryLinks } from "../../schema/territory";
import type { Db } from "../../src/db/client";
import { bumpDataVersion } from "../../src/db/data-version";
import { nafNomenclature } from "./naf";

export const EPCI_CODE = "200054807";
const DEPARTEMENTS = ["13", "83", "84"];
const REGION = "93";
const dataDir = join(import.meta.dirname, "data");
const require = createRequire(import.meta.url);

const refSchema = z.object({
  doc: z.string().regex(/^\d{3}$/),
  line: z.number().int().positive(),
  lineEnd: z.number().int().optional(),
});
const ctSchema = z.object({
  code: z.string().regex(/^CT-[1-6]$/),
  name: z.string().min(1),
  communes: z.array(z.string().regex(/^\d[\dAB]\d{3}$/)),
  confirmed: z.boolean(),
  note: z.string().nullable(),
});
const partnerSchema = z.object({
  code: z.string().min(1),
  name: z.string().min(1),
  acronym: z.string().nullable(),
  kind: z.string().min(1),
  roles: z.array(z.string()),
  website: z.string().nullable(),
  note: z.string().nullable(),
  refs: z.array(refSchema),
});
const indicatorSchema = z.object({
  code: z.string().regex(/^[a-z_]+$/),
  /** 1-20 for the agenda's indicators; null for those the hub adds (legal populations…). */
  number: z.number().int().min(1).max(20).nullable(),
  nameFr: z.string().min(1),
  nameEn: z.string().min(1),
  description: z.string().nullable(),
  unit: z.string().min(1),
  additive: z.boolean(),
  periodicity: z.string().min(1),
  direction: z.enum(["higher_is_better", "lower_is_better", "neutral"]),
  sourcesNamed: z.array(z.string()),
  providerPartnerCode: z.string().nullable(),
  geoLevels: z.array(z.string()),
  breakdowns: z.array(z.string()),
  note: z.string().nullable(),
  refs: z.array(refSchema),
});
const filiereSchema = z.object({
  code: z.string().min(1),
  nameFr: z.string().min(1),
  nameEn: z.string().min(1),
  kind: z.enum(["filiere_excellence", "segment", "filiere"]),
  parentCode: z.string().nullable(),
  industrial: z.boolean(),
  description: z.string().nullable(),
  refs: z.array(refSchema),
});
const nafSchema = z.object({
  code: z.string().regex(/^(?:[A-U]|\d{2}(?:\.\d(?:\d[A-Z]?)?)?)$/),
  label: z.string().min(1),
  level: z.enum(["section", "division", "groupe", "classe", "sous_classe"]),
});
const filiereNafSchema = z.object({
  filiereCode: z.string().min(1),
  nafCode: z.string().min(1),
  scope: z.enum(["core", "extended"]),
  certainty: z.enum(certainties),
  note: z.string().nullable(),
});

const targetSchema = z.object({
  code: z.string().min(1),
  label: z.string().min(1),
  /** The seed's own words, where the catalog's label is a paraphrase. */
  labelFr: z.string().min(1).nullable().default(null),
  valueText: z.string().min(1),
  valueNumeric: z.number().nullable(),
  valueKind: z.enum(["absolute", "relative_percent", "multiplier", "share_percent", "rank", "qualitative"]),
  unit: z.string(),
  horizon: z.string(),
  horizonYear: z.number().int().nullable(),
  baselineText: z.string().nullable(),
  /** From the agenda's baseline figure that the baseline text cites (see derive-from-catalog.ts). */
  baselineValue: z.number().nullable(),
  baselinePeriod: z.string().nullable(),
  agendaNodeCode: z.string().nullable(),
  note: z.string().nullable(),
  refs: z.array(refSchema),
  indicators: z.array(z.string()),
  filieres: z.array(z.string()),
  /** The baseline figures stated on the lines its baseline text cites. */
  baselines: z.array(z.string()),
});
const baselineSchema = z.object({
  code: z.string().min(1),
  measure: z.string().min(1),
  valueText: z.string().min(1),
  valueNumeric: z.number().nullable(),
  unit: z.string(),
  period: z.string().nullable(),
  scope: z.string().nullable(),
  territoryCode: z.string().nullable(),
  sourceNamed: z.string().nullable(),
  note: z.string().nullable(),
  refs: z.array(refSchema),
  indicators: z.array(z.string()),
  filieres: z.array(z.string()),
  sites: z.array(z.string()),
  agendaNodes: z.array(z.string()),
});
const conflictSchema = z.object({
  code: z.string().min(1),
  topic: z.string().min(1),
  values: z.array(z.object({ value: z.string(), refs: z.array(refSchema) })).min(1),
  relatedCodes: z.array(z.string()),
  note: z.string().nullable(),
});

const datasetSchema = z.object({
  code: z.string().min(1),
  partnerCode: z.string().min(1),
  name: z.string().min(1),
  description: z.string().nullable(),
  licence: z.string().min(1),
  url: z.url(),
  sourceId: z.string().nullable(),
  note: z.string().nullable(),
});
const filierePartnerSchema = z.object({ filiereCode: z.string().min(1), partnerCode: z.string().min(1) });
const siteSchema = z.object({
  code: z.string().min(1),
  name: z.string().min(1),
  kind: z.string().regex(/^[a-z_]+$/),
  kindLabel: z.string().min(1),
  partOfCode: z.string().nullable(),
  communeCode: z
    .string()
    .regex(/^COM-\d[\dAB]\d{3}$/)
    .nullable(),
  locationNote: z.string().nullable(),
  latitude: z.number().min(-90).max(90).nullable(),
  longitude: z.number().min(-180).max(180).nullable(),
  coordinatesNote: z.string().nullable(),
  figures: z.array(z.string()),
  description: z.string().nullable(),
  refs: z.array(refSchema),
  filieres: z.array(z.string()),
  partners: z.array(z.string()),
});
const agendaNodeSchema = z.object({
  code: z.string().min(1),
  kind: z.enum(agendaNodeKinds),
  parentCode: z.string().nullable(),
  position: z.number().int().min(0),
  titleFr: z.string().min(1),
  titleEn: z.string().nullable(),
  description: z.string().nullable(),
  refs: z.array(refSchema),
  indicators: z.array(z.string()),
  filieres: z.array(z.string()),
  sites: z.array(z.string()),
});

/** The derived files as read from disk, unvalidated: the loader validates each record. */
export interface ReferenceFiles {
  "conseils-de-territoire.json": unknown[];
  "partners.json": unknown[];
  "indicators.json": unknown[];
  "filieres.json": unknown[];
  "naf-codes.json": unknown[];
  "filiere-naf-codes.json": unknown[];
  "targets.json": unknown[];
  "baselines.json": unknown[];
  "document-conflicts.json": unknown[];
  "datasets.json": unknown[];
  "filiere-partners.json": unknown[];
  "sites.json": unknown[];
  "agenda-nodes.json": unknown[];
}
export type ReferenceLoadReport = Record<string, number>;

export class ReferenceDataError extends Error {}

/**
 * What the loaded rows depend on: the files' contents, the packages the territories and NAF labels come
 * from, this loader's code and the schema's migrations. Equal fingerprints load equal rows, so a start
 * can skip the reload; any change to one of them reloads.
 */
export function referenceFingerprint(data: ReferenceFiles): string {
  const hash = createHash("sha256");
  hash.update(JSON.stringify(data));
  for (const pkg of ["@etalab/decoupage-administratif", "@socialgouv/codes-naf"])
    hash.update(`\0${pkg}@${(require(`${pkg}/package.json`) as { version: string }).version}`);
  for (const url of [import.meta.url, new URL("./naf.ts", import.meta.url).href])
    hash.update(readFileSync(fileURLToPath(url)));
  hash.update(readFileSync(new URL("../../drizzle/meta/_journal.json", import.meta.url)));
  return hash.digest("hex");
}

export function readReferenceFiles(): ReferenceFiles {
  const read = (name: string): unknown[] =>
    JSON.parse(readFileSync(join(dataDir, name), "utf8")) as unknown[];
  return {
    "conseils-de-territoire.json": read("conseils-de-territoire.json"),
    "partners.json": read("partners.json"),
    "indicators.json": read("indicators.json"),
    "filieres.json": read("filieres.json"),
    // The whole nomenclature, so any NAF code a source publishes has its label, not only the mapped ones.
    "naf-codes.json": nafNomenclature(),
    "filiere-naf-codes.json": read("filiere-naf-codes.json"),
    "targets.json": read("targets.json"),
    "baselines.json": read("baselines.json"),
    "document-conflicts.json": read("document-conflicts.json"),
    "datasets.json": read("datasets.json"),
    "filiere-partners.json": read("filiere-partners.json"),
    "sites.json": read("sites.json"),
    "agenda-nodes.json": read("agenda-nodes.json"),
  };
}

function validate<T>(file: keyof ReferenceFiles, records: unknown[], schema: z.ZodType<T>): T[] {
  return records.map((record, i) => {
    const parsed = schema.safeParse(record);
    const id = (record as { code?: unknown } | null)?.code ?? `#${i}`;
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ReferenceDataError(
        `ingest/reference/data/${file}: record ${String(id)}: ${issue?.path.join(".")}: ${issue?.message}`,
      );
    }
    return parsed.data;
  });
}

const etalabCommune = z.object({
  code: z.string(),
  nom: z.string(),
  type: z.string(),
  commune: z.string().optional(),
  departement: z.string().optional(),
  population: z.number().optional(),
});
const etalabEpci = z.object({
  code: z.string(),
  nom: z.string(),
  membres: z.array(z.object({ code: z.string(), siren: z.string().optional() })),
});
const etalabNamed = z.object({ code: z.string(), nom: z.string(), region: z.string().optional() });

type TerritoryRow = typeof territories.$inferInsert;

/**
 * What each major version of @etalab/decoupage-administratif ships, from its README ("Millésimes et
 * versions de package": 6.0.0 is the 2026 COG; populations: INSEE's légales, which enter into force on
 * 1 January three years after their census reference year, so 2023's in 2026).
 */
const ETALAB_VINTAGES: Record<string, { cog: number; population: number }> = {
  "6": { cog: 2026, population: 2023 },
};

/**
 * Where `FRANCE-FM` comes from: INSEE Melodi writes France métropolitaine `FRANCE-FM` (GEO values
 * `2025-FRANCE-FM`, next to `FRANCE-F` for France), as seen in the requests and readers of several public
 * Melodi clients, not in an INSEE document; BDM's TAUX-CHOMAGE calls it REF_AREA `FM` (idbank 001515842).
 * The Etalab package has no such unit, so it is fixed here, without a population.
 */
const FRANCE_METRO_NOTE =
  "Code as INSEE Melodi writes France métropolitaine (GEO 2025-FRANCE-FM, beside FRANCE-F), seen in public Melodi clients, not in an INSEE document; BDM REF_AREA FM (TAUX-CHOMAGE idbank 001515842). Part of FRANCE-F, never added to it.";
type LinkRow = typeof territoryLinks.$inferInsert;

/** Territories come from @etalab/decoupage-administratif at run time, so they follow the package. */
function buildTerritories(cts: z.infer<typeof ctSchema>[]): { rows: TerritoryRow[]; links: LinkRow[] } {
  const pkg = require("@etalab/decoupage-administratif/package.json") as { version: string };
  const source = `@etalab/decoupage-administratif@${pkg.version}`;
  const major = pkg.version.split(".")[0] ?? "";
  const years = ETALAB_VINTAGES[major];
  if (!years)
    throw new ReferenceDataError(
      `${source}: which COG and population years this major version ships is not recorded in ETALAB_VINTAGES (ingest/reference/load.ts): read the package's README and add it`,
    );
  const vintage = years.cog;
  const populationSource = `${source}: INSEE populations légales ${years.population} (population municipale), in force on 1 January ${years.cog}`;
  const communes = z
    .array(etalabCommune)
    .parse(require("@etalab/decoupage-administratif/data/communes.json"));
  const epci = z
    .array(etalabEpci)
    .parse(require("@etalab/decoupage-administratif/data/epci.json"))
    .find((e) => e.code === EPCI_CODE);
  if (!epci) throw new ReferenceDataError(`${source}: EPCI ${EPCI_CODE} not found`);
  const deps = z.array(etalabNamed).parse(require("@etalab/decoupage-administratif/data/departements.json"));
  const regs = z.array(etalabNamed).parse(require("@etalab/decoupage-administratif/data/regions.json"));
  const base = { cogVintage: vintage, populationSource: null, note: null, refs: [] };
  const rows: TerritoryRow[] = [
    { ...base, code: "FRANCE-F", level: "pays", cogCode: "F", name: "France" },
    {
      ...base,
      code: "FRANCE-FM",
      level: "pays",
      cogCode: "FM",
      name: "France métropolitaine",
      note: FRANCE_METRO_NOTE,
    },
    {
      ...base,
      code: `EPCI-${EPCI_CODE}`,
      level: "epci",
      cogCode: EPCI_CODE,
      name: epci.nom,
      siren: EPCI_CODE,
    },
  ];
  const links: LinkRow[] = [];
  const reg = regs.find((r) => r.code === REGION);
  if (!reg) throw new ReferenceDataError(`${source}: région ${REGION} not found`);
  rows.push({ ...base, code: `REG-${REGION}`, level: "region", cogCode: REGION, name: reg.nom });
  links.push({
    childCode: `REG-${REGION}`,
    parentCode: "FRANCE-F",
    relation: "member",
    source,
    confirmed: true,
  });
  // France métropolitaine is part of France, not a unit to add to it; région 93 is one of its régions.
  links.push({
    childCode: "FRANCE-FM",
    parentCode: "FRANCE-F",
    relation: "subdivision",
    source: "fixed in ingest/reference/load.ts",
    confirmed: true,
  });
  links.push({
    childCode: `REG-${REGION}`,
    parentCode: "FRANCE-FM",
    relation: "member",
    source: "fixed in ingest/reference/load.ts",
    confirmed: true,
  });
  for (const d of deps.filter((x) => DEPARTEMENTS.includes(x.code))) {
    rows.push({ ...base, code: `DEP-${d.code}`, level: "departement", cogCode: d.code, name: d.nom });
    links.push({
      childCode: `DEP-${d.code}`,
      parentCode: `REG-${REGION}`,
      relation: "member",
      source,
      confirmed: true,
    });
  }
  const byCode = new Map(communes.filter((c) => c.type === "commune-actuelle").map((c) => [c.code, c]));
  const members = new Set(epci.membres.map((m) => m.code));
  for (const m of epci.membres) {
    const c = byCode.get(m.code);
    if (!c) throw new ReferenceDataError(`${source}: member commune ${m.code} not found`);
    rows.push({
      ...base,
      code: `COM-${c.code}`,
      level: "commune",
      cogCode: c.code,
      name: c.nom,
      siren: m.siren ?? null,
      population: c.population ?? null,
      populationYear: c.population ? years.population : null,
      populationSource: c.population ? populationSource : null,
    });
    links.push({
      childCode: `COM-${c.code}`,
      parentCode: `EPCI-${EPCI_CODE}`,
      relation: "member",
      source,
      confirmed: true,
    });
    links.push({
      childCode: `COM-${c.code}`,
      parentCode: `DEP-${c.departement}`,
      relation: "member",
      source,
      confirmed: true,
    });
  }
  for (const a of communes.filter((c) => c.type === "arrondissement-municipal" && c.commune === "13055")) {
    rows.push({
      ...base,
      code: `ARM-${a.code}`,
      level: "arrondissement_municipal",
      cogCode: a.code,
      name: a.nom,
      population: a.population ?? null,
      populationYear: a.population ? years.population : null,
      populationSource: a.population ? populationSource : null,
    });
    links.push({
      childCode: `ARM-${a.code}`,
      parentCode: "COM-13055",
      relation: "subdivision",
      source,
      confirmed: true,
    });
  }
  for (const ct of cts) {
    rows.push({
      ...base,
      code: ct.code,
      level: "conseil_de_territoire",
      cogCode: ct.code.slice(3),
      name: ct.name,
      note: ct.note,
    });
    for (const commune of ct.communes) {
      if (!members.has(commune)) {
        throw new ReferenceDataError(
          `ingest/reference/data/conseils-de-territoire.json: record ${ct.code}: commune ${commune} is not a commune of the Métropole`,
        );
      }
      links.push({
        childCode: `COM-${commune}`,
        parentCode: ct.code,
        relation: "member",
        confirmed: ct.confirmed,
        source: "ingest/reference/data/conseils-de-territoire.json",
        note: ct.note,
      });
    }
  }
  // The EPCI and each conseil de territoire: the sum of their communes, all of the same vintage. The
  // DGCL's own EPCI figure (epci.json populationMunicipale) is of another count and is not mixed in.
  const populationOf = new Map(rows.map((r) => [r.code, r.population ?? null]));
  for (const row of rows) {
    if (row.level !== "epci" && row.level !== "conseil_de_territoire") continue;
    const parts = links
      .filter((l) => l.parentCode === row.code && l.relation === "member")
      .map((l) => populationOf.get(l.childCode) ?? null);
    if (parts.length === 0 || parts.some((p) => p === null)) continue;
    const unconfirmed = links.some((l) => l.parentCode === row.code && l.confirmed === false);
    row.population = parts.reduce<number>((a, b) => a + (b ?? 0), 0);
    row.populationYear = years.population;
    row.populationSource = `sum of its ${parts.length} communes (${populationSource})${unconfirmed ? "; membership partly unconfirmed" : ""}`;
  }
  return { rows, links };
}

/**
 * Multi-row upsert that rewrites a row only when a column differs, so a second load touches nothing
 * (no new xmin, no trigger noise). Returns how many rows it inserted or rewrote.
 */
async function upsert<T extends PgTable>(
  db: Db,
  table: T,
  target: PgColumn[],
  rows: T["$inferInsert"][],
  /** Columns the hub manages after the first load (a dataset's visibility): set on insert only. */
  hubOwned: PgColumn[] = [],
): Promise<number> {
  if (rows.length === 0) return 0;
  const keys = new Set([...target, ...hubOwned].map((c) => c.name));
  const set: Record<string, SQL> = {};
  const differs: SQL[] = [];
  for (const [prop, col] of Object.entries(getTableColumns(table)) as [string, PgColumn][]) {
    if (keys.has(col.name)) continue;
    set[prop] = sql.raw(`excluded."${col.name}"`);
    differs.push(sql.raw(`"${getTableName(table)}"."${col.name}" is distinct from excluded."${col.name}"`));
  }
  let written = 0;
  const one = { written: sql<number>`1` };
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    const insert = db.insert(table).values(chunk);
    const changed =
      Object.keys(set).length === 0
        ? await insert.onConflictDoNothing().returning(one)
        : await insert
            .onConflictDoUpdate({ target, set, setWhere: sql.join(differs, sql` or `) })
            .returning(one);
    written += changed.length;
  }
  return written;
}

/** Loads the hub's reference data in one transaction; running it twice changes nothing. */
export async function loadReferenceData(
  db: Db,
  data: ReferenceFiles = readReferenceFiles(),
): Promise<ReferenceLoadReport> {
  const cts = validate("conseils-de-territoire.json", data["conseils-de-territoire.json"], ctSchema);
  const partnerRows = validate("partners.json", data["partners.json"], partnerSchema);
  const indicatorRows = validate("indicators.json", data["indicators.json"], indicatorSchema);
  const filiereRows = validate("filieres.json", data["filieres.json"], filiereSchema);
  const nafRows = validate("naf-codes.json", data["naf-codes.json"], nafSchema);
  const filiereNafRows = validate("filiere-naf-codes.json", data["filiere-naf-codes.json"], filiereNafSchema);
  const targetRows = validate("targets.json", data["targets.json"], targetSchema);
  const baselineRows = validate("baselines.json", data["baselines.json"], baselineSchema);
  const conflictRows = validate("document-conflicts.json", data["document-conflicts.json"], conflictSchema);
  const datasetRows = validate("datasets.json", data["datasets.json"], datasetSchema);
  const filierePartnerRows = validate(
    "filiere-partners.json",
    data["filiere-partners.json"],
    filierePartnerSchema,
  );
  const siteRows = validate("sites.json", data["sites.json"], siteSchema);
  const nodeRows = validate("agenda-nodes.json", data["agenda-nodes.json"], agendaNodeSchema);

  const known = {
    indicator: new Set(indicatorRows.map((i) => i.code)),
    partner: new Set(partnerRows.map((p) => p.code)),
    filiere: new Set(filiereRows.map((f) => f.code)),
    site: new Set(siteRows.map((x) => x.code)),
    "agenda node": new Set(nodeRows.map((n) => n.code)),
    "NAF code": new Set(nafRows.map((n) => n.code)),
    baseline: new Set(baselineRows.map((b) => b.code)),
    "baseline or target": new Set([...baselineRows, ...targetRows].map((x) => x.code)),
  };
  /** A link to a code the other files do not define fails the load, naming file and record. */
  const check = (
    file: keyof ReferenceFiles,
    record: string,
    kind: keyof typeof known,
    codes: (string | null)[],
  ) => {
    const unknown = codes.find((c) => c !== null && !known[kind].has(c));
    if (unknown !== undefined) {
      throw new ReferenceDataError(
        `ingest/reference/data/${file}: record ${record}: ${kind} "${unknown}" is not defined`,
      );
    }
  };
  for (const l of filiereNafRows) check("filiere-naf-codes.json", l.filiereCode, "NAF code", [l.nafCode]);
  for (const t of targetRows) check("targets.json", t.code, "indicator", t.indicators);
  for (const i of indicatorRows) check("indicators.json", i.code, "partner", [i.providerPartnerCode]);
  for (const d of datasetRows) check("datasets.json", d.code, "partner", [d.partnerCode]);
  for (const l of filierePartnerRows) {
    check("filiere-partners.json", l.filiereCode, "filiere", [l.filiereCode]);
    check("filiere-partners.json", l.filiereCode, "partner", [l.partnerCode]);
  }
  for (const x of siteRows) {
    check("sites.json", x.code, "filiere", x.filieres);
    check("sites.json", x.code, "partner", x.partners);
    check("sites.json", x.code, "site", [x.partOfCode]);
  }
  for (const n of nodeRows) {
    check("agenda-nodes.json", n.code, "agenda node", [n.parentCode]);
    check("agenda-nodes.json", n.code, "indicator", n.indicators);
    check("agenda-nodes.json", n.code, "filiere", n.filieres);
    check("agenda-nodes.json", n.code, "site", n.sites);
  }
  for (const b of baselineRows) {
    check("baselines.json", b.code, "indicator", b.indicators);
    check("baselines.json", b.code, "filiere", b.filieres);
    check("baselines.json", b.code, "site", b.sites);
    check("baselines.json", b.code, "agenda node", b.agendaNodes);
  }
  for (const t of targetRows) check("targets.json", t.code, "baseline", t.baselines);
  for (const c of conflictRows)
    check("document-conflicts.json", c.code, "baseline or target", c.relatedCodes);
  // The catalog compiler made these links, not the agenda: they are our inference.
  const inference = "inference" as const;
  const targetIndicatorRows = targetRows.flatMap((t) =>
    t.indicators.map((indicatorCode) => ({ targetCode: t.code, indicatorCode, certainty: inference })),
  );
  const targetFiliereRows = targetRows.flatMap((t) =>
    t.filieres.map((filiereCode) => ({ targetCode: t.code, filiereCode })),
  );
  const baselineIndicatorRows = baselineRows.flatMap((b) =>
    b.indicators.map((indicatorCode) => ({ baselineCode: b.code, indicatorCode, certainty: inference })),
  );
  const baselineFiliereRows = baselineRows.flatMap((b) =>
    b.filieres.map((filiereCode) => ({ baselineCode: b.code, filiereCode })),
  );
  const baselineSiteRows = baselineRows.flatMap((b) =>
    b.sites.map((siteCode) => ({ baselineCode: b.code, siteCode })),
  );
  const baselineNodeRows = baselineRows.flatMap((b) =>
    b.agendaNodes.map((nodeCode) => ({ baselineCode: b.code, nodeCode, certainty: inference })),
  );
  const targetBaselineRows = targetRows.flatMap((t) =>
    t.baselines.map((baselineCode) => ({ targetCode: t.code, baselineCode })),
  );
  const siteFiliereRows = siteRows.flatMap((x) =>
    x.filieres.map((filiereCode) => ({ siteCode: x.code, filiereCode })),
  );
  const sitePartnerRows = siteRows.flatMap((x) =>
    x.partners.map((partnerCode) => ({ siteCode: x.code, partnerCode })),
  );
  const nodeIndicatorRows = nodeRows.flatMap((n) =>
    n.indicators.map((indicatorCode) => ({ nodeCode: n.code, indicatorCode, certainty: inference })),
  );
  const nodeFiliereRows = nodeRows.flatMap((n) =>
    n.filieres.map((filiereCode) => ({ nodeCode: n.code, filiereCode, certainty: inference })),
  );
  const nodeSiteRows = nodeRows.flatMap((n) =>
    n.sites.map((siteCode) => ({ nodeCode: n.code, siteCode, certainty: inference })),
  );
  const { rows, links } = buildTerritories(cts);
  const territoryCodes = new Set(rows.map((r) => r.code));
  for (const x of siteRows) {
    if (x.communeCode && !territoryCodes.has(x.communeCode)) {
      throw new ReferenceDataError(
        `ingest/reference/data/sites.json: record ${x.code}: commune "${x.communeCode}" is not a commune of the Métropole`,
      );
    }
  }
  for (const b of baselineRows) {
    if (b.territoryCode && !territoryCodes.has(b.territoryCode)) {
      throw new ReferenceDataError(
        `ingest/reference/data/baselines.json: record ${b.code}: territory "${b.territoryCode}" is not defined`,
      );
    }
  }
  await db.transaction(async (tx) => {
    const t = tx as unknown as Db;
    let written = 0;
    written += await upsert(t, territories, [territories.code], rows);
    written += await upsert(t, territoryLinks, [territoryLinks.childCode, territoryLinks.parentCode], links);
    written += await upsert(t, partners, [partners.code], partnerRows);
    written += await upsert(t, indicators, [indicators.code], indicatorRows);
    written += await upsert(t, filieres, [filieres.code], filiereRows);
    written += await upsert(t, nafCodes, [nafCodes.code], nafRows);
    written += await upsert(
      t,
      filiereNafCodes,
      [filiereNafCodes.filiereCode, filiereNafCodes.nafCode],
      filiereNafRows,
    );
    written += await upsert(
      t,
      targets,
      [targets.code],
      targetRows.map(({ indicators: _i, filieres: _f, baselines: _b, ...row }) => row),
    );
    written += await upsert(
      t,
      targetIndicators,
      [targetIndicators.targetCode, targetIndicators.indicatorCode],
      targetIndicatorRows,
    );
    written += await upsert(
      t,
      targetFilieres,
      [targetFilieres.targetCode, targetFilieres.filiereCode],
      targetFiliereRows,
    );
    written += await upsert(
      t,
      baselines,
      [baselines.code],
      baselineRows.map(({ indicators: _i, filieres: _f, sites: _s, agendaNodes: _n, ...row }) => row),
    );
    written += await upsert(
      t,
      baselineIndicators,
      [baselineIndicators.baselineCode, baselineIndicators.indicatorCode],
      baselineIndicatorRows,
    );
    written += await upsert(t, documentConflicts, [documentConflicts.code], conflictRows);
    written += await upsert(t, datasets, [datasets.code], datasetRows, [
      datasets.visibility,
      datasets.sharedWith,
      datasets.embargoUntil,
    ]);
    written += await upsert(
      t,
      filierePartners,
      [filierePartners.filiereCode, filierePartners.partnerCode],
      filierePartnerRows,
    );
    written += await upsert(
      t,
      sites,
      [sites.code],
      siteRows.map(({ filieres: _f, partners: _p, ...row }) => row),
    );
    written += await upsert(
      t,
      siteFilieres,
      [siteFilieres.siteCode, siteFilieres.filiereCode],
      siteFiliereRows,
    );
    written += await upsert(
      t,
      sitePartners,
      [sitePartners.siteCode, sitePartners.partnerCode],
      sitePartnerRows,
    );
    written += await upsert(
      t,
      agendaNodes,
      [agendaNodes.code],
      nodeRows.map(({ indicators: _i, filieres: _f, sites: _s, ...row }) => row),
    );
    written += await upsert(
      t,
      agendaNodeIndicators,
      [agendaNodeIndicators.nodeCode, agendaNodeIndicators.indicatorCode],
      nodeIndicatorRows,
    );
    written += await upsert(
      t,
      agendaNodeFilieres,
      [agendaNodeFilieres.nodeCode, agendaNodeFilieres.filiereCode],
      nodeFiliereRows,
    );
    written += await upsert(
      t,
      agendaNodeSites,
      [agendaNodeSites.nodeCode, agendaNodeSites.siteCode],
      nodeSiteRows,
    );
    written += await upsert(
      t,
      baselineFilieres,
      [baselineFilieres.baselineCode, baselineFilieres.filiereCode],
      baselineFiliereRows,
    );
    written += await upsert(
      t,
      baselineSites,
      [baselineSites.baselineCode, baselineSites.siteCode],
      baselineSiteRows,
    );
    written += await upsert(
      t,
      baselineAgendaNodes,
      [baselineAgendaNodes.baselineCode, baselineAgendaNodes.nodeCode],
      baselineNodeRows,
    );
    written += await upsert(
      t,
      targetBaselines,
      [targetBaselines.targetCode, targetBaselines.baselineCode],
      targetBaselineRows,
    );
    // Running hubs keep these rows in memory under the data version (src/graphql/reference-cache.ts).
    if (written > 0) await bumpDataVersion(t);
  });
  return {
    territories: rows.length,
    territory_links: links.length,
    partners: partnerRows.length,
    indicators: indicatorRows.length,
    filieres: filiereRows.length,
    naf_codes: nafRows.length,
    filiere_naf_codes: filiereNafRows.length,
    targets: targetRows.length,
    target_indicators: targetIndicatorRows.length,
    target_filieres: targetFiliereRows.length,
    baselines: baselineRows.length,
    baseline_indicators: baselineIndicatorRows.length,
    baseline_filieres: baselineFiliereRows.length,
    baseline_sites: baselineSiteRows.length,
    baseline_agenda_nodes: baselineNodeRows.length,
    target_baselines: targetBaselineRows.length,
    document_conflicts: conflictRows.length,
    datasets: datasetRows.length,
    filiere_partners: filierePartnerRows.length,
    sites: siteRows.length,
    site_filieres: siteFiliereRows.length,
    site_partners: sitePartnerRows.length,
    agenda_nodes: nodeRows.length,
    agenda_node_indicators: nodeIndicatorRows.length,
    agenda_node_filieres: nodeFiliereRows.length,
    agenda_node_sites: nodeSiteRows.length,
  };
}
