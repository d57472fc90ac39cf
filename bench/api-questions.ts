/**
 * The questions `npm run bench:api` asks the hub, and for those that have one, the floor: a single
 * hand-written SQL statement that builds the same JSON answer (same visibility rule, as anonymous).
 * Every "last observation" is a backward walk of the (series_id, period) key: ordering by period_start
 * instead let PostgreSQL walk observations_period_start_idx over every series until one matched,
 * which made the first floor slower than the hub.
 */

import { playgroundExamples } from "../src/graphql/examples";
import { COMPARED_TERRITORIES, METROPOLE } from "../src/http/dashboard/queries";
import {
  COMMUNES_FLOOR,
  CONFLICTS_FLOOR,
  JOBS_BY_FILIERE_FLOOR,
  SITES_FLOOR,
  staleSourcesFloor,
  UNEMPLOYMENT_FLOOR,
} from "./api-floors";

export interface Question {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
  /** One SQL statement returning one row, one column `json`: the same answer as the hub's. */
  floor?: string;
  /** The same question asked of PostGraphile v5 over the same tables (bench/postgraphile), when it can be. */
  postgraphile?: string;
}

const CTS = COMPARED_TERRITORIES.filter((c) => c.startsWith("CT-"));
const LATEST = "period value obsStatus";

/** The question analysts open every morning (issue 15): every indicator at the Métropole and each CT. */
export const DASHBOARD = `query Dashboard {
  indicators(first: 100) {
    nodes {
      code number unit
      latest { ${LATEST} }
      ${CTS.map((c) => `${c.replace("-", "").toLowerCase()}: latest(territory: "${c}") { ${LATEST} }`).join("\n      ")}
      targets { code valueText horizonYear }
      progress { targetCode status latestValue latestPeriod targetValue shareAchieved }
    }
  }
}`;

const VISIBLE = `exists (select 1 from series_reach r where r.series_id = s.id
  and hub_may_see(r.visibility, r.owner_partner, r.shared_with, r.embargo_until, 'anonymous', null))`;
const HEADLINE = "(starts_with(lower(i.unit), lower(s.unit)) or starts_with(lower(s.unit), lower(i.unit)))";
const rounded = (v: string, d: string) =>
  `case when ${d} is null then ${v} else round(${v}::numeric, ${d})::float8 end`;

/** The latest observation of indicator `i`'s headline total at a territory, as JSON (or null). */
const latestAt = (territory: string) => `(select json_build_object('period', o.period,
    'value', ${rounded("o.value", "s.decimals")}, 'obsStatus', o.obs_status)
  from (select s.id, s.decimals from series s where s.indicator_code = i.code and s.territory_code = '${territory}'
    and s.breakdown_key = '' and ${VISIBLE} order by ${HEADLINE} desc, s.measure limit 1) s
  cross join lateral (select o.period, o.value, o.obs_status from observations o where o.series_id = s.id
    order by o.period desc limit 1) o)`;

/** Progress of every (target, indicator) pair, as the hub computes it (src/graphql/analysis/progress.ts). */
const PROGRESS = `progress as (
  select p.*,
    case
      when p.value_kind in ('qualitative', 'rank') or p.value_numeric is null then 'NOT_QUANTIFIED'
      when p.latest_value is null then 'NO_DATA'
      when p.target_value is null or p.base_value is null then 'NO_BASELINE'
      when p.share_achieved >= 1 then 'ACHIEVED'
      when p.time_elapsed is null then 'PACE_UNKNOWN'
      when p.share_achieved >= p.time_elapsed then 'ON_TRACK'
      else 'OFF_TRACK'
    end as status
  from (
    select g.*,
      case when g.target_value <> g.base_value
        then (g.latest_value - g.base_value) / (g.target_value - g.base_value) end as share_achieved,
      case when g.horizon_end > g.base_end and g.latest_end > g.base_end
        then (g.latest_end - g.base_end)::float8 / (g.horizon_end - g.base_end) end as time_elapsed
    from (
      select c.*, case c.value_kind
          when 'absolute' then c.value_numeric when 'share_percent' then c.value_numeric
          when 'relative_percent' then c.base_value * (1 + c.value_numeric / 100)
          when 'multiplier' then c.base_value * c.value_numeric end as target_value
      from (
        select t.*, lat.period as latest_period, lat.value as latest_value, lat.period_end as latest_end,
          coalesce(t.baseline_value, (select b.value from observations b where b.series_id = t.series_id
            and length(t.baseline_period) = 4 and b.period >= t.baseline_period and b.period < t.baseline_period || '~'
            and b.value is not null order by b.period desc limit 1)) as base_value,
          case when t.baseline_period ~ '^[0-9]{4}' then make_date(left(t.baseline_period, 4)::int, 12, 31) end as base_end,
          case when t.horizon_year is not null then make_date(t.horizon_year, 12, 31) end as horizon_end
        from (
          select tt.*, s.id as series_id, s.decimals from (
            select tg.code as target_code, ti.indicator_code, coalesce(tg.territory_code, '${METROPOLE}') as territory_code,
              tg.value_kind, tg.value_numeric, tg.baseline_value, tg.baseline_period, tg.horizon_year,
              (select min(f.filiere_code) from target_filieres f where f.target_code = tg.code having count(*) = 1) as filiere_code
            from targets tg join target_indicators ti on ti.target_code = tg.code
          ) tt left join lateral (
            select s.id, s.decimals from series s join indicators i on i.code = s.indicator_code
            where s.indicator_code = tt.indicator_code and s.territory_code = tt.territory_code
              and s.breakdown_key = coalesce('filiere=' || tt.filiere_code, '') and ${VISIBLE}
            order by ${HEADLINE} desc, s.measure limit 1) s on true
        ) t left join lateral (
          select l.period, l.value, l.period_end from observations l where l.series_id = t.series_id and l.value is not null
          order by l.period desc limit 1) lat on true
      ) c
    ) g
  ) p
)`;

/**
 * PostGraphile's side: the schema it also exposes, where the dashboard's rules are SQL functions it
 * serves as computed columns of `indicators` (the way one builds this on PostGraphile): `latest` by the
 * floor's headline and visibility rules, `progress` by the floor's computation. Created on the bench
 * database before PostGraphile starts.
 */
export const POSTGRAPHILE_SCHEMA = "bench_postgraphile";
export const POSTGRAPHILE_FUNCTIONS = `
create schema if not exists bench_postgraphile;
create or replace function bench_postgraphile.indicators_latest(i public.indicators, territory text)
returns public.observations stable language sql as $fn$
  select o.* from (select s.id from series s where s.indicator_code = i.code and s.territory_code = territory
    and s.breakdown_key = '' and ${VISIBLE} order by ${HEADLINE} desc, s.measure limit 1) s
  cross join lateral (select o.* from observations o where o.series_id = s.id order by o.period desc limit 1) o
$fn$;
drop type if exists bench_postgraphile.progress cascade;
create type bench_postgraphile.progress as (target_code text, status text, latest_value float8,
  latest_period text, target_value float8, share_achieved float8);
create or replace function bench_postgraphile.indicators_progress(i public.indicators)
returns setof bench_postgraphile.progress stable language sql as $fn$
  with ${PROGRESS}
  select p.target_code, p.status, p.latest_value, p.latest_period, p.target_value, p.share_achieved
  from progress p where p.indicator_code = i.code order by p.target_code
$fn$;`;

const latestOnPostGraphile = (alias: string, territory: string) =>
  `${alias}: latest(territory: "${territory}") { ${LATEST} }`;
/** The dashboard on PostGraphile's generated schema: the same fields, through its computed columns. */
export const DASHBOARD_POSTGRAPHILE = `query Dashboard {
  allIndicators(first: 100, orderBy: [NUMBER_ASC, CODE_ASC]) {
    nodes {
      code number unit
      ${latestOnPostGraphile("latest", METROPOLE)}
      ${CTS.map((c) => latestOnPostGraphile(c.replace("-", "").toLowerCase(), c)).join("\n      ")}
      targetIndicatorsByIndicatorCode { nodes { targetByTargetCode { code valueText horizonYear } } }
      progress { nodes { targetCode status latestValue latestPeriod targetValue shareAchieved } }
    }
  }
}`;

const DASHBOARD_FLOOR = `with ${PROGRESS}
select json_build_object('data', json_build_object('indicators', json_build_object('nodes',
  coalesce(json_agg(x.j order by x.number nulls last, x.code), '[]'))))::text as json
from (select i.number, i.code, json_build_object('code', i.code, 'number', i.number, 'unit', i.unit,
  'latest', ${latestAt(METROPOLE)},
  ${CTS.map((c) => `'${c.replace("-", "").toLowerCase()}', ${latestAt(c)}`).join(",\n  ")},
  'targets', (select coalesce(json_agg(json_build_object('code', tg.code, 'valueText', tg.value_text,
      'horizonYear', tg.horizon_year) order by tg.code), '[]') from target_indicators ti
    join targets tg on tg.code = ti.target_code where ti.indicator_code = i.code),
  'progress', (select coalesce(json_agg(json_build_object('targetCode', p.target_code, 'status', p.status,
      'latestValue', ${rounded("p.latest_value", "p.decimals")}, 'latestPeriod', p.latest_period,
      'targetValue', ${rounded("p.target_value", "p.decimals")}, 'shareAchieved', round(p.share_achieved::numeric, 4)::float8)
      order by p.target_code), '[]')
    from progress p where p.indicator_code = i.code)) as j
  from indicators i order by i.number nulls last, i.code limit 100) x`;

const INDICATORS_FLOOR = `select json_build_object('data', json_build_object('indicators', json_build_object(
  'totalCount', count(*), 'nodes', coalesce(json_agg(x.j order by x.number, x.code), '[]'))))::text as json
from (select i.number, i.code, json_build_object('number', i.number, 'code', i.code, 'label', coalesce(nullif(i.name_en, ''), i.name_fr), 'unit', i.unit,
  'provider', (select json_build_object('code', p.code) from partners p where p.code = i.provider_partner_code),
  'latest', ${latestAt(METROPOLE)}) as j
  from indicators i where i.number is not null) x`;

/** An agenda figure's refs as the GraphQL SourceRef the examples ask for (doc and line). */
const REFS = (column: string) => `(select coalesce(json_agg(json_build_object('doc', r.ref->>'doc',
    'line', (r.ref->>'line')::int) order by r.n), '[]') from jsonb_array_elements(${column}) with ordinality r(ref, n))`;
const sameUnit = (
  a: string,
  b: string,
) => `(trim(${a}) <> '' and (starts_with(lower(trim(${a})), lower(trim(${b})))
    or starts_with(lower(trim(${b})), lower(trim(${a})))))`;

/**
 * Orientation 1: its indicators (those of O1 or a node below it) with their latest value at the Métropole,
 * their headline (that value, else the agenda figure src/graphql/indicator/headline.ts picks), targets and
 * progress, each progress with its own headline (its latest value, else the figure its target cites).
 */
const ORIENTATION_FLOOR = `with recursive below(code) as (
    select 'O1'::text union select n.code from agenda_nodes n join below b on n.parent_code = b.code),
  ${PROGRESS}
select json_build_object('data', json_build_object(
  'agendaNode', (select json_build_object('code', n.code, 'label', n.title_fr) from agenda_nodes n where n.code = 'O1'),
  'indicators', json_build_object('nodes', coalesce(json_agg(x.j order by x.number nulls last, x.code), '[]'))))::text as json
from (select i.number, i.code, json_build_object('number', i.number, 'label', coalesce(nullif(i.name_en, ''), i.name_fr),
  'latest', case when m.period is not null then json_build_object('period', m.period, 'value', ${rounded("m.value", "m.decimals")}) end,
  'headline', case when m.value is not null then json_build_object('value', ${rounded("m.value", "m.decimals")},
      'period', m.period, 'unit', m.unit, 'fromAgenda', false, 'agendaFigure', null)
    else (select json_build_object('value', b.value_numeric, 'period', b.period, 'unit', b.unit, 'fromAgenda', true,
        'agendaFigure', json_build_object('valueText', b.value_text, 'refs', ${REFS("b.refs")}))
      from baseline_indicators bi join baselines b on b.code = bi.baseline_code
      cross join lateral (select exists (select 1 from target_indicators ti join target_baselines tb on tb.target_code = ti.target_code
        where ti.indicator_code = i.code and tb.baseline_code = b.code) as cited) c
      where bi.indicator_code = i.code and b.value_numeric is not null and b.territory_code = '${METROPOLE}'
        and (c.cited or ${sameUnit("b.unit", "i.unit")})
      order by c.cited desc, coalesce(b.period, '') desc, b.code limit 1) end,
  'targets', (select coalesce(json_agg(json_build_object('code', tg.code, 'label', tg.label, 'valueText', tg.value_text,
      'horizon', tg.horizon, 'refs', ${REFS("tg.refs")}) order by tg.code), '[]')
    from target_indicators ti join targets tg on tg.code = ti.target_code where ti.indicator_code = i.code),
  'progress', (select coalesce(json_agg(json_build_object('targetCode', p.target_code,
      'headline', case when p.latest_value is not null then json_build_object('value', ${rounded("p.latest_value", "p.decimals")},
          'period', p.latest_period, 'fromAgenda', false, 'agendaFigure', null)
        else (select json_build_object('value', b.value_numeric, 'period', b.period, 'fromAgenda', true,
            'agendaFigure', json_build_object('valueText', b.value_text, 'refs', ${REFS("b.refs")}))
          from target_baselines tb join baselines b on b.code = tb.baseline_code
          where tb.target_code = p.target_code and b.value_numeric is not null
          order by (b.value_numeric = p.base_value and b.period is not distinct from p.baseline_period) desc nulls last, b.code
          limit 1) end,
      'baselineValue', p.base_value, 'baselinePeriod', p.baseline_period,
      'latestValue', ${rounded("p.latest_value", "p.decimals")}, 'latestPeriod', p.latest_period,
      'targetValue', ${rounded("p.target_value", "p.decimals")}, 'shareAchieved', round(p.share_achieved::numeric, 4)::float8,
      'timeElapsed', round(p.time_elapsed::numeric, 4)::float8, 'status', p.status)
      order by p.target_code), '[]')
    from progress p where p.indicator_code = i.code)) as j
  from indicators i left join lateral (select o.period, o.value, s.unit, s.decimals
    from (select s.id, s.unit, s.decimals from series s where s.indicator_code = i.code and s.territory_code = '${METROPOLE}'
      and s.breakdown_key = '' and ${VISIBLE} order by ${HEADLINE} desc, s.measure limit 1) s
    cross join lateral (select o.period, o.value from observations o where o.series_id = s.id
      order by o.period desc limit 1) o) m on true
  where i.code in (select l.indicator_code from agenda_node_indicators l join below b on b.code = l.node_code)
  order by i.number nulls last, i.code limit 100) x`;

const floors: Record<string, string> = {
  Indicators: INDICATORS_FLOOR,
  Communes: COMMUNES_FLOOR,
  "Sites of the santé filière": SITES_FLOOR,
  "Where the documents disagree": CONFLICTS_FLOOR,
  "Unemployment in the Bouches-du-Rhône": UNEMPLOYMENT_FLOOR,
  "Stale sources": staleSourcesFloor(),
  "Orientation 1: latest values and progress": ORIENTATION_FLOOR,
  "Jobs by filière in the Pays d'Aix": JOBS_BY_FILIERE_FLOOR,
};

export const questions: Question[] = [
  // What any answer costs the hub beyond its statements (HTTP, the gate, Apollo, serializing): the
  // part of every ratio below that no statement can remove. Its floor is a constant from the database.
  {
    name: "fixed cost",
    query: "query FixedCost { __typename }",
    floor: `select '{"data":{"__typename":"Query"}}'::text as json`,
  },
  { name: "dashboard", query: DASHBOARD, floor: DASHBOARD_FLOOR, postgraphile: DASHBOARD_POSTGRAPHILE },
  ...playgroundExamples
    .filter((e) => !e.headers)
    .map((e) => ({ name: e.name, query: e.query, variables: e.variables, floor: floors[e.name] })),
];
