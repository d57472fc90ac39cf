/**
 * The connector contract. A source has streams; a stream plans resources (units of work), downloads
 * each one as a stream of raw bytes, and converts the bytes into batches of rows with a pure function
 * (Singer taps, the Airbyte CDK and DBnomics fetchers: download, then convert). The runner does
 * everything else: the raw archive and its hash (written while the bytes arrive), the transaction,
 * revisions, the run log. Nothing on the way holds a whole payload or a whole conversion: a 130 MB
 * export goes through in the memory of one batch.
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

/** Where a payload came from and how it was answered. */
export interface PayloadInfo {
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

/** Bytes as the source sent them, read once from front to back (a file, a response, the archive). */
export interface Payload extends PayloadInfo {
  body: AsyncIterable<Uint8Array>;
}

/**
 * A payload read whole. Only for answers the API bounds (a page of an SDMX query, a Melodi page, a
 * catalog entry): `wholeBody` in `core/payload.ts` turns a converter of these into a streaming one.
 */
export interface BufferedPayload extends PayloadInfo {
  body: Uint8Array;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  /** Aborts the request (and a streamed body): the resource's deadline, or the run's interruption. */
  signal?: AbortSignal;
}

export interface HttpClient {
  /**
   * GET with retries, timeouts and the source's rate limit, read whole: for bounded answers (pages,
   * catalog entries). Throws HttpError on a final failure.
   */
  get(url: string, options?: RequestOptions): Promise<BufferedPayload>;
  /**
   * GET whose body is streamed: resolves once a 2xx answer's headers are in (retries, timeouts and the
   * rate limit as `get`), the body then flows at the reader's pace. A body cut short errors the stream.
   */
  stream(url: string, options?: RequestOptions): Promise<Payload>;
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
  /** The series this value belongs to: one of the `series` of this batch or of an earlier one. */
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

/**
 * One batch of a conversion. A series comes in the batch of its first observation or earlier; a
 * batch holds at most a few thousand observations, so memory does not grow with the payload.
 */
export interface ConvertBatch {
  series?: SeriesInput[];
  observations?: ObservationInput[];
  /** Cells left out, counted by reason (`{ "NaN": 1, "confidential": 12 }`); added up over batches. */
  skipped?: Record<string, number>;
  /** A new cursor to save with the stream's state on success (merged into the old one). */
  cursor?: Record<string, unknown>;
  /** Records (rows, elements) of the payload this batch read, added up and compared with `expectedRows`. */
  recordsRead?: number;
}

/** A whole conversion in one piece: what a converter of a bounded payload returns, and what tests read. */
export interface ConvertResult {
  series: SeriesInput[];
  observations: ObservationInput[];
  skipped: Record<string, number>;
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
  /** Defaults to one streamed GET of `resource.url` through the shared client (`file:` reads the file). */
  download?(resource: Resource, ctx: DownloadContext): Promise<Payload>;
  /**
   * Pure: a stream of bytes in, batches of rows out, nothing read but the payload and the resource.
   * Throws ConvertError (or any error) on a malformed payload, at any batch: the resource's transaction
   * then rolls back every batch already loaded.
   */
  convert(payload: Payload, ctx: ConvertContext): AsyncIterable<ConvertBatch>;
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
