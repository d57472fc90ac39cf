/**
 * The connector contract. A source has streams; a stream plans resources (units of work), downloads
 * each one as raw bytes, and converts the bytes into rows with a pure function (Singer taps, the Airbyte
 * CDK and DBnomics fetchers: download, then convert). The runner does everything else: raw archive,
 * hashing, the transaction, revisions, the run log.
 */

import type { Frequency } from "../../schema/indicator";
import type { Db } from "../../src/db/client";
import type { Logger } from "../../src/logger";

export interface SourceDefinition {
  /** Kebab-case id (`insee-bdm`); its base URL comes from `INGEST_<ID_IN_UPPER_SNAKE>_BASE_URL`. */
  id: string;
  title: string;
  /** The partner whose data this is (a `partners.code`). */
  partnerCode: string;
  /** The real public endpoint; request paths are appended to it. */
  defaultBaseUrl: string;
  /** At most `requests` calls per `intervalMs` (INSEE: 30 a minute). */
  rateLimit?: { requests: number; intervalMs: number };
  streams: StreamDefinition[];
}

/** A unit of work: one request (or one file) and what it should produce. */
export interface Resource {
  /** Stable key within the stream, used for the raw archive and the unchanged-payload check. */
  key: string;
  /** Absolute URL, built from the stream's base URL and the real API path. */
  url: string;
  headers?: Record<string, string>;
  /** Anything `convert` needs to know about this resource (dataset id, idbanks asked…). */
  meta?: Record<string, unknown>;
}

export interface PlanContext {
  baseUrl: string;
  db: Db;
  /** The stream's cursor as saved by its last success (e.g. `updatedAfter`). */
  cursor: Record<string, unknown>;
  force: boolean;
  log: Logger;
}

/** Bytes as the source sent them. */
export interface Payload {
  body: Uint8Array;
  url: string;
  httpStatus: number | null;
  contentType: string | null;
  retrievedAt: Date;
  /**
   * How many records the source says the payload holds (Opendatasoft's `total_count`, a partner file's
   * `# rows:` line), when a download can know it: the runner fails a payload whose convert read fewer.
   */
  expectedRows?: number;
}

export interface HttpClient {
  /** GET with retries, timeouts and the source's rate limit; throws HttpError on a final failure. */
  get(url: string, options?: { headers?: Record<string, string>; signal?: AbortSignal }): Promise<Payload>;
}

export interface DownloadContext {
  http: HttpClient;
  log: Logger;
  /** Aborted at the resource's deadline or when the run is interrupted: pass it to every request. */
  signal?: AbortSignal;
}

/** Identifies a series by its natural key; `breakdown` `{}` is the total. */
export interface SeriesKey {
  indicatorCode: string;
  territoryCode: string;
  measure: string;
  breakdown: Record<string, string>;
}

export interface SeriesInput extends SeriesKey {
  frequency: Frequency;
  unit: string;
  unitMult?: number;
  titleFr?: string | null;
  titleEn?: string | null;
  datasetCode?: string | null;
  sourceKey?: string | null;
  filiereCode?: string | null;
  nafCode?: string | null;
  sourceUpdatedAt?: Date | null;
  /**
   * True for a series the hub computes rather than reads: in `convert` from the payload's cells (sums,
   * ratios) or in a stream's `derive` from stored observations. Only when every value of the series is
   * computed: a series that holds a published value for some periods stays false. A series computed in
   * `convert` keeps its `sourceKey`, which is how a `derive` tells it from its own (`core/derive.ts`).
   */
  derived?: boolean;
  /** How a derived series is computed, in words a reader of the API can check. */
  derivation?: string | null;
  metadata?: Record<string, unknown>;
}

export interface ObservationInput {
  /** The series this value belongs to: equal to one of the `series` of the same ConvertResult. */
  series: SeriesKey;
  /** SDMX period (`2024`, `2024-Q3`, `2024-07`); the runner derives start and end dates. */
  period: string;
  /** null for a confidential or missing value that is still published as a cell (status says which). */
  value: number | null;
  /** SDMX OBS_STATUS (A, P, E, SD, C, M…). */
  obsStatus: string;
  obsQual?: string | null;
  attributes?: Record<string, string>;
}

export interface ConvertResult {
  series: SeriesInput[];
  observations: ObservationInput[];
  /** Cells left out, counted by reason (`{ "NaN": 1, "confidential": 12 }`). */
  skipped: Record<string, number>;
  /** A new cursor to save with the stream's state on success (merged into the old one). */
  cursor?: Record<string, unknown>;
  /** Records (rows, elements) read from the payload, to compare with `Payload.expectedRows`. */
  recordsRead?: number;
}

export interface ConvertContext {
  resource: Resource;
  /** The source's payload URL, for provenance. */
  url: string;
}

export interface StreamDefinition {
  /** `<source>.<stream>` (`insee-bdm.unemployment-rate`). */
  id: string;
  description: string;
  /** node-cron expression, evaluated in Europe/Paris. */
  schedule: string;
  /** Which agenda indicators this stream feeds (codes), for the run log and the docs. */
  indicators: string[];
  /** The dataset rows are attributed to (`datasets.code`). */
  datasetCode: string;
  plan(ctx: PlanContext): Promise<Resource[]> | Resource[];
  /** Defaults to one GET of `resource.url` through the shared client. */
  download?(resource: Resource, ctx: DownloadContext): Promise<Payload>;
  /** Pure: bytes in, rows out. Throws ConvertError (or any error) on a malformed payload. */
  convert(payload: Payload, ctx: ConvertContext): ConvertResult;
  /** Recomputes derived series from stored observations after a load that changed something. */
  derive?(db: Db, log: Logger, runId: number | null): Promise<void>;
}

/**
 * A stream that needs a file or setting the operator has not given: its run is `not_configured`, with
 * `setting` named, and counts as no failure (the port without its GPMM file).
 */
export class NotConfiguredError extends Error {
  constructor(
    message: string,
    readonly setting: string,
  ) {
    super(message);
    this.name = "NotConfiguredError";
  }
}

/** A payload that cannot be read: the resource fails with this reason and nothing is written. */
export class ConvertError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ConvertError";
  }
}
