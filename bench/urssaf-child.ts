/**
 * The process `bench/urssaf.bench.ts` measures: the hub's ingest of `urssaf.commune-ape` as `npm run
 * ingest` runs it (the real connector through the shared HTTP client, the raw archive, the load, the
 * derive), alone in its process so its peak resident memory (VmHWM) is the ingest's own. It prints one
 * JSON line: the run's summary, the time spent in the stream's derive, and VmHWM.
 *
 * Settings from the environment: BENCH_DATABASE_URL or BENCH_PGLITE_DIR, INGEST_URSSAF_BASE_URL (the
 * stand-in server), RAW_ARCHIVE_DIR, BENCH_SAMPLE_MS (print what memory is made of that often).
 */
import { readFileSync } from "node:fs";
import { runStream } from "../ingest/core/runner";
import type { StreamDefinition } from "../ingest/core/types";
import { communeApeStream, urssaf } from "../ingest/sources/urssaf/urssaf.source";
import { type Database, openDatabase } from "../src/db/client";
import { loggerFor } from "../src/logger";

/** Peak resident set of this process so far, in MB (Linux; null elsewhere). */
function peakRssMb(): number | null {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
    return kb ? Number(kb) / 1024 : null;
  } catch {
    return null;
  }
}

/**
 * With BENCH_SAMPLE_MS, what the resident set is made of, every that many ms, on stderr: V8's heap, the
 * buffers outside it, and PGlite's WebAssembly memory (which grows and never shrinks).
 */
function memorySample(database: Database, when = ""): string {
  const mb = (n: number) => Math.round(n / 1048576);
  const m = process.memoryUsage();
  const wasm = (database.db as unknown as { $client: { mod?: { HEAPU8?: Uint8Array } } }).$client.mod?.HEAPU8
    ?.length;
  return `${when}rss ${mb(m.rss)} heapUsed ${mb(m.heapUsed)} heapTotal ${mb(m.heapTotal)} external ${mb(m.external)} arrayBuffers ${mb(m.arrayBuffers)}${wasm === undefined ? "" : ` wasm ${mb(wasm)}`} hwm ${Math.round(peakRssMb() ?? 0)}\n`;
}

function sampleMemory(database: Database, everyMs: number): NodeJS.Timeout {
  const timer = setInterval(() => process.stderr.write(memorySample(database)), everyMs);
  timer.unref();
  return timer;
}

async function main() {
  const url = process.env.BENCH_DATABASE_URL;
  const database = await openDatabase(url ? { url } : { pgliteDir: process.env.BENCH_PGLITE_DIR });
  const sampleMs = Number(process.env.BENCH_SAMPLE_MS ?? 0);
  if (sampleMs > 0) sampleMemory(database, sampleMs);
  let deriveMs = 0;
  const stream: StreamDefinition = {
    ...communeApeStream,
    derive: async (db, log, runId) => {
      const started = performance.now();
      if (sampleMs > 0) process.stderr.write(memorySample(database, "before derive: "));
      await communeApeStream.derive?.(db, log, runId);
      deriveMs += performance.now() - started;
      // The derive's statements hold the event loop: the timer's samples stop while they run.
      if (sampleMs > 0) process.stderr.write(memorySample(database, "after derive: "));
    },
  };
  const summary = await runStream({
    db: database.db,
    source: { ...urssaf, streams: [stream] },
    stream,
    trigger: "cli",
    log: loggerFor("bench").child({}, { level: "warn" }),
    // A stand-in on localhost answers at once; the real portal's export is allowed its deadline too.
    resourceDeadlineMs: 600_000,
  });
  await database.close();
  process.stdout.write(`${JSON.stringify({ summary, deriveMs, peakRssMb: peakRssMb() })}\n`);
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
