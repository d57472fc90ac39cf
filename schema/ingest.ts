import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from "drizzle-orm/pg-core";

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => "bytea",
});

/**
 * `interrupted`: the process stopped (SIGTERM, crash) before the run ended; `held`: a payload was received
 * whole but looks wrong (an unusual share of revised values) and waits for `ingest --accept-held`;
 * `not_configured`: the stream needs a file or setting the operator has not given (no failure, no retry).
 */
export const runStatuses = [
  "running",
  "success",
  "unchanged",
  "partial",
  "failed",
  "skipped",
  "interrupted",
  "held",
  "not_configured",
] as const;
export type RunStatus = (typeof runStatuses)[number];
export const resourceStatuses = ["success", "unchanged", "failed", "skipped", "held"] as const;
export type ResourceStatus = (typeof resourceStatuses)[number];
export const runTriggers = ["cli", "schedule", "catch_up", "retry", "start", "api", "test"] as const;

const rowCounts = () => ({
  rowsInserted: integer("rows_inserted").notNull().default(0),
  rowsUpdated: integer("rows_updated").notNull().default(0),
  rowsUnchanged: integer("rows_unchanged").notNull().default(0),
  rowsSkipped: integer("rows_skipped").notNull().default(0),
});

/** One run of one stream: when, how it ended, how many rows it wrote, and why it failed. */
export const ingestRuns = pgTable(
  "ingest_runs",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    sourceId: text("source_id").notNull(),
    streamId: text("stream_id").notNull(),
    trigger: text("trigger", { enum: runTriggers }).notNull(),
    status: text("status", { enum: runStatuses }).notNull().default("running"),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    durationMs: integer("duration_ms"),
    resourcesTotal: integer("resources_total").notNull().default(0),
    resourcesFailed: integer("resources_failed").notNull().default(0),
    ...rowCounts(),
    error: text("error"),
    errorCause: text("error_cause"),
    instance: text("instance"),
  },
  (t) => [index("ingest_runs_stream_idx").on(t.streamId, t.startedAt)],
);

/** One resource (unit of work) of a run, written in the same transaction as the rows it loaded. */
export const ingestResourceEvents = pgTable(
  "ingest_resource_events",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    runId: bigint("run_id", { mode: "number" })
      .notNull()
      .references(() => ingestRuns.id),
    streamId: text("stream_id").notNull(),
    resourceKey: text("resource_key").notNull(),
    status: text("status", { enum: resourceStatuses }).notNull(),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
    finishedAt: timestamp("finished_at", { withTimezone: true }).notNull(),
    durationMs: integer("duration_ms").notNull(),
    ...rowCounts(),
    /** Cells left out, counted by reason (`{ "confidential": 12, "NaN": 1 }`). */
    skippedReasons: jsonb("skipped_reasons").$type<Record<string, number>>().notNull().default({}),
    rawPayloadId: bigint("raw_payload_id", { mode: "number" }),
    error: text("error"),
    errorCause: text("error_cause"),
  },
  (t) => [index("ingest_resource_events_run_idx").on(t.runId)],
);

/**
 * Every downloaded payload, so a conversion can be replayed and a bug reproduced: its bytes live
 * gzip-compressed in the raw archive's directory at `storage_path` (`ingest/core/raw-store.ts` says why
 * not here); `body` holds only payloads archived before that move.
 */
export const rawPayloads = pgTable(
  "raw_payloads",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    sourceId: text("source_id").notNull(),
    streamId: text("stream_id").notNull(),
    resourceKey: text("resource_key").notNull(),
    url: text("url").notNull(),
    httpStatus: integer("http_status"),
    contentType: text("content_type"),
    sha256: text("sha256").notNull(),
    /** Bytes as received, before compression. */
    sizeBytes: bigint("size_bytes", { mode: "number" }).notNull(),
    /** Bytes the archive's file takes (gzip). */
    storedBytes: bigint("stored_bytes", { mode: "number" }),
    /** The file under the archive directory, relative to it (`<stream>/<resource>/<sha256>.gz`). */
    storagePath: text("storage_path"),
    retrievedAt: timestamp("retrieved_at", { withTimezone: true }).notNull(),
    body: bytea("body"),
  },
  (t) => [index("raw_payloads_resource_idx").on(t.streamId, t.resourceKey, t.retrievedAt)],
);

/**
 * Per-stream state: the incremental cursor, the last outcomes, and a lease that keeps two hub
 * instances (or two runners) from running the same stream at once.
 */
export const streamState = pgTable("stream_state", {
  streamId: text("stream_id").primaryKey(),
  sourceId: text("source_id").notNull(),
  cursor: jsonb("cursor").$type<Record<string, unknown>>().notNull().default({}),
  lastRunId: bigint("last_run_id", { mode: "number" }),
  lastSuccessAt: timestamp("last_success_at", { withTimezone: true }),
  lastFailureAt: timestamp("last_failure_at", { withTimezone: true }),
  lastError: text("last_error"),
  leaseOwner: text("lease_owner"),
  leaseExpiresAt: timestamp("lease_expires_at", { withTimezone: true }),
  /** Runs that failed or were interrupted since the last success: the retry backoff grows with it. */
  consecutiveFailures: integer("consecutive_failures").notNull().default(0),
  /** When the scheduler tries again a stream whose last run failed or was interrupted (null: on schedule). */
  nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }),
  /**
   * Set in the transaction of a load that changed something, cleared in the transaction of the derive
   * that follows: a derive killed half-way (or failed) runs again at the next run, changed or not.
   */
  derivePending: boolean("derive_pending").notNull().default(false),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().default(sql`now()`),
});

/** Per-resource state: the hash of the last payload loaded, so an unchanged one writes nothing. */
export const resourceState = pgTable(
  "resource_state",
  {
    streamId: text("stream_id").notNull(),
    resourceKey: text("resource_key").notNull(),
    lastSha256: text("last_sha256"),
    lastRawPayloadId: bigint("last_raw_payload_id", { mode: "number" }),
    lastSuccessAt: timestamp("last_success_at", { withTimezone: true }),
    /** A payload received whole but held for review (see `runStatuses`), and why; null when none. */
    heldRawPayloadId: bigint("held_raw_payload_id", { mode: "number" }),
    heldReason: text("held_reason"),
  },
  (t) => [primaryKey({ columns: [t.streamId, t.resourceKey] })],
);
