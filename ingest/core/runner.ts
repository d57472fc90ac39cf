/**
 * Runs one stream: plan → for each resource download (raw archive, unchanged check) → convert →
 * load atomically with its state and run event → derive → record the run. One resource failing
 * never stops the others, and nothing it half-wrote survives its rollback.
 */
import { hostname } from "node:os";
import { fileURLToPath } from "node:url";
import { eq } from "drizzle-orm";
import {
  ingestResourceEvents,
  ingestRuns,
  type ResourceStatus,
  type RunStatus,
  type runTriggers,
} from "../../schema/ingest";
import type { Db } from "../../src/db/client";
import { type Logger, loggerFor } from "../../src/logger";
import { baseUrlFor } from "./config";
import { createHttpClient, HttpError } from "./http";
import { loadBatches, type RowCounts } from "./loader";
import { filePayload } from "./payload";
import {
  archivedBody,
  archivePayload,
  discardReceived,
  pruneArchive,
  type RawArchive,
  type ReceivedPayload,
  rawArchiveFrom,
  receivePayload,
} from "./raw-store";
import {
  acquireLease,
  finishStream,
  lastPayloadHash,
  readCursor,
  renewLease,
  saveResourceState,
} from "./state";
import {
  ConvertError,
  type HttpClient,
  type Payload,
  type Resource,
  type SourceDefinition,
  type StreamDefinition,
} from "./types";

export type RunTrigger = (typeof runTriggers)[number];

export interface RunOptions {
  db: Db;
  source: SourceDefinition;
  stream: StreamDefinition;
  trigger: RunTrigger;
  /** Re-convert and re-load even when a payload's hash is the one last loaded. */
  force?: boolean;
  /** Convert and load this saved payload instead of downloading (`ingest --from-file`). */
  fromFile?: string;
  /** With `fromFile`, the planned resource the file stands for (default: the first). */
  resourceKey?: string;
  env?: NodeJS.ProcessEnv;
  /** Where payloads are archived; defaults to `RAW_ARCHIVE_DIR` / `RAW_ARCHIVE_KEEP` of `env`. */
  rawArchive?: RawArchive;
  http?: HttpClient;
  log?: Logger;
  /** Who holds the lease; defaults to this host and process. */
  instance?: string;
  leaseMs?: number;
  onProgress?: (progress: RunProgress) => void;
}

export interface RunProgress {
  streamId: string;
  resourcesDone: number;
  resourcesTotal: number;
  rows: number;
  elapsedMs: number;
}

export interface RunSummary {
  runId: number | null;
  streamId: string;
  status: RunStatus;
  resourcesTotal: number;
  resourcesFailed: number;
  rowsInserted: number;
  rowsUpdated: number;
  rowsUnchanged: number;
  rowsSkipped: number;
  durationMs: number;
  error: string | null;
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));
const causeOf = (error: unknown) =>
  error instanceof Error && error.cause !== undefined ? describe(error.cause) : null;

/**
 * Failures that are the world's, not the code's: a source down or unreachable, a payload that does not
 * read, a partner file missing. They are logged as one line with their reason; a stack trace would only
 * bury it (a hub with no network fails every stream at each start). Anything else is a bug and keeps it.
 */
function isOperational(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof HttpError || error instanceof ConvertError) return true;
  const code = (error as NodeJS.ErrnoException).code;
  return typeof code === "string" && /^E[A-Z]+$/.test(code);
}

function logFailure(log: Logger, error: unknown, fields: Record<string, unknown>, message: string) {
  if (isOperational(error)) log.warn({ ...fields, error: describe(error), cause: causeOf(error) }, message);
  else log.error({ ...fields, err: error }, message);
}

/** Reads `file:` URLs from disk and everything else through the shared client, both as streams. */
async function defaultDownload(resource: Resource, http: HttpClient): Promise<Payload> {
  if (resource.url.startsWith("file:")) return filePayload(fileURLToPath(resource.url));
  return http.stream(resource.url, { headers: resource.headers });
}

/** Downloads attempted per resource: a body cut short once is fetched again from the start. */
const DOWNLOAD_ATTEMPTS = 2;

export async function runStream(options: RunOptions): Promise<RunSummary> {
  const { db, source, stream, trigger, force = false } = options;
  const log = (options.log ?? loggerFor("ingest")).child({ stream: stream.id });
  const instance = options.instance ?? `${hostname()}:${process.pid}`;
  const leaseMs = options.leaseMs ?? 30 * 60_000;
  const started = Date.now();
  const summary: RunSummary = {
    runId: null,
    streamId: stream.id,
    status: "skipped",
    resourcesTotal: 0,
    resourcesFailed: 0,
    rowsInserted: 0,
    rowsUpdated: 0,
    rowsUnchanged: 0,
    rowsSkipped: 0,
    durationMs: 0,
    error: null,
  };
  if (!(await acquireLease(db, stream.id, source.id, instance, leaseMs))) {
    log.info("another runner holds this stream; skipping");
    summary.error = "already running elsewhere";
    return summary;
  }
  const [run] = await db
    .insert(ingestRuns)
    .values({ sourceId: source.id, streamId: stream.id, trigger, instance })
    .returning({ id: ingestRuns.id });
  if (!run) throw new Error("ingest run insert returned no id");
  const runId = run.id;
  summary.runId = runId;
  const http =
    options.http ?? createHttpClient({ log: log.child({ category: "http" }), rateLimit: source.rateLimit });
  const rawArchive = options.rawArchive ?? rawArchiveFrom(options.env);
  let cursor: Record<string, unknown> = {};
  let resourcesUnchanged = 0;
  try {
    const previousCursor = await readCursor(db, stream.id);
    const planned = await stream.plan({
      baseUrl: baseUrlFor(source, options.env),
      db,
      cursor: previousCursor,
      force,
      log,
    });
    let resources = planned;
    if (options.fromFile) {
      const chosen = planned.find((r) => r.key === options.resourceKey) ?? planned[0];
      if (!chosen) throw new Error(`stream ${stream.id} planned no resource for --from-file to stand for`);
      resources = [chosen];
    }
    summary.resourcesTotal = resources.length;
    let done = 0;
    for (const resource of resources) {
      const outcome = await runResource({ ...options, db, log, http, rawArchive, runId, force }, resource);
      done += 1;
      if (outcome.status === "failed") summary.resourcesFailed += 1;
      if (outcome.status === "unchanged") resourcesUnchanged += 1;
      summary.rowsInserted += outcome.rows.inserted;
      summary.rowsUpdated += outcome.rows.updated;
      summary.rowsUnchanged += outcome.rows.unchanged;
      summary.rowsSkipped += outcome.skipped;
      if (outcome.cursor) cursor = { ...cursor, ...outcome.cursor };
      if (outcome.status === "failed" && !summary.error) summary.error = `${resource.key}: ${outcome.error}`;
      await renewLease(db, stream.id, instance, leaseMs);
      options.onProgress?.({
        streamId: stream.id,
        resourcesDone: done,
        resourcesTotal: resources.length,
        rows: summary.rowsInserted + summary.rowsUpdated + summary.rowsUnchanged,
        elapsedMs: Date.now() - started,
      });
    }
    const changed = summary.rowsInserted + summary.rowsUpdated > 0;
    if (changed && stream.derive) {
      try {
        await stream.derive(db, log, runId);
      } catch (error) {
        summary.resourcesFailed += 1;
        summary.error = `derive: ${describe(error)}`;
        log.error({ err: error }, "derived series failed");
      }
    }
    if (summary.resourcesFailed === 0) {
      summary.status =
        resources.length > 0 && resourcesUnchanged === resources.length ? "unchanged" : "success";
    } else {
      summary.status = summary.resourcesFailed >= resources.length && !changed ? "failed" : "partial";
    }
  } catch (error) {
    summary.status = "failed";
    summary.error = describe(error);
    logFailure(log, error, {}, "run failed before its resources");
  }
  summary.durationMs = Date.now() - started;
  await db
    .update(ingestRuns)
    .set({
      status: summary.status,
      finishedAt: new Date(),
      durationMs: summary.durationMs,
      resourcesTotal: summary.resourcesTotal,
      resourcesFailed: summary.resourcesFailed,
      rowsInserted: summary.rowsInserted,
      rowsUpdated: summary.rowsUpdated,
      rowsUnchanged: summary.rowsUnchanged,
      rowsSkipped: summary.rowsSkipped,
      error: summary.error,
    })
    .where(eq(ingestRuns.id, runId));
  await finishStream(db, stream.id, instance, {
    runId,
    succeeded: summary.status === "success" || summary.status === "unchanged",
    error: summary.error,
    cursor,
  });
  // One line per run; a failed or partial run says why in its message, so one line is enough to read.
  const ended = summary.error ? `run ${summary.status}: ${summary.error}` : `run ${summary.status}`;
  if (summary.status === "failed") log.error({ ...summary }, ended);
  else if (summary.status === "partial") log.warn({ ...summary }, ended);
  else log.info({ ...summary }, ended);
  return summary;
}

const skippedTotal = (skipped: Record<string, number>) => Object.values(skipped).reduce((a, b) => a + b, 0);

interface ResourceOutcome {
  status: ResourceStatus;
  rows: RowCounts;
  skipped: number;
  cursor?: Record<string, unknown>;
  error?: string;
}

async function runResource(
  context: RunOptions & {
    db: Db;
    log: Logger;
    http: HttpClient;
    rawArchive: RawArchive;
    runId: number;
    force: boolean;
  },
  resource: Resource,
): Promise<ResourceOutcome> {
  const { db, source, stream, log, http, rawArchive, runId, force } = context;
  const startedAt = new Date();
  const noRows: RowCounts = { inserted: 0, updated: 0, unchanged: 0 };
  const event = (status: ResourceStatus, extra: Partial<typeof ingestResourceEvents.$inferInsert> = {}) => ({
    runId,
    streamId: stream.id,
    resourceKey: resource.key,
    status,
    startedAt,
    finishedAt: new Date(),
    durationMs: Date.now() - startedAt.getTime(),
    ...extra,
  });
  let rawPayloadId: number | null = null;
  try {
    const download = (): Promise<Payload> =>
      context.fromFile
        ? Promise.resolve(filePayload(context.fromFile))
        : stream.download
          ? stream.download(resource, { http, log })
          : defaultDownload(resource, http);
    // The bytes go to the archive's scratch space as they arrive, hashed on the way; nothing holds them.
    let received: ReceivedPayload | undefined;
    for (let attempt = 1; !received; attempt++) {
      try {
        received = await receivePayload(rawArchive, await download());
      } catch (error) {
        if (!(error instanceof HttpError && error.status === null) || attempt >= DOWNLOAD_ATTEMPTS)
          throw error;
        log.warn({ resource: resource.key, error: describe(error) }, "download cut short; fetching it again");
      }
    }
    const hash = received.sha256;
    if (!force && (await lastPayloadHash(db, stream.id, resource.key)) === hash) {
      await discardReceived(received);
      await db.insert(ingestResourceEvents).values(event("unchanged"));
      return { status: "unchanged", rows: noRows, skipped: 0 };
    }
    // Archived before conversion, in its own statement, so a payload that fails to convert is kept.
    const archived = await archivePayload(
      db,
      rawArchive,
      { sourceId: source.id, streamId: stream.id, resourceKey: resource.key },
      received,
    );
    rawPayloadId = archived.id;
    const info = received.info;
    // Converted from the archived file as it is read back, batch by batch, into one transaction.
    const batches = stream.convert(
      { ...info, body: archivedBody(rawArchive, archived.storagePath) },
      { resource, url: info.url },
    );
    const archivedId = archived.id;
    const loaded = await db.transaction(async (tx) => {
      const t = tx as unknown as Db;
      const outcome = await loadBatches(t, batches, {
        runId,
        rawPayloadId: archivedId,
        sourceUrl: info.url,
        retrievedAt: info.retrievedAt,
        datasetCode: stream.datasetCode,
      });
      const counts = outcome.rows;
      await saveResourceState(t, stream.id, resource.key, hash, archivedId);
      await t.insert(ingestResourceEvents).values(
        event("success", {
          rowsInserted: counts.inserted,
          rowsUpdated: counts.updated,
          rowsUnchanged: counts.unchanged,
          rowsSkipped: skippedTotal(outcome.skipped),
          skippedReasons: outcome.skipped,
          rawPayloadId: archivedId,
        }),
      );
      return outcome;
    });
    await pruneArchive(db, rawArchive, stream.id, resource.key).catch((error: unknown) =>
      log.warn({ resource: resource.key, error: describe(error) }, "raw archive pruning failed"),
    );
    return {
      status: "success",
      rows: loaded.rows,
      skipped: skippedTotal(loaded.skipped),
      cursor: loaded.cursor,
    };
  } catch (error) {
    logFailure(log, error, { resource: resource.key }, "resource failed");
    await db
      .insert(ingestResourceEvents)
      .values(event("failed", { rawPayloadId, error: describe(error), errorCause: causeOf(error) }));
    return { status: "failed", rows: noRows, skipped: 0, error: describe(error) };
  }
}
