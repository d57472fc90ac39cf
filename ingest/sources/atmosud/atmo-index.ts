/**
 * The daily ATMO index (national "indice ATMO" schema) from AtmoSud's GeoServer WFS as GeoJSON: one
 * feature per zone and day, `code_qual` 1 (Bon) to 6 (Extrêmement mauvais), 0 unavailable, 7 event.
 * Marseille is published by arrondissement only (13201…13216), which become ARM territories.
 *
 * None of the agenda's 20 indicators is air quality, so the rows go to the hub's own `air_quality_index`;
 * should the reference data lack it, they are counted as skipped, not loaded under a wrong code.
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

export const ATMO_INDEX_DATASET = "ind_sudpaca";
export const ATMO_INDEX_INDICATOR = "air_quality_index";
export const ATMO_LAYER = "ind_sudpaca:ind_sudpaca";

export interface AtmoIndexMeta {
  [key: string]: unknown;
  date: string;
  knownIndicators: string[];
  knownTerritories: string[];
}

const SUB_INDICES = ["code_no2", "code_so2", "code_o3", "code_pm10", "code_pm25"] as const;

/** `2025-06-02T00:00:00Z` (WFS) or epoch milliseconds (ArcGIS flavour of the same schema) → `2025-06-02`. */
export function atmoDate(value: unknown): string | null {
  if (typeof value === "number" && Number.isFinite(value)) return new Date(value).toISOString().slice(0, 10);
  if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}/.test(value)) return value.slice(0, 10);
  return null;
}

function zoneTerritory(typeZone: unknown, codeZone: string): string | null {
  if (typeof typeZone === "string" && typeZone.toLowerCase() === "epci") return `EPCI-${codeZone}`;
  if (!/^\d[\dAB]\d{3}$/.test(codeZone)) return null;
  return /^132(0[1-9]|1[0-6])$/.test(codeZone) ? `ARM-${codeZone}` : `COM-${codeZone}`;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

export function convertAtmoIndex(payload: BufferedPayload, resource: Resource): ConvertResult {
  const meta = resource.meta as Partial<AtmoIndexMeta> | undefined;
  if (!meta || !Array.isArray(meta.knownIndicators) || !Array.isArray(meta.knownTerritories)) {
    throw new ConvertError(`resource ${resource.key} has no ATMO index plan metadata`);
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(payload.body));
  } catch (error) {
    // GeoServer answers a bad CQL filter with an XML ServiceExceptionReport and status 200.
    const start = new TextDecoder().decode(payload.body.subarray(0, 120));
    throw new ConvertError(`ATMO index WFS: not GeoJSON (starts ${JSON.stringify(start)})`, { cause: error });
  }
  if (!isObject(json) || json.type !== "FeatureCollection" || !Array.isArray(json.features)) {
    throw new ConvertError("ATMO index WFS: expected a GeoJSON FeatureCollection");
  }
  const skipped: Record<string, number> = {};
  const bump = (k: string, n = 1) => {
    skipped[k] = (skipped[k] ?? 0) + n;
  };
  if (!meta.knownIndicators.includes(ATMO_INDEX_INDICATOR)) {
    bump("indicator_not_in_reference", json.features.length);
    return { series: [], observations: [], skipped };
  }
  const known = new Set(meta.knownTerritories);
  const series = new Map<string, SeriesInput>();
  const observations: ObservationInput[] = [];
  const seen = new Set<string>();
  json.features.forEach((feature, i) => {
    const p = isObject(feature) && isObject(feature.properties) ? feature.properties : null;
    if (!p) throw new ConvertError(`ATMO index WFS: features[${i}] has no properties`);
    const date = atmoDate(p.date_ech);
    const codeZone = typeof p.code_zone === "string" ? p.code_zone : String(p.code_zone ?? "");
    if (!date)
      throw new ConvertError(`ATMO index WFS: features[${i}] date_ech ${JSON.stringify(p.date_ech)}`);
    if (
      typeof p.code_qual !== "number" ||
      !Number.isInteger(p.code_qual) ||
      p.code_qual < 0 ||
      p.code_qual > 7
    ) {
      throw new ConvertError(
        `ATMO index WFS: features[${i}] (${codeZone}) code_qual ${JSON.stringify(p.code_qual)}`,
      );
    }
    const territory = zoneTerritory(p.type_zone, codeZone);
    if (!territory || !known.has(territory)) {
      bump("territory_not_in_reference");
      return;
    }
    if (seen.has(`${territory}|${date}`)) {
      bump("duplicate_feature");
      return;
    }
    seen.add(`${territory}|${date}`);
    const key: SeriesKey = {
      indicatorCode: ATMO_INDEX_INDICATOR,
      territoryCode: territory,
      measure: "atmo_index",
      breakdown: {},
    };
    if (!series.has(territory)) {
      series.set(territory, {
        ...key,
        frequency: "D",
        unit: "index (1 good to 6 extremely poor)",
        titleFr: "Indice ATMO journalier",
        sourceKey: `${ATMO_INDEX_DATASET}:${codeZone}`,
        metadata: { scale: "1 Bon, 2 Moyen, 3 Dégradé, 4 Mauvais, 5 Très mauvais, 6 Extrêmement mauvais" },
      });
    }
    const attributes: Record<string, string> = {};
    if (typeof p.lib_qual === "string") attributes.lib_qual = p.lib_qual;
    for (const sub of SUB_INDICES) if (typeof p[sub] === "number") attributes[sub] = String(p[sub]);
    const available = p.code_qual >= 1 && p.code_qual <= 6;
    observations.push({
      series: key,
      period: date,
      value: available ? p.code_qual : null,
      obsStatus: available ? "A" : "M",
      attributes,
    });
  });
  return { series: [...series.values()], observations, skipped };
}

/** The WFS GetFeature URL for one day of the regional layer, as GeoJSON. */
export function atmoIndexUrl(baseUrl: string, date: string): string {
  const params = new URLSearchParams({
    service: "WFS",
    version: "1.1.0",
    request: "GetFeature",
    typeName: ATMO_LAYER,
    CQL_FILTER: `date_ech='${date}T00:00:00Z'`,
    outputFormat: "json",
  });
  return `${baseUrl}/geoserver/ind_sudpaca/ows?${params.toString().replace(/\+/g, "%20")}`;
}
