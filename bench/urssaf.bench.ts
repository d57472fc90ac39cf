/**
 * `npm run bench:urssaf` (a benchmark, not a test): the URSSAF commune × APE export at its real size
 * (REAL_SIZE of `urssaf-export.ts`: 29 474 rows, 1.12 M cells as in the issue, 16.1 MB of CSV with our labels, every number INVENTED,
 * the real Opendatasoft format) served by a stand-in on localhost, ingested through the real connector
 * by a child process (`urssaf-child.ts`, compiled by build.mjs) the way `npm run ingest` does. Prints, for the first run (every
 * row new) and the unchanged second run: the time, rows per second, the ratio to the floor and the
 * child's peak RSS (VmHWM).
 *
 * The floor is measured in the same run on the same driver, in a database of its own: a plain multi-row
 * `INSERT … VALUES` with bind parameters, 1 000 rows a statement, one transaction, through the driver's
 * own client, of FLOOR_ROWS annual observations into fresh series. The engine's rate is its stored
 * rows over the time of its load (the run minus its derive, which computes the derived series in SQL).
 *
 *   npm run bench:urssaf                                                         # PGlite on disk
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:urssaf    # PostgreSQL
 *   BENCH_URSSAF_SIZE=large npm run bench:urssaf                                 # 6.5× the real size (51.8 MB)
 *   BENCH_URSSAF_SIZE=huge npm run bench:urssaf                                  # 130 MB, 29.8 M cells (~40 min)
 *   BENCH_URSSAF_SIZE=years BENCH_KEEP=1 npm run bench:urssaf                    # 190 years, 16 MB; keep the database
 *
 * On PostgreSQL it creates two databases of its own (`hublot_bench_urssaf_<pid>_*`) on DATABASE_URL's
 * server and drops them at the end; PGlite runs in temporary directories, removed at the end.
 */
import { execFileSync, spawn } from "node:child_process";
import { createReadStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import { COMMUNE_APE_DATASET } from "../ingest/sources/urssaf/commune-ape";
import { series } from "../schema/indicator";
import { type Database, openDatabase } from "../src/db/client";
import { parsePeriod } from "../src/period";
import { prepareDatabase } from "../src/startup";
import { floorStatement } from "./floor";
import { type ExportShape, REAL_SIZE, writeInventedExport } from "./urssaf-export";

/** BENCH_FLOOR_ROWS shortens the floor while iterating; the figures to keep use the default. */
const FLOOR_ROWS = Number(process.env.BENCH_FLOOR_ROWS ?? 300_000);
const FLOOR_BATCH = 1_000;
const TARGET = 0.6;
const RSS_TARGET_MB = 300;
/** 51.8 MB, 7.37 M cells (6.5× the real size): 67 000 of the Métropole's territory × APE pairs, 55 years. */
const LARGE: ExportShape = { years: [1970, 2024], rows: 67_000 };
/**
 * 130 MB, the size of the export the issue saw kill the ingest: every pair the generator can draw
 * (78 324: each of the Métropole's 107 communes and arrondissements × the 732 NAF sous-classes) over
 * 190 years, 29.8 M cells. URSSAF publishes 19 years; only more years make a Métropole export this big.
 */
const HUGE: ExportShape = { years: [1835, 2024], rows: 78_324 };
/**
 * HUGE's 190 years on 10 000 rows (3.8 M cells, 16.2 MB), in 4 minutes: the derive's output grows with
 * the years, so a statement whose memory grows with its rows shows here (jsonb_each_text per row took
 * PGlite's WebAssembly memory from 128 to 184 MB, and the peak to 348 MB).
 */
const YEARS: ExportShape = { years: [1835, 2024], rows: 10_000 };
const SHAPES: Record<string, ExportShape> = { real: REAL_SIZE, large: LARGE, huge: HUGE, years: YEARS };
/**
 * Node flags the child runs with: those `npm run ingest` puts in NODE_OPTIONS (package.json). A 2 MB
 * young generation: a batch's garbage is collected while small instead of piling up to V8's default.
 * A 128 MB old generation: the load's live objects stay near 70 MB, but V8 let each batch's promoted
 * garbage (the JSON of its rows, its results) pile up to 200 MB before a full collection.
 */
export const INGEST_NODE_FLAGS = (
  process.env.BENCH_NODE_FLAGS ?? "--max-semi-space-size=2 --max-old-space-size=128"
)
  .split(" ")
  .filter(Boolean);
/**
 * And the environment it sets: two malloc arenas (glibc). By default each thread that allocates gets
 * its own (V8's compiler and GC threads, libuv's pool), and memory freed in one is not reused by
 * another: 304 MB at the real size with the default, 265 MB with two, at the same speed.
 */
const INGEST_ENV = { MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? "2" };

interface Target {
  label: string;
  /** Environment the child reads its database from. */
  childEnv: Record<string, string>;
  open(): Promise<Database>;
  dispose(): Promise<void>;
}

async function pgliteTarget(label: string): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), `hublot-bench-urssaf-${label}-`));
  return {
    label: `PGlite in ${dir}`,
    childEnv: { BENCH_PGLITE_DIR: dir },
    open: () => openDatabase({ pgliteDir: dir }),
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function postgresTarget(url: string, label: string): Promise<Target> {
  const name = `hublot_bench_urssaf_${process.pid}_${label}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  await admin.end();
  const target = new URL(url);
  target.pathname = `/${name}`;
  return {
    label: `PostgreSQL at ${target.host}`,
    childEnv: { BENCH_DATABASE_URL: target.toString() },
    open: () => openDatabase({ url: target.toString() }),
    dispose: async () => {
      const again = postgres(url, { max: 1, onnotice: () => {} });
      await again.unsafe(`drop database if exists "${name}" with (force)`);
      await again.end();
    },
  };
}

/** Rows per second of the plain multi-row INSERT (INVENTED values), statements and commit timed. */
async function floorRate(database: Database): Promise<number> {
  const years = Array.from({ length: 19 }, (_, i) => parsePeriod(String(2006 + i)));
  const created: { id: number }[] = [];
  const seriesCount = Math.ceil(FLOOR_ROWS / years.length);
  // 5 columns a series: 5 000 a statement stays under the driver's 65 535 parameters.
  for (let from = 0; from < seriesCount; from += 5_000) {
    const values = Array.from({ length: Math.min(5_000, seriesCount - from) }, (_, i) => ({
      indicatorCode: "net_job_creation",
      territoryCode: "DEP-13",
      measure: `floor_${from + i}`,
      frequency: "A" as const,
      unit: "jobs",
    }));
    created.push(...(await database.db.insert(series).values(values).returning({ id: series.id })));
  }
  const now = new Date().toISOString();
  const rows = created
    .flatMap(({ id }, s) =>
      years.map((p, y) => [id, p.period, p.start, p.end, s + y, "A", null, "{}", "bench://", now, 0, 0, now]),
    )
    .slice(0, FLOOR_ROWS);
  const batches: { text: string; params: (string | number | null)[] }[] = [];
  for (let i = 0; i < rows.length; i += FLOOR_BATCH) {
    const chunk = rows.slice(i, i + FLOOR_BATCH);
    batches.push({ text: floorStatement(chunk.length), params: chunk.flat() });
  }
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
  return (rows.length * 1000) / (performance.now() - started);
}

/** The stand-in: the export's body streamed from the file, and the `/records` count the connector asks. */
async function standIn(path: string, rows: number): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const dataset = `/catalog/datasets/${COMMUNE_APE_DATASET}`;
  const size = statSync(path).size;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname.endsWith(`${dataset}/records`)) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ total_count: rows, results: [] }));
    } else if (url.pathname.endsWith(`${dataset}/exports/csv`)) {
      res.writeHead(200, { "content-type": "text/csv; charset=utf-8", "content-length": String(size) });
      createReadStream(path).pipe(res);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/api/explore/v2.1`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface ChildResult {
  summary: {
    status: string;
    rowsInserted: number;
    rowsUpdated: number;
    rowsUnchanged: number;
    durationMs: number;
    error: string | null;
  };
  deriveMs: number;
  peakRssMb: number | null;
  stored: number;
}

const ROOT = join(import.meta.dirname, "..");
/** The child compiled as `npm run ingest` is (build.mjs), not through tsx, whose loader costs ~50 MB. */
const CHILD_SCRIPT = join(ROOT, "dist", "urssaf-child.js");

function runChild(env: Record<string, string>): Promise<Omit<ChildResult, "stored">> {
  const child = spawn(process.execPath, [...INGEST_NODE_FLAGS, "--enable-source-maps", CHILD_SCRIPT], {
    env: { ...process.env, LOG_LEVEL: "warn", ...INGEST_ENV, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.on("exit", (code) => {
      const line = out.trim().split("\n").pop() ?? "";
      if (code !== 0) reject(new Error(`ingest child exited ${code}: ${out}`));
      else resolve(JSON.parse(line) as Omit<ChildResult, "stored">);
    });
  });
}

async function main() {
  const url = process.env.DATABASE_URL;
  execFileSync(process.execPath, ["build.mjs", "urssaf-child"], { cwd: ROOT, stdio: "inherit" });
  const shape = SHAPES[process.env.BENCH_URSSAF_SIZE ?? "real"];
  if (!shape) throw new Error(`BENCH_URSSAF_SIZE: one of ${Object.keys(SHAPES).join(", ")}`);
  const scratch = mkdtempSync(join(tmpdir(), "hublot-bench-urssaf-"));
  const exportPath = join(scratch, "export.csv");
  const written = await writeInventedExport(exportPath, shape);
  const server = await standIn(exportPath, written.rows);
  const engine = url ? await postgresTarget(url, "engine") : await pgliteTarget("engine");
  const floorDb = url ? await postgresTarget(url, "floor") : await pgliteTarget("floor");
  try {
    for (const target of [engine, floorDb]) {
      const database = await target.open();
      await prepareDatabase(database);
      await database.close();
    }
    const floorDatabase = await floorDb.open();
    const floor = await floorRate(floorDatabase);
    await floorDatabase.close();

    const childEnv = {
      ...engine.childEnv,
      INGEST_URSSAF_BASE_URL: server.baseUrl,
      RAW_ARCHIVE_DIR: join(scratch, "raw"),
    };
    const first = await runChild(childEnv);
    const second = await runChild(childEnv);
    if (first.summary.status !== "success" || second.summary.status !== "unchanged") {
      throw new Error(
        `runs: ${first.summary.status} then ${second.summary.status}: ${first.summary.error ?? second.summary.error}`,
      );
    }

    const load = loadavg()
      .map((l) => l.toFixed(1))
      .join(" ");
    const cpu = cpus()[0]?.model.trim() ?? "unknown CPU";
    console.log(
      `\nHublot URSSAF commune × APE benchmark — INVENTED values in the real export format: ${written.rows.toLocaleString("en-US")} rows, ${written.cells.toLocaleString("en-US")} cells, ${(written.bytes / 1e6).toFixed(1)} MB of CSV`,
    );
    console.log(
      `${engine.label}; Node ${process.version} ${INGEST_NODE_FLAGS.join(" ")} MALLOC_ARENA_MAX=${INGEST_ENV.MALLOC_ARENA_MAX}; ${availableParallelism()} × ${cpu}; load ${load}\n`,
    );
    const rows = first.summary.rowsInserted;
    const loadMs = first.summary.durationMs - first.deriveMs;
    const rate = (rows * 1000) / loadMs;
    const mb = (v: number | null) => (v === null ? "?" : `${Math.round(v)} MB`);
    console.log(
      `floor: multi-row INSERT, ${FLOOR_BATCH} rows/statement, 1 tx      ${Math.round(floor).toLocaleString("en-US").padStart(9)} rows/s`,
    );
    console.log(
      `first run: ${rows.toLocaleString("en-US")} rows in ${(loadMs / 1000).toFixed(1)} s of load + ${(first.deriveMs / 1000).toFixed(1)} s of derive  ${Math.round(rate).toLocaleString("en-US").padStart(9)} rows/s  ${(rate / floor).toFixed(2)} × floor${rate / floor >= TARGET ? "  ok" : `  BELOW ${TARGET * 100} %`}  peak RSS ${mb(first.peakRssMb)}${(first.peakRssMb ?? 0) < RSS_TARGET_MB ? "  ok" : `  ABOVE ${RSS_TARGET_MB} MB`}`,
    );
    console.log(
      `unchanged second run: ${(second.summary.durationMs / 1000).toFixed(2)} s${second.summary.durationMs < 2000 ? "  ok" : "  ABOVE 2 s"}  peak RSS ${mb(second.peakRssMb)}${(second.peakRssMb ?? 0) < RSS_TARGET_MB ? "  ok" : `  ABOVE ${RSS_TARGET_MB} MB`}`,
    );
    console.log(
      `\ntargets: load ≥ ${TARGET * 100} % of the floor, peak RSS < ${RSS_TARGET_MB} MB, the unchanged run < 2 s. The child's peak RSS includes Node and${url ? "" : " PGlite's WebAssembly heap and"} the whole ingest.`,
    );
  } finally {
    await server.close();
    // BENCH_KEEP=1 leaves the engine's database for a look at what the ingest wrote.
    if (process.env.BENCH_KEEP) console.log(`kept: ${engine.label}`);
    else await engine.dispose();
    await floorDb.dispose();
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(
    error instanceof Error ? `${error.message.slice(0, 2000)}\n${String(error.cause ?? "")}` : error,
  );
  process.exit(1);
});
