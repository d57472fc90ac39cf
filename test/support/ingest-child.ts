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
import { sql } from "drizzle-orm";
import { upsertDerived } from "../../ingest/core/derive";
import { runStream } from "../../ingest/core/runner";
import { startScheduler } from "../../ingest/core/scheduler";
import type { SourceDefinition, StreamDefinition } from "../../ingest/core/types";
import { openDatabase } from "../../src/db/client";
import { loggerFor } from "../../src/logger";

const mode = process.argv[2] ?? "";
const env = process.env;
const leaseMs = Number(env.HUBLOT_CHILD_LEASE_MS ?? 1_000);
const log = loggerFor("crash-child");
const say = (line: string) => process.stdout.write(`${line}\n`);

const key = {
  indicatorCode: "unemployment_rate",
  territoryCode: "DEP-13",
  measure: "crash_invented",
  breakdown: {},
};

const stream: StreamDefinition = {
  id: "crash.fake",
  description: "crash test stream (INVENTED values)",
  schedule: "0 6 1 1 *",
  indicators: ["unemployment_rate"],
  datasetCode: "TAUX-CHOMAGE",
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
  convert: (payload) => {
    const { values } = JSON.parse(new TextDecoder().decode(payload.body)) as { values: [string, number][] };
    if (mode === "load") say("converted");
    return {
      series: [{ ...key, frequency: "Q", unit: "%" }],
      observations: values.map(([period, value]) => ({ series: key, period, value, obsStatus: "A" })),
      skipped: {},
    };
  },
  derive: async (db, _log, runId) => {
    await upsertDerived(
      db,
      sql`select 'unemployment_rate'::text as indicator_code, s.territory_code, 'crash_derived'::text as measure,
            s.breakdown, s.filiere_code, s.naf_code, s.dataset_code, s.frequency, s.unit,
            'twice the invented value'::text as derivation, o.period, o.period_start, o.period_end,
            2 * o.value as value, 0 as missing_inputs, o.obs_status = 'A' as inputs_all_a,
            jsonb_build_array(jsonb_build_object('seriesId', s.id, 'period', o.period)) as derived_from
          from series s join observations o on o.series_id = s.id where s.measure = 'crash_invented'`,
      { runId },
    );
    if (mode === "derive") {
      say("deriving");
      await new Promise(() => undefined);
    }
  },
};
const source: SourceDefinition = {
  id: "crash",
  title: "Crash test source",
  partnerCode: "INSEE",
  defaultBaseUrl: "file:///",
  streams: [stream],
};

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
  if (mode === "load" || mode === "derive") {
    say(JSON.stringify(await runStream({ db, source, stream, trigger: "test", log, ...runOptions })));
  } else if (mode === "hub") {
    const scheduler = startScheduler({
      db,
      sources: [source],
      log,
      schedule: false,
      catchUp: true,
      retryCheckMs: 0,
      run: runOptions,
    });
    process.once("SIGTERM", (signal) => {
      void scheduler
        .stop(`the hub received ${signal}`)
        .then(() => database.close())
        .then(() => process.exit(0));
    });
    return;
  } else if (mode === "start") {
    const scheduler = startScheduler({
      db,
      sources: [source],
      log,
      schedule: false,
      catchUp: true,
      retryCheckMs: 0,
      run: runOptions,
    });
    for (const summary of await scheduler.caughtUp) say(JSON.stringify(summary));
    await scheduler.stop();
  } else if (mode === "retry") {
    const scheduler = startScheduler({
      db,
      sources: [source],
      log,
      schedule: false,
      catchUp: false,
      retryCheckMs: 0,
      run: runOptions,
    });
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
