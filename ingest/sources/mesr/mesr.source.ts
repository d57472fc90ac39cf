/**
 * MESR "Atlas régional : effectifs d'étudiants inscrits" (Opendatasoft): enrolled higher-education
 * students by commune of the establishment, by regroupement (university, STS, CPGE, schools…) and sex,
 * each academic year. The portal sums the rows server-side; the EPCI total adds its communes.
 */

import { like, or } from "drizzle-orm";
import { territories } from "../../../schema/territory";
import { wholeBody } from "../../core/payload";
import {
  type BufferedPayload,
  ConvertError,
  type ConvertResult,
  type ObservationInput,
  type Resource,
  type SeriesInput,
  type SeriesKey,
  type SourceDefinition,
  type StreamDefinition,
} from "../../core/types";
import {
  odsExportUrl,
  odsIn,
  odsNumber,
  parseOdsExportJson,
  parseOdsRecords,
} from "../../protocols/opendatasoft.parse";
import { EPCI_CODE } from "../../reference/load";
import { slug } from "../dares/dares.source";
import {
  addParts,
  EMPTY_SUM,
  missingInputs,
  type PartialSum,
  part,
  sumParts,
  sumStatus,
} from "../sum-of-parts";

export const MESR_DATASET = "fr-esr-atlas_regional-effectifs-d-etudiants-inscrits";
export const MESR_INDICATOR = "student_count";
/**
 * The EPCI series are the only ones the hub computes wholly and flags `derived`. A commune total is
 * MESR's all-sexes row when the answer has one and the sum of the sexes otherwise, so its series may mix
 * published and computed values: it stays unflagged.
 */
export const MESR_EPCI_DERIVATION =
  "Somme des étudiants inscrits des communes de l'EPCI présentes dans la réponse du MESR (une commune absente n'a pas d'établissement : elle compte pour zéro), même regroupement, tous sexes. Marseille comptée une fois : COM-13055 lorsqu'elle est publiée, sinon la somme de ses arrondissements (jamais les deux). Des lignes à effectif nul laissées hors de la somme : E avec missing_inputs (leur nombre) ; M si rien n'est connu ; A sinon.";

export interface MesrMeta {
  [key: string]: unknown;
  epci: string;
  knownTerritories: string[];
}

const isTotal = (v: string) => /^(total|ensemble)$/i.test(v.trim());
const text = (v: unknown) => (typeof v === "string" ? v.trim() : typeof v === "number" ? String(v) : "");

/** `2021-22`, `2021-2022`, `2021/2022` or `2021` → `2021`: the year of the rentrée, as the agenda counts. */
export function rentreeYear(value: unknown): string | null {
  const m = /^(\d{4})(?:\s*[-/]\s*(\d{2}|\d{4}))?$/.exec(text(value));
  return m ? m[1] : null;
}

const SEX: Record<string, string> = {
  masculin: "M",
  feminin: "F",
  hommes: "M",
  femmes: "F",
  homme: "M",
  femme: "F",
};

function territoryOf(code: string): string | null {
  if (!/^\d[\dAB]\d{3}$/.test(code)) return null;
  return /^132(0[1-9]|1[0-6])$/.test(code) ? `ARM-${code}` : `COM-${code}`;
}

/** The export the stream asks for: sums by year, commune, regroupement and sex, with row counts to spot nulls. */
export function mesrExportUrl(baseUrl: string, communes: readonly string[]): string {
  return odsExportUrl(baseUrl, MESR_DATASET, "json", {
    select:
      "annee_universitaire, geo_id, regroupement, sexe_de_l_etudiant, sum(effectif) as effectif, count(*) as n_rows, count(effectif) as n_effectif",
    where: `niveau_geographique="Commune" AND ${odsIn("geo_id", communes)}`,
    groupBy: "annee_universitaire, geo_id, regroupement, sexe_de_l_etudiant",
  });
}

export function convertMesr(payload: BufferedPayload, resource: Resource): ConvertResult {
  const meta = resource.meta as Partial<MesrMeta> | undefined;
  if (!meta || !Array.isArray(meta.knownTerritories) || !meta.epci) {
    throw new ConvertError(`resource ${resource.key} has no MESR plan metadata`);
  }
  const body = new TextDecoder().decode(payload.body);
  const records = body.trimStart().startsWith("{") ? parseOdsRecords(body).results : parseOdsExportJson(body);
  const known = new Set(meta.knownTerritories);
  const skipped: Record<string, number> = {};
  const bump = (k: string) => {
    skipped[k] = (skipped[k] ?? 0) + 1;
  };
  // territory|year|regroupement → sex → partial sum; sex "" is a published total across sexes.
  const groups = new Map<string, Map<string, PartialSum>>();
  records.forEach((r, i) => {
    const where = `${MESR_DATASET} record ${i}`;
    const year = rentreeYear(r.annee_universitaire ?? r.rentree);
    if (!year)
      throw new ConvertError(`${where}: annee_universitaire ${JSON.stringify(r.annee_universitaire)}`);
    const code = text(r.geo_id);
    const territory = territoryOf(code);
    if (!territory) throw new ConvertError(`${where}: geo_id "${code}" is not a commune`);
    if (!known.has(territory)) {
      bump("territory_not_in_reference");
      return;
    }
    const value = odsNumber(r.effectif);
    if (value === undefined) throw new ConvertError(`${where}: effectif ${JSON.stringify(r.effectif)}`);
    // sum() skips null cells: the rows it could not count are the group's missing inputs.
    const rows = odsNumber(r.n_rows);
    const counted = odsNumber(r.n_effectif);
    const missing = typeof rows === "number" && typeof counted === "number" ? Math.max(rows - counted, 0) : 0;
    const regroupement = text(r.regroupement) || "TOTAL";
    const sexLabel = text(r.sexe_de_l_etudiant);
    const sex = !sexLabel || isTotal(sexLabel) ? "" : (SEX[slug(sexLabel)] ?? slug(sexLabel));
    const k = `${territory}|${year}|${regroupement}`;
    const bySex = groups.get(k) ?? new Map<string, PartialSum>();
    bySex.set(sex, addParts(bySex.get(sex) ?? EMPTY_SUM, part(value, missing)));
    groups.set(k, bySex);
  });

  const series = new Map<string, SeriesInput>();
  const observations: ObservationInput[] = [];
  const epci = `EPCI-${meta.epci}`;
  const epciSums = new Map<
    string,
    {
      commune: PartialSum;
      marseille: PartialSum | null;
      arrondissements: PartialSum | null;
      communes: number;
    }
  >();
  const emit = (
    territory: string,
    year: string,
    breakdown: Record<string, string>,
    sum: PartialSum,
    attributes: Record<string, string> = {},
  ) => {
    const key: SeriesKey = {
      indicatorCode: MESR_INDICATOR,
      territoryCode: territory,
      measure: "enrolled_students",
      breakdown,
    };
    const k = `${territory}|${JSON.stringify(breakdown)}`;
    if (!series.has(k)) {
      series.set(k, {
        ...key,
        frequency: "A",
        unit: "students",
        titleFr: "Étudiants inscrits dans l'enseignement supérieur (commune de l'établissement)",
        sourceKey: `${MESR_DATASET}:${territory}`,
        metadata: {
          period: "year of the rentrée (2021 = academic year 2021-22)",
          missing_inputs: "rows whose effectif is null, left out of the sum (status E)",
        },
        ...(territory === epci ? { derived: true, derivation: MESR_EPCI_DERIVATION } : {}),
      });
    }
    observations.push({
      series: key,
      period: year,
      value: sum.value,
      obsStatus: sumStatus(sum),
      attributes: { ...attributes, ...missingInputs(sum) },
    });
  };
  for (const [k, bySex] of groups) {
    const [territory, year, regroupement] = k.split("|");
    const base: Record<string, string> = isTotal(regroupement) ? {} : { regroupement: slug(regroupement) };
    for (const [sex, v] of bySex) if (sex) emit(territory, year, { ...base, sex }, v);
    // A published all-sexes row wins; otherwise the sexes add up to the total.
    const total = bySex.get("") ?? sumParts(bySex.values());
    emit(territory, year, base, total);
    if (territory.startsWith("COM-") || territory.startsWith("ARM-")) {
      const e = epciSums.get(`${year}|${regroupement}`) ?? {
        commune: EMPTY_SUM,
        marseille: null,
        arrondissements: null,
        communes: 0,
      };
      if (territory === "COM-13055") e.marseille = total;
      else if (territory.startsWith("ARM-"))
        e.arrondissements = addParts(e.arrondissements ?? EMPTY_SUM, total);
      else {
        e.commune = addParts(e.commune, total);
        e.communes += 1;
      }
      epciSums.set(`${year}|${regroupement}`, e);
    }
  }
  // Communes without an establishment publish no row: absent means none, so the EPCI sum adds what is
  // there (a commune that is present with null cells is counted in missing_inputs instead).
  for (const [k, e] of epciSums) {
    const [year, regroupement] = k.split("|");
    const base: Record<string, string> = isTotal(regroupement) ? {} : { regroupement: slug(regroupement) };
    const marseille = e.marseille ?? e.arrondissements;
    emit(epci, year, base, addParts(e.commune, marseille ?? EMPTY_SUM), {
      method:
        e.marseille !== null
          ? "sum of communes, Marseille whole (arrondissements not added)"
          : e.arrondissements !== null
            ? "sum of communes, Marseille from its arrondissements"
            : "sum of communes (no row for Marseille)",
      communes: String(e.communes + (marseille ? 1 : 0)),
    });
  }
  return { series: [...series.values()], observations, skipped };
}

export const studentsStream: StreamDefinition = {
  id: "mesr.students",
  description:
    "Étudiants inscrits par commune d'établissement (total, regroupement de formations, sexe) et pour l'EPCI, par année universitaire",
  // Published once a year; a weekly look is enough.
  schedule: "50 6 * * 3",
  indicators: [MESR_INDICATOR],
  datasetCode: MESR_DATASET,
  async plan(ctx) {
    const known = (
      await ctx.db
        .select({ code: territories.code })
        .from(territories)
        .where(
          or(
            like(territories.code, "COM-%"),
            like(territories.code, "ARM-%"),
            like(territories.code, "EPCI-%"),
          ),
        )
    )
      .map((r) => r.code)
      .sort();
    const communes = known.filter((c) => /^(COM|ARM)-/.test(c)).map((c) => c.slice(4));
    if (communes.length === 0) throw new Error("no commune in the reference data to ask MESR for");
    const meta: MesrMeta = { epci: EPCI_CODE, knownTerritories: known };
    return [{ key: `communes-epci-${EPCI_CODE}`, url: mesrExportUrl(ctx.baseUrl, communes), meta }];
  },
  convert: wholeBody(convertMesr),
};

export const mesr: SourceDefinition = {
  id: "mesr",
  title: "MESR — effectifs d'étudiants inscrits (Opendatasoft)",
  partnerCode: "MESR",
  defaultBaseUrl: "https://data.enseignementsup-recherche.gouv.fr/api/explore/v2.1",
  streams: [studentsStream],
};
