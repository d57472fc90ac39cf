/**
 * `npm run bench:api` (a benchmark, not a test): the hub's GraphQL API over HTTP against a floor, on a
 * real-size database of INVENTED values (bench/api-data.ts, built once and reused).
 *
 * For the dashboard question and each README example (src/graphql/examples.ts), in rounds, interleaved:
 * the hub (a child process, `npm start`'s entry) and, where one is written, the floor: one SQL
 * statement building the same JSON, served by a tiny HTTP server in this process. At 1, 10 and 50
 * clients (autocannon; one client is timed here, to the microsecond): p50, p99, requests/s, and the
 * hub/floor ratios with their spread over rounds.
 * SQL statements per request are counted through the driver's query hook, running each question twice
 * in this process before the hub starts: the second time is the hub's steady state, the reference rows
 * kept (src/graphql/reference-cache.ts); "n (m cold)" when the first request sent more.
 *
 * PostgreSQL when DATABASE_URL is set (a database `hublot_apibench_<fingerprint>` on that server, kept),
 * else PGlite (./data/bench/pglite-<fingerprint>; the floor reaches it through the hub's SQL_PORT, as PGlite
 * has one process). BENCH_ROUNDS (3), BENCH_SECONDS per measure (3), BENCH_CLIENTS ("1,10,50"),
 * BENCH_ONLY (a question name) shorten it. BENCH_PROFILE=<dir> runs the hub under `node --cpu-prof`, writing
 * its CPU profile there when it stops (open it in Chrome's DevTools, or summarise it by self time).
 *
 * On PostgreSQL, PostGraphile v5 (bench/postgraphile, installed there on first use with its own Node 22)
 * answers the questions that have a PostGraphile form beside the hub, in the same rounds;
 * BENCH_POSTGRAPHILE=off leaves it out.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { Agent, createServer as createHttpServer, request } from "node:http";
import { createServer } from "node:net";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { graphql } from "graphql";
import postgres from "postgres";
import { openDatabase } from "../src/db/client";
import { watchDataVersion } from "../src/db/data-version";
import { buildHublotSchema } from "../src/graphql/build-schema";
import { createContext } from "../src/graphql/context";
import { ReferenceCache } from "../src/graphql/reference-cache";
import { benchDatabase } from "./api-data";
import { POSTGRAPHILE_FUNCTIONS, POSTGRAPHILE_SCHEMA, type Question, questions } from "./api-questions";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CLIENTS = (process.env.BENCH_CLIENTS ?? "1,10,50").split(",").map(Number);
const ONLY = process.env.BENCH_ONLY;
const PROFILE = process.env.BENCH_PROFILE;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : "-");

/** Numbers to 6 significant digits, keys sorted: the hub and the floor may round the last digit apart. */
function normalize(v: unknown): unknown {
  if (typeof v === "number") return Number(v.toPrecision(6));
  if (Array.isArray(v)) return v.map(normalize);
  if (v && typeof v === "object")
    return Object.fromEntries(
      Object.entries(v)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, x]) => [k, normalize(x)]),
    );
  return v;
}

/** Where two normalized answers first differ, as a path with both values: what to fix in the floor. */
function firstDifference(a: unknown, b: unknown, path = ""): string | null {
  if (JSON.stringify(a) === JSON.stringify(b)) return null;
  if (a && b && typeof a === "object" && typeof b === "object") {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const k of keys) {
      const d = firstDifference(
        (a as Record<string, unknown>)[k],
        (b as Record<string, unknown>)[k],
        `${path}/${k}`,
      );
      if (d) return d;
    }
  }
  return `${path || "/"}: floor ${JSON.stringify(a)?.slice(0, 200)}, hub ${JSON.stringify(b)?.slice(0, 200)}`;
}

async function countStatements(where: { url?: string; pgliteDir?: string }, qs: Question[]) {
  let count = 0;
  const database = await openDatabase({
    ...where,
    maxConnections: 4,
    onQuery: () => {
      count++;
    },
  });
  const schema = await buildHublotSchema();
  // As the hub keeps them: reference rows between requests, under the data version it watches.
  const version = await watchDataVersion(database);
  const kept = new ReferenceCache(version);
  const out = new Map<string, { statements: string; answer: unknown }>();
  const ask = async (q: Question) => {
    count = 0;
    const result = await graphql({
      schema,
      source: q.query,
      variableValues: q.variables,
      contextValue: createContext(database.db, undefined, kept.forRequest()),
    });
    if (result.errors?.length)
      throw new Error(`${q.name}: ${result.errors.map((e) => e.message).join("; ")}`);
    return { count, result };
  };
  try {
    for (const q of qs) {
      const cold = await ask(q);
      const { count: warm, result } = await ask(q);
      // As it goes over the wire: DateTime fields are Date objects until serialized.
      out.set(q.name, {
        statements: warm === cold.count ? String(warm) : `${warm} (${cold.count} cold)`,
        answer: JSON.parse(JSON.stringify(result)),
      });
    }
  } finally {
    await version.close();
    await database.close();
  }
  return out;
}

async function startHub(env: Record<string, string>): Promise<ChildProcess> {
  // `npm start`'s own steps, with the profiler on the hub's process only (NODE_OPTIONS would profile npm too).
  const profiled = PROFILE
    ? `node build.mjs && NODE_ENV=\${NODE_ENV:-production} MALLOC_ARENA_MAX=\${MALLOC_ARENA_MAX:-2} exec node --max-semi-space-size=32 --enable-source-maps --cpu-prof --cpu-prof-dir=${JSON.stringify(PROFILE)} dist/main.js`
    : undefined;
  const command = process.env.BENCH_HUB_COMMAND ?? profiled ?? "npm start";
  const child = spawn("sh", ["-c", command], {
    env: {
      ...process.env,
      INGEST_SCHEDULE: "off",
      INGEST_ON_START: "off",
      LOG_LEVEL: "warn",
      // Every client comes from one address: the anonymous limit (600/min) would answer 429 to most of
      // them, and a 429's speed is not the hub's. Lifted unless the caller sets it.
      RATE_LIMIT_ANONYMOUS_PER_MIN: process.env.RATE_LIMIT_ANONYMOUS_PER_MIN ?? "100000000",
      ...env,
    },
    stdio: ["ignore", "inherit", "inherit"],
    detached: true,
  });
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${env.PORT}/readyz`)).ok) return child;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("the hub did not start");
}

const POSTGRAPHILE_DIR = fileURLToPath(new URL("./postgraphile/", import.meta.url));

/** PostGraphile v5 on the bench database, its dependencies (Node 22 among them) installed on first use. */
async function startPostGraphile(databaseUrl: string, port: number): Promise<ChildProcess> {
  const node = `${POSTGRAPHILE_DIR}node_modules/.bin/node`;
  const admin = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(POSTGRAPHILE_FUNCTIONS);
  } finally {
    await admin.end();
  }
  if (!existsSync(node))
    execFileSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: POSTGRAPHILE_DIR, stdio: "inherit" });
  const child = spawn(node, ["server.mjs"], {
    cwd: POSTGRAPHILE_DIR,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      SCHEMAS: POSTGRAPHILE_SCHEMA,
      GRAPHILE_ENV: "production",
    },
    stdio: ["ignore", "inherit", "inherit"],
    detached: true,
  });
  for (let i = 0; i < 300; i++) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"query":"{ __typename }"}',
      });
      if (r.ok) return child;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("PostGraphile did not start");
}

/** The floor: each question's one statement, its JSON text sent as is. */
function startFloor(sqlUrl: string, qs: Question[]) {
  // JIT off as on the hub's connections: on this machine it costs the dashboard floor 700 ms a plan.
  const client = postgres(sqlUrl, { max: 10, prepare: true, onnotice: () => {}, connection: { jit: "off" } });
  const byPath = new Map(qs.filter((q) => q.floor).map((q, i) => [`/q${i}`, q]));
  const server = createHttpServer((req, res) => {
    const q = byPath.get(req.url ?? "");
    req.resume();
    if (!q?.floor) {
      res.writeHead(404).end();
      return;
    }
    client
      .unsafe<{ json: string }[]>(q.floor, [], { prepare: true })
      .then(([row]) => {
        res.writeHead(200, { "content-type": "application/json" }).end(row.json);
      })
      .catch((error: unknown) => {
        res.writeHead(500).end(String(error));
      });
  });
  return {
    server,
    pathOf: (q: Question) => [...byPath].find(([, x]) => x === q)?.[0] as string,
    close: async () => {
      server.close();
      await client.end();
    },
  };
}

interface Measure {
  p50: number;
  p99: number;
  rps: number;
  errors: number;
}

/**
 * Numbers the requests of the whole run, not of one measure: the hub keeps its answers for its
 * lifetime, so a counter starting again at 0 each measure resent the previous round's bodies and
 * every round after the first measured the answer cache.
 */
const RUN = `${process.pid}-${Date.now()}`;
let sent = 0;

/**
 * One client, one request after the other, timed to the microsecond: autocannon's latencies are whole
 * milliseconds, which for answers of 1-4 ms could only read ratios of 1, 2, 3 or 4.
 */
async function loadOneClient(url: string, body: string | undefined): Promise<Measure> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const latencies: number[] = [];
  let errors = 0;
  const ask = () =>
    new Promise<void>((done) => {
      const started = performance.now();
      const req = request(
        url,
        {
          agent,
          method: body ? "POST" : "GET",
          headers: body ? { "content-type": "application/json" } : {},
        },
        (res) => {
          if (res.statusCode !== 200) errors++;
          res.on("data", () => {});
          res.on("end", () => {
            latencies.push(performance.now() - started);
            done();
          });
        },
      );
      req.on("error", () => {
        errors++;
        done();
      });
      req.end(body?.replace("__N__", `${RUN}-${sent++}`));
    });
  const until = performance.now() + SECONDS * 1000;
  while (performance.now() < until) await ask();
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  return { p50: at(0.5), p99: at(0.99), rps: latencies.length / SECONDS, errors };
}

async function load(url: string, body: string | undefined, connections: number): Promise<Measure> {
  // One good answer first: what the previous measure left queued is served before this one starts. A
  // hub still draining a backlog sheds that answer (503), so it is asked again until it answers: on
  // PGlite the dashboard at 50 clients left enough behind to fail a third of the next measure.
  for (const started = Date.now(); ; ) {
    const fresh = body?.replace("__N__", `${RUN}-${sent++}`);
    const answer = await fetch(
      url,
      fresh ? { method: "POST", headers: { "content-type": "application/json" }, body: fresh } : {},
    );
    await answer.arrayBuffer();
    if (answer.ok || Date.now() - started > 60_000) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  if (connections === 1) return loadOneClient(url, body);
  const result = await autocannon({
    url,
    connections,
    duration: SECONDS,
    method: body ? "POST" : "GET",
    headers: { "content-type": "application/json" },
    requests: [
      {
        // A distinct extension per request: the hub's answer cache must miss, every answer is computed.
        setupRequest: (req) => (body ? { ...req, body: body.replace("__N__", `${RUN}-${sent++}`) } : req),
      },
    ],
  });
  return {
    p50: result.latency.p50,
    p99: result.latency.p99,
    rps: result.requests.average,
    errors: result.errors + result.non2xx,
  };
}

async function main() {
  const adminUrl = process.env.DATABASE_URL;
  const driver = adminUrl ? "postgres" : "pglite";
  const data = await benchDatabase(adminUrl);
  const qs = questions.filter((q) => !ONLY || q.name === ONLY);
  console.log(
    `${driver}: ${data.observations} invented observations in ${data.series} series; ${ROUNDS} rounds of ${SECONDS} s; clients ${CLIENTS.join(",")}`,
  );
  const counted = await countStatements(data, qs);

  const hubPort = await freePort();
  const sqlPort = await freePort();
  const hubEnv: Record<string, string> = { PORT: String(hubPort), HOST: "127.0.0.1" };
  if (data.url) hubEnv.DATABASE_URL = data.url;
  else {
    hubEnv.PGLITE_DIR = data.pgliteDir as string;
    hubEnv.SQL_PORT = String(sqlPort);
  }
  const hub = await startHub(hubEnv);
  const floor = startFloor(data.url ?? `postgres://postgres@127.0.0.1:${sqlPort}/postgres`, qs);
  await new Promise<void>((r) => floor.server.listen(0, "127.0.0.1", r));
  const floorPort = (floor.server.address() as { port: number }).port;
  const hubUrl = `http://127.0.0.1:${hubPort}/graphql`;
  const withPostGraphile = Boolean(data.url) && process.env.BENCH_POSTGRAPHILE !== "off";
  const postgraphilePort = await freePort();
  const postgraphile = withPostGraphile
    ? await startPostGraphile(data.url as string, postgraphilePort)
    : undefined;
  const postgraphileUrl = `http://127.0.0.1:${postgraphilePort}/graphql`;
  try {
    // The floor answers what the hub answers, or its figures mean nothing.
    for (const q of qs.filter((x) => x.floor)) {
      const floorAnswer = await (await fetch(`http://127.0.0.1:${floorPort}${floor.pathOf(q)}`)).json();
      const difference = firstDifference(normalize(floorAnswer), normalize(counted.get(q.name)?.answer));
      console.log(
        `floor of ${q.name}: ${difference ? `ANSWER DIFFERS from the hub's at ${difference}` : "same answer as the hub"}`,
      );
    }
    const asksPostGraphile = (q: Question) => Boolean(postgraphile && q.postgraphile);
    for (const q of qs.filter(asksPostGraphile)) {
      const answer = (await (
        await fetch(postgraphileUrl, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ query: q.postgraphile }),
        })
      ).json()) as { errors?: { message: string }[] };
      if (answer.errors?.length) throw new Error(`PostGraphile, ${q.name}: ${answer.errors[0].message}`);
      console.log(`PostGraphile answers ${q.name} (${JSON.stringify(answer).length} bytes)`);
    }
    const rows: string[] = [];
    for (const q of qs) {
      const body = JSON.stringify({ query: q.query, variables: q.variables, extensions: { bench: "__N__" } });
      const postgraphileBody = JSON.stringify({ query: q.postgraphile });
      for (const clients of CLIENTS) {
        const hubRuns: Measure[] = [];
        const floorRuns: Measure[] = [];
        const postgraphileRuns: Measure[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          hubRuns.push(await load(hubUrl, body, clients));
          if (q.floor)
            floorRuns.push(await load(`http://127.0.0.1:${floorPort}${floor.pathOf(q)}`, undefined, clients));
          if (asksPostGraphile(q))
            postgraphileRuns.push(await load(postgraphileUrl, postgraphileBody, clients));
        }
        const m = (runs: Measure[], k: keyof Measure) => median(runs.map((r) => r[k]));
        const ms = (x: number) => fmt(x, clients === 1 ? 2 : 0);
        const ratios = hubRuns.map((h, i) =>
          // autocannon reads a fast answer as 0 ms; one client is timed finely.
          floorRuns[i] ? h.p50 / Math.max(floorRuns[i].p50, clients === 1 ? 0.01 : 0.5) : Number.NaN,
        );
        const rpsRatios = hubRuns.map((h, i) =>
          floorRuns[i] ? floorRuns[i].rps / Math.max(h.rps, 0.01) : Number.NaN,
        );
        const spread = (xs: number[]) =>
          xs.length && !xs.some(Number.isNaN)
            ? `${fmt(median(xs), 2)} (${fmt(Math.min(...xs), 2)}-${fmt(Math.max(...xs), 2)})`
            : "-";
        const byPostGraphile = postgraphileRuns.map((p, i) => hubRuns[i].rps / Math.max(p.rps, 0.01));
        rows.push(
          [
            q.name,
            clients,
            counted.get(q.name)?.statements ?? "?",
            `${ms(m(hubRuns, "p50"))}/${ms(m(hubRuns, "p99"))}`,
            fmt(m(hubRuns, "rps")),
            q.floor ? `${ms(m(floorRuns, "p50"))}/${ms(m(floorRuns, "p99"))}` : "-",
            q.floor ? fmt(m(floorRuns, "rps")) : "-",
            spread(ratios),
            spread(rpsRatios),
            hubRuns.reduce((n, r) => n + r.errors, 0),
            postgraphileRuns.length
              ? `${ms(m(postgraphileRuns, "p50"))}/${ms(m(postgraphileRuns, "p99"))}`
              : "-",
            postgraphileRuns.length ? fmt(m(postgraphileRuns, "rps")) : "-",
            spread(byPostGraphile),
          ].join(" | "),
        );
        console.log(rows[rows.length - 1]);
        console.log(
          `  rounds p50 hub/floor ms: ${hubRuns.map((h, i) => `${h.p50}/${floorRuns[i]?.p50 ?? "-"}`).join(", ")}`,
        );
      }
    }
    console.log(
      `\n${driver}, ${cpus().length} cores, load ${loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")} (shared)`,
    );
    console.log(
      "question | clients | statements | hub p50/p99 ms | hub req/s | floor p50/p99 ms | floor req/s | p50 hub/floor (min-max) | req/s floor/hub (min-max) | hub errors | PostGraphile p50/p99 ms | PostGraphile req/s | req/s hub/PostGraphile (min-max)",
    );
    for (const r of rows) console.log(r);
  } finally {
    await floor.close();
    if (postgraphile?.pid) process.kill(-postgraphile.pid, "SIGTERM");
    if (hub.pid) process.kill(-hub.pid, "SIGTERM");
    await new Promise((r) => hub.once("exit", r));
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
