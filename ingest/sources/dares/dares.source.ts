/**
 * DARES — jobseekers registered at France Travail by commune (`dares_defm_communales-brutes`,
 * Opendatasoft): fourth quarter of each year only, by category, sex and age band, each value rounded
 * to 5. Marseille is published both whole (13055) and by arrondissement (13201-13216): both are
 * stored, each under its own territory, and the EPCI total adds the communes only, never both.
 */

import { and, eq, like, or } from "drizzle-orm";
import { territories, territoryLinks } from "../../../schema/territory";
import { PeriodError, parsePeriod } from "../../../src/period";
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

export const DARES_DATASET = "dares_defm_communales-brutes";
/** Jobseeker counts are the agenda's measure of indicator 1 at commune level (no rate is published there). */
export const DARES_INDICATOR = "unemployment_rate";
/**
 * The EPCI series are the only ones the hub computes (DARES publishes communes and arrondissements,
 * COM-13055 included): flagged `derived`, with this text.
 */
export const DARES_EPCI_DERIVATION =
  "Somme des demandeurs d'emploi des communes membres de l'EPCI (valeurs communales arrondies à 5 par la DARES), même catégorie, sexe et âge. Marseille comptée une fois : COM-13055, ou la somme de ses 16 arrondissements si la commune entière manque (jamais les deux). Donnée seulement quand chaque commune membre a une valeur (pas de missing_inputs) ; toujours E, somme de valeurs arrondies.";

export interface DaresMeta {
  [key: string]: unknown;
  epci: string;
  epciMembers: string[];
  knownTerritories: string[];
}

const MARSEILLE_ARRONDISSEMENTS = Array.from(
  { length: 16 },
  (_, i) => `ARM-132${String(i + 1).padStart(2, "0")}`,
);
const SEX: Record<string, string> = { hommes: "M", femmes: "F" };

/** `Moins de 25 ans` → `moins_de_25_ans`: labels become stable codes without guessing DARES's list. */
export function slug(label: string): string {
  return label
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_|_$/g, "");
}

const isTotal = (v: string) => /^(total|ensemble)$/i.test(v.trim());
const text = (v: unknown) => (typeof v === "string" ? v.trim() : typeof v === "number" ? String(v) : "");

function territoryOf(code: string): string | null {
  if (!/^\d[\dAB]\d{3}$/.test(code)) return null;
  return /^132(0[1-9]|1[0-6])$/.test(code) ? `ARM-${code}` : `COM-${code}`;
}

export function convertDares(payload: BufferedPayload, resource: Resource): ConvertResult {
  const meta = resource.meta as Partial<DaresMeta> | undefined;
  if (!meta || !Array.isArray(meta.knownTerritories) || !Array.isArray(meta.epciMembers) || !meta.epci) {
    throw new ConvertError(`resource ${resource.key} has no DARES plan metadata`);
  }
  // The stream asks /exports/json (a bare array); a saved /records page (an envelope) reads the same.
  const body = new TextDecoder().decode(payload.body);
  const records = body.trimStart().startsWith("{") ? parseOdsRecords(body).results : parseOdsExportJson(body);
  const known = new Set(meta.knownTerritories);
  const skipped: Record<string, number> = {};
  const bump = (k: string) => {
    skipped[k] = (skipped[k] ?? 0) + 1;
  };
  const series = new Map<string, SeriesInput>();
  const observations: ObservationInput[] = [];
  // period|breakdown → territory → value, for the EPCI sum
  const cells = new Map<string, Map<string, number | null>>();
  const seen = new Set<string>();
  const epci = `EPCI-${meta.epci}`;

  const emit = (
    key: SeriesKey,
    period: string,
    value: number | null,
    status: string,
    attributes: Record<string, string>,
  ) => {
    const k = `${key.territoryCode}|${JSON.stringify(key.breakdown)}`;
    if (!series.has(k)) {
      series.set(k, {
        ...key,
        frequency: "Q",
        unit: "jobseekers",
        titleFr: "Demandeurs d'emploi inscrits à France Travail en fin d'année (T4)",
        sourceKey: `${DARES_DATASET}:${key.territoryCode}`,
        metadata: { snapshot: "fourth quarter only", rounding: "each commune value rounded to 5" },
        ...(key.territoryCode === epci ? { derived: true, derivation: DARES_EPCI_DERIVATION } : {}),
      });
    }
    observations.push({ series: key, period, value, obsStatus: status, attributes });
  };

  records.forEach((r, i) => {
    const code = text(r.code_commune);
    if (isTotal(code)) {
      bump("national_total");
      return;
    }
    if (text(r.type_de_donnees) !== "Brutes") {
      bump("not_raw_data");
      return;
    }
    let period: string;
    try {
      period = parsePeriod(text(r.date)).period;
    } catch (error) {
      if (error instanceof PeriodError)
        throw new ConvertError(`${DARES_DATASET} record ${i}: date ${JSON.stringify(r.date)}`);
      throw error;
    }
    if (!/-Q\d$/.test(period))
      throw new ConvertError(`${DARES_DATASET} record ${i}: date "${text(r.date)}" is not a quarter`);
    const territory = territoryOf(code);
    if (!territory) throw new ConvertError(`${DARES_DATASET} record ${i}: code_commune "${code}"`);
    if (!known.has(territory)) {
      bump("territory_not_in_reference");
      return;
    }
    const value = odsNumber(r.nombre_de_demandeurs_d_emploi);
    if (value === undefined) {
      throw new ConvertError(
        `${DARES_DATASET} record ${i}: nombre_de_demandeurs_d_emploi ${JSON.stringify(r.nombre_de_demandeurs_d_emploi)}`,
      );
    }
    const category = text(r.categorie);
    if (!category) throw new ConvertError(`${DARES_DATASET} record ${i}: no categorie`);
    const sex = text(r.sexe);
    const age = text(r.tranche_d_age);
    const breakdown: Record<string, string> = { category };
    if (sex && !isTotal(sex)) breakdown.sex = SEX[sex.toLowerCase()] ?? slug(sex);
    if (age && !isTotal(age)) breakdown.age = slug(age);
    const b = JSON.stringify(Object.entries(breakdown).sort());
    if (seen.has(`${territory}|${period}|${b}`))
      throw new ConvertError(`${DARES_DATASET}: ${territory} ${period} ${b} twice`);
    seen.add(`${territory}|${period}|${b}`);
    const key: SeriesKey = {
      indicatorCode: DARES_INDICATOR,
      territoryCode: territory,
      measure: "jobseekers",
      breakdown,
    };
    emit(key, period, value, value === null ? "M" : "A", { rounded_to: "5" });
    const cell = cells.get(`${period}|${b}`) ?? new Map<string, number | null>();
    cell.set(territory, value);
    cells.set(`${period}|${b}`, cell);
  });

  for (const [k, byTerritory] of cells) {
    const [period, b] = [k.slice(0, k.indexOf("|")), k.slice(k.indexOf("|") + 1)];
    const breakdown = Object.fromEntries(JSON.parse(b) as [string, string][]);
    let sum = 0;
    let complete = true;
    let marseilleFromArrondissements = false;
    for (const member of meta.epciMembers) {
      let v = byTerritory.get(member);
      if (
        v === undefined &&
        member === "COM-13055" &&
        MARSEILLE_ARRONDISSEMENTS.every((a) => byTerritory.has(a))
      ) {
        const parts = MARSEILLE_ARRONDISSEMENTS.map((a) => byTerritory.get(a) ?? null);
        v = parts.every((p) => p !== null) ? (parts as number[]).reduce((x, y) => x + y, 0) : null;
        marseilleFromArrondissements = true;
      }
      if (v === undefined || v === null) {
        complete = false;
        break;
      }
      sum += v;
    }
    if (!complete) {
      bump("epci_total_incomplete");
      continue;
    }
    emit(
      { indicatorCode: DARES_INDICATOR, territoryCode: epci, measure: "jobseekers", breakdown },
      period,
      sum,
      "E",
      {
        communes: String(meta.epciMembers.length),
        method: marseilleFromArrondissements
          ? "sum of commune values rounded to 5, Marseille from its arrondissements"
          : "sum of commune values rounded to 5",
      },
    );
  }
  return { series: [...series.values()], observations, skipped };
}

export const jobseekersStream: StreamDefinition = {
  id: "dares.jobseekers",
  description:
    "Demandeurs d'emploi (catégories, sexe, âge) par commune et arrondissement au T4, et leur somme pour l'EPCI",
  // Published once a year; a weekly look is enough.
  schedule: "40 6 * * 3",
  indicators: [DARES_INDICATOR],
  datasetCode: DARES_DATASET,
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
    ).map((r) => r.code);
    const members = await ctx.db
      .select({ code: territoryLinks.childCode })
      .from(territoryLinks)
      .where(
        and(eq(territoryLinks.parentCode, `EPCI-${EPCI_CODE}`), like(territoryLinks.childCode, "COM-%")),
      );
    const meta: DaresMeta = {
      epci: EPCI_CODE,
      epciMembers: members.map((m) => m.code).sort(),
      knownTerritories: known.sort(),
    };
    const codes = known.filter((c) => /^(COM|ARM)-/.test(c)).map((c) => c.slice(4));
    if (codes.length === 0) throw new Error("no commune in the reference data to ask DARES for");
    const url = odsExportUrl(ctx.baseUrl, DARES_DATASET, "json", { where: odsIn("code_commune", codes) });
    return [{ key: `communes-epci-${EPCI_CODE}`, url, meta }];
  },
  convert: wholeBody(convertDares),
};

export const dares: SourceDefinition = {
  id: "dares",
  title: "DARES — demandeurs d'emploi par commune (Opendatasoft)",
  partnerCode: "DARES",
  defaultBaseUrl: "https://data.dares.travail-emploi.gouv.fr/api/explore/v2.1",
  streams: [jobseekersStream],
};
