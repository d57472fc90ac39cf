/**
 * Opendatasoft Explore API v2.1 (URSSAF, DARES, MESR, data.economie…): URL builders for `/records` and
 * `/exports/{csv,json}`, and readers for the three bodies they return (the CSV export as it streams).
 * Everything here is pure so a connector's `convert()` can use it on archived payloads.
 */
import { Readable } from "node:stream";
import { parse as parseCsvStream } from "csv-parse";
import { ConvertError } from "../core/types";

/** A flat Opendatasoft record: field name → JSON value (string, number, null, nested for geo fields). */
export type OdsRecord = Record<string, unknown>;

/** The `/records` endpoint refuses `limit` above 100 and `offset + limit` above 10 000. */
export const ODS_RECORDS_MAX_LIMIT = 100;
export const ODS_RECORDS_MAX_WINDOW = 10_000;

export interface OdsQuery {
  /** ODSQL select clause (`code_commune, sum(effectifs_salaries_2024) as e`). */
  select?: string;
  /** ODSQL where clause; string literals in double quotes (`code_epci="200054807"`). */
  where?: string;
  groupBy?: string;
  orderBy?: string;
  /** Facet refinements, one `refine=field:"value"` parameter per value. */
  refine?: Record<string, string | string[]>;
  exclude?: Record<string, string | string[]>;
  limit?: number;
  offset?: number;
  lang?: string;
  timezone?: string;
}

export interface OdsExportOptions {
  /** CSV only: the column separator (the portal's default is `;`). */
  delimiter?: string;
  /** CSV only: a BOM makes Excel happy and parsers unhappy, so it is off unless asked for. */
  withBom?: boolean;
}

export type OdsExportFormat = "csv" | "json" | "parquet";

/** `"13"` → `"13"` quoted for ODSQL: double quotes, inner quotes and backslashes escaped. */
export function odsString(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** `field IN ("a", "b")` in ODSQL. */
export function odsIn(field: string, values: readonly string[]): string {
  if (values.length === 0) throw new RangeError(`odsIn(${field}): an IN list needs at least one value`);
  return `${field} IN (${values.map(odsString).join(", ")})`;
}

/**
 * Query string with every value percent-encoded (spaces as `%20`, not `+`: ODSQL contains `+` in
 * arithmetic and some proxies do not decode `+` in query strings).
 */
function queryString(params: [string, string][]): string {
  if (params.length === 0) return "";
  return `?${params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&")}`;
}

function facetParams(
  name: string,
  facets: Record<string, string | string[]> | undefined,
): [string, string][] {
  if (!facets) return [];
  return Object.entries(facets).flatMap(([field, values]) =>
    (Array.isArray(values) ? values : [values]).map((v): [string, string] => [
      name,
      `${field}:${odsString(v)}`,
    ]),
  );
}

function commonParams(query: OdsQuery): [string, string][] {
  const params: [string, string][] = [];
  if (query.select) params.push(["select", query.select]);
  if (query.where) params.push(["where", query.where]);
  if (query.groupBy) params.push(["group_by", query.groupBy]);
  if (query.orderBy) params.push(["order_by", query.orderBy]);
  params.push(...facetParams("refine", query.refine), ...facetParams("exclude", query.exclude));
  if (query.lang) params.push(["lang", query.lang]);
  if (query.timezone) params.push(["timezone", query.timezone]);
  return params;
}

const datasetPath = (baseUrl: string, datasetId: string) =>
  `${baseUrl.replace(/\/+$/, "")}/catalog/datasets/${encodeURIComponent(datasetId)}`;

/** `GET {base}/catalog/datasets/{id}`: the dataset's schema (`fields[]`) and metas. */
export function odsDatasetUrl(baseUrl: string, datasetId: string): string {
  return datasetPath(baseUrl, datasetId);
}

/**
 * `GET {base}/catalog/datasets/{id}/records?…`. Refuses a page the portal would refuse (limit above
 * 100, or beyond the first 10 000 records), so a plan fails before it sends a doomed request.
 */
export function odsRecordsUrl(baseUrl: string, datasetId: string, query: OdsQuery = {}): string {
  const params = commonParams(query);
  const limit = query.limit ?? 10;
  const offset = query.offset ?? 0;
  if (!Number.isInteger(limit) || limit < 0 || limit > ODS_RECORDS_MAX_LIMIT) {
    throw new RangeError(
      `Opendatasoft /records takes a limit between 0 and ${ODS_RECORDS_MAX_LIMIT}, not ${limit}`,
    );
  }
  if (!Number.isInteger(offset) || offset < 0 || offset + limit > ODS_RECORDS_MAX_WINDOW) {
    throw new RangeError(
      `Opendatasoft /records serves only the first ${ODS_RECORDS_MAX_WINDOW} records (offset ${offset} + limit ${limit}); use /exports`,
    );
  }
  if (query.limit !== undefined) params.push(["limit", String(limit)]);
  if (query.offset !== undefined) params.push(["offset", String(offset)]);
  return `${datasetPath(baseUrl, datasetId)}/records${queryString(params)}`;
}

/** `GET {base}/catalog/datasets/{id}/exports/{format}?…`: every matching record, no paging. */
export function odsExportUrl(
  baseUrl: string,
  datasetId: string,
  format: OdsExportFormat,
  query: Omit<OdsQuery, "offset"> = {},
  options: OdsExportOptions = {},
): string {
  const params = commonParams(query);
  if (query.limit !== undefined) params.push(["limit", String(query.limit)]);
  if (format === "csv") {
    params.push(["delimiter", options.delimiter ?? ";"]);
    params.push(["with_bom", String(options.withBom ?? false)]);
  }
  return `${datasetPath(baseUrl, datasetId)}/exports/${format}${queryString(params)}`;
}

const decoder = new TextDecoder("utf-8", { fatal: false });
const asText = (body: Uint8Array | string) => (typeof body === "string" ? body : decoder.decode(body));

const excerpt = (text: string) => JSON.stringify(text.slice(0, 120));

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConvertError(`${what}: body is not JSON (starts ${excerpt(text.trimStart())})`, {
      cause: error,
    });
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Opendatasoft answers errors as `{error_code, message}` with a 4xx; name them instead of "bad shape". */
function rejectErrorBody(value: unknown, what: string): void {
  if (isObject(value) && typeof value.error_code === "string") {
    throw new ConvertError(
      `${what}: the portal answered ${value.error_code}: ${String(value.message ?? "")}`,
    );
  }
}

export interface OdsRecordsPage {
  totalCount: number;
  results: OdsRecord[];
}

/** Reads a `/records` body: `{"total_count": N, "results": [{…}, …]}`. */
export function parseOdsRecords(body: Uint8Array | string): OdsRecordsPage {
  const what = "Opendatasoft /records";
  const value = parseJson(asText(body), what);
  rejectErrorBody(value, what);
  if (!isObject(value) || typeof value.total_count !== "number" || !Array.isArray(value.results)) {
    throw new ConvertError(
      `${what}: expected {total_count, results[]}, got keys ${Object.keys(value ?? {})}`,
    );
  }
  const results = value.results.map((r, i) => {
    if (!isObject(r)) throw new ConvertError(`${what}: results[${i}] is not an object`);
    return r;
  });
  return { totalCount: value.total_count, results };
}

/** Reads an `/exports/json` body: a bare JSON array of flat records. */
export function parseOdsExportJson(body: Uint8Array | string): OdsRecord[] {
  const what = "Opendatasoft /exports/json";
  const value = parseJson(asText(body), what);
  rejectErrorBody(value, what);
  if (!Array.isArray(value)) throw new ConvertError(`${what}: expected a JSON array of records`);
  return value.map((r, i) => {
    if (!isObject(r)) throw new ConvertError(`${what}: element ${i} is not an object`);
    return r;
  });
}

export interface OdsCsvOptions {
  delimiter?: string;
  /** Columns that must be in the header; a renamed column fails the payload with its name. */
  required?: readonly string[];
}

/**
 * Reads an `/exports/csv` body as it streams, yielding each record (header name → cell text, `""` for
 * an empty cell): an export of any size goes through in the memory of a few rows. A body that is not
 * CSV (an HTML error page, a JSON error), an empty one, a missing required column or a ragged row
 * throws ConvertError.
 */
export async function* odsCsvRecords(
  body: AsyncIterable<Uint8Array>,
  options: OdsCsvOptions = {},
): AsyncGenerator<Record<string, string>> {
  const what = "Opendatasoft /exports/csv";
  const parser = parseCsvStream({
    delimiter: options.delimiter ?? ";",
    bom: true,
    relax_column_count: false,
    skip_empty_lines: true,
    columns: (names: string[]) => {
      const header = names.map((n) => n.trim());
      const missing = (options.required ?? []).filter((c) => !header.includes(c));
      if (missing.length > 0) {
        throw new ConvertError(
          `${what}: column(s) ${missing.join(", ")} missing from header ${header.join(";")}`,
        );
      }
      return header;
    },
  });
  const source = Readable.from(checkCsvStart(body, what));
  source.on("error", (error) => parser.destroy(error));
  source.pipe(parser);
  try {
    for await (const record of parser) yield record as Record<string, string>;
  } catch (error) {
    if (error instanceof ConvertError) throw error;
    throw new ConvertError(`${what}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  } finally {
    source.destroy();
    parser.destroy();
  }
}

/**
 * Passes the body through, refusing at its first bytes one that is an error page rather than CSV, and at
 * its end one that was cut: the portal ends every record with a line break, so a body that does not end
 * with one was cut inside its last row (a number cut short still parses, and would load as a smaller one).
 */
async function* checkCsvStart(body: AsyncIterable<Uint8Array>, what: string): AsyncGenerator<Uint8Array> {
  const headDecoder = new TextDecoder("utf-8", { fatal: false });
  let head = "";
  let checked = false;
  let bytes = 0;
  let last = 0;
  for await (const chunk of body) {
    bytes += chunk.byteLength;
    if (chunk.byteLength > 0) last = chunk[chunk.byteLength - 1] ?? 0;
    if (!checked) {
      head += headDecoder.decode(chunk.subarray(0, 512), { stream: true });
      const start = head.replace(/^\uFEFF/, "").trimStart();
      if (start !== "" || head.length >= 512) {
        checked = true;
        if (start.startsWith("<") || start.startsWith("{")) {
          throw new ConvertError(`${what}: body is not CSV (starts ${excerpt(start)})`);
        }
      }
    }
    yield chunk;
  }
  if (!checked || bytes === 0) throw new ConvertError(`${what}: empty body (not even a header row)`);
  if (last !== 0x0a) {
    throw new ConvertError(
      `${what}: the body does not end with a line break: it was cut inside its last row`,
    );
  }
}

/**
 * A measure cell as a number: JSON numbers as they are, CSV text parsed; `null` for an empty or null
 * cell (the portals publish confidential cells that way); `undefined` when the cell holds something
 * that is not a number (`"NaN"`, `"n.d."`), so the caller can count it as skipped.
 */
export function odsNumber(value: unknown): number | null | undefined {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value !== "string") return undefined;
  const s = value.trim();
  if (s === "") return null;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) return undefined;
  return Number(s);
}

export interface OdsField {
  name: string;
  type: string;
  label: string | null;
}

/** Reads `/catalog/datasets/{id}`: the field list, used to find the newest `effectifs_salaries_YYYY`. */
export function parseOdsDatasetFields(body: Uint8Array | string): OdsField[] {
  const what = "Opendatasoft /catalog/datasets/{id}";
  const value = parseJson(asText(body), what);
  rejectErrorBody(value, what);
  if (!isObject(value) || !Array.isArray(value.fields)) throw new ConvertError(`${what}: no fields[] array`);
  return value.fields.map((f, i) => {
    if (!isObject(f) || typeof f.name !== "string")
      throw new ConvertError(`${what}: fields[${i}] has no name`);
    return {
      name: f.name,
      type: typeof f.type === "string" ? f.type : "text",
      label: typeof f.label === "string" ? f.label : null,
    };
  });
}
