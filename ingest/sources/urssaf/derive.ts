/**
 * The series computed from the stored commune × APE observations after each load that changed
 * something (`urssaf.commune-ape`'s `derive`), in three set-based stages, each reading what the previous
 * one wrote:
 *   1. jobs and establishments by filière per commune / arrondissement, from the APE series and the NAF
 *      mapping (indicator 2 by filière; establishments under indicator 7);
 *   2. the EPCI sums of the totals, grands secteurs and filières, Marseille counted once;
 *   3. the net change of jobs (total, grand secteur, filière) and the average size (jobs per
 *      establishment, total and grand secteur), for communes, arrondissements and the EPCI.
 * Every value lists its inputs in `derived_from`; the status rule is `core/derive.ts`'s.
 */
import { sql } from "drizzle-orm";
import type { Db } from "../../../src/db/client";
import type { Logger } from "../../../src/logger";
import { type DerivedCounts, missingOf, refreshStatistics, upsertDerived } from "../../core/derive";
import { EPCI_CODE } from "../../reference/load";
import { COMMUNE_APE_DATASET } from "./commune-ape";

const EPCI = `EPCI-${EPCI_CODE}`;
const JOBS = "private_salaried_jobs";
const ESTABLISHMENTS = "employer_establishments";
export const NET_CHANGE = "private_salaried_jobs_net_change";
export const AVG_SIZE = "avg_jobs_per_establishment";

/*
 * Filières use the CORE scope of filiere_naf_codes only. The extended codes are those the mapping itself
 * marks as partial or shared (72.19Z sits in five filières, the 86.xx health codes, 28 machinery, whole
 * divisions 13/14…) and every weight in the proposal is 1: adding them would count the same jobs in
 * several filières and inflate each. Core codes are the proposal's firm part; the weight column is still
 * applied, so a later weight below 1 takes effect without a code change. Even core codes are shared by
 * a few filières (59.xx, 60.xx): filière series do not add up to a total and are never summed together.
 */
export const FILIERE_DERIVATION =
  "Somme, pondérée par filiere_naf_codes.weight, des séries APE (sous-classes NAF) URSSAF du territoire que couvrent les codes NAF du périmètre « core » de la filière (correspondance NAF → filière proposée, non officielle ; le périmètre « extended », partiel ou partagé entre filières, n'est pas compté).";
export const EPCI_DERIVATION = `Somme sur les communes membres de ${EPCI} (territory_links « member »), Marseille (COM-13055) remplacée par ses arrondissements lorsque l'URSSAF la publie par arrondissement, jamais les deux.`;
export const NET_CHANGE_DERIVATION =
  "Effectifs salariés privés au 31/12 de l'année moins ceux au 31/12 de l'année précédente, même territoire et même ventilation.";
export const AVG_SIZE_DERIVATION =
  "Effectifs salariés privés ÷ établissements employeurs au 31/12, même territoire, même ventilation, même année.";

/** Breakdowns summed to the EPCI and differenced over years: the total, grands secteurs, filières. */
const SUMMABLE = sql.raw(
  `(s.breakdown_key = '' or s.breakdown_key like 'grand_secteur=%' or s.breakdown_key like 'filiere=%')`,
);

/** Stage 1: per territory × filière × measure × year, Σ weight × value over the filière's core NAF codes. */
const filiereRows = () => sql`
  with mapping as (
    -- real → text → double keeps a weight of 0.3 as 0.3 rather than 0.30000001192092896
    select filiere_code, naf_code, weight::text::double precision as weight
    from filiere_naf_codes where scope = 'core'
  ),
  codes as (
    select distinct naf_code from series
    where dataset_code = ${COMMUNE_APE_DATASET} and not derived and breakdown_key like 'naf=%'
  ),
  -- The mapping names sous-classes, classes, groupes or divisions: each APE code is looked up at every
  -- level of itself (62.01Z, 62.01, 62.0, 62). Done on the few hundred distinct codes, not per series; a
  -- filière listing both a division and a sous-classe inside it still counts the code once.
  code_filieres as (
    select c.naf_code, m.filiere_code, max(m.weight) as weight
    from codes c
    cross join lateral unnest(array[c.naf_code, left(c.naf_code, 5), left(c.naf_code, 4), left(c.naf_code, 2)])
      as p(code)
    join mapping m on m.naf_code = p.code
    group by c.naf_code, m.filiere_code
  ),
  ape as (
    select s.id, s.indicator_code, s.territory_code, s.measure, s.unit, f.filiere_code, f.weight,
      count(*) over (partition by s.indicator_code, s.territory_code, s.measure, f.filiere_code) as inputs
    from series s join code_filieres f on f.naf_code = s.naf_code
    where s.dataset_code = ${COMMUNE_APE_DATASET} and not s.derived and s.breakdown_key like 'naf=%'
  )
  select a.indicator_code, a.territory_code, a.measure, jsonb_build_object('filiere', a.filiere_code) as breakdown,
    a.filiere_code, null::text as naf_code, ${COMMUNE_APE_DATASET}::text as dataset_code, 'A'::text as frequency,
    min(a.unit) as unit, ${FILIERE_DERIVATION}::text as derivation,
    o.period, min(o.period_start) as period_start, max(o.period_end) as period_end,
    sum(a.weight * o.value) as value,
    -- an APE series of the group with no value this year counts as missing, like a null cell
    (a.inputs - count(*) + sum(${missingOf("o")}))::int as missing_inputs,
    bool_and(o.obs_status = 'A') as inputs_all_a,
    jsonb_agg(jsonb_build_object('seriesId', a.id, 'period', o.period) order by a.id) as derived_from
  from ape a
  join observations o on o.series_id = a.id
  group by a.indicator_code, a.territory_code, a.measure, a.filiere_code, o.period, a.inputs`;

/**
 * Stage 2: the EPCI. Each year, the units summed are the member communes, except that a member with
 * subdivisions published that year (Marseille by arrondissement) is replaced by them: never both. A unit
 * with no published total that year is missing (for its total and every breakdown); a unit published
 * without a given grand secteur or filière has none of it.
 */
const epciRows = () => sql`
  with members as (
    select child_code as code from territory_links where parent_code = ${EPCI} and relation = 'member'
  ),
  published as (
    select s.territory_code, s.measure, o.period, o.period_start, o.period_end
    from series s join observations o on o.series_id = s.id
    -- the commune and arrondissement totals (summed from the APE cells in convert, hence derived too)
    where s.dataset_code = ${COMMUNE_APE_DATASET} and s.territory_code <> ${EPCI} and s.breakdown_key = ''
      and s.measure in (${JOBS}, ${ESTABLISHMENTS})
  ),
  split as (
    select distinct l.parent_code, p.measure, p.period
    from published p
    join territory_links l on l.child_code = p.territory_code and l.relation = 'subdivision'
    join members m on m.code = l.parent_code
  ),
  periods as (
    select measure, period, min(period_start) as period_start, max(period_end) as period_end
    from published group by measure, period
  ),
  units as (
    select p.measure, p.period, m.code as territory_code
    from periods p cross join members m
    where not exists (
      select 1 from split x where x.parent_code = m.code and x.measure = p.measure and x.period = p.period)
    union all
    select x.measure, x.period, l.child_code
    from split x join territory_links l on l.parent_code = x.parent_code and l.relation = 'subdivision'
  ),
  -- materialized: inlined, the planner re-sorts it for every unit × year
  kinds as materialized (
    select distinct s.indicator_code, s.measure, s.breakdown, s.breakdown_key, s.filiere_code, s.unit
    from series s
    where s.dataset_code = ${COMMUNE_APE_DATASET} and s.measure in (${JOBS}, ${ESTABLISHMENTS}) and ${SUMMABLE}
      and s.territory_code in (select territory_code from units)
  ),
  cells as (
    select u.period, u.territory_code, k.indicator_code, k.measure, k.breakdown, k.breakdown_key,
      k.filiere_code, k.unit, s.id as series_id, o.period as obs_period, o.value, o.obs_status, o.attributes,
      case
        when o.series_id is not null then ${missingOf("o")}
        when p.territory_code is null then 1 -- the unit published nothing that year
        when s.id is not null then 1 -- its series has no value that year
        else 0 -- published, without this breakdown: none of it
      end as missing
    from units u
    join kinds k on k.measure = u.measure
    left join published p on p.territory_code = u.territory_code and p.measure = u.measure and p.period = u.period
    left join series s on s.territory_code = u.territory_code and s.indicator_code = k.indicator_code
      and s.measure = k.measure and s.breakdown_key = k.breakdown_key and s.dataset_code = ${COMMUNE_APE_DATASET}
    left join observations o on o.series_id = s.id and o.period = u.period
  )
  select c.indicator_code, ${EPCI}::text as territory_code, c.measure, c.breakdown, c.filiere_code,
    null::text as naf_code, ${COMMUNE_APE_DATASET}::text as dataset_code, 'A'::text as frequency, c.unit,
    ${EPCI_DERIVATION}::text as derivation, c.period, p.period_start, p.period_end,
    sum(c.value) as value, sum(c.missing)::int as missing_inputs,
    coalesce(bool_and(c.obs_status = 'A'), true) as inputs_all_a,
    coalesce(jsonb_agg(jsonb_build_object('seriesId', c.series_id, 'period', c.obs_period)
      order by c.series_id) filter (where c.obs_period is not null), '[]'::jsonb) as derived_from
  from cells c join periods p on p.measure = c.measure and p.period = c.period
  group by c.indicator_code, c.measure, c.breakdown, c.breakdown_key, c.filiere_code, c.unit, c.period,
    p.period_start, p.period_end`;

/** Stage 3: net change of jobs and jobs per establishment, wherever the stages above left a series. */
const changeAndSizeRows = () => sql`
  select s.indicator_code, s.territory_code, ${NET_CHANGE}::text as measure, s.breakdown, s.filiere_code,
    null::text as naf_code, ${COMMUNE_APE_DATASET}::text as dataset_code, 'A'::text as frequency,
    'jobs'::text as unit, ${NET_CHANGE_DERIVATION}::text as derivation,
    cur.period, cur.period_start, cur.period_end,
    cur.value - prev.value as value,
    (${missingOf("cur")} + ${missingOf("prev")})::int as missing_inputs,
    cur.obs_status = 'A' and prev.obs_status = 'A' as inputs_all_a,
    jsonb_build_array(jsonb_build_object('seriesId', s.id, 'period', prev.period),
      jsonb_build_object('seriesId', s.id, 'period', cur.period)) as derived_from,
    null::int as decimals
  from series s
  join observations cur on cur.series_id = s.id
  join observations prev on prev.series_id = s.id
    and prev.period = case when cur.period ~ '^[0-9]{4}$' then (cur.period::int - 1)::text end
  where s.dataset_code = ${COMMUNE_APE_DATASET} and s.measure = ${JOBS} and s.frequency = 'A' and ${SUMMABLE}
  union all
  select e.indicator_code, s.territory_code, ${AVG_SIZE}::text as measure, s.breakdown, null::text as filiere_code,
    null::text as naf_code, ${COMMUNE_APE_DATASET}::text as dataset_code, 'A'::text as frequency,
    'jobs per establishment'::text as unit, ${AVG_SIZE_DERIVATION}::text as derivation,
    jo.period, jo.period_start, jo.period_end,
    case when eo.value > 0 then jo.value / eo.value end as value,
    (${missingOf("jo")} + ${missingOf("eo")})::int as missing_inputs,
    jo.obs_status = 'A' and eo.obs_status = 'A' as inputs_all_a,
    jsonb_build_array(jsonb_build_object('seriesId', s.id, 'period', jo.period),
      jsonb_build_object('seriesId', e.id, 'period', eo.period)) as derived_from,
    -- a quotient of counts: two decimals (see ingest/core/precision.ts)
    2::int as decimals
  from series s
  -- the whole natural key, so the join is one unique-index probe per series
  join series e on e.indicator_code = 'avg_private_firm_size' and e.territory_code = s.territory_code
    and e.measure = ${ESTABLISHMENTS} and e.breakdown_key = s.breakdown_key and e.dataset_code = s.dataset_code
  join observations jo on jo.series_id = s.id
  join observations eo on eo.series_id = e.id and eo.period = jo.period
  where s.dataset_code = ${COMMUNE_APE_DATASET} and s.measure = ${JOBS}
    and (s.breakdown_key = '' or s.breakdown_key like 'grand_secteur=%')`;

/** Recomputes every derived commune × APE series, in one transaction; unchanged values are not rewritten. */
export async function deriveCommuneApe(
  db: Db,
  log: Logger,
  runId: number | null = null,
): Promise<Record<string, DerivedCounts>> {
  const started = Date.now();
  const stages = { filiere: filiereRows, epci: epciRows, netChangeAndSize: changeAndSizeRows };
  const counts: Record<string, DerivedCounts> = {};
  const durations: Record<string, number> = {};
  await db.transaction(async (tx) => {
    const t = tx as unknown as Db;
    await refreshStatistics(t, ["series", "observations"]);
    durations.analyze = Date.now() - started;
    for (const [name, rows] of Object.entries(stages)) {
      const stageStarted = Date.now();
      counts[name] = await upsertDerived(t, rows(), { runId });
      durations[name] = Date.now() - stageStarted;
    }
  });
  log.info(
    { ...counts, durationsMs: durations, durationMs: Date.now() - started },
    "derived commune × APE series",
  );
  return counts;
}
