/**
 * INSEE Melodi (`https://api.insee.fr/melodi`): the `/data/{DS}` JSON answer and its URL. An observation
 * is `{dimensions:{GEO, FREQ, TIME_PERIOD, …}, measures:{<KEY>:{value}}, attributes?:{OBS_STATUS…}}`;
 * the measure key differs per dataset (`OBS_VALUE_NIVEAU`, `OBS_VALUE_INDICE_DE_PRIX`…) and key order in
 * the JSON is not stable, so nothing here depends on it.
 */
import { ConvertError } from "../core/types";

/** The API's largest page, as the InseeFrLab R client uses it. */
export const MELODI_MAX_RESULT = 100_000;

export interface MelodiGeo {
  /** Our territory code: `COM-13055`, `ARM-13201`, `EPCI-200054807`, `DEP-13`, `REG-93`, `FRANCE-F`. */
  territoryCode: string;
  /** Level as Melodi names it (`COM`, `EPCI`, `ZE2020`…). */
  level: string;
  code: string;
  /** The COG millésime the answer used (`2025` in `2025-COM-13055`), null when the GEO had none. */
  vintage: number | null;
}

/** `2025-COM-13055` → `{ territoryCode: "COM-13055", level: "COM", code: "13055", vintage: 2025 }`. */
export function parseMelodiGeo(geo: string): MelodiGeo {
  const m = /^(?:(\d{4})-)?([A-Z][A-Z0-9]*)-([0-9A-Za-z]+)$/.exec(geo.trim());
  if (!m) throw new ConvertError(`Melodi: GEO "${geo}" is not of the form [YYYY-]LEVEL-code`);
  const [, vintage, level, code] = m;
  return { territoryCode: `${level}-${code}`, level, code, vintage: vintage ? Number(vintage) : null };
}

export interface MelodiObservation {
  geo: MelodiGeo;
  /** TIME_PERIOD as sent (`2023`, `2026-01`). */
  period: string;
  freq: string | null;
  /** Every dimension except GEO, FREQ and TIME_PERIOD (`POPREF_MEASURE`, `ACTIVITY`, `SEX`…). */
  dimensions: Record<string, string>;
  /** The measure key of the dataset (`OBS_VALUE_NIVEAU`). */
  measure: string;
  /** null when the cell is empty or not a number; `rawValue` says which. */
  value: number | null;
  rawValue: unknown;
  /** OBS_STATUS, CONF_STATUS, DECIMALS… when the dataset sends them. */
  attributes: Record<string, string>;
}

export interface MelodiPaging {
  first: string | null;
  next: string | null;
  last: string | null;
  isLast: boolean | null;
  /** Present when asked with `totalCount=TRUE`. */
  count: number | null;
}

export interface MelodiDataPage {
  identifier: string | null;
  titleFr: string | null;
  observations: MelodiObservation[];
  paging: MelodiPaging;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const strings = (v: unknown, where: string): Record<string, string> => {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) throw new ConvertError(`Melodi: ${where} is not an object`);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) out[k] = String(x);
  return out;
};

function numberOf(raw: unknown): number | null {
  if (typeof raw === "number") return Number.isFinite(raw) ? raw : null;
  if (typeof raw === "string" && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw.trim()))
    return Number(raw);
  return null;
}

const text = (v: unknown) => (typeof v === "string" ? v : null);

function toObservation(o: unknown, i: number): MelodiObservation {
  if (!isObject(o)) throw new ConvertError(`Melodi: observations[${i}] is not an object`);
  const { GEO, FREQ, TIME_PERIOD, ...dimensions } = strings(o.dimensions, `observations[${i}].dimensions`);
  if (!GEO || !TIME_PERIOD) throw new ConvertError(`Melodi: observations[${i}] lacks GEO or TIME_PERIOD`);
  if (!isObject(o.measures)) throw new ConvertError(`Melodi: observations[${i}] has no measures`);
  const keys = Object.keys(o.measures);
  if (keys.length !== 1) {
    throw new ConvertError(
      `Melodi: observations[${i}] has ${keys.length} measures (${keys.join(", ")}), expected one`,
    );
  }
  const measure = keys[0];
  const cell = o.measures[measure];
  const rawValue = isObject(cell) ? cell.value : cell;
  return {
    geo: parseMelodiGeo(GEO),
    period: TIME_PERIOD,
    freq: FREQ ?? null,
    dimensions,
    measure,
    value: numberOf(rawValue),
    rawValue: rawValue ?? null,
    attributes: strings(o.attributes, `observations[${i}].attributes`),
  };
}

/**
 * Reads a `/data/{DS}` answer. Throws ConvertError when the body is not the expected JSON: the gateway's
 * text/plain "Le serveur a rencontré une erreur inattendue." for an unknown dataset, an HTML page, a
 * JSON without `observations`.
 */
export function parseMelodiData(body: Uint8Array | string): MelodiDataPage {
  const raw = typeof body === "string" ? body : new TextDecoder("utf-8").decode(body);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    throw new ConvertError(`Melodi: body is not JSON (starts ${JSON.stringify(raw.trim().slice(0, 120))})`, {
      cause: error,
    });
  }
  if (!isObject(value) || !Array.isArray(value.observations)) {
    throw new ConvertError(
      "Melodi: expected {identifier, observations[], paging}, found no observations array",
    );
  }
  const paging = isObject(value.paging) ? value.paging : {};
  const title = isObject(value.title) ? value.title : {};
  return {
    identifier: text(value.identifier),
    titleFr: text(title.fr),
    observations: value.observations.map(toObservation),
    paging: {
      first: text(paging.first),
      next: text(paging.next),
      last: text(paging.last),
      isLast: typeof paging.isLast === "boolean" ? paging.isLast : null,
      count: typeof paging.count === "number" ? paging.count : null,
    },
  };
}

/** Whether a page says more follow: a `next` link that is not this page, or `isLast: false`. */
export function melodiHasMorePages(page: MelodiDataPage, url: string): boolean {
  if (page.paging.isLast === false) return true;
  if (page.paging.isLast === true) return false;
  return page.paging.next !== null && page.paging.next !== url;
}

export interface MelodiDataOptions {
  maxResult?: number;
  page?: number;
  totalCount?: boolean;
  /** Asks the server to repeat territory ids in the answer, as the R client does. */
  idTerritoire?: boolean;
}

/**
 * `GET {base}/data/{DS}?DIM=code&DIM=code…&maxResult=…&page=…`. A filter with several values repeats
 * the parameter (`EMPSTA_ENQ=1&EMPSTA_ENQ=2`). `*` is sent as `%2A`, as the server writes it back in
 * `paging.first` (`GEO=EPCI-200054807%2ACOM` = every commune of the EPCI).
 */
export function melodiDataUrl(
  baseUrl: string,
  dataset: string,
  filters: Record<string, string | readonly string[]> = {},
  options: MelodiDataOptions = {},
): string {
  if (!/^[A-Z][A-Z0-9_]*$/.test(dataset)) throw new RangeError(`not a Melodi dataset id: "${dataset}"`);
  const maxResult = options.maxResult ?? MELODI_MAX_RESULT;
  if (!Number.isInteger(maxResult) || maxResult < 0 || maxResult > MELODI_MAX_RESULT) {
    throw new RangeError(`Melodi maxResult must be between 0 and ${MELODI_MAX_RESULT}, not ${maxResult}`);
  }
  const enc = (s: string) => encodeURIComponent(s).replace(/\*/g, "%2A");
  const params: string[] = [];
  for (const [dim, values] of Object.entries(filters)) {
    for (const v of typeof values === "string" ? [values] : values) params.push(`${enc(dim)}=${enc(v)}`);
  }
  if (options.totalCount) params.push("totalCount=TRUE");
  if (options.idTerritoire) params.push("idTerritoire=TRUE");
  params.push(`maxResult=${maxResult}`);
  if (options.page !== undefined) params.push(`page=${options.page}`);
  return `${baseUrl.replace(/\/+$/, "")}/data/${dataset}?${params.join("&")}`;
}
