/**
 * `npm run ingest -- <source|stream|all> [--force] [--accept-held] [--from-file PATH [--resource KEY]]`
 * runs streams now; `npm run ingest -- --status` prints the last run of every stream. Exits 1 when a run
 * failed, was held or interrupted. SIGINT/SIGTERM end the run `interrupted` and release its lease.
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { DatabaseConnectionError, openDatabase } from "../src/db/client";
import { EnvError, parseEnv } from "../src/env";
import { loggerFor } from "../src/logger";
import { prepareDatabase } from "../src/startup";
import { describeTally, tallyRuns } from "./core/run-tally";
import { interruptRuns, type RunProgress, type RunSummary, runStream } from "./core/runner";
import { streamStatuses } from "./core/status";
import { findStreams, sources } from "./registry";

const usage = `usage: npm run ingest -- <source|stream|all> [--force] [--from-file PATH [--resource KEY]]
       npm run ingest -- <source|stream|all> --accept-held   apply the payloads held for review
       npm run ingest -- --status`;

function progressPrinter(tty: boolean) {
  return (p: RunProgress) => {
    const perSecond = p.elapsedMs > 0 ? Math.round((p.rows * 1000) / p.elapsedMs) : 0;
    const line = `${p.streamId}: ${p.resourcesDone}/${p.resourcesTotal} resources, ${p.rows} rows, ${perSecond} rows/s`;
    if (tty) process.stdout.write(`\r${line}\u001b[K`);
    else console.log(line);
  };
}

async function main(argv: string[]): Promise<number> {
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
  if (values.help || (!values.status && positionals.length !== 1)) {
    console.error(usage);
    return values.help ? 0 : 2;
  }
  const env = parseEnv();
  const database = await openDatabase({ url: env.DATABASE_URL, pgliteDir: env.PGLITE_DIR });
  try {
    await prepareDatabase(database);
    if (values.status) {
      for (const s of await streamStatuses(database.db, sources)) {
        const run = s.lastRun;
        console.log(
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
    const selector = positionals[0] ?? "";
    const selected = findStreams(selector);
    if (selected.length === 0) {
      console.error(
        `hublot ingest: no source or stream "${selector}"; known: ${sources.flatMap((s) => [s.id, ...s.streams.map((t) => t.id)]).join(", ") || "none"}`,
      );
      return 2;
    }
    const fromFile = values["from-file"] ? resolve(values["from-file"]) : undefined;
    if (fromFile && selected.length !== 1) {
      console.error("hublot ingest: --from-file needs exactly one stream");
      return 2;
    }
    const tty = process.stdout.isTTY === true;
    let failed = 0;
    const runs: RunSummary[] = [];
    let interrupted = false;
    const onSignal = (signal: NodeJS.Signals) => {
      interrupted = true;
      void interruptRuns(`ingest received ${signal}`);
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    for (const { source, stream } of selected) {
      if (interrupted) break;
      const summary = await runStream({
        db: database.db,
        source,
        stream,
        trigger: "cli",
        force: values.force,
        acceptHeld: values["accept-held"],
        leaseMs: env.INGEST_LEASE_TTL_MS,
        resourceDeadlineMs: env.INGEST_RESOURCE_DEADLINE_MS,
        fromFile,
        resourceKey: values.resource,
        log: loggerFor("ingest"),
        onProgress: progressPrinter(tty),
      });
      if (tty) process.stdout.write("\n");
      console.log(
        `${stream.id}: ${summary.status} in ${summary.durationMs} ms — ${summary.rowsInserted} inserted, ${summary.rowsUpdated} updated, ${summary.rowsUnchanged} unchanged, ${summary.rowsSkipped} skipped${summary.error ? ` — ${summary.error}` : ""}`,
      );
      if (["failed", "partial", "held", "interrupted"].includes(summary.status)) failed += 1;
      runs.push(summary);
    }
    if (runs.length > 1)
      console.log(`${runs.length} streams: ${describeTally(tallyRuns(runs)).join("\n  ")}`);
    return failed > 0 ? 1 : 0;
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof EnvError) for (const issue of error.issues) console.error(`hublot: ${issue}`);
    else if (error instanceof DatabaseConnectionError) console.error(`hublot: ${error.message}`);
    else console.error(`hublot ingest: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
