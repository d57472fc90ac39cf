/**
 * URSSAF "établissements et effectifs salariés au niveau commune × APE" (private sector, régime général,
 * at 31 December): one row per commune × APE with a pair of columns per year
 * (`nombre_d_etablissements_YYYY`, `effectifs_salaries_YYYY`). We read the EPCI's rows from the CSV
 * export and add the APE rows up per commune and per commune × grand secteur.
 */
import {
  ConvertError,
  type ConvertResult,
  type ObservationInput,
  type Payload,
  type Resource,
  type SeriesInput,
  type SeriesKey,
} from "../../core/types";
import { forEachOdsCsvRecord, odsNumber } from "../../protocols/opendatasoft.parse";
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

const REQUIRED = ["code_epci", "code_commune", "code_ape", "grand_secteur_d_activite"] as const;

/** `GS3 Commerce` → `GS3`; the label half is URSSAF's and may be reworded. */
export function grandSecteurCode(label: string): string | null {
  return /^(GS\d)\b/.exec(label.trim())?.[1] ?? null;
}

interface Cell {
  sum: number;
  cells: number;
  nulls: number;
}

export function convertCommuneApe(payload: Payload, resource: Resource): ConvertResult {
  const meta = resource.meta as Partial<CommuneApeMeta> | undefined;
  if (!meta || typeof meta.epci !== "string" || !Array.isArray(meta.knownTerritories)) {
    throw new ConvertError(`resource ${resource.key} has no commune × APE plan metadata`);
  }
  const known = new Set(meta.knownTerritories);
  const skipped: Record<string, number> = {};
  const bump = (reason: string, n = 1) => {
    skipped[reason] = (skipped[reason] ?? 0) + n;
  };
  // territory|measureIndex|breakdown(GS or "")|year → running sum
  const totals = new Map<string, Cell>();
  let yearColumns: { column: string; year: string; m: number }[] = [];
  let arrondissementRows = 0;
  const marseilleRows: Record<string, string>[] = [];
  let rows = 0;

  const add = (territory: string, m: number, gs: string, year: string, value: number | null) => {
    const k = `${territory}|${m}|${gs}|${year}`;
    const cell = totals.get(k) ?? { sum: 0, cells: 0, nulls: 0 };
    cell.cells += 1;
    if (value === null) cell.nulls += 1;
    else cell.sum += value;
    totals.set(k, cell);
  };

  const consume = (r: Record<string, string>) => {
    for (const { column, year, m } of yearColumns) {
      const value = odsNumber(r[column]);
      if (value === undefined) {
        throw new ConvertError(
          `${COMMUNE_APE_DATASET}: ${column} = "${r[column]}" for ${r.code_commune} × ${r.code_ape}`,
        );
      }
      if (value === null) bump("null_cell");
      const territory = urssafCommuneTerritory(r.code_commune);
      const gs = grandSecteurCode(r.grand_secteur_d_activite);
      add(territory, m, "", year, value);
      if (gs) add(territory, m, gs, year, value);
    }
  };

  const header = forEachOdsCsvRecord(
    payload.body,
    (r) => {
      if (yearColumns.length === 0) {
        // Resolved once from the header the parser has already checked.
        yearColumns = Object.keys(r).flatMap((column) =>
          MEASURES.flatMap((spec, m) => {
            const year = column.startsWith(spec.prefix) ? column.slice(spec.prefix.length) : "";
            return /^\d{4}$/.test(year) ? [{ column, year, m }] : [];
          }),
        );
        if (!yearColumns.some((c) => c.m === 0)) {
          throw new ConvertError(`${COMMUNE_APE_DATASET}: no effectifs_salaries_YYYY column in the export`);
        }
      }
      rows += 1;
      if (r.code_epci !== meta.epci) {
        bump("outside_epci");
        return;
      }
      if (r.code_commune === "13055") {
        marseilleRows.push(r);
        return;
      }
      if (r.code_commune.startsWith("132")) arrondissementRows += 1;
      if (!known.has(urssafCommuneTerritory(r.code_commune))) {
        bump("territory_not_in_reference");
        return;
      }
      consume(r);
    },
    { required: REQUIRED },
  );
  if (rows === 0)
    throw new ConvertError(
      `${COMMUNE_APE_DATASET}: the export holds a header and no row (${header.length} columns)`,
    );
  // Marseille by arrondissement and as a whole would count its jobs twice: the arrondissements win.
  if (marseilleRows.length > 0) {
    if (arrondissementRows > 0) bump("marseille_whole_with_arrondissements", marseilleRows.length);
    else if (known.has("COM-13055")) for (const r of marseilleRows) consume(r);
    else bump("territory_not_in_reference", marseilleRows.length);
  }

  const series = new Map<string, SeriesInput>();
  const observations: ObservationInput[] = [];
  for (const [k, cell] of totals) {
    const [territoryCode, m, gs, year] = k.split("|");
    const spec = MEASURES[Number(m)];
    const key: SeriesKey = {
      indicatorCode: spec.indicatorCode,
      territoryCode,
      measure: spec.measure,
      breakdown: gs ? { grand_secteur: gs } : {},
    };
    const seriesKey = `${spec.indicatorCode}|${territoryCode}|${spec.measure}|${gs}`;
    if (!series.has(seriesKey)) {
      series.set(seriesKey, {
        ...key,
        frequency: "A",
        unit: spec.unit,
        sourceKey: `${COMMUNE_APE_DATASET}:${territoryCode}${gs ? `:${gs}` : ""}`,
        metadata: { aggregatedFrom: "code_ape", columnPrefix: spec.prefix, at: "31 December" },
      });
    }
    // Every APE cell secret or empty: nothing was published for this total.
    if (cell.nulls === cell.cells) continue;
    observations.push({
      series: key,
      period: year,
      value: cell.sum,
      obsStatus: "A",
      attributes: {
        ape_rows: String(cell.cells),
        ...(cell.nulls > 0 ? { ape_rows_null: String(cell.nulls) } : {}),
      },
    });
  }
  const used = new Set(
    observations.map(
      (o) =>
        `${o.series.indicatorCode}|${o.series.territoryCode}|${o.series.measure}|${o.series.breakdown.grand_secteur ?? ""}`,
    ),
  );
  return { series: [...series].filter(([k]) => used.has(k)).map(([, s]) => s), observations, skipped };
}
