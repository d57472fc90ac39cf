/**
 * `DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:bi` (a benchmark, not a test): the
 * BI figures on a real-size database, 2.5 M INVENTED observations generated in SQL (every territory ×
 * indicator × total and three filières, monthly since 2000; value = a hash of the key: they mean
 * nothing). The hub runs as a child process (`src/main.ts`, ingestion off) so its RSS is its own.
 *
 * - CSV export of every observation through HTTP: rows/s and the hub's peak RSS (VmHWM) before and
 *   after, against the floor of the same run: PostgreSQL's own `COPY (…) TO STDOUT CSV` of the same
 *   rows through psql.
 * - The share of repeated dashboard requests (the dashboard's own queries, src/http/dashboard/queries.ts)
 *   answered from the response cache, with a load (the data version advanced) every 10 refreshes.
 * - A 304's latency against a full answer's (computed, cache missed) and a cached one's, on the
 *   dashboard's indicator query.
 *
 * It creates a database of its own (`hublot_bibench_<pid>`) on DATABASE_URL's server and drops it.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, loadavg } from "node:os";
import { promisify } from "node:util";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { openDatabase, selectRows } from "../src/db/client";
import { COMPARED_TERRITORIES, dashboardQueries } from "../src/http/dashboard/queries";
import { prepareDatabase } from "../src/startup";

const run = promisify(execFile);
const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) {
  console.error("bench:bi needs a PostgreSQL server: DATABASE_URL=postgres://postgres@127.0.0.1:5432/test");
  process.exit(2);
}
const name = `hublot_bibench_${process.pid}`;
const url = (() => {
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
})();

const MONTHS = 300; // 2000-01 … 2024-12

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const memory = (pid: number) => {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rssMb: Math.round(kb("VmRSS") / 1024), peakMb: Math.round(kb("VmHWM") / 1024) };
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function generate(): Promise<number> {
  const database = await openDatabase({ url, maxConnections: 2 });
  try {
    await prepareDatabase(database);
    await database.db.execute(sql`
      insert into series (indicator_code, territory_code, measure, breakdown, breakdown_key, filiere_code, frequency, unit)
      select i.code, t.code, 'bench_invented', b.breakdown, b.breakdown_key, b.filiere, 'M', 'count'
      from indicators i cross join territories t cross join (values
        ('{}'::jsonb, '', null::text), ('{"filiere":"F1"}', 'filiere=F1', 'F1'),
        ('{"filiere":"F2"}', 'filiere=F2', 'F2'), ('{"filiere":"F3"}', 'filiere=F3', 'F3')) b(breakdown, breakdown_key, filiere)
      order by i.code, t.code, b.breakdown_key`);
    const [{ n }] = await selectRows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from series where measure = 'bench_invented'`,
    );
    const wanted = Math.ceil(2_500_000 / MONTHS);
    await database.db.execute(sql`
      insert into observations (series_id, period, period_start, period_end, value, obs_status, source_url, retrieved_at)
      select s.id, to_char(d, 'YYYY-MM'), d::date, (d + interval '1 month - 1 day')::date,
        (hashtext(s.id::text || to_char(d, 'YYYY-MM')) % 100000) / 10.0, 'A', 'invented://bench', now()
      from (select id from series where measure = 'bench_invented' order by id limit ${wanted}) s
      cross join generate_series('2000-01-01'::timestamp, '2000-01-01'::timestamp + (${MONTHS - 1} * interval '1 month'), interval '1 month') d`);
    await database.db.execute(sql`update data_version set version = version + 1`);
    await database.db.execute(sql`analyze`);
    const [{ rows }] = await selectRows<{ rows: number }>(
      database.db,
      sql`select count(*)::int as rows from observations`,
    );
    console.log(`generated ${rows} observations (${n} invented series available, ${wanted} used)`);
    return rows;
  } finally {
    await database.close();
  }
}

async function startHub(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    env: {
      ...process.env,
      DATABASE_URL: url,
      PORT: String(port),
      HOST: "127.0.0.1",
      INGEST_SCHEDULE: "off",
      INGEST_ON_START: "off",
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  for (let i = 0; i < 240; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) return child;
    } catch {}
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("the hub did not start");
}

async function main() {
  const admin = postgres(adminUrl as string, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  let hub: ChildProcess | undefined;
  try {
    const total = await generate();
    const port = await freePort();
    hub = await startHub(port);
    const base = `http://127.0.0.1:${port}`;
    const pid = hub.pid as number;
    console.log(
      `machine: ${cpus().length} cores, load ${loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")} (shared with other engineers)`,
    );

    // 1. The export against COPY.
    const idle = memory(pid);
    let t = performance.now();
    const res = await fetch(`${base}/export/observations.csv`);
    let bytes = 0;
    let lines = 0;
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.length;
      for (const b of value) if (b === 10) lines++;
    }
    const exportS = (performance.now() - t) / 1000;
    const after = memory(pid);
    const columns = `s.indicator_code, i.name_fr, s.measure, s.breakdown_key, s.filiere_code, s.territory_code, t.name,
      t.level, s.frequency, o.period, o.period_start, o.period_end, o.value, s.unit, s.unit_mult, o.obs_status,
      s.dataset_code, o.source_url, o.retrieved_at`;
    t = performance.now();
    await run(
      "sh",
      [
        "-c",
        `psql "${url}" -X -q -c "\\copy (select ${columns.replace(/\n/g, " ")} from observations o join series s on s.id = o.series_id join indicators i on i.code = s.indicator_code join territories t on t.code = s.territory_code order by o.series_id, o.period) to stdout with csv header" > /dev/null`,
      ],
      { maxBuffer: 1024 },
    );
    const copyS = (performance.now() - t) / 1000;
    console.log(
      `\nCSV export of all ${total} observations (${lines - 1} rows, ${(bytes / 1e6).toFixed(0)} MB):`,
    );
    console.log(`  hub    ${(total / exportS).toFixed(0)} rows/s (${exportS.toFixed(1)} s)`);
    console.log(
      `  floor  ${(total / copyS).toFixed(0)} rows/s (${copyS.toFixed(1)} s, psql \\copy of the same join)`,
    );
    console.log(`  ratio  ${(copyS / exportS).toFixed(2)} of the floor`);
    console.log(
      `  hub RSS idle ${idle.rssMb} MB (peak so far ${idle.peakMb} MB) -> peak during export ${after.peakMb} MB`,
    );

    // 2. Repeated dashboard requests.
    const post = (query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}) =>
      fetch(`${base}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ query, variables, operationName: null }),
      });
    const reader1 = await openDatabase({ url, maxConnections: 1 });
    const codes = (
      await selectRows<{ code: string }>(
        reader1.db,
        sql`select code from indicators where number is not null order by number limit 5`,
      )
    ).map((r) => r.code);
    await reader1.close();
    const refresh = [
      [dashboardQueries.overview, { lang: "FR", fallback: "DEP-13" }],
      [dashboardQueries.filieres, { lang: "FR" }],
      [dashboardQueries.sources, {}],
      ...codes.map((code) => [
        dashboardQueries.indicator,
        { code, lang: "FR", territories: [...COMPARED_TERRITORIES] },
      ]),
    ] as [string, Record<string, unknown>][];
    const dataAdmin = postgres(url, { max: 1, onnotice: () => {} });
    let hits = 0;
    let requests = 0;
    for (let round = 0; round < 40; round++) {
      if (round % 10 === 0) await dataAdmin`update data_version set version = version + 1`; // a load
      for (const [query, variables] of refresh) {
        const r = await post(query, variables);
        await r.arrayBuffer();
        requests++;
        if (r.headers.get("x-cache") === "HIT") hits++;
      }
    }
    console.log(
      `\ndashboard: ${requests} requests (40 refreshes of ${refresh.length}, a load every 10): ${hits} from cache = ${((100 * hits) / requests).toFixed(1)} %`,
    );

    // 3. 304 vs full vs cached, on the indicator query.
    const [query, variables] = refresh[3];
    const full: number[] = [];
    const cached: number[] = [];
    const notModified: number[] = [];
    for (let i = 0; i < 30; i++) {
      await dataAdmin`update data_version set version = version + 1`; // forces a computed answer
      let s = performance.now();
      const r = await post(query, variables);
      await r.arrayBuffer();
      full.push(performance.now() - s);
      s = performance.now();
      await (await post(query, variables)).arrayBuffer();
      cached.push(performance.now() - s);
      s = performance.now();
      const n = await post(query, variables, { "if-none-match": r.headers.get("etag") as string });
      await n.arrayBuffer();
      if (n.status !== 304) throw new Error(`expected 304, got ${n.status}`);
      notModified.push(performance.now() - s);
    }
    await dataAdmin.end();
    console.log(
      `\nindicator query, median of 30: full ${median(full).toFixed(1)} ms, cached ${median(cached).toFixed(1)} ms, 304 ${median(notModified).toFixed(1)} ms (${(median(full) / median(notModified)).toFixed(0)}x faster than full)`,
    );
  } finally {
    hub?.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 1000));
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
