/**
 * URSSAF's quarterly private-sector headcounts: by département × grand secteur and by zone d'emploi.
 * Both come as flat records (`annee` as a string, `trimestre` as a number, `effectifs_salaries_brut` and
 * `_cvs`), read from `/exports/json` (a bare array) or a `/records` page.
 */
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
  type OdsRecord,
  odsNumber,
  parseOdsExportJson,
  parseOdsRecords,
} from "../../protocols/opendatasoft.parse";
import { grandSecteurCode } from "./commune-ape";

export const DEP_GRAND_SECTEUR_DATASET =
  "effectifs-salaries-et-masse-salariale-du-secteur-prive-par-departement-x-grand-s";
export const ZONE_EMPLOI_DATASET = "effectifs-salaries-et-masse-salariale-du-secteur-prive-par-zone-demploi";

export interface QuarterlyMeta {
  [key: string]: unknown;
  dataset: string;
  /** Field holding the territory code, and the prefix that makes it ours (`DEP` → `DEP-13`). */
  territoryField: string;
  territoryPrefix: string;
  /** Field whose value becomes the `grand_secteur` breakdown, if any. */
  breakdownField: string | null;
  knownTerritories: string[];
}

/** Seasonally adjusted and raw headcounts are two measures of one indicator. */
const MEASURES = [
  { field: "effectifs_salaries_cvs", measure: "private_salaried_jobs_sa" },
  { field: "effectifs_salaries_brut", measure: "private_salaried_jobs_raw" },
] as const;

/** `/exports/json` is a bare array, `/records` an envelope: accept both so either endpoint can be planned. */
function records(body: Uint8Array): OdsRecord[] {
  const text = new TextDecoder().decode(body).trimStart();
  return text.startsWith("[") ? parseOdsExportJson(text) : parseOdsRecords(text).results;
}

const str = (v: unknown) => (typeof v === "string" ? v.trim() : typeof v === "number" ? String(v) : "");

export function convertQuarterly(payload: BufferedPayload, resource: Resource): ConvertResult {
  const meta = resource.meta as Partial<QuarterlyMeta> | undefined;
  if (!meta || typeof meta.dataset !== "string" || !Array.isArray(meta.knownTerritories)) {
    throw new ConvertError(`resource ${resource.key} has no quarterly plan metadata`);
  }
  const { dataset, territoryField, territoryPrefix, breakdownField } = meta as QuarterlyMeta;
  const known = new Set(meta.knownTerritories);
  const rows = records(payload.body);
  if (rows.length === 0) throw new ConvertError(`${dataset}: the answer holds no record`);
  const required = [territoryField, "annee", "trimestre", ...(breakdownField ? [breakdownField] : [])];
  const missing = required.filter((f) => !(f in rows[0]));
  if (!MEASURES.some((m) => m.field in rows[0])) missing.push(MEASURES.map((m) => m.field).join(" or "));
  if (missing.length > 0)
    throw new ConvertError(`${dataset}: field(s) ${missing.join(", ")} missing from the records`);

  const skipped: Record<string, number> = {};
  const bump = (reason: string) => {
    skipped[reason] = (skipped[reason] ?? 0) + 1;
  };
  const series = new Map<string, SeriesInput>();
  const observations: ObservationInput[] = [];
  for (const r of rows) {
    const territoryCode = `${territoryPrefix}-${str(r[territoryField])}`;
    if (!known.has(territoryCode)) {
      bump("territory_not_in_reference");
      continue;
    }
    const year = str(r.annee);
    const quarter = str(r.trimestre);
    if (!/^\d{4}$/.test(year) || !/^[1-4]$/.test(quarter)) {
      throw new ConvertError(`${dataset}: annee "${year}" / trimestre "${quarter}" is not a quarter`);
    }
    let breakdown: Record<string, string> = {};
    if (breakdownField) {
      const label = str(r[breakdownField]);
      breakdown = { grand_secteur: grandSecteurCode(label) ?? label };
    }
    for (const { field, measure } of MEASURES) {
      if (!(field in r)) continue;
      const value = odsNumber(r[field]);
      if (value === undefined) {
        bump("not_a_number");
        continue;
      }
      if (value === null) {
        bump("null_cell");
        continue;
      }
      const key: SeriesKey = { indicatorCode: "net_job_creation", territoryCode, measure, breakdown };
      const k = `${territoryCode}|${measure}|${breakdown.grand_secteur ?? ""}`;
      if (!series.has(k)) {
        series.set(k, {
          ...key,
          frequency: "Q",
          unit: "jobs",
          sourceKey: `${dataset}:${str(r[territoryField])}${breakdown.grand_secteur ? `:${breakdown.grand_secteur}` : ""}`,
          titleFr: breakdownField
            ? `${str(r.departement) || territoryCode} — ${str(r[breakdownField])}`
            : str(r.libelle_zone_d_emploi) || null,
        });
      }
      observations.push({ series: key, period: `${year}-Q${quarter}`, value, obsStatus: "A" });
    }
  }
  return { series: [...series.values()], observations, skipped };
}
