/**
 * INSEE Melodi (keyless): legal populations, business creations (SIDE), salaried jobs and
 * establishments (Flores) and census employment and diplomas, for the AMP's communes
 * (`GEO=EPCI-200054807*COM`), the EPCI itself where the dataset has that level, and Marseille's
 * arrondissements (`GEO=ARM`: every ARM in France, the others skipped as unknown territories).
 */

import { like, or } from "drizzle-orm";
import { indicators } from "../../../schema/indicator";
import { territories } from "../../../schema/territory";
import { payloadOf, wholeBody } from "../../core/payload";
import type {
  DownloadContext,
  Payload,
  PlanContext,
  Resource,
  SourceDefinition,
  StreamDefinition,
} from "../../core/types";
import { melodiDataUrl, melodiHasMorePages, parseMelodiData } from "../../protocols/melodi.parse";
import { EPCI_CODE } from "../../reference/load";
import { convertMelodi, type MelodiDatasetSpec, type MelodiResourceMeta } from "./convert";
import { deriveYouthEmploymentRate, EMPLOYED, POPULATION } from "./derive";

/** The millésime of the reference territories (`ingest/reference/load.ts`). */
const COG_VINTAGE = 2025;

/** Legal populations, under the hub's own `legal_population` indicator (none of the agenda's 20 holds them). */
export const POPULATIONS: MelodiDatasetSpec = {
  dataset: "DS_POPULATIONS_REFERENCE",
  filters: {},
  measureDimension: "POPREF_MEASURE",
  measures: {
    PMUN: { indicatorCode: "legal_population", measure: "municipal_population", unit: "inhabitants" },
    PTOT: { indicatorCode: "legal_population", measure: "total_population", unit: "inhabitants" },
    PCAP: { indicatorCode: "legal_population", measure: "population_counted_apart", unit: "inhabitants" },
  },
  breakdowns: {},
  pinned: {},
};

/** Business creations by A10 sector and legal form (CSV columns of the 2024 file; SIDE_MEASURE=BURE). */
export const BUSINESS_CREATIONS: MelodiDatasetSpec = {
  dataset: "DS_SIDE_CREA_ENT_COM",
  filters: {},
  measureDimension: "SIDE_MEASURE",
  measures: { BURE: { indicatorCode: "business_creations", measure: "creations", unit: "creations" } },
  breakdowns: { ACTIVITY: "activity_a10", LEGAL_FORM: "legal_form" },
  pinned: {},
};

/** Flores: salaried jobs at 31/12 and employer establishments by A38 sector, all sizes, all employers. */
export const FLORES_A38: MelodiDatasetSpec = {
  dataset: "DS_FLORES_A38",
  filters: { NUMBER_EMPL: "_T" },
  measureDimension: "FLORES_MEASURE",
  measures: {
    EMPL3112: { indicatorCode: "net_job_creation", measure: "salaried_jobs_all_employers", unit: "jobs" },
    UNIT_LOC: {
      indicatorCode: "avg_private_firm_size",
      measure: "employer_establishments_all_employers",
      unit: "establishments",
    },
  },
  breakdowns: { ACTIVITY: "activity_a38", LEGAL_FORM_WITH_PUBLIC: "legal_form" },
  pinned: { NUMBER_EMPL: "_T" },
};

/**
 * Census, 15-24 year-olds by employment status (EMPSTA_ENQ 1 = in employment, _T = all): the youth
 * employment rate, the first over the second, is derived after each load (`derive.ts`). AGE code
 * `Y15T24` is seen in a public fixture of the 2023 file, not checked against
 * `/range/DS_RP_EMPLOI_LR_PRINC`.
 */
export const YOUTH_EMPLOYMENT: MelodiDatasetSpec = {
  dataset: "DS_RP_EMPLOI_LR_PRINC",
  filters: { AGE: "Y15T24", SEX: "_T", EDUC: "_T", RP_MEASURE: "POP", EMPSTA_ENQ: ["1", "_T"] },
  measureDimension: "EMPSTA_ENQ",
  measures: {
    "1": { indicatorCode: "youth_employment_rate", measure: EMPLOYED, unit: "persons" },
    _T: { indicatorCode: "youth_employment_rate", measure: POPULATION, unit: "persons" },
  },
  breakdowns: {},
  pinned: { AGE: "Y15T24", SEX: "_T", EDUC: "_T", RP_MEASURE: "POP" },
};

/** Census, highest diploma of people aged 15+ out of school (EDUC codes `001T100_RP` … `700_RP`, `_T`). */
export const DIPLOMAS: MelodiDatasetSpec = {
  dataset: "DS_RP_DIPLOMES_PRINC",
  filters: { AGE: "Y_GE15", SEX: "_T", RP_MEASURE: "POP" },
  measureDimension: "RP_MEASURE",
  measures: {
    POP: {
      indicatorCode: "qualification_level",
      measure: "population_15_plus_out_of_school",
      unit: "persons",
    },
  },
  breakdowns: { EDUC: "diploma" },
  pinned: { AGE: "Y_GE15", SEX: "_T" },
};

interface GeoScope {
  key: string;
  geo: string;
}
const COMMUNES: GeoScope = { key: "communes", geo: `EPCI-${EPCI_CODE}*COM` };
const EPCI: GeoScope = { key: "epci", geo: `EPCI-${EPCI_CODE}` };
const ARRONDISSEMENTS: GeoScope = { key: "arrondissements", geo: "ARM" };

async function referenceCodes(
  ctx: PlanContext,
): Promise<Pick<MelodiResourceMeta, "knownTerritories" | "knownIndicators">> {
  const terr = await ctx.db
    .select({ code: territories.code })
    .from(territories)
    .where(
      or(...["COM", "ARM", "EPCI", "DEP", "REG", "FRANCE"].map((p) => like(territories.code, `${p}-%`))),
    );
  const ind = await ctx.db.select({ code: indicators.code }).from(indicators);
  return { knownTerritories: terr.map((r) => r.code).sort(), knownIndicators: ind.map((r) => r.code).sort() };
}

/** Most pages a resource may have before we call the answer suspicious (100 000 rows each). */
const MAX_PAGES = 20;

/**
 * Fetches every page of one query and hands `convert` a single body: the first page with the
 * observations of all pages, so an answer larger than `maxResult` is never silently cut.
 */
export async function downloadAllPages(resource: Resource, ctx: DownloadContext): Promise<Payload> {
  const first = await ctx.http.get(resource.url, { headers: resource.headers });
  let page = parseMelodiData(first.body);
  if (!melodiHasMorePages(page, resource.url)) return payloadOf(first, first.body);
  const observations: unknown[] = JSON.parse(new TextDecoder().decode(first.body)).observations;
  let url = resource.url;
  for (let n = 2; melodiHasMorePages(page, url); n++) {
    if (n > MAX_PAGES) throw new Error(`Melodi: more than ${MAX_PAGES} pages for ${resource.url}`);
    url = page.paging.next ?? `${resource.url}&page=${n}`;
    const next = await ctx.http.get(url, { headers: resource.headers });
    page = parseMelodiData(next.body);
    // An empty page ends the walk even if the server kept a `next` link on it.
    if (page.observations.length === 0) break;
    observations.push(...JSON.parse(new TextDecoder().decode(next.body)).observations);
  }
  const merged = { ...JSON.parse(new TextDecoder().decode(first.body)), observations, pagesMerged: true };
  return payloadOf(first, JSON.stringify(merged));
}

function melodiStream(options: {
  id: string;
  description: string;
  schedule: string;
  indicators: string[];
  spec: MelodiDatasetSpec;
  scopes: GeoScope[];
  derive?: StreamDefinition["derive"];
}): StreamDefinition {
  const { spec } = options;
  return {
    id: `insee-melodi.${options.id}`,
    description: options.description,
    schedule: options.schedule,
    indicators: options.indicators,
    datasetCode: spec.dataset,
    async plan(ctx) {
      const reference = await referenceCodes(ctx);
      return options.scopes.map((scope) => {
        const meta: MelodiResourceMeta = { spec, cogVintage: COG_VINTAGE, ...reference };
        return {
          key: `${spec.dataset}-${scope.key}`,
          url: melodiDataUrl(ctx.baseUrl, spec.dataset, { GEO: scope.geo, ...spec.filters }),
          meta,
        };
      });
    },
    download: downloadAllPages,
    convert: wholeBody(convertMelodi),
    ...(options.derive ? { derive: options.derive } : {}),
  };
}

// Melodi datasets change once a year (RP in June, SIDE in spring, Flores June/November): weekly is plenty.
export const legalPopulationStream = melodiStream({
  id: "legal-population",
  description:
    "Populations de référence (municipale, totale, comptée à part) des communes et arrondissements",
  schedule: "0 5 * * 2",
  indicators: ["legal_population"],
  spec: POPULATIONS,
  scopes: [COMMUNES, ARRONDISSEMENTS],
});

export const businessCreationsStream = melodiStream({
  id: "business-creations",
  description:
    "Créations d'entreprises par commune, arrondissement et EPCI, par secteur A10 et forme légale (SIDE)",
  schedule: "10 5 * * 2",
  indicators: ["business_creations"],
  spec: BUSINESS_CREATIONS,
  scopes: [COMMUNES, EPCI, ARRONDISSEMENTS],
});

export const floresStream = melodiStream({
  id: "flores-a38",
  description:
    "Postes salariés au 31/12 et établissements employeurs par secteur A38 (Flores), communes et EPCI",
  schedule: "20 5 * * 2",
  indicators: ["net_job_creation", "avg_private_firm_size"],
  spec: FLORES_A38,
  scopes: [COMMUNES, EPCI],
});

export const youthEmploymentStream = melodiStream({
  id: "youth-employment",
  description:
    "Recensement: 15-24 ans en emploi et population des 15-24 ans, communes et EPCI, et le taux d'emploi qui en est dérivé",
  schedule: "30 5 * * 2",
  indicators: ["youth_employment_rate"],
  spec: YOUTH_EMPLOYMENT,
  scopes: [COMMUNES, EPCI],
  derive: async (db, log, runId) => {
    await deriveYouthEmploymentRate(db, log, runId);
  },
});

export const diplomasStream = melodiStream({
  id: "diplomas",
  description:
    "Recensement: population de 15 ans ou plus non scolarisée par diplôme le plus élevé, communes et EPCI",
  schedule: "40 5 * * 2",
  indicators: ["qualification_level"],
  spec: DIPLOMAS,
  scopes: [COMMUNES, EPCI],
});

export const inseeMelodi: SourceDefinition = {
  id: "insee-melodi",
  title: "INSEE — Melodi",
  partnerCode: "INSEE",
  defaultBaseUrl: "https://api.insee.fr/melodi",
  // 30 a minute, as INSEE's other APIs and the collectors that call Melodi assume.
  rateLimit: { requests: 30, intervalMs: 60_000 },
  streams: [
    legalPopulationStream,
    businessCreationsStream,
    floresStream,
    youthEmploymentStream,
    diplomasStream,
  ],
};
