/**
 * Floors of the README examples (src/graphql/examples.ts) beyond the first: each one SQL statement a
 * good engineer would hand-write against the same tables and indexes, building the very JSON the hub
 * answers an anonymous caller (keys, list order, rounding), which api.bench.ts checks before measuring.
 */
import { CronExpressionParser } from "cron-parser";
import { TIMEZONE } from "../ingest/core/scheduler";
import { sources } from "../ingest/registry";

/** The hub's grace before a stream that missed its due time reads stale (src/graphql/ingest/ingest.loaders.ts). */
const GRACE_MS = 60 * 60 * 1000;

/** `value` rounded to `d` decimals when the series states them, as src/graphql/series/precision.ts does. */
export const rounded = (v: string, d: string) =>
  `case when ${d} is null then ${v} else round((${v})::numeric, ${d})::float8 end`;

/** What the hub shows an anonymous caller of series `s`: the rule of migration 0006, as the dashboard's floor. */
export const VISIBLE = `exists (select 1 from series_reach r where r.series_id = s.id
  and hub_may_see(r.visibility, r.owner_partner, r.shared_with, r.embargo_until, 'anonymous', null))`;

const data = (body: string) => `select json_build_object('data', ${body})::text as json`;

/** Communes by population: the page, its total, and each commune's conseil de territoire. */
export const COMMUNES_FLOOR = data(`json_build_object('territories', (
  select json_build_object('totalCount', (select count(*) from territories where level = 'commune'),
    'nodes', coalesce(json_agg(json_build_object('code', t.code, 'name', t.name, 'population', t.population,
      'populationYear', t.population_year,
      'parents', (select coalesce(json_agg(json_build_object('confirmed', l.confirmed,
          'territory', json_build_object('code', p.code, 'name', p.name)) order by p.code), '[]')
        from territory_links l join territories p on p.code = l.parent_code
        where l.child_code = t.code and p.level = 'conseil_de_territoire')
    ) order by t.population desc nulls last, t.code), '[]'))
  from (select * from territories where level = 'commune'
    order by population desc nulls last, code limit 100) t))`);

/** The santé filière: its sites with their commune and partners, and its own partners. */
export const SITES_FLOOR = data(`json_build_object('filiere', (
  select json_build_object('label', f.name_fr,
    'sites', (select coalesce(json_agg(json_build_object('name', s.name, 'kindLabel', s.kind_label,
        'commune', (select json_build_object('code', c.code, 'name', c.name) from territories c where c.code = s.commune_code),
        'locationNote', s.location_note,
        'partners', (select coalesce(json_agg(json_build_object('code', p.code, 'name', p.name) order by p.code), '[]')
          from site_partners sp join partners p on p.code = sp.partner_code where sp.site_code = s.code)
      ) order by s.code), '[]')
      from site_filieres sf join sites s on s.code = sf.site_code where sf.filiere_code = f.code),
    'partners', (select coalesce(json_agg(json_build_object('code', p.code, 'name', p.name) order by p.code), '[]')
      from filiere_partners fp join partners p on p.code = fp.partner_code where fp.filiere_code = f.code))
  from filieres f where f.code = 'F1'))`);

/** The conflicts stated on a line of document 001: every value with its lines, and the related figures. */
export const CONFLICTS_FLOOR = data(`json_build_object('documentConflicts', (
  select json_build_object('totalCount', count(*), 'nodes', coalesce(json_agg(json_build_object(
    'code', c.code, 'topic', c.topic,
    'values', (select coalesce(json_agg(json_build_object('value', v.value->>'value',
        'refs', (select coalesce(json_agg(json_build_object('doc', r.ref->>'doc', 'line', (r.ref->>'line')::int)
            order by r.n), '[]') from jsonb_array_elements(v.value->'refs') with ordinality r(ref, n))) order by v.n), '[]')
      from jsonb_array_elements(c.values) with ordinality v(value, n)),
    'baselines', (select coalesce(json_agg(json_build_object('code', b.code, 'measure', b.measure,
        'valueText', b.value_text, 'period', b.period) order by k.n), '[]')
      from unnest(c.related_codes) with ordinality k(code, n) join baselines b on b.code = k.code),
    'targets', (select coalesce(json_agg(json_build_object('code', t.code, 'label', t.label) order by k.n), '[]')
      from unnest(c.related_codes) with ordinality k(code, n) join targets t on t.code = k.code)
  ) order by c.code), '[]'))
  from document_conflicts c where exists (select 1 from jsonb_array_elements(c.values) v,
    jsonb_array_elements(v->'refs') r where r->>'doc' = '001')))`);

/** The refs of a JSON column, as the GraphQL SourceRef the examples ask for (doc and line). */
const refs = (column: string) => `(select coalesce(json_agg(json_build_object('doc', r.ref->>'doc',
    'line', (r.ref->>'line')::int) order by r.n), '[]') from jsonb_array_elements(${column}) with ordinality r(ref, n))`;

/** An instant as JavaScript's toISOString writes it, as the hub's DateTime scalar does. */
const iso = (v: string) => `to_char(${v} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * Unemployment in the Bouches-du-Rhône since 2020: the indicator's baselines, and each of its series
 * there with every observation since then, the year before's value (the same period label a year
 * back, as the hub matches it) and provenance. Reads only the observations asked for, on the key.
 */
export const UNEMPLOYMENT_FLOOR = data(`json_build_object('indicator', (
  select json_build_object('label', i.name_fr,
    'baselines', (select coalesce(json_agg(json_build_object('valueText', b.value_text, 'period', b.period,
        'scope', b.scope, 'refs', ${refs("b.refs")}) order by b.code), '[]')
      from baseline_indicators bi join baselines b on b.code = bi.baseline_code where bi.indicator_code = i.code),
    'series', (select coalesce(json_agg(json_build_object(
        'title', coalesce(s.title_fr, s.title_en), 'unit', s.unit,
        'observations', (select coalesce(json_agg(json_build_object('period', o.period,
            'value', ${rounded("o.value", "s.decimals")}, 'obsStatus', o.obs_status,
            'changeFromYearBefore', case when y.period is not null then json_build_object('basePeriod', y.period,
              'absolute', ${rounded("o.value - y.value", "s.decimals")}) end,
            'provenance', json_build_object('sourceUrl', o.source_url, 'retrievedAt', ${iso("o.retrieved_at")})
          ) order by o.period_start, o.period), '[]')
          from observations o left join observations y on y.series_id = o.series_id
            and y.period = (left(o.period, 4)::int - 1)::text || substr(o.period, 5)
          where o.series_id = s.id and o.period_end >= '2020-01-01')
      ) order by s.measure, s.breakdown_key), '[]')
      from series s where s.indicator_code = i.code and s.territory_code = 'DEP-13' and ${VISIBLE}))
  from indicators i where i.code = 'unemployment_rate'))`);

/** A string as a SQL literal. */
const literal = (s: string | null) => (s === null ? "null" : `'${s.replaceAll("'", "''")}'`);

/**
 * Stale sources. The registry is code, not rows, so the floor carries it as a VALUES list, with each
 * stream's last due time before the hub's grace hour computed here as the hub computes it (cron-parser,
 * Paris time): a due time falling during a bench run would make the two differ, which the check shows.
 * What an anonymous caller sees: streams of visible datasets, no error texts.
 */
export function staleSourcesFloor(now = new Date()): string {
  const dueBefore = new Date(now.getTime() - GRACE_MS + 1000);
  const rows = sources.flatMap((source, i) =>
    source.streams.map((stream, j) => {
      const due = CronExpressionParser.parse(stream.schedule, { currentDate: dueBefore, tz: TIMEZONE })
        .prev()
        .toDate();
      return `(${i}, ${literal(source.id)}, ${literal(source.title)}, ${j}, ${literal(stream.id)}, ${literal(
        stream.schedule,
      )}, ${literal(stream.datasetCode)}, '${due.toISOString()}'::timestamptz)`;
    }),
  );
  return data(`json_build_object('ingestSources', (
  select json_agg(json_build_object('id', x.source_id, 'title', x.title, 'streams', x.streams) order by x.source_n)
  from (select g.source_n, g.source_id, g.title, coalesce(json_agg(json_build_object('id', g.stream_id,
      'schedule', g.schedule, 'stale', st.last_success_at is null or g.last_due > st.last_success_at,
      'lastSuccessAt', ${iso("st.last_success_at")}, 'lastFailureAt', ${iso("st.last_failure_at")}, 'lastError', null,
      'lastRun', (select json_build_object('status', r.status, 'startedAt', ${iso("r.started_at")},
          'rowsInserted', r.rows_inserted, 'rowsUpdated', r.rows_updated)
        from ingest_runs r where r.stream_id = g.stream_id order by r.started_at desc, r.id desc limit 1)
    ) order by g.stream_n) filter (where d.code is not null), '[]') as streams
    from (values ${rows.join(",\n      ")}) g(source_n, source_id, title, stream_n, stream_id, schedule, dataset_code, last_due)
    left join datasets d on d.code = g.dataset_code
      and hub_may_see(d.visibility, d.partner_code, d.shared_with, d.embargo_until, 'anonymous', null)
    left join stream_state st on st.stream_id = g.stream_id and d.code is not null
    group by g.source_n, g.source_id, g.title) x))`);
}

/**
 * Private salaried jobs by filière and year in the communes of the Pays d'Aix since 2021: one grouped
 * sum over the filière series of its member communes. The hub's checks before summing (units, levels)
 * are left out: they reject questions, they do not change this answer.
 */
export const JOBS_BY_FILIERE_FLOOR = data(`json_build_object(
  'territory', (select json_build_object('name', t.name) from territories t where t.code = 'CT-2'),
  'aggregate', (select coalesce(json_agg(json_build_object('filiereCode', a.filiere_code, 'period', a.period,
      'value', ${rounded("a.value", "a.decimals")}, 'unit', a.unit, 'seriesCount', a.series_count)
      order by a.filiere_code, a.period), '[]')
    from (select s.filiere_code, left(o.period, 4) as period, sum(o.value) as value, max(s.decimals) as decimals,
        min(s.unit) as unit, count(distinct s.id) as series_count
      from series s join observations o on o.series_id = s.id
      where s.indicator_code = 'net_job_creation' and s.measure = 'private_salaried_jobs'
        and s.breakdown_key ~ '^filiere=[^;]*$'
        and s.territory_code in (select l.child_code from territory_links l where l.parent_code = 'CT-2')
        and ${VISIBLE} and o.period_end >= '2021-01-01'
      group by s.filiere_code, left(o.period, 4) having count(o.value) > 0) a))`);
