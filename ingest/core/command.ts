/**
 * What `npm run ingest` does, whoever runs it: the CLI on a database it opened itself, or the running
 * hub that holds the embedded database, asked by the CLI over `POST /admin/ingest`
 * (`src/http/admin-ingest.ts`). The command travels as JSON between the two, so it is parsed and checked
 * here once; what it prints comes back as events (a line of output, a run's progress, the exit code).
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import type { Db } from "../../src/db/client";
import { loggerFor } from "../../src/logger";
import { findStreams, sources } from "../registry";
import { describeTally, tallyRuns } from "./run-tally";
import { type RunProgress, type RunSummary, runStream } from "./runner";
import { streamStatuses } from "./status";

export const ingestCommandSchema = z
  .object({
    /** A source id, a stream id or `all`; absent with `status`. */
    selector: z.string().min(1).max(200).optional(),
    status: z.boolean().default(false),
    force: z.boolean().default(false),
    acceptHeld: z.boolean().default(false),
    /** An absolute path, as the CLI resolved it. */
    fromFile: z.string().min(1).max(4096).optional(),
    resource: z.string().min(1).max(500).optional(),
  })
  .strict()
  .refine((c) => c.status || c.selector !== undefined, { message: "a selector or status is required" });

export type IngestCommand = z.infer<typeof ingestCommandSchema>;

export type IngestEvent =
  | { type: "line"; text: string; to: "stdout" | "stderr" }
  | ({ type: "progress" } & RunProgress)
  | { type: "done"; exitCode: number };

export const INGEST_USAGE = `usage: npm run ingest -- <source|stream|all> [--force] [--from-file PATH [--resource KEY]]
       npm run ingest -- <source|stream|all> --accept-held   apply the payloads held for review
       npm run ingest -- --status`;

/** The command line as a command, or the exit code of a usage message (`--help`: 0, a mistake: 2). */
export function parseIngestArgs(argv: string[]): IngestCommand | { usage: number } {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      force: { type: "boolean", default: false },
      "accept-held": { type: "boolean", default: false },
      "from-file": { type: "string" },
      resource: { type: "string" },
      status: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return { usage: 0 };
  if (!values.status && positionals.length !== 1) return { usage: 2 };
  return {
    selector: positionals[0],
    status: values.status,
    force: values.force,
    acceptHeld: values["accept-held"],
    // Resolved where the command is typed: the hub may run from another directory.
    fromFile: values["from-file"] ? resolve(values["from-file"]) : undefined,
    resource: values.resource,
  };
}

export interface IngestCommandOptions {
  leaseMs: number;
  resourceDeadlineMs: number;
  emit: (event: IngestEvent) => void;
  /** Ends the command's runs `interrupted` (the CLI's SIGINT, a caller that hung up). */
  signal?: AbortSignal;
}

/** Runs the command against `db`; resolves with the exit code (1 when a run failed, was held or interrupted). */
export async function runIngestCommand(
  db: Db,
  command: IngestCommand,
  options: IngestCommandOptions,
): Promise<number> {
  const out = (text: string) => options.emit({ type: "line", text, to: "stdout" });
  const err = (text: string) => options.emit({ type: "line", text, to: "stderr" });
  if (command.status) {
    for (const s of await streamStatuses(db, sources)) {
      const run = s.lastRun;
      out(
        [
          s.streamId.padEnd(36),
          (run?.status ?? "never run").padEnd(10),
          run ? run.startedAt.toISOString() : "",
          run ? `+${run.rowsInserted} ~${run.rowsUpdated} =${run.rowsUnchanged}` : "",
          s.lastSuccessAt ? `last success ${s.lastSuccessAt.toISOString()}` : "no success yet",
          s.nextAttemptAt ? `next attempt ${s.nextAttemptAt.toISOString()}` : "",
          s.lease ? `running on ${s.lease.owner} (lease until ${s.lease.until.toISOString()})` : "",
          s.held.length > 0 ? `held for review: ${s.held.map((h) => h.resourceKey).join(", ")}` : "",
          s.lastError && run?.status !== "success" ? `error: ${s.lastError}` : "",
        ]
          .filter(Boolean)
          .join("  "),
      );
    }
    return 0;
  }
  const selector = command.selector ?? "";
  const selected = findStreams(selector);
  if (selected.length === 0) {
    err(
      `hublot ingest: no source or stream "${selector}"; known: ${sources.flatMap((s) => [s.id, ...s.streams.map((t) => t.id)]).join(", ") || "none"}`,
    );
    return 2;
  }
  if (command.fromFile && selected.length !== 1) {
    err("hublot ingest: --from-file needs exactly one stream");
    return 2;
  }
  let failed = 0;
  const runs: RunSummary[] = [];
  for (const { source, stream } of selected) {
    if (options.signal?.aborted) break;
    const summary = await runStream({
      db,
      source,
      stream,
      // The operator's command, whichever process runs it.
      trigger: "cli",
      force: command.force,
      acceptHeld: command.acceptHeld,
      leaseMs: options.leaseMs,
      resourceDeadlineMs: options.resourceDeadlineMs,
      fromFile: command.fromFile,
      resourceKey: command.resource,
      log: loggerFor("ingest"),
      signal: options.signal,
      onProgress: (p) => options.emit({ type: "progress", ...p }),
    });
    out(
      `${stream.id}: ${summary.status} in ${summary.durationMs} ms — ${summary.rowsInserted} inserted, ${summary.rowsUpdated} updated, ${summary.rowsUnchanged} unchanged, ${summary.rowsSkipped} skipped${summary.error ? ` — ${summary.error}` : ""}`,
    );
    if (["failed", "partial", "held", "interrupted"].includes(summary.status)) failed += 1;
    runs.push(summary);
  }
  if (runs.length > 1) out(`${runs.length} streams: ${describeTally(tallyRuns(runs)).join("\n  ")}`);
  return failed > 0 ? 1 : 0;
}
