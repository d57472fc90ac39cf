/**
 * Floors of the README examples (src/graphql/examples.ts) beyond the first: each one SQL statement a
 * good engineer would hand-write against the same tables and indexes, building the very JSON the hub
 * answers an anonymous caller (keys, list order, rounding), which api.bench.ts checks before measuring.
 */

/** `value` rounded to `d` decimals when the series states them, as src/graphql/series/precision.ts does. */
export const rounded = (v: string, d: string) =>
  `case when ${d} is null then ${v} else round(${v}::numeric, ${d})::float8 end`;

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
