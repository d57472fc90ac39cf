/**
 * SDMX-ML 2.1 StructureSpecificData as INSEE's BDM serves it, read with a streaming SAX parser. Elements
 * are matched by local name because the prefixes (`message:`, `ss:`, `ns1:`…) are the server's choice
 * and have changed between INSEE gateways; the layout is `DataSet > Series[@attrs] > Obs[@attrs]`.
 */
import { SaxesParser } from "saxes";
import { ConvertError } from "../core/types";

/** INSEE's documented ceiling on idbanks per `SERIES_BDM` request. */
export const BDM_MAX_IDBANKS_PER_REQUEST = 400;

export interface SdmxObservation {
  /** TIME_PERIOD as sent (`2026-Q1`, `2025-07`, `2024`). */
  period: string;
  /** OBS_VALUE as a number; null when absent or not a number (`NaN` is how BDM marks a gap). */
  value: number | null;
  /** OBS_VALUE as sent, so a caller can tell `NaN` from a missing attribute. */
  rawValue: string | null;
  /** Every attribute of the `<Obs>` element except TIME_PERIOD and OBS_VALUE (OBS_STATUS, OBS_QUAL, OBS_REV…). */
  attributes: Record<string, string>;
}

export interface SdmxSeries {
  /** Every attribute of the `<Series>` element (IDBANK, FREQ, TITLE_FR, UNIT_MEASURE, LAST_UPDATE…). */
  attributes: Record<string, string>;
  /** Oldest first, whatever order the message used (BDM sends newest first). */
  observations: SdmxObservation[];
}

export interface SdmxHeader {
  id: string | null;
  prepared: string | null;
}

const localName = (name: string) => name.slice(name.indexOf(":") + 1);

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

function toObservation(attrs: Record<string, string>, seriesNo: number): SdmxObservation {
  const { TIME_PERIOD: period, OBS_VALUE: rawValue, ...attributes } = attrs;
  if (!period) throw new ConvertError(`SDMX: an <Obs> of series #${seriesNo} has no TIME_PERIOD`);
  const value = rawValue !== undefined && NUMBER.test(rawValue.trim()) ? Number(rawValue) : null;
  return { period, value, rawValue: rawValue ?? null, attributes };
}

const byPeriod = (a: SdmxObservation, b: SdmxObservation) =>
  a.period < b.period ? -1 : a.period > b.period ? 1 : 0;

/**
 * Reads a StructureSpecificData message, handing each `<Series>` to `onSeries` as soon as it closes, so
 * a 115-series answer never needs a DOM. Throws ConvertError on malformed or truncated XML, on an SDMX
 * `<Error>` message, and on a message of another kind (GenericData, a structure…).
 */
export function forEachSdmxSeries(
  body: Uint8Array | string,
  onSeries: (series: SdmxSeries) => void,
): SdmxHeader {
  const parser = new SaxesParser({ xmlns: false, position: true });
  const header: SdmxHeader = { id: null, prepared: null };
  const path: string[] = [];
  let root: string | null = null;
  let current: SdmxSeries | null = null;
  let seriesNo = 0;
  let text = "";
  let errorText: string[] = [];
  let closedRoot = false;
  let ending = false;

  parser.on("error", (error) => {
    // At the end of input saxes reports a cut-off document as unclosed tags: name it for what it is.
    if (ending && root === null) throw new ConvertError("SDMX: empty body, no XML element", { cause: error });
    if (ending && !closedRoot) {
      throw new ConvertError(`SDMX: truncated payload, <${path.join(">")}> never closed`, { cause: error });
    }
    throw new ConvertError(`SDMX: malformed XML: ${error.message}`, { cause: error });
  });
  parser.on("opentag", (tag) => {
    const name = localName(tag.name);
    if (root === null) {
      root = name;
      if (name !== "StructureSpecificData" && name !== "Error") {
        throw new ConvertError(`SDMX: expected a StructureSpecificData message, got <${tag.name}>`);
      }
    }
    path.push(name);
    text = "";
    if (name === "Series") {
      seriesNo += 1;
      current = { attributes: { ...(tag.attributes as Record<string, string>) }, observations: [] };
    } else if (name === "Obs") {
      if (!current) throw new ConvertError("SDMX: an <Obs> outside any <Series>");
      current.observations.push(toObservation(tag.attributes as Record<string, string>, seriesNo));
    }
  });
  parser.on("text", (t) => {
    text += t;
  });
  parser.on("closetag", (tag) => {
    const name = localName(tag.name);
    path.pop();
    if (name === "ID" && path.at(-1) === "Header") header.id = text.trim();
    if (name === "Prepared" && path.at(-1) === "Header") header.prepared = text.trim();
    if (root === "Error" && name === "Text") errorText.push(text.trim());
    if (name === "Series" && current) {
      current.observations.sort(byPeriod);
      onSeries(current);
      current = null;
    }
    if (path.length === 0) closedRoot = true;
  });

  const chunk = 64 * 1024;
  if (typeof body === "string") {
    for (let i = 0; i < body.length; i += chunk) parser.write(body.slice(i, i + chunk));
  } else {
    const decoder = new TextDecoder("utf-8");
    for (let i = 0; i < body.length; i += chunk) {
      parser.write(decoder.decode(body.subarray(i, i + chunk), { stream: true }));
    }
    parser.write(decoder.decode());
  }
  ending = true;
  parser.close();

  if (root === null) throw new ConvertError("SDMX: empty body, no XML element");
  if (!closedRoot) throw new ConvertError(`SDMX: truncated payload, <${path.join(">")}> never closed`);
  if (root === "Error") {
    errorText = errorText.filter(Boolean);
    throw new ConvertError(
      `SDMX: the service answered an error message: ${errorText.join(" / ") || "(no text)"}`,
    );
  }
  return header;
}

/** The whole message at once: header and series in document order. */
export function parseSdmxStructureSpecific(body: Uint8Array | string): {
  header: SdmxHeader;
  series: SdmxSeries[];
} {
  const series: SdmxSeries[] = [];
  const header = forEachSdmxSeries(body, (s) => series.push(s));
  return { header, series };
}

export interface BdmQuery {
  /** Only observations added or revised after this instant (`YYYY-MM-DDThh:mm:ss`, or a Date). */
  updatedAfter?: string | Date;
  startPeriod?: string;
  endPeriod?: string;
  lastNObservations?: number;
  firstNObservations?: number;
  detail?: "full" | "dataonly" | "serieskeysonly" | "nodata";
  includeHistory?: boolean;
}

export interface BdmRequest {
  url: string;
  idbanks: string[];
}

/** SDMX wants a local date-time without zone; INSEE's servers run on Paris time. */
function sdmxDateTime(value: string | Date): string {
  if (typeof value === "string") {
    if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?$/.test(value)) {
      throw new RangeError(`updatedAfter must look like 2026-06-19T00:00:00, not "${value}"`);
    }
    return value;
  }
  const parts = new Intl.DateTimeFormat("sv-SE", {
    timeZone: "Europe/Paris",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  }).format(value);
  return parts.replace(" ", "T");
}

/**
 * `GET {base}/data/SERIES_BDM/{idbank+idbank…}?…`, split into requests of at most 400 idbanks (INSEE's
 * limit). Idbanks are nine digits; anything else is refused here rather than answered by a 404 later.
 */
export function bdmSeriesRequests(
  baseUrl: string,
  idbanks: readonly string[],
  query: BdmQuery = {},
  perRequest = BDM_MAX_IDBANKS_PER_REQUEST,
): BdmRequest[] {
  if (perRequest < 1 || perRequest > BDM_MAX_IDBANKS_PER_REQUEST) {
    throw new RangeError(`at most ${BDM_MAX_IDBANKS_PER_REQUEST} idbanks per request`);
  }
  const unique = [...new Set(idbanks)];
  const bad = unique.filter((id) => !/^\d{9}$/.test(id));
  if (bad.length > 0) throw new RangeError(`not BDM idbanks (nine digits): ${bad.join(", ")}`);
  const params: [string, string][] = [];
  if (query.startPeriod) params.push(["startPeriod", query.startPeriod]);
  if (query.endPeriod) params.push(["endPeriod", query.endPeriod]);
  if (query.firstNObservations !== undefined)
    params.push(["firstNObservations", String(query.firstNObservations)]);
  if (query.lastNObservations !== undefined)
    params.push(["lastNObservations", String(query.lastNObservations)]);
  if (query.detail) params.push(["detail", query.detail]);
  if (query.includeHistory) params.push(["includeHistory", "true"]);
  if (query.updatedAfter !== undefined) params.push(["updatedAfter", sdmxDateTime(query.updatedAfter)]);
  const search = params.length ? `?${params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&")}` : "";
  const base = baseUrl.replace(/\/+$/, "");
  const requests: BdmRequest[] = [];
  for (let i = 0; i < unique.length; i += perRequest) {
    const chunk = unique.slice(i, i + perRequest);
    requests.push({ url: `${base}/data/SERIES_BDM/${chunk.join("+")}${search}`, idbanks: chunk });
  }
  return requests;
}
