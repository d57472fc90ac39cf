/**
 * AtmoSud's CIGALE inventory: yearly emissions and energy by commune and SECTEN1 sector. The public
 * extraction's column names are not confirmed; this reader takes AtmoSud's internal table columns
 * (`an;id_comm;id_polluant;id_secten1;val`, as in `total.bilan_comm_v7_diffusion`) and fails loudly,
 * naming the columns it found, if the real export differs.
 */
import { parse as parseCsv } from "csv-parse/sync";
import {
  type BufferedPayload,
  ConvertError,
  type ConvertResult,
  type ObservationInput,
  type Resource,
  type SeriesInput,
  type SeriesKey,
} from "../../core/types";
import {
  addParts,
  EMPTY_SUM,
  missingInputs,
  type PartialSum,
  part,
  sumParts,
  sumStatus,
} from "../sum-of-parts";

export const CIGALE_DATASET = "cigale";

/** CIGALE variables (`id_polluant`) we load, and where they go. Renewable production's id is unconfirmed. */
export const CIGALE_VARIABLES: Record<
  string,
  { indicatorCode: string; measure: string; unit: string; titleFr: string }
> = {
  "128": {
    indicatorCode: "ghg_emissions",
    measure: "ghg_emissions",
    unit: "kt CO2e",
    titleFr: "Émissions de gaz à effet de serre (PRG100, 3 GES)",
  },
  "131": {
    indicatorCode: "renewable_share_final_consumption",
    measure: "final_energy_consumption",
    unit: "ktep",
    titleFr: "Consommation d'énergie finale",
  },
};

/** SECTEN1 sectors; 8 ("Non inclus") is outside inventory totals, as in the national SECTEN format. */
export const SECTEN1: Record<string, string> = {
  "1": "Energie",
  "2": "Industrie/déchets",
  "3": "Résidentiel",
  "4": "Tertiaire",
  "5": "Agriculture",
  "6": "Transports routiers",
  "7": "Autres transports",
  "8": "Non inclus",
};
const EXCLUDED_FROM_TOTAL = new Set(["8"]);

/*
 * CIGALE publishes sector cells only: every total, EPCI sum and per-inhabitant value is the hub's, so
 * those series are flagged `derived`, with these texts. The sector series are CIGALE's.
 */
export const CIGALE_TOTAL_DERIVATION =
  "Somme des secteurs SECTEN1 1 à 7 publiés par CIGALE pour le territoire et l'année (le secteur 8 « Non inclus » n'est pas compté). Une cellule de secteur vide est laissée hors de la somme : E avec missing_inputs (leur nombre) ; M si aucun secteur n'est connu ; A sinon.";
export const CIGALE_EPCI_DERIVATION =
  "Somme des totaux (secteurs SECTEN1 1 à 7) des communes membres de l'EPCI, donnée seulement quand chacune est dans le fichier de l'année. Marseille comptée une fois, par COM-13055 (ses arrondissements ne sont jamais ajoutés ; sans COM-13055, pas de somme). Les cellules vides des communes s'additionnent dans missing_inputs : E alors ; M si rien n'est connu ; A sinon.";
export const CIGALE_PER_INHABITANT_DERIVATION =
  "Total des émissions de GES du territoire (secteurs SECTEN1 1 à 7, kt CO2e ; pour l'EPCI, la somme de ses communes) × 1000 ÷ sa population dans territories.population (millésime et source dans les attributs population_year, population_source). Toujours E (population d'une autre source), avec le missing_inputs du total ; M si le total est inconnu ; pas de valeur sans population.";

export interface CigaleMeta {
  [key: string]: unknown;
  /** The inventory year asked (`query_ans`): every row of the answer must be of that year. */
  year: number;
  epci: string;
  /** COM- codes of the EPCI's communes: the EPCI total is given only when every one is in the file. */
  epciMembers: string[];
  knownTerritories: string[];
  /** Population by territory, with where it comes from, for per-inhabitant series. */
  populations: Record<string, { value: number; year: number | null; source: string | null }>;
}

const REQUIRED = ["an", "id_comm", "id_polluant", "id_secten1", "val"] as const;

function territoryOf(idComm: string): string | null {
  const s = idComm.trim().padStart(5, "0");
  if (!/^\d[\dAB]\d{3}$/.test(s)) return null;
  return /^132(0[1-9]|1[0-6])$/.test(s) ? `ARM-${s}` : `COM-${s}`;
}

function cigaleNumber(text: string, where: string): number | null {
  const s = text.trim();
  if (s === "") return null;
  // The file is `;`-separated, so a decimal comma is unambiguous; both marks are read.
  if (!/^-?\d+([.,]\d+)?([eE][-+]?\d+)?$/.test(s)) throw new ConvertError(`${where}: "${s}" is not a number`);
  return Number(s.replace(",", "."));
}

const round = (v: number) => Math.round(v * 1e6) / 1e6;

export function convertCigale(payload: BufferedPayload, resource: Resource): ConvertResult {
  const meta = resource.meta as Partial<CigaleMeta> | undefined;
  if (
    !meta ||
    typeof meta.year !== "number" ||
    !Array.isArray(meta.knownTerritories) ||
    !Array.isArray(meta.epciMembers) ||
    !meta.populations
  ) {
    throw new ConvertError(`resource ${resource.key} has no CIGALE plan metadata`);
  }
  const known = new Set(meta.knownTerritories);
  const text = new TextDecoder("utf-8").decode(payload.body).replace(/^\uFEFF/, "");
  if (text.trim() === "") throw new ConvertError("CIGALE: empty body");
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parseCsv(text, {
      delimiter: ";",
      info: true,
      skip_empty_lines: true,
    }) as unknown as typeof records;
  } catch (error) {
    throw new ConvertError(`CIGALE: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  const header = records[0].record.map((h) => h.trim().toLowerCase());
  const missing = REQUIRED.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new ConvertError(
      `CIGALE: column(s) ${missing.join(", ")} missing; the file has ${header.join(";")}`,
    );
  }
  const at = (r: string[], c: (typeof REQUIRED)[number]) => r[header.indexOf(c)].trim();
  const skipped: Record<string, number> = {};
  const bump = (k: string) => {
    skipped[k] = (skipped[k] ?? 0) + 1;
  };
  // territory|variable|year|sector → value (null: an empty cell), and territory|variable|year → total
  // of the included sectors, as a partial sum when a sector's cell is empty.
  const cells = new Map<string, { value: number | null; line: number }>();
  const totals = new Map<string, PartialSum>();
  for (const { record, info } of records.slice(1)) {
    const where = `CIGALE line ${info.lines}`;
    if (record.length !== header.length)
      throw new ConvertError(`${where}: ${record.length} cells, header has ${header.length}`);
    const variable = at(record, "id_polluant");
    if (!(variable in CIGALE_VARIABLES)) {
      bump("variable_not_mapped");
      continue;
    }
    const year = at(record, "an");
    if (!/^\d{4}$/.test(year)) throw new ConvertError(`${where}, column an: "${year}" is not a year`);
    // The URL asks for one inventory year: an answer of another year is the wrong file, not more data.
    if (Number(year) !== meta.year) {
      throw new ConvertError(
        `${where}, column an: ${year}, but resource ${resource.key} asked for inventory year ${meta.year} (query_ans): the answer is not the year asked`,
      );
    }
    const sector = at(record, "id_secten1");
    if (!(sector in SECTEN1))
      throw new ConvertError(`${where}, column id_secten1: unknown sector "${sector}"`);
    const territory = territoryOf(at(record, "id_comm"));
    if (!territory)
      throw new ConvertError(`${where}, column id_comm: "${at(record, "id_comm")}" is not a commune code`);
    if (!known.has(territory)) {
      bump("territory_not_in_reference");
      continue;
    }
    const value = cigaleNumber(at(record, "val"), `${where}, column val`);
    const key = `${territory}|${variable}|${year}|${sector}`;
    const seen = cells.get(key);
    if (seen)
      throw new ConvertError(`${where}: same commune, variable, year and sector as line ${seen.line}`);
    cells.set(key, { value, line: info.lines });
    if (!EXCLUDED_FROM_TOTAL.has(sector)) {
      const t = `${territory}|${variable}|${year}`;
      totals.set(t, addParts(totals.get(t) ?? EMPTY_SUM, part(value)));
    }
  }

  const series = new Map<string, SeriesInput>();
  const observations: ObservationInput[] = [];
  const epciTerritory = `EPCI-${meta.epci}`;
  const emit = (
    territory: string,
    variable: string,
    year: string,
    sector: string | null,
    value: number | null,
    obsStatus: string,
    attributes: Record<string, string> = {},
  ) => {
    const spec = CIGALE_VARIABLES[variable];
    const key: SeriesKey = {
      indicatorCode: spec.indicatorCode,
      territoryCode: territory,
      measure: spec.measure,
      breakdown: sector ? { secten1: sector } : {},
    };
    const k = `${spec.measure}|${territory}|${sector ?? ""}`;
    if (!series.has(k)) {
      series.set(k, {
        ...key,
        frequency: "A",
        unit: spec.unit,
        titleFr: sector ? `${spec.titleFr} — ${SECTEN1[sector]}` : spec.titleFr,
        sourceKey: `${CIGALE_DATASET}:${variable}:${territory}${sector ? `:${sector}` : ""}`,
        metadata: sector
          ? { secten1Label: SECTEN1[sector] }
          : { totalExcludesSecten1: [...EXCLUDED_FROM_TOTAL] },
        ...(sector
          ? {}
          : {
              derived: true,
              derivation: territory === epciTerritory ? CIGALE_EPCI_DERIVATION : CIGALE_TOTAL_DERIVATION,
            }),
      });
    }
    observations.push({
      series: key,
      period: year,
      value: value === null ? null : round(value),
      obsStatus,
      attributes,
    });
  };
  // An empty cell is published as such: stored as missing, never as 0.
  for (const [key, { value }] of cells) {
    const [territory, variable, year, sector] = key.split("|");
    emit(territory, variable, year, sector, value, value === null ? "M" : "A");
  }
  const emitSum = (
    territory: string,
    variable: string,
    year: string,
    sum: PartialSum,
    attributes: Record<string, string> = {},
  ) =>
    emit(territory, variable, year, null, sum.value, sumStatus(sum), {
      ...attributes,
      ...missingInputs(sum),
    });
  const epciTotals = new Map<string, { parts: PartialSum[]; communes: number }>();
  for (const [key, sum] of totals) {
    const [territory, variable, year] = key.split("|");
    emitSum(territory, variable, year, sum);
    if (meta.epciMembers.includes(territory)) {
      const e = epciTotals.get(`${variable}|${year}`) ?? { parts: [], communes: 0 };
      e.parts.push(sum);
      e.communes += 1;
      epciTotals.set(`${variable}|${year}`, e);
    }
  }
  // A member commune absent from the file is unknown, not zero: without all of them there is no EPCI sum.
  for (const [key, { parts, communes }] of epciTotals) {
    const [variable, year] = key.split("|");
    if (communes < meta.epciMembers.length) {
      bump("epci_total_incomplete");
      continue;
    }
    const sum = sumParts(parts);
    totals.set(`${epciTerritory}|${variable}|${year}`, sum);
    emitSum(epciTerritory, variable, year, sum, { communes: String(communes) });
  }

  // t CO2e per inhabitant: kt × 1000 over the population the hub stores, named with its source.
  for (const [key, total] of totals) {
    const [territory, variable, year] = key.split("|");
    if (CIGALE_VARIABLES[variable].measure !== "ghg_emissions") continue;
    const population = meta.populations[territory];
    if (!population || population.value <= 0) {
      bump("per_inhabitant_without_population");
      continue;
    }
    const pkey: SeriesKey = {
      indicatorCode: "ghg_emissions",
      territoryCode: territory,
      measure: "ghg_emissions_per_inhabitant",
      breakdown: {},
    };
    if (!series.has(`per_inhabitant|${territory}`)) {
      series.set(`per_inhabitant|${territory}`, {
        ...pkey,
        frequency: "A",
        unit: "t CO2e per inhabitant",
        titleFr: "Émissions de GES par habitant",
        sourceKey: `${CIGALE_DATASET}:128:${territory}:per_inhabitant`,
        metadata: { numerator: "ghg_emissions (kt CO2e) × 1000", denominator: "territories.population" },
        derived: true,
        derivation: CIGALE_PER_INHABITANT_DERIVATION,
      });
    }
    // Always an estimate (a ratio over a population of another source); understated too when the
    // total is, which missing_inputs says.
    observations.push({
      series: pkey,
      period: year,
      value: total.value === null ? null : round((total.value * 1000) / population.value),
      obsStatus: total.value === null ? "M" : "E",
      attributes: {
        population: String(population.value),
        ...(population.year ? { population_year: String(population.year) } : {}),
        ...(population.source ? { population_source: population.source } : {}),
        ...missingInputs(total),
      },
    });
  }
  return { series: [...series.values()], observations, skipped };
}
