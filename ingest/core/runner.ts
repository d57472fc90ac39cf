/**
 * Runs one stream: lease → plan → for each resource download (deadline, raw archive, unchanged check)
 * → convert → check (wholly received, understood, codes known) → load atomically with its state and
 * run event (a revision guard may hold it) → derive (owed until it commits) → record the run and the
 * next retry. One resource failing never stops the others, and nothing it half-wrote survives its
 * rollback. A heartbeat keeps the lease while the run lives; `interruptRuns` ends every run of this
 * process as `interrupted` (SIGTERM), and a run a crash left `running` is closed by the next lease taker.
 */
import { hostname } from "node:os";
import { fileURLToPath } from "node:url";
import { eq, sql } from "drizzle-orm";
import {
  ingestResourceEvents,
  ingestRuns,
  type ResourceStatus,
  type RunStatus,
  type runTriggers,
} from "../../schema/ingest";
import { type Db, selectRows } from "../../src/db/client";
import { type Logger, loggerFor } from "../../src/logger";
import { baseUrlFor } from "./config";
import { createHttpClient, describeAbort, HttpError, redactUrl } from "./http";
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
  readArchivedPayload,
  receivePayload,
} from "./raw-store";
import {
  acquireLease,
  clearDerivePending,
  type FoundDue,
  finishStream,
  holdPayload,
  markDerivePending,
  ranSince,
  readResourceState,
  readStreamState,
  releaseLease,
  renewLease,
  saveResourceState,
} from "./state";
import {
  ConvertError,
  type HttpClient,
  NotConfiguredError,
  type Payload,
  type PayloadInfo,
  type Resource,
  type SourceDefinition,
  type StreamDefinition,
} from "./types";
import { checkedBatches } from "./validate";

export type RunTrigger = (typeof runTriggers)[number];

/** Defaults of the knobs below; tests shorten them, operators set them through the environment. */
export const RUN_DEFAULTS = {
  /** A crashed process blocks its stream this long at most; the heartbeat renews it a third as often. */
  leaseMs: 60_000,
  /** Download of one resource, retries included: a hung source fails in a minute, not five. */
  resourceDeadlineMs: 60_000,
  /** Wait before the retry after the 1st, 2nd… consecutive failure: minutes, then hours. */
  retryDelaysMs: [2, 10, 30, 60, 180, 360, 720, 1440].map((minutes) => minutes * 60_000),
};

/**
 * A payload revising more than `share` of the values it brings back, and at least `min` of them, by
 * more than half their value (or to/from null), is held for review instead of applied: a unit change or
 * a shifted column looks like that, a source's ordinary revisions do not.
 */
export const REVISION_GUARD = { share: 0.2, min: 10, relativeChange: 0.5 };

export interface RunOptions {
  db: Db;
  source: SourceDefinition;
  stream: StreamDefinition;
  trigger: RunTrigger;
  /** Re-convert and re-load even when a payload's hash is the one last loaded; always derive. */
  force?: boolean;
  /** Apply the payloads held for review (`ingest --accept-held`) instead of downloading those resources. */
  acceptHeld?: boolean;
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
  resourceDeadlineMs?: number;
  retryDelaysMs?: number[];
  onProgress?: (progress: RunProgress) => void;
  /** Ends this run `interrupted` when it aborts (the caller of `POST /admin/ingest` hung up). */
  signal?: AbortSignal;
  /**
   * What the caller saw when it found the stream owed a run: if another instance ran it since, that run
   * did the work and this one is skipped instead of running it twice.
   */
  foundDue?: FoundDue;
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
  resourcesHeld: number;
  rowsInserted: number;
  rowsUpdated: number;
  rowsUnchanged: number;
  rowsSkipped: number;
  durationMs: number;
  error: string | null;
  /** When the scheduler tries again (after a failure or an interruption); null: on schedule. */
  nextAttemptAt: Date | null;
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));
const causeOf = (error: unknown) =>
  error instanceof Error && error.cause !== undefined ? describe(error.cause) : null;

/** The run was told to stop (SIGTERM, SIGINT) or lost its lease: it ends `interrupted`. */
export class InterruptedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InterruptedError";
  }
}

/** A payload received whole but not applied until someone looks at it (`ingest --accept-held`). */
class HeldPayload extends Error {}

/**
 * Failures that are the world's, not the code's: a source down or unreachable, a payload that does not
 * read, a partner file missing. They are logged as one line with their reason; a stack trace would only
 * bury it (a hub with no network fails every stream at each start). Anything else is a bug and keeps it.
 */
function isOperational(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof HttpError || error instanceof ConvertError || error instanceof InterruptedError)
    return true;
  const code = (error as NodeJS.ErrnoException).code;
  return typeof code === "string" && /^E[A-Z]+$/.test(code);
}

function logFailure(log: Logger, error: unknown, fields: Record<string, unknown>, message: string) {
  if (isOperational(error)) log.warn({ ...fields, error: describe(error), cause: causeOf(error) }, message);
  else log.error({ ...fields, err: error }, message);
}

/** Reads `file:` URLs from disk and everything else through the shared client, both as streams. */
async function defaultDownload(resource: Resource, http: HttpClient, signal: AbortSignal): Promise<Payload> {
  if (resource.url.startsWith("file:")) return filePayload(fileURLToPath(resource.url));
  return http.stream(resource.url, { headers: resource.headers, signal });
}

/** Downloads attempted per resource: a body cut short once is fetched again from the start. */
const DOWNLOAD_ATTEMPTS = 2;

/** Settles with `work`, or rejects when `signal` aborts first (a download that ignores its signal). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new InterruptedError(describeAbort(signal)));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new HttpError(`download abandoned: ${describeAbort(signal)}`, "", null));
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** The runs of this process, so a signal can end each one as `interrupted` before the process exits. */
const activeRuns = new Set<{ controller: AbortController; done: Promise<unknown> }>();

/**
 * Stops every run of this process: each one abandons its current download, records `interrupted` (the
 * next start retries it) and releases its lease. Resolves when they have all done so.
 */
export async function interruptRuns(reason: string): Promise<void> {
  const runs = [...activeRuns];
  for (const run of runs) run.controller.abort(new InterruptedError(`interrupted: ${reason}`));
  await Promise.allSettled(runs.map((r) => r.done));
}

export function nextAttemptAfter(failures: number, delays: number[], now = Date.now()): Date {
  const delay = delays[Math.min(failures, delays.length) - 1] ?? delays[delays.length - 1] ?? 60_000;
  return new Date(now + delay);
}

const runListeners = new Set<(summary: RunSummary) => void>();

/** Calls `listener` with the summary of every run of this process as it ends (src/metrics.ts counts them). */
export function onRunFinished(listener: (summary: RunSummary) => void): () => void {
  runListeners.add(listener);
  return () => runListeners.delete(listener);
}

export function runStream(options: RunOptions): Promise<RunSummary> {
  const controller = new AbortController();
  options.signal?.addEventListener(
    "abort",
    () => controller.abort(new InterruptedError(`interrupted: ${describe(options.signal?.reason)}`)),
    { once: true },
  );
  const entry = { controller, done: Promise.resolve() as Promise<unknown> };
  const done = runLeased(options, controller)
    .then((summary) => {
      for (const listener of runListeners) listener(summary);
      return summary;
    })
    .finally(() => activeRuns.delete(entry));
  entry.done = done;
  activeRuns.add(entry);
  return done;
}

async function runLeased(options: RunOptions, controller: AbortController): Promise<RunSummary> {
  const { db, source, stream } = options;
  const log = (options.log ?? loggerFor("ingest")).child({ stream: stream.id });
  const instance = options.instance ?? `${hostname()}:${process.pid}`;
  const leaseMs = options.leaseMs ?? RUN_DEFAULTS.leaseMs;
  const retryDelaysMs = options.retryDelaysMs ?? RUN_DEFAULTS.retryDelaysMs;
  const started = Date.now();
  const summary: RunSummary = {
    runId: null,
    streamId: stream.id,
    status: "skipped",
    resourcesTotal: 0,
    resourcesFailed: 0,
    resourcesHeld: 0,
    rowsInserted: 0,
    rowsUpdated: 0,
    rowsUnchanged: 0,
    rowsSkipped: 0,
    durationMs: 0,
    error: null,
    nextAttemptAt: null,
  };
  const lease = await acquireLease(db, stream.id, source.id, instance, leaseMs);
  if (!lease.acquired) {
    summary.error = `already running elsewhere: ${lease.holder} holds the lease until ${lease.until.toISOString()}`;
    log.info({ holder: lease.holder, until: lease.until }, `skipping: ${summary.error}`);
    return summary;
  }
  if (options.foundDue !== undefined) {
    const other = await ranSince(db, stream.id, options.foundDue);
    if (other) {
      await releaseLease(db, stream.id, instance);
      summary.error = `already run since it was found due, by ${other}`;
      log.info(`skipping: ${summary.error}`);
      return summary;
    }
  }
  if (lease.interruptedRuns > 0)
    log.warn(
      { runs: lease.interruptedRuns },
      "closed the runs a stopped process left running as interrupted",
    );
  const heartbeat = setInterval(
    () => {
      renewLease(db, stream.id, instance, leaseMs).then(
        (held) => {
          if (!held)
            controller.abort(new InterruptedError("interrupted: the lease was lost to another process"));
        },
        (error: unknown) => log.warn({ error: describe(error) }, "lease heartbeat failed"),
      );
    },
    Math.max(Math.floor(leaseMs / 3), 20),
  );
  heartbeat.unref();
  try {
    return await runHeld(options, controller.signal, { log, instance, started, summary, retryDelaysMs });
  } finally {
    clearInterval(heartbeat);
  }
}

async function runHeld(
  options: RunOptions,
  signal: AbortSignal,
  run: { log: Logger; instance: string; started: number; summary: RunSummary; retryDelaysMs: number[] },
): Promise<RunSummary> {
  const { db, source, stream, trigger, force = false } = options;
  const { log, instance, started, summary } = run;
  const [row] = await db
    .insert(ingestRuns)
    .values({ sourceId: source.id, streamId: stream.id, trigger, instance })
    .returning({ id: ingestRuns.id });
  if (!row) throw new Error("ingest run insert returned no id");
  const runId = row.id;
  summary.runId = runId;
  const http =
    options.http ?? createHttpClient({ log: log.child({ category: "http" }), rateLimit: source.rateLimit });
  const rawArchive = options.rawArchive ?? rawArchiveFrom(options.env);
  let cursor: Record<string, unknown> = {};
  let resourcesUnchanged = 0;
  let changed = false;
  const state = await readStreamState(db, stream.id);
  try {
    const planned = await stream.plan({
      baseUrl: baseUrlFor(source, options.env),
      db,
      cursor: state.cursor,
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
      if (signal.aborted) throw signal.reason;
      const outcome = await runResource(
        { ...options, db, log, http, rawArchive, runId, force, signal },
        resource,
      );
      done += 1;
      if (outcome.status === "failed") summary.resourcesFailed += 1;
      if (outcome.status === "held") summary.resourcesHeld += 1;
      if (outcome.status === "unchanged") resourcesUnchanged += 1;
      summary.rowsInserted += outcome.rows.inserted;
      summary.rowsUpdated += outcome.rows.updated;
      summary.rowsUnchanged += outcome.rows.unchanged;
      summary.rowsSkipped += outcome.skipped;
      if (outcome.cursor) cursor = { ...cursor, ...outcome.cursor };
      if ((outcome.status === "failed" || outcome.status === "held") && !summary.error)
        summary.error = `${resource.key}: ${outcome.error}`;
      options.onProgress?.({
        streamId: stream.id,
        resourcesDone: done,
        resourcesTotal: resources.length,
        rows: summary.rowsInserted + summary.rowsUpdated + summary.rowsUnchanged,
        elapsedMs: Date.now() - started,
      });
    }
    if (signal.aborted) throw signal.reason;
    changed = summary.rowsInserted + summary.rowsUpdated > 0;
    // Owed since a load changed its inputs (this run's or one whose derive died), or asked for.
    const derivePending = changed || force || (await readStreamState(db, stream.id)).derivePending;
    if (stream.derive && derivePending) {
      try {
        await db.transaction(async (tx) => {
          const t = tx as unknown as Db;
          await stream.derive?.(t, log, runId);
          await clearDerivePending(t, stream.id);
        });
      } catch (error) {
        summary.resourcesFailed += 1;
        summary.error = `derive: ${describe(error)}`;
        log.error({ err: error }, "derived series failed; the next run derives again");
      }
    }
    if (summary.resourcesFailed === 0 && summary.resourcesHeld === 0) {
      summary.status =
        resources.length > 0 && resourcesUnchanged === resources.length ? "unchanged" : "success";
    } else if (summary.resourcesFailed === 0) {
      summary.status = "held";
    } else {
      summary.status = summary.resourcesFailed >= resources.length && !changed ? "failed" : "partial";
    }
  } catch (error) {
    if (error instanceof NotConfiguredError) {
      summary.status = "not_configured";
      summary.error = `not configured: ${error.message} (set ${error.setting})`;
      log.info({ setting: error.setting }, summary.error);
    } else if (error instanceof InterruptedError) {
      summary.status = "interrupted";
      summary.error = error.message;
    } else {
      summary.status = "failed";
      summary.error = describe(error);
      logFailure(log, error, {}, "run failed before its resources");
    }
  }
  if (signal.aborted && summary.status !== "not_configured") {
    summary.status = "interrupted";
    summary.error = describe(signal.reason);
  }
  // Interrupted: at once (the next start, or the next retry check); failed: after a growing backoff.
  if (summary.status === "interrupted") summary.nextAttemptAt = new Date();
  else if (summary.status === "failed" || summary.status === "partial")
    summary.nextAttemptAt = nextAttemptAfter(state.consecutiveFailures + 1, run.retryDelaysMs);
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
    status: summary.status,
    error: summary.error,
    cursor,
    nextAttemptAt: summary.nextAttemptAt,
  });
  // One line per run; a failed or partial run says why in its message, so one line is enough to read.
  const retry = summary.nextAttemptAt ? `; next attempt ${summary.nextAttemptAt.toISOString()}` : "";
  const ended = summary.error ? `run ${summary.status}: ${summary.error}${retry}` : `run ${summary.status}`;
  if (summary.status === "failed") log.error({ ...summary }, ended);
  else if (summary.status === "partial" || summary.status === "held" || summary.status === "interrupted")
    log.warn({ ...summary }, ended);
  else log.info({ ...summary }, ended);
  return summary;
}

interface ResourceOutcome {
  status: ResourceStatus;
  rows: RowCounts;
  skipped: number;
  cursor?: Record<string, unknown>;
  error?: string;
}

/**
 * Values the load just revised by more than `REVISION_GUARD.relativeChange` (or to or from null): the
 * old ones are the revisions this run wrote, the new ones carry this payload's id.
 */
async function largeRevisions(db: Db, runId: number, rawPayloadId: number): Promise<number> {
  const [row] = await selectRows<{ n: number | string }>(
    db,
    sql`select count(*) as n from observation_revisions r
        join observations o on o.series_id = r.series_id and o.period = r.period
        where r.replaced_by_run_id = ${runId} and o.raw_payload_id = ${rawPayloadId}
          and ((r.value is null) <> (o.value is null)
            or abs(o.value - r.value) > ${REVISION_GUARD.relativeChange} * greatest(abs(r.value), 1e-9))`,
  );
  return Number(row?.n ?? 0);
}

const skippedTotal = (skipped: Record<string, number>) => Object.values(skipped).reduce((a, b) => a + b, 0);

async function runResource(
  context: RunOptions & {
    db: Db;
    log: Logger;
    http: HttpClient;
    rawArchive: RawArchive;
    runId: number;
    force: boolean;
    signal: AbortSignal;
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
  const deadlineMs = context.resourceDeadlineMs ?? RUN_DEFAULTS.resourceDeadlineMs;
  const deadline = AbortSignal.timeout(deadlineMs);
  const signal = AbortSignal.any([context.signal, deadline]);
  try {
    const previous = await readResourceState(db, stream.id, resource.key);
    const heldId = context.acceptHeld === true ? previous.heldRawPayloadId : null;
    let info: PayloadInfo;
    let hash: string;
    let body: AsyncIterable<Uint8Array>;
    if (heldId !== null) {
      // Accepting a held payload applies the archived bytes themselves, without asking the source again.
      const held = await readArchivedPayload(db, rawArchive, heldId);
      const [row] = await selectRows<{ sha256: string }>(
        db,
        sql`select sha256 from raw_payloads where id = ${heldId}`,
      );
      if (!held || !row) throw new Error(`held payload ${heldId} is no longer in the raw archive`);
      log.info({ resource: resource.key, rawPayloadId: heldId }, "applying a held payload");
      const { body: heldBody, ...heldInfo } = held;
      info = heldInfo;
      hash = row.sha256;
      body = heldBody;
      rawPayloadId = heldId;
    } else {
      const download = (): Promise<Payload> =>
        context.fromFile
          ? Promise.resolve(filePayload(context.fromFile))
          : stream.download
            ? stream.download(resource, { http, log, signal })
            : defaultDownload(resource, http, signal);
      // The bytes go to the archive's scratch space as they arrive, hashed on the way; nothing holds
      // them. The whole of it, retries included, within the resource's deadline.
      const receive = async (): Promise<ReceivedPayload> => {
        for (let attempt = 1; ; attempt++) {
          try {
            return await receivePayload(rawArchive, await download());
          } catch (error) {
            if (
              signal.aborted ||
              !(error instanceof HttpError && error.status === null) ||
              attempt >= DOWNLOAD_ATTEMPTS
            )
              throw error;
            log.warn(
              { resource: resource.key, error: describe(error) },
              "download cut short; fetching it again",
            );
          }
        }
      };
      let received: ReceivedPayload;
      try {
        received = await untilAborted(receive(), signal);
      } catch (error) {
        if (context.signal.aborted) throw context.signal.reason;
        if (deadline.aborted)
          throw new HttpError(
            `${redactUrl(resource.url)}: no complete answer within the resource deadline of ${Math.round(deadlineMs / 1000)} s`,
            resource.url,
            null,
            { cause: error },
          );
        throw error;
      }
      hash = received.sha256;
      if (!force && previous.lastSha256 === hash) {
        await discardReceived(received);
        await db.insert(ingestResourceEvents).values(event("unchanged"));
        return { status: "unchanged", rows: noRows, skipped: 0 };
      }
      // Stored URLs are served as provenance: they keep no credentials or secret parameters.
      received.info = { ...received.info, url: redactUrl(received.info.url) };
      // Archived before conversion, in its own statement, so a payload that fails to convert is kept.
      const archived = await archivePayload(
        db,
        rawArchive,
        { sourceId: source.id, streamId: stream.id, resourceKey: resource.key },
        received,
      );
      rawPayloadId = archived.id;
      info = received.info;
      body = archivedBody(rawArchive, archived.storagePath);
    }
    const archivedId = rawPayloadId;
    const loaded = await db.transaction(async (tx) => {
      const t = tx as unknown as Db;
      // Converted from the archived file as it is read back, checked and loaded batch by batch.
      const batches = checkedBatches(
        t,
        stream.convert({ ...info, body }, { resource, url: info.url }),
        info.expectedRows,
      );
      const outcome = await loadBatches(t, batches, {
        runId,
        rawPayloadId: archivedId,
        sourceUrl: info.url,
        retrievedAt: info.retrievedAt,
        datasetCode: stream.datasetCode,
      });
      const counts = outcome.rows;
      if (heldId === null && previous.lastSha256 !== null && counts.updated >= REVISION_GUARD.min) {
        const large = await largeRevisions(t, runId, archivedId);
        const compared = counts.updated + counts.unchanged;
        if (large >= REVISION_GUARD.min && large > REVISION_GUARD.share * compared) {
          throw new HeldPayload(
            `held for review: it would revise ${large} of the ${compared} stored values it carries by more than ${REVISION_GUARD.relativeChange * 100} % (raw payload ${archivedId}; apply it with \`npm run ingest -- ${stream.id} --accept-held\`)`,
          );
        }
      }
      await saveResourceState(t, stream.id, resource.key, hash, archivedId);
      if (stream.derive && counts.inserted + counts.updated > 0) await markDerivePending(t, stream.id);
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
    if (error instanceof InterruptedError) {
      await db.insert(ingestResourceEvents).values(event("failed", { rawPayloadId, error: describe(error) }));
      throw error;
    }
    if (error instanceof HeldPayload && rawPayloadId !== null) {
      log.warn({ resource: resource.key, rawPayloadId }, error.message);
      await holdPayload(db, stream.id, resource.key, rawPayloadId, error.message);
      await db.insert(ingestResourceEvents).values(event("held", { rawPayloadId, error: error.message }));
      return { status: "held", rows: noRows, skipped: 0, error: error.message };
    }
    if (error instanceof NotConfiguredError) throw error;
    logFailure(log, error, { resource: resource.key }, "resource failed");
    await db
      .insert(ingestResourceEvents)
      .values(event("failed", { rawPayloadId, error: describe(error), errorCause: causeOf(error) }));
    return { status: "failed", rows: noRows, skipped: 0, error: describe(error) };
  }
}
