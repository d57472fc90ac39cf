/**
 * `npm run bench:ingest` (a benchmark, not a test): loads 200 000 synthetic observations through the
 * whole engine — payload, sha256, raw archive, convert, batched upsert with revisions, run log — and
 * prints rows per second next to the floor measured in the same run on the same driver. The values are
 * INVENTED (series `bench_<n>` of net_job_creation for DEP-13, value = series + month / 100): they only
 * exercise the code path and mean nothing.
 *
 * The floor is what the same rows cost with nothing but the driver: a plain multi-row
 * `INSERT … VALUES (…), (…)` with bind parameters, 1 000 rows a statement, in one transaction, through
 * the driver's own client (no query builder), into fresh series. The target: the engine reaches
 * at least 60 % of it.
 *
 *   npm run bench:ingest                                                 # PGlite, in memory
 *   BENCH_PGLITE=disk npm run bench:ingest                               # PGlite in a temporary directory
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench   # PostgreSQL
 *
 * On PostgreSQL it creates a database of its own (`hublot_bench_<pid>`) from DATABASE_URL's server and
 * drops it at the end; it never reads or writes the tables of the database the URL names.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import { inArray, sql } from "drizzle-orm";
import postgres from "postgres";
import { payloadOf, wholeBody } from "../ingest/core/payload";
import { runStream } from "../ingest/core/runner";
import type { SourceDefinition, StreamDefinition } from "../ingest/core/types";
import { observationRevisions, observations, series } from "../schema/indicator";
import { type Database, openDatabase, selectRows } from "../src/db/client";
import { loggerFor } from "../src/logger";
import { parsePeriod } from "../src/period";
import { prepareDatabase } from "../src/startup";
import { floorStatement } from "./floor";

const SERIES = 2_000;
const PERIODS = 100;
const ROWS = SERIES * PERIODS;
/** 13 columns × 1 000 rows = 13 000 bind parameters, well under PostgreSQL's 65 535. */
const FLOOR_BATCH = 1_000;
const TARGET = 0.6;
const INDICATOR = "net_job_creation";
const TERRITORY = "DEP-13";

// The engine's own info lines would break the table; warnings and errors still show.
const log = loggerFor("bench").child({}, { level: "warn" });

const PERIOD_LIST = Array.from(
  { length: PERIODS },
  (_, i) => `${2010 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, "0")}`,
);
const inventedValue = (s: number, p: number, offset: number) => s + p / 100 + offset;

/** Time spent in the stream's own code (building the payload, converting it), outside the engine. */
const inStream = { downloadMs: 0, convertMs: 0 };

/** One JSON payload of 2 000 series × 100 months; `offset` shifts every value (0.5: all revised). */
function payload(offset: number): Uint8Array {
  const values = Array.from({ length: SERIES }, (_, s) =>
    PERIOD_LIST.map((_, p) => inventedValue(s, p, offset)),
  );
  return new TextEncoder().encode(JSON.stringify(values));
}

function benchStream(offset: () => number): StreamDefinition {
  const keyOf = (s: number) => ({
    indicatorCode: INDICATOR,
    territoryCode: TERRITORY,
    measure: `bench_${s}`,
    breakdown: {},
  });
  return {
    id: "bench.synthetic",
    description: "synthetic benchmark stream (invented values)",
    schedule: "0 0 1 1 *",
    indicators: [INDICATOR],
    datasetCode: "partner-csv",
    plan: () => [{ key: "all", url: "bench://synthetic" }],
    download: async () => {
      const started = performance.now();
      const body = payload(offset());
      inStream.downloadMs += performance.now() - started;
      return payloadOf(
        {
          url: "bench://synthetic",
          httpStatus: null,
          contentType: "application/json",
          retrievedAt: new Date(),
        },
        body,
      );
    },
    convert: wholeBody((p) => {
      const started = performance.now();
      const values = JSON.parse(new TextDecoder().decode(p.body)) as number[][];
      const result = {
        series: values.map((_, s) => ({ ...keyOf(s), frequency: "M" as const, unit: "jobs" })),
        observations: values.flatMap((row, s) =>
          row.map((value, i) => ({
            series: keyOf(s),
            period: PERIOD_LIST[i] as string,
            value,
            obsStatus: "A",
          })),
        ),
        skipped: {},
      };
      inStream.convertMs += performance.now() - started;
      return result;
    }),
  };
}

/**
 * The floor: the same 200 000 rows (same periods and dates, same values, the same provenance columns
 * the engine fills) into 2 000 fresh series. Series creation and building the parameter arrays are
 * outside the timing; only the statements and the commit are timed.
 */
async function floor(database: Database): Promise<number> {
  const created = await database.db
    .insert(series)
    .values(
      Array.from({ length: SERIES }, (_, s) => ({
        indicatorCode: INDICATOR,
        territoryCode: TERRITORY,
        measure: `floor_${s}`,
        frequency: "M" as const,
        unit: "jobs",
      })),
    )
    .returning({ id: series.id });
  const now = new Date().toISOString();
  const periods = PERIOD_LIST.map(parsePeriod);
  const rows = created.flatMap(({ id }, s) =>
    periods.map((period, p) => [
      id,
      period.period,
      period.start,
      period.end,
      inventedValue(s, p, 0),
      "A",
      null,
      "{}",
      "bench://synthetic",
      now,
      0,
      0,
      now,
    ]),
  );
  const batches: { text: string; params: (string | number | null)[] }[] = [];
  for (let i = 0; i < rows.length; i += FLOOR_BATCH) {
    const chunk = rows.slice(i, i + FLOOR_BATCH);
    batches.push({ text: floorStatement(chunk.length), params: chunk.flat() });
  }
  // The driver's own client, under drizzle: nothing between the rows and the wire but the driver.
  const client = (database.db as unknown as { $client: PGlite | postgres.Sql }).$client;
  const started = performance.now();
  if (database.driver === "pglite") {
    await (client as PGlite).transaction(async (tx) => {
      for (const b of batches) await tx.query(b.text, b.params);
    });
  } else {
    await (client as postgres.Sql).begin(async (tx) => {
      for (const b of batches) await tx.unsafe(b.text, b.params, { prepare: true });
    });
  }
  const ms = performance.now() - started;
  const [count] = await selectRows<{ n: number | string }>(
    database.db,
    sql`select count(*) as n from observations o join series s on s.id = o.series_id
        where s.measure like 'floor\_%'`,
  );
  if (Number(count?.n) !== ROWS) throw new Error(`floor: ${count?.n} rows stored, ${ROWS} expected`);
  return ms;
}

interface Opened {
  database: Database;
  where: string;
  close: () => Promise<void>;
}

async function openBenchDatabase(): Promise<Opened> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    if (process.env.BENCH_PGLITE === "disk") {
      const dir = mkdtempSync(join(tmpdir(), "hublot-bench-"));
      const database = await openDatabase({ pgliteDir: dir });
      return {
        database,
        where: `PGlite in ${dir} (removed at the end)`,
        close: async () => {
          await database.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    const database = await openDatabase({ pgliteDir: "memory://" });
    return { database, where: "PGlite in memory", close: () => database.close() };
  }
  const name = `hublot_bench_${process.pid}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const dropIt = async () => {
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end();
  };
  let database: Database;
  try {
    const target = new URL(url);
    target.pathname = `/${name}`;
    database = await openDatabase({ url: target.toString() });
  } catch (error) {
    await dropIt();
    throw error;
  }
  // Ctrl-C in the middle of a run still drops the database.
  const interrupted = () => {
    void database
      .close()
      .catch(() => undefined)
      .then(dropIt)
      .finally(() => process.exit(130));
  };
  process.once("SIGINT", interrupted);
  const [server] = await selectRows<{ v: string }>(
    database.db,
    sql`select current_setting('server_version') as v`,
  );
  return {
    database,
    where: `PostgreSQL ${server?.v ?? "?"} at ${database.location} (created for this run, dropped at the end)`,
    close: async () => {
      process.off("SIGINT", interrupted);
      await database.close();
      await dropIt();
    },
  };
}

async function main() {
  const { database, where, close } = await openBenchDatabase();
  try {
    await prepareDatabase(database);
    const db = database.db;
    let offset = 0;
    const stream = benchStream(() => offset);
    const source: SourceDefinition = {
      id: "bench",
      title: "Benchmark (invented values)",
      partnerCode: "AMP",
      defaultBaseUrl: "bench://",
      streams: [stream],
    };
    const engine = async (expect: "inserted" | "updated" | "unchanged") => {
      inStream.downloadMs = 0;
      inStream.convertMs = 0;
      const started = performance.now();
      const summary = await runStream({ db, source, stream, trigger: "cli", log, force: true });
      const ms = performance.now() - started;
      const counts = {
        inserted: summary.rowsInserted,
        updated: summary.rowsUpdated,
        unchanged: summary.rowsUnchanged,
      };
      if (summary.status !== "success" || counts[expect] !== ROWS) {
        throw new Error(
          `engine (${expect}): ${summary.status} ${JSON.stringify(counts)} ${summary.error ?? ""}`,
        );
      }
      return { ms, streamMs: inStream.downloadMs + inStream.convertMs };
    };

    const floorMs = await floor(database);
    const first = await engine("inserted");
    offset = 0.5;
    const revised = await engine("updated");
    const unchanged = await engine("unchanged");

    const benchSeries = db
      .select({ id: series.id })
      .from(series)
      .where(inArray(series.measure, [`bench_0`, `bench_${SERIES - 1}`]));
    const kept = await db.$count(observationRevisions, inArray(observationRevisions.seriesId, benchSeries));
    const current = await db.$count(observations, inArray(observations.seriesId, benchSeries));
    if (kept !== 2 * PERIODS || current !== 2 * PERIODS) {
      throw new Error(`spot check: ${current} observations and ${kept} revisions for two series`);
    }

    const rate = (ms: number) => (ROWS * 1000) / ms;
    const floorRate = rate(floorMs);
    const fmt = (n: number) => Math.round(n).toLocaleString("en-US").padStart(9);
    const row = (label: string, ms: number, streamMs?: number) => {
      const ratio = rate(ms) / floorRate;
      const verdict = streamMs === undefined ? "" : ratio >= TARGET ? "  ok" : `  BELOW ${TARGET * 100} %`;
      const inside =
        streamMs === undefined ? "" : `  (${(streamMs / 1000).toFixed(1)} s in the stream's code)`;
      return `${label.padEnd(50)} ${(ms / 1000).toFixed(2).padStart(7)} s ${fmt(rate(ms))} rows/s ${ratio
        .toFixed(2)
        .padStart(6)} × floor${verdict}${inside}`;
    };
    const cpu = cpus()[0]?.model.trim() ?? "unknown CPU";
    console.log(
      `\nHublot ingest benchmark — INVENTED values, ${ROWS.toLocaleString("en-US")} observations in ${SERIES} series × ${PERIODS} months`,
    );
    // Other work on the machine moves every figure; the load average says how much there was.
    const load = loadavg()
      .map((l) => l.toFixed(1))
      .join(" ");
    console.log(`${where}; Node ${process.version}; ${availableParallelism()} × ${cpu}; load ${load}\n`);
    console.log(`${"".padEnd(50)} ${"time".padStart(9)} ${"rows/s".padStart(16)} ${"ratio".padStart(14)}`);
    console.log(row(`floor: multi-row INSERT, ${FLOOR_BATCH} rows/statement, 1 tx`, floorMs));
    console.log(row("engine: first load (inserts)", first.ms, first.streamMs));
    console.log(row("engine: every value changed (updates + revisions)", revised.ms, revised.streamMs));
    console.log(row("engine: same values again, forced (unchanged)", unchanged.ms, unchanged.streamMs));
    console.log(
      `\ntarget: the engine at ≥ ${TARGET * 100} % of the floor. Engine times include building and converting the payload (the stream's code, shown in brackets), sha256, the raw archive and the run log.`,
    );
  } finally {
    await close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
