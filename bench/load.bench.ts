/**
 * `npm run bench:load` (a benchmark, not a test): 200 clients hammer the hub for 60 s with the
 * documented example queries (src/graphql/examples.ts, the playground's tabs), on PGlite by default or
 * on PostgreSQL when DATABASE_URL is set. The hub runs as a child process (`src/main.ts`, ingestion
 * off) on a database of its own holding the recorded fixtures (test/support/fixture-data.ts: mostly
 * INVENTED numbers in the sources' real formats), so its RSS is its own.
 *
 * It reports req/s, p50, p99, timeouts, answers by status, and the hub's peak RSS (VmHWM). A 429 or
 * 503 carrying Retry-After is the hub shedding load as designed and counted as expected; anything else
 * that is not a 200 without GraphQL errors (a 5xx, a refusal without Retry-After, a timeout, a reset
 * connection) is unexpected. Exits 1 when there is a timeout or an unexpected answer.
 *
 * LOAD_SECONDS (60) and LOAD_CONNECTIONS (200) shorten or narrow it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { openDatabase } from "../src/db/client";
import { playgroundExamples } from "../src/graphql/examples";
import { prepareDatabase } from "../src/startup";
import { loadFixtureData } from "../test/support/fixture-data";
import { memoryOf, startHubProcess } from "../test/support/hub-process";

const seconds = Number(process.env.LOAD_SECONDS ?? 60);
const connections = Number(process.env.LOAD_CONNECTIONS ?? 200);
const adminUrl = process.env.DATABASE_URL || undefined;

/** The part of autocannon's API used here (it ships no types). */
interface CannonRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  onResponse: (status: number, body: string, context: unknown, headers: Record<string, string>) => void;
}
interface CannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; max: number };
  timeouts: number;
  errors: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  timeout: number;
  requests: CannonRequest[];
}) => Promise<CannonResult>;
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

/** A throw-away database with the fixtures loaded: a PGlite directory or a database on DATABASE_URL's server. */
async function seed(): Promise<{ env: Record<string, string>; dispose(): Promise<void> }> {
  if (!adminUrl) {
    const dir = mkdtempSync(join(tmpdir(), "hublot-loadbench-"));
    const database = await openDatabase({ pgliteDir: dir });
    await prepareDatabase(database);
    await loadFixtureData(database.db);
    await database.close();
    return {
      env: { PGLITE_DIR: dir, DATABASE_URL: "" },
      dispose: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `hublot_loadbench_${process.pid}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  const database = await openDatabase({ url, maxConnections: 2 });
  await prepareDatabase(database);
  await loadFixtureData(database.db);
  await database.close();
  return {
    env: { DATABASE_URL: url },
    dispose: async () => {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}

async function main() {
  const driver = adminUrl ? "postgres" : "pglite";
  const data = await seed();
  // All 200 clients come from one address: with the anonymous limit (600/min) nearly every request would
  // be a 429. The bench measures the hub's capacity and shedding, so it lifts it unless told otherwise.
  const hub = await startHubProcess({
    env: {
      ...data.env,
      LOG_LEVEL: "error",
      RATE_LIMIT_ANONYMOUS_PER_MIN: process.env.RATE_LIMIT_ANONYMOUS_PER_MIN ?? "100000000",
    },
  });
  const pid = hub.child.pid as number;
  const byStatus = new Map<string, number>();
  const unexpected = new Map<string, number>();
  const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  const requests: CannonRequest[] = playgroundExamples.map((example) => ({
    method: "POST",
    path: "/graphql",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: example.query, variables: example.variables ?? {} }),
    onResponse: (status, body, _context, headers) => {
      const shed = status === 429 || status === 503;
      const retryAfter = Object.entries(headers).some(([k]) => k.toLowerCase() === "retry-after");
      count(byStatus, shed && retryAfter ? `${status} with Retry-After` : String(status));
      if (shed && retryAfter) return;
      if (status !== 200) count(unexpected, `${example.name}: HTTP ${status}`);
      else if (body.includes('"errors"')) count(unexpected, `${example.name}: GraphQL errors in a 200`);
    },
  }));
  const idle = memoryOf(pid);
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
  console.log(
    `bench:load on ${driver}: ${connections} connections × ${seconds} s, ${requests.length} documented queries in turn`,
  );
  console.log(`machine: ${cpus().length} cores, load before ${load} (shared with other engineers)`);
  try {
    const result = await autocannon({
      url: hub.base,
      connections,
      duration: seconds,
      timeout: 10,
      requests,
    });
    const after = memoryOf(pid);
    const unexpectedTotal =
      [...unexpected.values()].reduce((a, b) => a + b, 0) + (result.errors - result.timeouts);
    console.log(`  requests      ${result.requests.total} (${result.requests.average.toFixed(0)} req/s)`);
    console.log(
      `  latency       p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms`,
    );
    console.log(`  timeouts      ${result.timeouts} (autocannon's 10 s)`);
    console.log(`  by status     ${[...byStatus].map(([k, v]) => `${k}: ${v}`).join(", ") || "(no answer)"}`);
    console.log(
      `  unexpected    ${unexpectedTotal}${result.errors > result.timeouts ? ` (${result.errors - result.timeouts} socket errors)` : ""}`,
    );
    for (const [k, v] of unexpected) console.log(`                ${v} × ${k}`);
    console.log(`  hub RSS       idle ${idle.rssMb} MB, peak ${after.peakMb} MB (VmHWM)`);
    console.log(
      `  machine load  after ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}`,
    );
    process.exitCode = result.timeouts > 0 || unexpectedTotal > 0 ? 1 : 0;
  } finally {
    hub.signal("SIGTERM");
    await Promise.race([hub.exited, new Promise((r) => setTimeout(r, 12_000))]);
    await hub.kill();
    await data.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
