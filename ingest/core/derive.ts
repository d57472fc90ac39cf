/**
 * Derived series: values a stream computes from stored observations after a load (sums over communes,
 * breakdowns through a mapping, differences, ratios), written through the loader's upserts so a changed
 * value keeps its previous one in observation_revisions and an unchanged one is not rewritten.
 *
 * A stream's `derive` hands `upsertDerived` one SELECT per stage; the rows never travel through
 * JavaScript. One rule sets every derived status, so that an incomplete figure never reads as published:
 *   - value null (nothing known to compute it from) → `M`;
 *   - some input missing, null or itself incomplete (`missing_inputs` > 0) → `E`, with the attribute
 *     `missing_inputs` = how many;
 *   - otherwise `A` when every input is `A`; else the stage's `inputs_status` when it yields one (the
 *     weakest status of the inputs, `weakestStatus`), else `E`.
 *
 * `ratioRows` is a ready-made stage: one measure over another, same territory, breakdown and period.
 */
import { type SQL, sql } from "drizzle-orm";
import { type Db, selectRows } from "../../src/db/client";
import { upsertObservationsFrom, upsertSeriesFrom } from "./loader";
import { recordDerivedDecimals } from "./precision";

/**
 * The columns a stage's SELECT must yield, one row per (series, period):
 *
 * | column | type | |
 * |---|---|---|
 * | indicator_code, territory_code, measure | text | the series' natural key… |
 * | breakdown | jsonb | …with its breakdown (`{}` for the total); the key string is computed here |
 * | filiere_code, naf_code | text | null if none |
 * | dataset_code | text | the dataset the inputs come from |
 * | frequency, unit, derivation | text | how the value is computed, in words |
 * | period | text | SDMX period |
 * | period_start, period_end | date | |
 * | value | double precision | null when nothing is known |
 * | missing_inputs | int | inputs the value lacks (see the status rule above) |
 * | inputs_all_a | boolean | whether every input present has status A |
 * | derived_from | jsonb | `[{ seriesId, period }]`, in a stable order (a reordering would be a revision) |
 * | inputs_status | text | optional: the status when inputs are complete but not all A (default `E`) |
 */
export type DerivedRows = SQL;

export interface DerivedCounts {
  rows: number;
  inserted: number;
  updated: number;
}

/**
 * How many inputs an input observation `o` stands for when it is incomplete: its own `missing_inputs`
 * when it is itself an incomplete figure, 1 when it is null, else 0. `o` may be a left-joined alias.
 */
export const missingOf = (alias: string) =>
  sql.raw(
    `coalesce((${alias}.attributes->>'missing_inputs')::int, case when ${alias}.value is null then 1 else 0 end)`,
  );

/** Statuses from strongest to weakest; any other (F, I, B, U…) is weaker than all of them. */
const STATUS_LADDER = ["A", "SD", "P", "E"] as const;

/**
 * The weakest of the statuses of input observations `aliases` (`weakestStatus("n", "d")`): the one lowest
 * on the ladder A (normal) → SD (semi-definitive) → P (provisional) → E (estimated), a status off the
 * ladder being the weakest; two different statuses off the ladder give E. For a stage's `inputs_status`.
 */
export const weakestStatus = (...aliases: string[]) => {
  const rank = (s: string) =>
    `case ${s} ${STATUS_LADDER.map((code, i) => `when '${code}' then ${i}`).join(" ")} else ${STATUS_LADDER.length} end`;
  const statuses = aliases.map((a) => `${a}.obs_status`).join(", ");
  return sql.raw(`(select case when count(distinct w.s) > 1 then 'E' else min(w.s) end
      from (select u.s, ${rank("u.s")} as r, max(${rank("u.s")}) over () as worst
            from unnest(array[${statuses}]::text[]) as u(s)) as w
      where w.r = w.worst)`);
};

/** One measure of a dataset's series over another, as `ratioRows` computes it. */
export interface RatioOfMeasures {
  /** The dataset of both inputs, and of the ratio. */
  datasetCode: string;
  numerator: { indicatorCode: string; measure: string };
  denominator: { indicatorCode: string; measure: string };
  /** The ratio's series: indicator, measure, unit and derivation in words. */
  ratio: { indicatorCode: string; measure: string; unit: string; derivation: string };
  /** What the quotient is multiplied by: 100 for a percentage, 1 for a plain ratio. */
  factor: number;
  /** Decimals the ratio is served with; by default one for a percentage (as INSEE gives rates), else two. */
  decimals?: number;
}

/**
 * A stage (see DerivedRows): factor × numerator ÷ denominator for every territory, breakdown and period
 * where both inputs are stored, each series of the inputs' dataset that is not itself derived. The value
 * is null (status M) when either input is null or the denominator is not above zero, so that a ratio
 * never outlives inputs revised that way. `derived_from` lists the numerator, then the denominator;
 * `inputs_status` is their weakest status; `missing_inputs` adds up what each input lacks.
 */
export const ratioRows = (spec: RatioOfMeasures): DerivedRows => sql`
  select ${spec.ratio.indicatorCode}::text as indicator_code, n.territory_code, ${spec.ratio.measure}::text as measure,
    n.breakdown, n.filiere_code, n.naf_code, n.dataset_code, n.frequency, ${spec.ratio.unit}::text as unit,
    ${spec.ratio.derivation}::text as derivation, nv.period, nv.period_start, nv.period_end,
    case when nv.value is not null and dv.value > 0
      then ${spec.factor}::double precision * nv.value / dv.value end as value,
    (${missingOf("nv")} + ${missingOf("dv")})::int as missing_inputs,
    nv.obs_status = 'A' and dv.obs_status = 'A' as inputs_all_a,
    ${weakestStatus("nv", "dv")} as inputs_status,
    jsonb_build_array(jsonb_build_object('seriesId', n.id, 'period', nv.period),
      jsonb_build_object('seriesId', d.id, 'period', dv.period)) as derived_from,
    ${spec.decimals ?? (spec.factor === 100 ? 1 : 2)}::int as decimals
  from series n
  -- the whole natural key, so the join is one unique-index probe per series
  join series d on d.indicator_code = ${spec.denominator.indicatorCode} and d.territory_code = n.territory_code
    and d.measure = ${spec.denominator.measure} and d.breakdown_key = n.breakdown_key
    and d.dataset_code = n.dataset_code and not d.derived
  join observations nv on nv.series_id = n.id
  join observations dv on dv.series_id = d.id and dv.period = nv.period
  where n.dataset_code = ${spec.datasetCode} and n.indicator_code = ${spec.numerator.indicatorCode}
    and n.measure = ${spec.numerator.measure} and not n.derived`;

/**
 * Brings the planner's statistics up to date. A load may just have written a million observations and
 * PGlite runs no autovacuum (PostgreSQL's comes later, if at all, before a derive): with the statistics
 * of an empty table the planner chooses nested loops over whole tables, seconds where milliseconds do.
 * ANALYZE samples a fixed number of rows, so it stays cheap however large the table.
 */
export async function refreshStatistics(db: Db, tables: readonly string[]): Promise<void> {
  for (const table of tables) await db.execute(sql`analyze ${sql.identifier(table)}`);
}

/**
 * Upserts the derived series and observations `rows` yields (see DerivedRows). Run it inside a
 * transaction: it stages the rows in a temporary table so the SELECT runs once. Throws if a row would
 * land on a series a connector loads: one read as published (`derived` false) or one it computes in
 * `convert` (`derived` true, with a `source_key`, which derived series never have): a derivation never
 * overwrites what a load wrote.
 */
export async function upsertDerived(
  db: Db,
  rows: DerivedRows,
  provenance: { runId: number | null },
): Promise<DerivedCounts> {
  await db.execute(sql`drop table if exists pg_temp.derived_rows`);
  // jsonb_object_keys, not jsonb_each_text: PostgreSQL gives each call of jsonb_each_text (it returns a
  // whole set at once) a copy of its row type in the statement's memory, 85 bytes a row kept until the
  // statement ends; PGlite's WebAssembly memory never gives it back (+25 MB for the filière stage of an
  // URSSAF export of 190 years, bench:urssaf's `years` size).
  await db.execute(sql`
    create temporary table derived_rows as
    select q.*, coalesce((select string_agg(k || '=' || (q.breakdown ->> k), ';' order by k collate "C")
                          from jsonb_object_keys(q.breakdown) as k), '') as breakdown_key
    from (${rows}) as q`);
  // Stages that do not yield it leave the status rule's default, E.
  await db.execute(sql`alter table derived_rows add column if not exists inputs_status text`);
  // Stages that do not declare their precision take their inputs' (see precision.ts).
  await db.execute(sql`alter table derived_rows add column if not exists decimals int`);
  const [clash] = await selectRows<{ series: string }>(
    db,
    sql`select s.indicator_code || '|' || s.territory_code || '|' || s.measure || '|' || s.breakdown_key as series
        from derived_rows d join series s using (indicator_code, territory_code, measure, breakdown_key)
        where not s.derived or s.source_key is not null limit 1`,
  );
  if (clash) throw new Error(`derived rows would overwrite the loaded series ${clash.series}`);
  await upsertSeriesFrom(
    db,
    sql`select distinct on (indicator_code, territory_code, measure, breakdown_key)
          indicator_code, territory_code, measure, breakdown, breakdown_key, filiere_code, naf_code, dataset_code,
          null::text as source_key, frequency, unit, 0 as unit_mult, null::text as title_fr, null::text as title_en,
          null::timestamptz as source_updated_at, true as derived, derivation, '{}'::jsonb as metadata,
          null::int as decimals
        from derived_rows
        order by indicator_code, territory_code, measure, breakdown_key`,
  );
  const counts = await upsertObservationsFrom(
    db,
    sql`select s.id as series_id, d.period, d.period_start, d.period_end, d.value,
          case when d.value is null then 'M' when d.missing_inputs > 0 then 'E'
               when d.inputs_all_a then 'A' else coalesce(d.inputs_status, 'E') end as obs_status,
          null::text as obs_qual,
          case when d.missing_inputs > 0 then jsonb_build_object('missing_inputs', d.missing_inputs::text)
               else '{}'::jsonb end as attributes,
          d.derived_from
        from derived_rows d join series s using (indicator_code, territory_code, measure, breakdown_key)`,
    { runId: provenance.runId, rawPayloadId: null, sourceUrl: null, retrievedAt: null },
  );
  await recordDerivedDecimals(db);
  const [n] = await selectRows<{ n: number | string }>(db, sql`select count(*) as n from derived_rows`);
  await db.execute(sql`drop table derived_rows`);
  return { rows: Number(n?.n ?? 0), ...counts };
}
