/**
 * A separate process for the crash tests (test/ingest/core/crash.test.ts): it opens the test's database
 * (a PGlite directory, or a PostgreSQL URL) and runs one fake stream, `crash.fake`, whose payload is a
 * local file of INVENTED values. It prints a marker line at the point a test wants to kill it:
 *
 * - `load`: `converted`, just before the load's transaction (the test sends SIGKILL);
 * - `derive`: `deriving` once the derive has written its rows in its own transaction, then waits forever;
 * - `hub`: starts the scheduler like `npm start` does, prints `downloading` from a download that never
 *   answers, and on SIGTERM stops the scheduler (runs end `interrupted`), closes the database, exits 0;
 * - `start`: starts the scheduler with its start-up catch-up, prints each run as JSON, exits;
 * - `retry`: starts the scheduler without catch-up, checking for due retries every 100 ms, prints the
 *   first run it makes as JSON, exits.
 *
 * Settings come from the environment: HUBLOT_CHILD_PGLITE_DIR (with HUBLOT_CHILD_PGLITE_SNAPSHOT the
 * first time) or HUBLOT_CHILD_DATABASE_URL, HUBLOT_CHILD_PAYLOAD (the file), HUBLOT_CHILD_LEASE_MS.
 */
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { runStream } from "../../ingest/core/runner";
import { startScheduler } from "../../ingest/core/scheduler";
import type { StreamDefinition } from "../../ingest/core/types";
import { openDatabase } from "../../src/db/client";
import { loggerFor } from "../../src/logger";
import { deriveDouble, inventedStream, sourceOf } from "./invented-stream";

const mode = process.argv[2] ?? "";
const env = process.env;
const leaseMs = Number(env.HUBLOT_CHILD_LEASE_MS ?? 1_000);
const log = loggerFor("crash-child");
const say = (line: string) => process.stdout.write(`${line}\n`);

const base = inventedStream("crash.fake", "crash_invented");
const stream: StreamDefinition = {
  ...base,
  plan: () => [{ key: "only", url: pathToFileURL(env.HUBLOT_CHILD_PAYLOAD ?? "").href }],
  ...(mode === "hub"
    ? {
        download: (_resource, ctx) =>
          new Promise((_resolve, reject) => {
            say("downloading");
            ctx.signal?.addEventListener("abort", () => reject(ctx.signal?.reason), { once: true });
          }),
      }
    : {}),
  convert: (payload, ctx) => {
    if (mode === "load") say("converted");
    return base.convert(payload, ctx);
  },
  derive: async (db, _log, runId) => {
    await deriveDouble(db, runId, "crash_invented", "crash_derived");
    if (mode === "derive") {
      say("deriving");
      await new Promise(() => undefined);
    }
  },
};
const source = sourceOf("crash", stream, "file:///");

async function main() {
  const snapshot = env.HUBLOT_CHILD_PGLITE_SNAPSHOT;
  const database = await openDatabase(
    env.HUBLOT_CHILD_DATABASE_URL
      ? { url: env.HUBLOT_CHILD_DATABASE_URL, maxConnections: 2 }
      : {
          pgliteDir: env.HUBLOT_CHILD_PGLITE_DIR,
          pgliteSnapshot: snapshot ? new Blob([readFileSync(snapshot)]) : undefined,
        },
  );
  const { db } = database;
  const runOptions = { leaseMs, instance: `crash-child-${mode}:${process.pid}` };
  const schedulerOf = (catchUp: boolean) =>
    startScheduler({
      db,
      sources: [source],
      log,
      schedule: false,
      catchUp,
      retryCheckMs: 0,
      run: runOptions,
    });
  if (mode === "load" || mode === "derive") {
    say(JSON.stringify(await runStream({ db, source, stream, trigger: "test", log, ...runOptions })));
  } else if (mode === "hub") {
    // Like `npm start`: catch up at start, and on SIGTERM stop the scheduler before closing the database.
    const scheduler = schedulerOf(true);
    process.once("SIGTERM", (signal) => {
      void scheduler
        .stop(`the hub received ${signal}`)
        .then(() => database.close())
        .then(() => process.exit(0));
    });
    return;
  } else if (mode === "start") {
    const scheduler = schedulerOf(true);
    for (const summary of await scheduler.caughtUp) say(JSON.stringify(summary));
    await scheduler.stop();
  } else if (mode === "retry") {
    // What the hub's periodic retry check does, every 100 ms instead of every 30 s.
    const scheduler = schedulerOf(false);
    for (;;) {
      const runs = await scheduler.retryDue();
      if (runs.length > 0) {
        for (const summary of runs) say(JSON.stringify(summary));
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await scheduler.stop();
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  await database.close();
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
