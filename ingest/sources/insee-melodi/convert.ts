/**
 * Melodi observations → series, driven by a per-dataset mapping: which dimension names the measure,
 * which become breakdowns, which are pinned to one value. The mapping is strict on purpose: a
 * dimension the mapping does not know makes rows ambiguous (two values for one series key), so its
 * non-total rows are skipped and counted rather than loaded.
 */

import type { Frequency } from "../../../schema/indicator";
import { PeriodError, parsePeriod } from "../../../src/period";
import {
  type BufferedPayload,
  ConvertError,
  type ConvertResult,
  type ObservationInput,
  type Resource,
  type SeriesInput,
  type SeriesKey,
} from "../../core/types";
import { parseMelodiData } from "../../protocols/melodi.parse";

export interface MelodiMeasure {
  indicatorCode: string;
  measure: string;
  unit: string;
}

export interface MelodiDatasetSpec {
  dataset: string;
  /** Extra filters sent with every request (`NUMBER_EMPL=_T`). */
  filters: Record<string, string | string[]>;
  /** The dimension whose code selects the measure (`POPREF_MEASURE`), and what each code feeds. */
  measureDimension: string;
  measures: Record<string, MelodiMeasure>;
  /** Dimension → breakdown key; the total `_T` is left out of the breakdown. */
  breakdowns: Record<string, string>;
  /** Dimensions that must hold one value (the request filters on them; anything else is skipped). */
  pinned: Record<string, string>;
}

export interface MelodiResourceMeta {
  [key: string]: unknown;
  spec: MelodiDatasetSpec;
  knownTerritories: string[];
  knownIndicators: string[];
  /** The COG millésime of our territory codes; GEO values of another millésime are flagged. */
  cogVintage: number;
}

const FREQUENCIES: Record<string, Frequency> = { A: "A", S: "S", Q: "Q", T: "Q", M: "M", D: "D" };

export function convertMelodi(payload: BufferedPayload, resource: Resource): ConvertResult {
  const meta = resource.meta as Partial<MelodiResourceMeta> | undefined;
  if (!meta?.spec || !Array.isArray(meta.knownTerritories) || !Array.isArray(meta.knownIndicators)) {
    throw new ConvertError(`resource ${resource.key} has no Melodi plan metadata`);
  }
  const { spec, cogVintage } = meta as MelodiResourceMeta;
  const knownTerritories = new Set(meta.knownTerritories);
  const knownIndicators = new Set(meta.knownIndicators);
  const page = parseMelodiData(payload.body);
  if (page.identifier && page.identifier !== spec.dataset) {
    throw new ConvertError(`Melodi answered dataset ${page.identifier}, expected ${spec.dataset}`);
  }
  if (page.observations.length === 0) {
    throw new ConvertError(
      `Melodi ${spec.dataset}: no observation for ${resource.url} (unknown code in the filter?)`,
    );
  }

  const skipped: Record<string, number> = {};
  const bump = (reason: string) => {
    skipped[reason] = (skipped[reason] ?? 0) + 1;
  };
  const series = new Map<string, SeriesInput>();
  const observations: ObservationInput[] = [];

  for (const o of page.observations) {
    const { [spec.measureDimension]: measureCode, ...others } = o.dimensions;
    const target = measureCode === undefined ? undefined : spec.measures[measureCode];
    if (!target) {
      bump(`unmapped_${spec.measureDimension}`);
      continue;
    }
    if (!knownIndicators.has(target.indicatorCode)) {
      bump("indicator_not_in_reference");
      continue;
    }
    if (!knownTerritories.has(o.geo.territoryCode)) {
      bump("territory_not_in_reference");
      continue;
    }
    const breakdown: Record<string, string> = {};
    let keep = true;
    for (const [dim, code] of Object.entries(others)) {
      if (dim in spec.breakdowns) {
        if (code !== "_T") breakdown[spec.breakdowns[dim]] = code;
      } else if (dim in spec.pinned) {
        if (code !== spec.pinned[dim]) {
          bump(`other_${dim}`);
          keep = false;
          break;
        }
      } else if (code !== "_T") {
        bump(`unmapped_${dim}`);
        keep = false;
        break;
      }
    }
    if (!keep) continue;
    if (o.value === null) {
      bump(o.rawValue === null ? "null_value" : String(o.rawValue) === "NaN" ? "NaN" : "not_a_number");
      continue;
    }
    const frequency = FREQUENCIES[o.freq ?? "A"];
    if (!frequency) throw new ConvertError(`Melodi ${spec.dataset}: unsupported FREQ "${o.freq}"`);
    let period: string;
    try {
      period = parsePeriod(o.period).period;
    } catch (error) {
      if (error instanceof PeriodError) throw new ConvertError(`Melodi ${spec.dataset}: ${error.message}`);
      throw error;
    }
    const key: SeriesKey = {
      indicatorCode: target.indicatorCode,
      territoryCode: o.geo.territoryCode,
      measure: target.measure,
      breakdown,
    };
    const seriesKey = JSON.stringify([
      key.indicatorCode,
      key.territoryCode,
      key.measure,
      Object.entries(breakdown).sort(),
    ]);
    if (!series.has(seriesKey)) {
      const sourceKey = [
        `${spec.dataset}`,
        `${spec.measureDimension}=${measureCode}`,
        ...Object.entries(others).map(([d, c]) => `${d}=${c}`),
      ];
      series.set(seriesKey, {
        ...key,
        frequency,
        unit: target.unit,
        titleFr: page.titleFr,
        sourceKey: sourceKey.join(";"),
        metadata: {
          measureKey: o.measure,
          geo: o.geo.vintage === null ? o.geo.territoryCode : `${o.geo.vintage}-${o.geo.territoryCode}`,
          ...(o.geo.vintage !== null && o.geo.vintage !== cogVintage ? { geoVintageDiffers: true } : {}),
        },
      });
    }
    const { OBS_STATUS, ...attributes } = o.attributes;
    observations.push({ series: key, period, value: o.value, obsStatus: OBS_STATUS ?? "A", attributes });
  }
  return { series: [...series.values()], observations, skipped };
}
