/**
 * INSEE BDM over SDMX 2.1 (keyless `bdm.insee.fr`): the localized unemployment rate (dataflow
 * TAUX-CHOMAGE, quarterly, CVS, %) for the département, the région, the two départements that hold
 * one AMP commune each, and France métropolitaine as the national reference.
 */

import { inArray } from "drizzle-orm";
import type { Frequency } from "../../../schema/indicator";
import { territories } from "../../../schema/territory";
import { PeriodError, parsePeriod } from "../../../src/period";
import { HttpError } from "../../core/http";
import { payloadOf, wholeBody } from "../../core/payload";
import {
  type BufferedPayload,
  ConvertError,
  type ConvertResult,
  type DownloadContext,
  type ObservationInput,
  type Payload,
  type Resource,
  type SeriesInput,
  type SeriesKey,
  type SourceDefinition,
  type StreamDefinition,
} from "../../core/types";
import { bdmSeriesRequests, forEachSdmxSeries } from "../../protocols/sdmx.parse";

export interface BdmSeriesSpec {
  idbank: string;
  /** REF_AREA the answer must carry for this idbank: a mismatch means the idbank is not the one we think. */
  refArea: string;
  territoryCode: string;
}

/**
 * Idbanks from the TAUX-CHOMAGE dataflow (Tekrunner/pulse `sources/insee-local-unemployment/source.yaml`;
 * R93 and D13 also in the recorded answer). France métropolitaine takes Melodi's code `FRANCE-FM`
 * (`GEO=2025-FRANCE-FM` in several public Melodi clients), a `pays` territory of the reference data
 * (`ingest/reference/load.ts`).
 */
export const UNEMPLOYMENT_SERIES: readonly BdmSeriesSpec[] = [
  { idbank: "001515877", refArea: "D13", territoryCode: "DEP-13" },
  { idbank: "001515864", refArea: "R93", territoryCode: "REG-93" },
  { idbank: "001515948", refArea: "D84", territoryCode: "DEP-84" },
  { idbank: "001515960", refArea: "D83", territoryCode: "DEP-83" },
  { idbank: "001515842", refArea: "FM", territoryCode: "FRANCE-FM" },
];

const FREQUENCIES: Record<string, Frequency> = { A: "A", S: "S", T: "Q", Q: "Q", M: "M" };
const UNITS: Record<string, string> = { POURCENT: "%", INDICE: "index", SO: "" };

interface BdmMeta {
  [key: string]: unknown;
  dataflow: string;
  indicatorCode: string;
  measure: string;
  specs: BdmSeriesSpec[];
  /** Territories the reference data knows, read at plan time so `convert` stays pure. */
  knownTerritories: string[];
  updatedAfter: string | null;
  /** Every idbank of the stream joined by `+`, saved with the cursor (a plan may split them across requests). */
  asked: string;
}

function metaOf(resource: Resource): BdmMeta {
  const m = resource.meta as Partial<BdmMeta> | undefined;
  if (
    !m ||
    !Array.isArray(m.specs) ||
    !Array.isArray(m.knownTerritories) ||
    typeof m.indicatorCode !== "string"
  ) {
    throw new ConvertError(`resource ${resource.key} has no BDM plan metadata`);
  }
  return m as BdmMeta;
}

/** `2026-06-19` → that date at 00:00 UTC (BDM gives a date, not an instant); null when unreadable. */
function lastUpdate(value: string | undefined): Date | null {
  if (!value || !/^\d{4}-\d{2}-\d{2}/.test(value)) return null;
  const d = new Date(`${value.slice(0, 10)}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? null : d;
}

const bump = (skipped: Record<string, number>, reason: string, n = 1) => {
  skipped[reason] = (skipped[reason] ?? 0) + n;
};

/**
 * Pure: one SDMX answer → series and observations. Series of an idbank we did not ask for, or whose
 * REF_AREA is not the one we expect, fail the payload; NaN cells and territories the reference data
 * does not hold are skipped and counted.
 */
export function convertBdm(payload: BufferedPayload, resource: Resource): ConvertResult {
  const meta = metaOf(resource);
  // SDMX REST answers 404 "No results found" when nothing changed since updatedAfter: an empty increment.
  if (payload.httpStatus === 404 && meta.updatedAfter) {
    return { series: [], observations: [], skipped: {} };
  }
  const bySpec = new Map(meta.specs.map((s) => [s.idbank, s]));
  const known = new Set(meta.knownTerritories);
  const series: SeriesInput[] = [];
  const observations: ObservationInput[] = [];
  const skipped: Record<string, number> = {};
  const seen = new Set<string>();

  const header = forEachSdmxSeries(payload.body, (s) => {
    const a = s.attributes;
    const spec = bySpec.get(a.IDBANK ?? "");
    if (!spec) throw new ConvertError(`BDM answered idbank ${a.IDBANK ?? "(none)"}, which was not asked for`);
    if (a.REF_AREA !== undefined && a.REF_AREA !== spec.refArea) {
      throw new ConvertError(`BDM idbank ${spec.idbank} is REF_AREA ${a.REF_AREA}, expected ${spec.refArea}`);
    }
    seen.add(spec.idbank);
    if (!known.has(spec.territoryCode)) {
      bump(skipped, "territory_not_in_reference", s.observations.length);
      return;
    }
    const frequency = FREQUENCIES[a.FREQ ?? ""];
    if (!frequency) throw new ConvertError(`BDM idbank ${spec.idbank}: unsupported FREQ "${a.FREQ}"`);
    const key: SeriesKey = {
      indicatorCode: meta.indicatorCode,
      territoryCode: spec.territoryCode,
      measure: meta.measure,
      breakdown: {},
    };
    const unitMult = a.UNIT_MULT === undefined ? 0 : Number(a.UNIT_MULT);
    if (!Number.isInteger(unitMult))
      throw new ConvertError(`BDM idbank ${spec.idbank}: UNIT_MULT "${a.UNIT_MULT}"`);
    series.push({
      ...key,
      frequency,
      unit: UNITS[a.UNIT_MEASURE ?? ""] ?? a.UNIT_MEASURE ?? "",
      unitMult,
      titleFr: a.TITLE_FR ?? null,
      titleEn: a.TITLE_EN ?? null,
      sourceKey: spec.idbank,
      sourceUpdatedAt: lastUpdate(a.LAST_UPDATE),
      metadata: { dataflow: meta.dataflow, sdmx: a },
    });
    for (const o of s.observations) {
      if (o.value === null) {
        bump(
          skipped,
          o.rawValue === null ? "missing_value" : o.rawValue.trim() === "NaN" ? "NaN" : "not_a_number",
        );
        continue;
      }
      let period: string;
      try {
        period = parsePeriod(o.period).period;
      } catch (error) {
        if (error instanceof PeriodError)
          throw new ConvertError(`BDM idbank ${spec.idbank}: ${error.message}`);
        throw error;
      }
      const { OBS_STATUS, OBS_QUAL, ...attributes } = o.attributes;
      observations.push({
        series: key,
        period,
        value: o.value,
        obsStatus: OBS_STATUS ?? "A",
        obsQual: OBS_QUAL ?? null,
        attributes,
      });
    }
  });

  // A full request must return every idbank; an increment returns only the series that moved.
  if (!meta.updatedAfter) {
    const missing = meta.specs.filter((s) => !seen.has(s.idbank)).map((s) => s.idbank);
    if (missing.length > 0) bump(skipped, "idbank_not_returned", missing.length);
  }
  return {
    series,
    observations,
    skipped,
    cursor: header.prepared ? { updatedAfter: header.prepared, idbanks: meta.asked } : undefined,
  };
}

/** Streams whose `updatedAfter` increments can come back empty: a 404 then means "nothing new". */
async function downloadIncrement(resource: Resource, ctx: DownloadContext): Promise<Payload> {
  try {
    // An SDMX answer names at most the few idbanks asked for: read whole, converted whole.
    return await ctx.http.stream(resource.url, { headers: resource.headers });
  } catch (error) {
    if (
      error instanceof HttpError &&
      error.status === 404 &&
      (resource.meta as BdmMeta | undefined)?.updatedAfter
    ) {
      ctx.log.info({ url: resource.url }, "no series updated since the cursor");
      return payloadOf(
        { url: resource.url, httpStatus: 404, contentType: null, retrievedAt: new Date() },
        new Uint8Array(),
      );
    }
    throw error;
  }
}

export const unemploymentRateStream: StreamDefinition = {
  id: "insee-bdm.unemployment-rate",
  description:
    "Taux de chômage localisés (BDM TAUX-CHOMAGE, trimestriel CVS): départements 13, 83, 84, région 93, France métropolitaine",
  // Released ~80 days after each quarter; an increment costs one small request, so look every morning.
  schedule: "15 7 * * *",
  indicators: ["unemployment_rate"],
  datasetCode: "TAUX-CHOMAGE",
  async plan(ctx) {
    const specs = [...UNEMPLOYMENT_SERIES];
    const rows = await ctx.db
      .select({ code: territories.code })
      .from(territories)
      .where(
        inArray(
          territories.code,
          specs.map((s) => s.territoryCode),
        ),
      );
    const knownTerritories = rows.map((r) => r.code);
    for (const s of specs) {
      if (!knownTerritories.includes(s.territoryCode)) {
        ctx.log.warn(
          { idbank: s.idbank, territory: s.territoryCode },
          "territory not in reference data; its series will be skipped",
        );
      }
    }
    // An increment only carries what moved, so an idbank added since the cursor was saved needs a full load.
    const asked = specs.map((s) => s.idbank).join("+");
    const cursor = typeof ctx.cursor.updatedAfter === "string" ? ctx.cursor.updatedAfter : null;
    const updatedAfter = ctx.force || ctx.cursor.idbanks !== asked ? null : cursor;
    return bdmSeriesRequests(
      ctx.baseUrl,
      specs.map((s) => s.idbank),
      updatedAfter ? { updatedAfter } : {},
    ).map((request, i) => {
      const meta: BdmMeta = {
        dataflow: "TAUX-CHOMAGE",
        indicatorCode: "unemployment_rate",
        measure: "rate",
        specs: specs.filter((s) => request.idbanks.includes(s.idbank)),
        knownTerritories,
        updatedAfter,
        asked,
      };
      return { key: `taux-chomage-${i + 1}`, url: request.url, meta };
    });
  },
  download: downloadIncrement,
  convert: wholeBody(convertBdm),
};

export const inseeBdm: SourceDefinition = {
  id: "insee-bdm",
  title: "INSEE — Banque de données macroéconomiques (SDMX)",
  partnerCode: "INSEE",
  defaultBaseUrl: "https://bdm.insee.fr/series/sdmx",
  // pynsee: "30 queries/min for BDM: from documentation".
  rateLimit: { requests: 30, intervalMs: 60_000 },
  streams: [unemploymentRateStream],
};
