/**
 * URSSAF "établissements et effectifs salariés au niveau commune × APE" (private sector, régime général,
 * at 31 December): one row per commune × APE with a pair of columns per year
 * (`nombre_d_etablissements_YYYY`, `effectifs_salaries_YYYY`). We read the EPCI's rows from the CSV
 * export and store them at the APE level (breakdown `naf`, the NAF sous-classe in INSEE's dotted form),
 * and added up per commune and per commune × grand secteur. Filières, EPCI sums, net change and average
 * size are computed from the stored rows after the load (`derive.ts`).
 *
 * URSSAF publishes a cell as null under statistical confidentiality: such an APE cell is stored as a
 * null value with status C, and a total that lacks some cells is the sum of the known ones with status E
 * and `missing_inputs` (how many cells it lacks), never A, so that secrecy never reads as a drop in jobs;
 * a total with no known cell is null with status M (the hub's rule for sums of parts).
 */
import { CONVERT_BATCH } from "../../core/payload";
import {
  type ConvertBatch,
  ConvertError,
  type ObservationInput,
  type Payload,
  type Resource,
  type SeriesInput,
} from "../../core/types";
import { odsCsvRecords, odsNumber } from "../../protocols/opendatasoft.parse";
import { urssafCommuneTerritory } from "./territories";

export const COMMUNE_APE_DATASET = "etablissements-et-effectifs-salaries-au-niveau-commune-x-ape-last";

export interface CommuneApeMeta {
  [key: string]: unknown;
  epci: string;
  knownTerritories: string[];
}

/** Which indicator and measure each yearly column feeds. */
const MEASURES = [
  {
    prefix: "effectifs_salaries_",
    indicatorCode: "net_job_creation",
    measure: "private_salaried_jobs",
    unit: "jobs",
  },
  {
    prefix: "nombre_d_etablissements_",
    indicatorCode: "avg_private_firm_size",
    measure: "employer_establishments",
    unit: "establishments",
  },
] as const;

/**
 * URSSAF publishes the APE cells only: the totals per commune (or arrondissement) and per grand secteur
 * are the hub's sums, flagged `derived` with this text; the APE series are URSSAF's.
 */
export const COMMUNE_TOTAL_DERIVATION =
  "Somme des cellules commune × APE publiées par l'URSSAF pour le territoire et l'année (toutes les sous-classes APE, ou celles du grand secteur). Marseille : par arrondissement (ARM-) ; COM-13055 seulement si l'export n'a aucune ligne d'arrondissement (jamais les deux). Une cellule secrète (nulle) est laissée hors de la somme : E avec missing_inputs (leur nombre) ; M si aucune cellule n'est connue ; A sinon.";

const REQUIRED = ["code_epci", "code_commune", "code_ape", "grand_secteur_d_activite"] as const;

/** `GS3 Commerce` → `GS3`; the label half is URSSAF's and may be reworded. */
export function grandSecteurCode(label: string): string | null {
  return /^(GS\d)\b/.exec(label.trim())?.[1] ?? null;
}

/**
 * URSSAF's `code_ape` (`6201Z`, the NAF rév. 2 sous-classe without its dot) → the NAF code as INSEE and
 * `naf_codes` write it (`62.01Z`); null for anything that is not a sous-classe.
 */
export function nafSousClasse(codeApe: string): string | null {
  const m = /^(\d{2})\.?(\d{2}[A-Z])$/.exec(codeApe.trim().toUpperCase());
  return m ? `${m[1]}.${m[2]}` : null;
}

/**
 * Every year must come as its pair of columns, and the years must follow each other: a yearly column
 * renamed would otherwise drop that year without a word. A column that names a year but is not one of
 * the pair is refused too.
 */
function checkYearColumns(header: string[], yearColumns: { column: string; year: string; m: number }[]) {
  const known = new Set(yearColumns.map((c) => c.column));
  const stray = header.filter((c) => /(19|20)\d{2}$/.test(c) && !known.has(c));
  if (stray.length > 0) {
    throw new ConvertError(
      `${COMMUNE_APE_DATASET}: yearly column(s) ${stray.join(", ")} are not ${MEASURES.map((m) => `${m.prefix}YYYY`).join(" or ")}: a renamed column would drop its year`,
    );
  }
  const years = MEASURES.map((_, m) =>
    yearColumns
      .filter((c) => c.m === m)
      .map((c) => Number(c.year))
      .sort((a, b) => a - b),
  );
  const [jobs = [], establishments = []] = years;
  if (establishments.length > 0 && jobs.join() !== establishments.join()) {
    throw new ConvertError(
      `${COMMUNE_APE_DATASET}: the years of effectifs_salaries_ (${jobs.join(", ")}) and nombre_d_etablissements_ (${establishments.join(", ")}) differ: a yearly column is missing or renamed`,
    );
  }
  const gap = jobs.find((y, i) => i > 0 && y !== (jobs[i - 1] ?? y) + 1);
  if (gap !== undefined) {
    throw new ConvertError(
      `${COMMUNE_APE_DATASET}: the export skips the year(s) before ${gap}: a yearly column is missing or renamed`,
    );
  }
}

interface Cell {
  sum: number;
  cells: number;
  nulls: number;
}

/** The breakdown dimensions of the stored series: the total (""), the grand secteur, the APE code. */
type Dimension = "" | "grand_secteur" | "naf";

/**
 * Streams the export: each APE cell becomes an observation as its row is read, in batches of
 * CONVERT_BATCH; only the running totals per commune (and grand secteur) and Marseille's whole-commune
 * rows (which wait until the export has said whether it has arrondissements) stay in memory.
 */
export async function* convertCommuneApe(payload: Payload, resource: Resource): AsyncGenerator<ConvertBatch> {
  const meta = resource.meta as Partial<CommuneApeMeta> | undefined;
  if (!meta || typeof meta.epci !== "string" || !Array.isArray(meta.knownTerritories)) {
    throw new ConvertError(`resource ${resource.key} has no commune × APE plan metadata`);
  }
  const known = new Set(meta.knownTerritories);
  const skipped: Record<string, number> = {};
  const bump = (reason: string, n = 1) => {
    skipped[reason] = (skipped[reason] ?? 0) + n;
  };
  // territory|measureIndex|dimension|code → the running sum of its APE cells, by year: [sum, cells, nulls]
  // at 3 × the year's index. A Map entry per year held 69 MB for an export of 190 years, this 6.
  const totals = new Map<string, Float64Array>();
  let years: string[] = [];
  let yearColumns: { column: string; year: string; m: number; at: number }[] = [];
  let arrondissementRows = 0;
  const marseilleRows: Record<string, string>[] = [];
  let rows = 0;

  const seriesSeen = new Map<string, SeriesInput>();
  let batch: { series: SeriesInput[]; observations: ObservationInput[] } = { series: [], observations: [] };
  const seriesFor = (territoryCode: string, m: number, dimension: Dimension, code: string): SeriesInput => {
    const spec = MEASURES[m] as (typeof MEASURES)[number];
    const seriesKey = `${spec.indicatorCode}|${territoryCode}|${spec.measure}|${dimension}|${code}`;
    let input = seriesSeen.get(seriesKey);
    if (!input) {
      input = {
        indicatorCode: spec.indicatorCode,
        territoryCode,
        measure: spec.measure,
        breakdown: dimension ? { [dimension]: code } : {},
        frequency: "A",
        unit: spec.unit,
        sourceKey: `${COMMUNE_APE_DATASET}:${territoryCode}${code ? `:${code}` : ""}`,
        ...(dimension === "naf"
          ? { nafCode: code }
          : { derived: true, derivation: COMMUNE_TOTAL_DERIVATION }),
        metadata:
          dimension === "naf"
            ? { columnPrefix: spec.prefix, at: "31 December" }
            : { aggregatedFrom: "code_ape", columnPrefix: spec.prefix, at: "31 December" },
      };
      seriesSeen.set(seriesKey, input);
      batch.series.push(input);
    }
    return input;
  };
  const observe = (series: SeriesInput, dimension: Dimension, year: string, cell: Cell) => {
    const knownCells = cell.cells - cell.nulls;
    batch.observations.push({
      series,
      period: year,
      // Nothing known: a secret APE cell is C as URSSAF publishes it; a total with every cell secret
      // has no value (M), stored rather than left out so a later revision to null replaces it.
      value: knownCells === 0 ? null : cell.sum,
      obsStatus: knownCells === 0 ? (dimension === "naf" ? "C" : "M") : cell.nulls > 0 ? "E" : "A",
      attributes: {
        ...(dimension === "naf" ? {} : { ape_rows: String(cell.cells) }),
        ...(cell.nulls > 0 ? { missing_inputs: String(cell.nulls) } : {}),
      },
    });
  };
  const full = () => batch.observations.length >= CONVERT_BATCH;
  const take = () => {
    const out = batch;
    batch = { series: [], observations: [] };
    // A batch names each series it uses once; the loader keeps the ids of those it has written, so a
    // later batch may name one again. Holding every series seen for the whole export kept ~30 MB alive.
    seriesSeen.clear();
    return out;
  };

  const totalsOf = (territory: string, m: number, dimension: Dimension, code: string): Float64Array => {
    const k = `${territory}|${m}|${dimension}|${code}`;
    let sums = totals.get(k);
    if (!sums) {
      sums = new Float64Array(3 * years.length);
      totals.set(k, sums);
    }
    return sums;
  };
  const add = (sums: Float64Array, at: number, value: number | null) => {
    sums[at + 1] += 1;
    if (value === null) sums[at + 2] += 1;
    else sums[at] += value;
  };

  const consume = (r: Record<string, string>) => {
    const territory = urssafCommuneTerritory(r.code_commune);
    const gs = grandSecteurCode(r.grand_secteur_d_activite);
    const naf = nafSousClasse(r.code_ape);
    // Still counted in the totals: only its APE-level series is left out.
    if (!naf) bump("ape_code_not_naf");
    const all = MEASURES.map((_, m) => totalsOf(territory, m, "", ""));
    const bySecteur = gs ? MEASURES.map((_, m) => totalsOf(territory, m, "grand_secteur", gs)) : null;
    for (const { column, year, m, at } of yearColumns) {
      const value = odsNumber(r[column]);
      if (value === undefined) {
        throw new ConvertError(
          `${COMMUNE_APE_DATASET}: ${column} = "${r[column]}" for ${r.code_commune} × ${r.code_ape}`,
        );
      }
      add(all[m] as Float64Array, at, value);
      if (bySecteur) add(bySecteur[m] as Float64Array, at, value);
      // URSSAF publishes one row per commune × APE: its cell is the observation, as it is read.
      if (naf) {
        const cell = { sum: value ?? 0, cells: 1, nulls: value === null ? 1 : 0 };
        observe(seriesFor(territory, m, "naf", naf), "naf", year, cell);
      }
    }
  };

  for await (const r of odsCsvRecords(payload.body, { required: REQUIRED })) {
    if (yearColumns.length === 0) {
      // Resolved once from the header the parser has already checked.
      yearColumns = Object.keys(r).flatMap((column) =>
        MEASURES.flatMap((spec, m) => {
          const year = column.startsWith(spec.prefix) ? column.slice(spec.prefix.length) : "";
          return /^\d{4}$/.test(year) ? [{ column, year, m, at: 0 }] : [];
        }),
      );
      years = [...new Set(yearColumns.map((c) => c.year))];
      for (const c of yearColumns) c.at = 3 * years.indexOf(c.year);
      if (!yearColumns.some((c) => c.m === 0)) {
        throw new ConvertError(`${COMMUNE_APE_DATASET}: no effectifs_salaries_YYYY column in the export`);
      }
      checkYearColumns(Object.keys(r), yearColumns);
    }
    rows += 1;
    if (r.code_epci !== meta.epci) {
      bump("outside_epci");
      continue;
    }
    if (r.code_commune === "13055") {
      marseilleRows.push(r);
      continue;
    }
    if (r.code_commune.startsWith("132")) arrondissementRows += 1;
    if (!known.has(urssafCommuneTerritory(r.code_commune))) {
      bump("territory_not_in_reference");
      continue;
    }
    consume(r);
    if (full()) yield take();
  }
  if (rows === 0) throw new ConvertError(`${COMMUNE_APE_DATASET}: the export holds a header and no row`);
  // Marseille by arrondissement and as a whole would count its jobs twice: the arrondissements win.
  if (marseilleRows.length > 0) {
    if (arrondissementRows > 0) bump("marseille_whole_with_arrondissements", marseilleRows.length);
    else if (known.has("COM-13055")) for (const r of marseilleRows) consume(r);
    else bump("territory_not_in_reference", marseilleRows.length);
  }
  for (const [k, sums] of totals) {
    const [territoryCode = "", m, dimension = "", code = ""] = k.split("|");
    for (const [y, year] of years.entries()) {
      const cell = { sum: sums[3 * y] ?? 0, cells: sums[3 * y + 1] ?? 0, nulls: sums[3 * y + 2] ?? 0 };
      // a year this measure has no column for, or this breakdown no cell in
      if (cell.cells === 0) continue;
      observe(
        seriesFor(territoryCode, Number(m), dimension as Dimension, code),
        dimension as Dimension,
        year,
        cell,
      );
      if (full()) yield take();
    }
  }
  yield { ...take(), skipped, recordsRead: rows };
}
