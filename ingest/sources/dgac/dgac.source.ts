/**
 * DGAC "Trafic aérien commercial mensuel français par paire d'aéroports, par sens depuis 1990"
 * (data.gouv.fr): the airport file, one CSV a year (`;`, decimal comma), one row per airport and month.
 * We keep Marseille-Provence (ICAO LFML): passengers by direction, freight and mail, movements.
 *
 * The airport file has no international/domestic split: that is in the links file (`LSN_*`), whose
 * layout and sector values are not confirmed yet, so the series here are the airport's total traffic.
 */

import { parse as parseCsv } from "csv-parse/sync";
import { wholeBody } from "../../core/payload";
import {
  type BufferedPayload,
  ConvertError,
  type ConvertResult,
  type ObservationInput,
  type SeriesInput,
  type SeriesKey,
  type SourceDefinition,
  type StreamDefinition,
} from "../../core/types";

export const DGAC_DATASET = "trafic-aerien-commercial-mensuel";
export const DGAC_INDICATOR = "port_calls_and_intl_air_traffic";
export const AIRPORT = "LFML";
/** The airport serves the Métropole (it sits in Marignane, a member commune). */
export const AIRPORT_TERRITORY = "EPCI-200054807";

/**
 * data.gouv.fr resource ids of the yearly airport files (`/fr/datasets/r/{id}` redirects to the file).
 * Only 2022's id is confirmed; add a year's id when DGAC publishes it.
 */
export const AIRPORT_FILES: { year: string; resourceId: string }[] = [
  { year: "2022", resourceId: "f1bd931e-c99e-41ce-865e-9e9785c903ec" },
];

interface Part {
  column: string;
  breakdown: Record<string, string>;
}
export interface MeasureSpec {
  measure: string;
  unit: string;
  titleFr: string;
  parts: Part[];
  /** Whether a file may lack these columns (only passengers are confirmed in every vintage). */
  optional: boolean;
}

/** Each measure's columns; the total (`{airport}` alone) is their sum, given only when every part is. */
export const MEASURES: MeasureSpec[] = [
  {
    measure: "air_passengers",
    unit: "passengers",
    titleFr: "Passagers commerciaux (départs, arrivées, transit)",
    optional: false,
    parts: [
      { column: "APT_PAX_dep", breakdown: { direction: "departures" } },
      { column: "APT_PAX_arr", breakdown: { direction: "arrivals" } },
      { column: "APT_PAX_tr", breakdown: { direction: "transit" } },
    ],
  },
  {
    measure: "air_freight_mail_tonnes",
    unit: "t",
    titleFr: "Fret et poste (tonnes)",
    optional: true,
    parts: [
      { column: "APT_FRP_dep", breakdown: { direction: "departures" } },
      { column: "APT_FRP_arr", breakdown: { direction: "arrivals" } },
    ],
  },
  {
    measure: "aircraft_movements",
    unit: "movements",
    titleFr: "Mouvements d'avions commerciaux",
    optional: true,
    parts: [
      { column: "APT_NMVT_mxt", breakdown: { movement_type: "passenger_mixed" } },
      { column: "APT_NMVT_cgo", breakdown: { movement_type: "cargo" } },
    ],
  },
];

/**
 * The file has one column per part: the total of a measure (breakdown `{airport}` alone) is the hub's
 * sum, flagged `derived` with this text; the parts are DGAC's.
 */
export function airportTotalDerivation(spec: MeasureSpec, airport = AIRPORT): string {
  return `Somme des colonnes ${spec.parts.map((p) => p.column).join(" + ")} du fichier aéroport de la DGAC pour ${airport}, le même mois. Donnée seulement quand chaque colonne a une valeur (pas de missing_inputs), A alors ; un mois où une cellule est vide n'a pas de total. L'aéroport, à Marignane, est rattaché à l'EPCI.`;
}

/** `1 234,5` is not in DGAC files; a point or a space means the file is not what we think it is. */
const DECIMAL_COMMA_NUMBER = /^-?\d+(,\d+)?$/;

export function dgacNumber(text: string, where: string): number | null {
  const s = text.trim();
  if (s === "") return null;
  if (!DECIMAL_COMMA_NUMBER.test(s)) {
    throw new ConvertError(`${where}: "${s}" is not a DGAC number (digits, optional decimal comma)`);
  }
  return Number(s.replace(",", "."));
}

interface Row {
  record: string[];
  info: { lines: number };
}

export function convertAirportFile(payload: BufferedPayload, airport = AIRPORT): ConvertResult {
  const text = new TextDecoder("utf-8").decode(payload.body).replace(/^\uFEFF/, "");
  if (text.trim() === "") throw new ConvertError("DGAC airport file: empty body");
  let rows: Row[];
  try {
    rows = parseCsv(text, { delimiter: ";", info: true, skip_empty_lines: true }) as unknown as Row[];
  } catch (error) {
    throw new ConvertError(`DGAC airport file: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  const header = (rows[0]?.record ?? []).map((h) => h.trim());
  if (header.length === 1 && header[0].includes(",")) {
    throw new ConvertError("DGAC airport file: line 1 is comma-separated; DGAC files use ';'");
  }
  // Column case differs between vintages and re-publications (`APT_PAX_dep`, `apt_pax_dep`).
  const col = new Map(header.map((h, i) => [h.toUpperCase(), i]));
  const at = (name: string) => col.get(name.toUpperCase());
  const required = [
    "ANMOIS",
    "APT",
    ...MEASURES.filter((m) => !m.optional).flatMap((m) => m.parts.map((p) => p.column)),
  ];
  const missing = required.filter((c) => at(c) === undefined);
  if (missing.length > 0) {
    throw new ConvertError(
      `DGAC airport file: column(s) ${missing.join(", ")} missing from header ${header.join(";")}`,
    );
  }
  const measures = MEASURES.filter((m) => m.parts.every((p) => at(p.column) !== undefined));

  const skipped: Record<string, number> = {};
  const series = new Map<string, SeriesInput>();
  const observations: ObservationInput[] = [];
  const months = new Map<string, number>();
  const addSeries = (key: SeriesKey, spec: MeasureSpec, total = false) => {
    const k = `${key.measure}|${JSON.stringify(key.breakdown)}`;
    if (!series.has(k)) {
      series.set(k, {
        ...key,
        frequency: "M",
        unit: spec.unit,
        titleFr: `${spec.titleFr}, aéroport ${airport}`,
        sourceKey: `${DGAC_DATASET}:${airport}:${spec.measure}`,
        metadata: { airport, columns: spec.parts.map((p) => p.column) },
        ...(total ? { derived: true, derivation: airportTotalDerivation(spec, airport) } : {}),
      });
    }
  };

  for (const { record, info } of rows.slice(1)) {
    const where = `DGAC airport file line ${info.lines}`;
    if (record.length !== header.length) {
      throw new ConvertError(`${where}: ${record.length} cells where the header has ${header.length}`);
    }
    if (record[at("APT") as number].trim() !== airport) {
      skipped.other_airport = (skipped.other_airport ?? 0) + 1;
      continue;
    }
    const anmois = record[at("ANMOIS") as number].trim();
    const m = /^(\d{4})(0[1-9]|1[0-2])$/.exec(anmois);
    if (!m) throw new ConvertError(`${where}, column ANMOIS: "${anmois}" is not YYYYMM`);
    const period = `${m[1]}-${m[2]}`;
    const seen = months.get(period);
    if (seen !== undefined) throw new ConvertError(`${where}: ${airport} ${period} already on line ${seen}`);
    months.set(period, info.lines);

    for (const spec of measures) {
      const values = spec.parts.map((p) =>
        dgacNumber(record[at(p.column) as number], `${where}, column ${p.column}`),
      );
      spec.parts.forEach((part, i) => {
        const value = values[i];
        if (value === null) {
          skipped.empty_cell = (skipped.empty_cell ?? 0) + 1;
          return;
        }
        const key: SeriesKey = {
          indicatorCode: DGAC_INDICATOR,
          territoryCode: AIRPORT_TERRITORY,
          measure: spec.measure,
          breakdown: { airport, ...part.breakdown },
        };
        addSeries(key, spec);
        observations.push({ series: key, period, value, obsStatus: "A" });
      });
      if (values.every((v) => v !== null)) {
        const key: SeriesKey = {
          indicatorCode: DGAC_INDICATOR,
          territoryCode: AIRPORT_TERRITORY,
          measure: spec.measure,
          breakdown: { airport },
        };
        addSeries(key, spec, true);
        const total = (values as number[]).reduce((a, b) => a + b, 0);
        // Freight has decimals: sum in thousandths so 0.1 + 0.2 stays 0.3.
        observations.push({ series: key, period, value: Math.round(total * 1000) / 1000, obsStatus: "A" });
      }
    }
  }
  if (months.size === 0 && rows.length <= 1) throw new ConvertError("DGAC airport file: a header and no row");
  return { series: [...series.values()], observations, skipped };
}

export const airportTrafficStream: StreamDefinition = {
  id: "dgac.airport-traffic",
  description:
    "Marseille-Provence airport (LFML), monthly: commercial passengers by direction, freight and mail, movements (DGAC airport file)",
  // DGAC updates the yearly files a few times a year; a weekly look is enough.
  schedule: "10 7 * * 2",
  indicators: [DGAC_INDICATOR],
  datasetCode: DGAC_DATASET,
  plan: (ctx) =>
    AIRPORT_FILES.map((f) => ({
      key: `airport-${f.year}`,
      url: `${ctx.baseUrl}/fr/datasets/r/${f.resourceId}`,
      meta: { year: f.year, airport: AIRPORT },
    })),
  convert: wholeBody((payload) => convertAirportFile(payload)),
};

export const dgac: SourceDefinition = {
  id: "dgac",
  title: "DGAC — trafic aérien commercial mensuel (data.gouv.fr)",
  partnerCode: "DGAC",
  defaultBaseUrl: "https://www.data.gouv.fr",
  streams: [airportTrafficStream],
};
