/**
 * The real-size database of `npm run bench:api`: about 2.4 M INVENTED observations in about 157 k
 * series, generated in SQL consistent with the schema (value = a hash of the key: they mean nothing).
 *
 * - every indicator's total at every territory, in the indicator's unit (its headline series), monthly
 *   since 2015, plus filière breakdowns at the Métropole and the conseils de territoire;
 * - a daily series (ten years) per indicator at the Métropole and each conseil de territoire, as air
 *   quality is: the series where reading every observation to keep the last one costs most;
 * - private salaried jobs by filière at every commune (annual, 2010-2024);
 * - a commune × NAF export shaped like URSSAF's (annual, 2010-2024), the bulk of the rows;
 * - a year of daily runs of every registered stream in the run log, one in seven failed.
 *
 * Built once and reused: a named PostgreSQL database, or a PGlite directory, whose name carries a
 * fingerprint of the migrations and of this generator, so a schema change builds a new one.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { sources } from "../ingest/registry";
import { type Database, openDatabase, selectRows } from "../src/db/client";
import { prepareDatabase } from "../src/startup";

const GENERATOR_VERSION = "3";

export function benchFingerprint(): string {
  const journal = readFileSync(new URL("../drizzle/meta/_journal.json", import.meta.url), "utf8");
  const me = readFileSync(new URL(import.meta.url), "utf8");
  return createHash("sha256").update(journal).update(me).update(GENERATOR_VERSION).digest("hex").slice(0, 10);
}

async function generate(database: Database): Promise<void> {
  const db = database.db;
  await prepareDatabase(database);
  // Totals in the indicator's unit at every territory, and three filière breakdowns at the Métropole and CTs.
  await db.execute(sql`
    insert into series (indicator_code, territory_code, measure, breakdown, breakdown_key, filiere_code, frequency, unit, decimals, title_fr)
    select i.code, t.code, 'bench_invented', b.breakdown, b.breakdown_key, b.filiere, 'M', i.unit, 1, 'invented'
    from indicators i cross join territories t cross join (values
      ('{}'::jsonb, '', null::text), ('{"filiere":"F1"}', 'filiere=F1', 'F1'),
      ('{"filiere":"F2"}', 'filiere=F2', 'F2'), ('{"filiere":"F3"}', 'filiere=F3', 'F3')) b(breakdown, breakdown_key, filiere)
    where b.filiere is null or t.code = 'EPCI-200054807' or t.code like 'CT-%'
    on conflict do nothing`);
  await db.execute(sql`
    insert into observations (series_id, period, period_start, period_end, value, obs_status, source_url, retrieved_at)
    select s.id, to_char(d, 'YYYY-MM'), d::date, (d + interval '1 month - 1 day')::date,
      (hashtext(s.id::text || to_char(d, 'YYYY-MM')) % 100000) / 10.0, 'A', 'invented://bench', now()
    from series s cross join generate_series('2015-01-01'::timestamp, '2024-12-01'::timestamp, interval '1 month') d
    where s.measure = 'bench_invented'`);
  await db.execute(sql`
    insert into series (indicator_code, territory_code, measure, breakdown, breakdown_key, frequency, unit, decimals, title_fr)
    select i.code, t.code, 'bench_daily', '{}'::jsonb, '', 'D', i.unit || ' (daily)', 0, 'invented daily'
    from (select code, unit from indicators order by code limit 4) i cross join territories t
    where t.code = 'EPCI-200054807' or t.code like 'CT-%'
    on conflict do nothing`);
  await db.execute(sql`
    insert into observations (series_id, period, period_start, period_end, value, obs_status, source_url, retrieved_at)
    select s.id, to_char(d, 'YYYY-MM-DD'), d::date, d::date, abs(hashtext(s.id::text || d::text) % 200), 'A', 'invented://bench', now()
    from series s cross join generate_series('2015-01-01'::timestamp, '2024-12-31'::timestamp, interval '1 day') d
    where s.measure = 'bench_daily'`);
  // Private salaried jobs by filière at every commune, annual, as URSSAF's filière counts are: what the
  // README's "Jobs by filière in the Pays d'Aix" example adds up (without them it summed nothing).
  await db.execute(sql`
    insert into series (indicator_code, territory_code, measure, breakdown, breakdown_key, filiere_code, frequency, unit, decimals, title_fr)
    select 'net_job_creation', t.code, 'private_salaried_jobs', jsonb_build_object('filiere', f.code), 'filiere=' || f.code,
      f.code, 'A', 'jobs', 0, 'invented'
    from (select code from territories where level = 'commune') t cross join (values ('F1'), ('F2'), ('F3')) f(code)
    on conflict do nothing`);
  await db.execute(sql`
    insert into observations (series_id, period, period_start, period_end, value, obs_status, source_url, retrieved_at)
    select s.id, y::text, make_date(y, 1, 1), make_date(y, 12, 31), abs(hashtext(s.id::text || y::text) % 3000), 'A',
      'invented://bench', now()
    from series s cross join generate_series(2010, 2024) y where s.measure = 'private_salaried_jobs'`);
  // The URSSAF-shaped bulk: communes × NAF codes, 15 annual values each.
  await db.execute(sql`
    insert into series (indicator_code, territory_code, measure, breakdown, breakdown_key, naf_code, frequency, unit, decimals)
    select 'net_job_creation', t.code, 'bench_urssaf_jobs', jsonb_build_object('naf', n.code), 'naf=' || n.code, n.code, 'A', 'jobs', 0
    from (select code from territories where level = 'commune') t
    cross join (select code from naf_codes order by code limit 1700) n
    on conflict do nothing`);
  await db.execute(sql`
    insert into observations (series_id, period, period_start, period_end, value, obs_status, source_url, retrieved_at)
    select s.id, y::text, make_date(y, 1, 1), make_date(y, 12, 31), abs(hashtext(s.id::text || y::text) % 500), 'A',
      'invented://bench', now()
    from (select id from series where measure = 'bench_urssaf_jobs' order by id limit 150000) s
    cross join generate_series(2010, 2024) y
    where (s.id + y) % 11 <> 0`);
  // A year of daily runs for every registered stream, one in seven failed, as a hub that has been running
  // has: "Stale sources" then asks when each schedule last fell due (with no success on record, never).
  const streams = sources.flatMap((source) => source.streams.map((stream) => [source.id, stream.id]));
  await db.execute(sql`
    insert into ingest_runs (source_id, stream_id, trigger, status, started_at, finished_at, duration_ms,
      rows_inserted, rows_updated, rows_unchanged, error)
    select s.source_id, s.stream_id, 'schedule', case when d % 7 = 3 then 'failed' else 'success' end,
      now() - make_interval(days => d, hours => 2), now() - make_interval(days => d, hours => 2, secs => -40),
      40000, abs(hashtext(s.stream_id || d::text) % 900), 0, 12000,
      case when d % 7 = 3 then 'invented: the source answered 503' end
    from jsonb_to_recordset(${JSON.stringify(streams.map(([source_id, stream_id]) => ({ source_id, stream_id })))}::jsonb)
      as s(source_id text, stream_id text)
    cross join generate_series(0, 364) d`);
  await db.execute(sql`
    insert into stream_state (stream_id, source_id, last_run_id, last_success_at, last_failure_at, last_error)
    select stream_id, min(source_id), max(id),
      max(started_at) filter (where status = 'success'), max(started_at) filter (where status = 'failed'),
      'invented: the source answered 503'
    from ingest_runs group by stream_id`);
  await db.execute(sql`update data_version set version = version + 1`);
  await db.execute(sql`analyze`);
}

export interface BenchDatabase {
  /** postgres:// URL, or the PGlite directory. */
  url?: string;
  pgliteDir?: string;
  observations: number;
  series: number;
}

/** The bench database, built if its fingerprint has none yet. */
export async function benchDatabase(adminUrl: string | undefined): Promise<BenchDatabase> {
  const fp = benchFingerprint();
  if (adminUrl) {
    const name = `hublot_apibench_${fp}`;
    const u = new URL(adminUrl);
    u.pathname = `/${name}`;
    const url = u.toString();
    const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
    try {
      const [{ ready }] = await admin<{ ready: boolean }[]>`select exists (
        select 1 from pg_database where datname = ${`${name}`}) as ready`;
      if (!ready) {
        // Built under a temporary name, so an interrupted build is never taken for a finished one.
        const building = `${name}_building`;
        await admin.unsafe(`drop database if exists "${building}" with (force)`);
        await admin.unsafe(`create database "${building}"`);
        const bu = new URL(adminUrl);
        bu.pathname = `/${building}`;
        console.log(`building ${name} (invented data, a few minutes)…`);
        const database = await openDatabase({ url: bu.toString(), maxConnections: 1 });
        try {
          await generate(database);
        } finally {
          await database.close();
        }
        await admin.unsafe(`alter database "${building}" rename to "${name}"`);
      }
    } finally {
      await admin.end();
    }
    return { url, ...(await countRows({ url })) };
  }
  const dir = resolve(process.env.BENCH_PGLITE_DIR ?? join("data", "bench", `pglite-${fp}`));
  const marker = join(dir, "bench-built");
  if (!existsSync(marker)) {
    console.log(`building ${dir} (invented data, several minutes)…`);
    const database = await openDatabase({ pgliteDir: dir });
    try {
      await generate(database);
    } finally {
      await database.close();
    }
    writeFileSync(marker, `${new Date().toISOString()}\n`);
  }
  return { pgliteDir: dir, ...(await countRows({ pgliteDir: dir })) };
}

async function countRows(where: { url?: string; pgliteDir?: string }) {
  const database = await openDatabase({ ...where, maxConnections: 1 });
  try {
    const [r] = await selectRows<{ o: number; s: number }>(
      database.db,
      sql`select (select count(*)::int from observations) as o, (select count(*)::int from series) as s`,
    );
    return { observations: r.o, series: r.s };
  } finally {
    await database.close();
  }
}
