/**
 * Writes a conversion's rows: series and observations upserted by natural key in batches (one
 * statement per batch, the rows travel as one JSON parameter so neither driver hits the bind-parameter
 * limit), a changed value moved to the revision history first, an unchanged value never rewritten.
 * The two upserts take their rows from any SELECT, so derived series (`core/derive.ts`) computed in SQL
 * go through the same revision path without a round trip through JavaScript.
 */
import { type SQL, sql } from "drizzle-orm";
import { type Db, selectRows } from "../../src/db/client";
import { bumpDataVersion } from "../../src/db/data-version";
import { PeriodError, parsePeriod } from "../../src/period";
import { decimalsBySeries, recordDecimals } from "./precision";
import {
  type ConvertBatch,
  ConvertError,
  type ObservationInput,
  type SeriesInput,
  type SeriesKey,
} from "./types";

const BATCH = 5_000;

export interface RowCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

export interface Provenance {
  runId: number;
  rawPayloadId: number | null;
  sourceUrl: string;
  retrievedAt: Date;
  datasetCode: string;
}

/** `{ sex: "F", filiere: "F1" }` → `filiere=F1;sex=F`: the same breakdown always gives the same key. */
export function breakdownKey(breakdown: Record<string, string>): string {
  return Object.keys(breakdown)
    .sort()
    .map((k) => `${k}=${breakdown[k]}`)
    .join(";");
}

const seriesKeyOf = (s: SeriesKey) =>
  `${s.indicatorCode}|${s.territoryCode}|${s.measure}|${breakdownKey(s.breakdown)}`;

/**
 * The ids of the series a load has written, by natural key, held for the whole load. In two levels
 * (indicator|territory|measure, then the breakdown key): the series of a large export share their first
 * three parts, and one flat key a series held 28 MB for the 134 000 series of an URSSAF export 6.5× the
 * real size, where this holds 10.
 */
class SeriesIds {
  private readonly byStem = new Map<string, Map<string, number>>();

  get(s: SeriesKey): number | undefined {
    return this.byStem
      .get(`${s.indicatorCode}|${s.territoryCode}|${s.measure}`)
      ?.get(breakdownKey(s.breakdown));
  }

  set(row: SeriesIdRow) {
    const stem = `${row.indicator_code}|${row.territory_code}|${row.measure}`;
    let byBreakdown = this.byStem.get(stem);
    if (!byBreakdown) {
      byBreakdown = new Map();
      this.byStem.set(stem, byBreakdown);
    }
    byBreakdown.set(row.breakdown_key, Number(row.id));
  }
}

/**
 * Refuses rows that point at codes the hub does not know, before they are written, with the code named.
 * `known` remembers the codes already checked, so a streamed conversion asks once per code.
 */
async function checkCodes(
  db: Db,
  series: SeriesInput[],
  known: { indicators: Set<string>; territories: Set<string> },
): Promise<void> {
  const wanted = {
    indicators: [...new Set(series.map((s) => s.indicatorCode))].filter((c) => !known.indicators.has(c)),
    territories: [...new Set(series.map((s) => s.territoryCode))].filter((c) => !known.territories.has(c)),
  };
  for (const [table, codes] of Object.entries(wanted) as [keyof typeof known, string[]][]) {
    if (codes.length === 0) continue;
    const found = await selectRows<{ code: string }>(
      db,
      sql`select code from ${sql.identifier(table)} where code in (${sql.join(
        codes.map((c) => sql`${c}`),
        sql`, `,
      )})`,
    );
    const present = new Set(found.map((r) => r.code));
    const missing = codes.filter((c) => !present.has(c));
    if (missing.length > 0) {
      throw new ConvertError(`unknown ${table.slice(0, -1)} code(s): ${missing.slice(0, 5).join(", ")}`);
    }
    for (const c of codes) known[table].add(c);
  }
}

/** The columns of `series` an upsert writes, as a record definition for `jsonb_to_recordset`. */
const SERIES_COLUMNS = `indicator_code text, territory_code text, measure text, breakdown jsonb, breakdown_key text,
    filiere_code text, naf_code text, dataset_code text, source_key text, frequency text, unit text, unit_mult int,
    title_fr text, title_en text, source_updated_at timestamptz, derived boolean, derivation text, metadata jsonb,
    decimals int`;
/** The columns that describe a series (everything but its natural key): rewritten only when one differs. */
const DESCRIBED = [
  "filiere_code",
  "naf_code",
  "dataset_code",
  "source_key",
  "frequency",
  "unit",
  "unit_mult",
  "title_fr",
  "title_en",
  "source_updated_at",
  "derived",
  "derivation",
  "metadata",
];
const described = (prefix = "") => sql.raw(DESCRIBED.map((c) => prefix + c).join(", "));

interface SeriesIdRow {
  id: number;
  indicator_code: string;
  territory_code: string;
  measure: string;
  breakdown_key: string;
}

/**
 * Upserts series from `source`, a SELECT yielding every column of SERIES_COLUMNS, one row per natural
 * key (indicator, territory, measure, breakdown_key). A series whose description is unchanged is not
 * rewritten. `decimals` is written for a new series only (loads only ever raise it, recordDecimals).
 * Returns the series it inserted or rewrote, with their ids and whether they are new.
 */
export async function upsertSeriesFrom(
  db: Db,
  source: SQL,
): Promise<(SeriesIdRow & { inserted: boolean })[]> {
  return selectRows(
    db,
    sql`insert into series (indicator_code, territory_code, measure, breakdown, breakdown_key, ${described()}, decimals)
      select indicator_code, territory_code, measure, breakdown, breakdown_key, ${described()}, decimals
      from (${source}) as r
      on conflict (indicator_code, territory_code, measure, breakdown_key) do update
        set (${described()}) = (${described("excluded.")})
        where (${described("series.")}) is distinct from (${described("excluded.")})
      returning id, indicator_code, territory_code, measure, breakdown_key, (xmax = 0) as inserted`,
  );
}

/**
 * Upserts the series and learns their ids; true when none of them existed before. A new series is
 * written with the decimals of its values in this batch (`decimals`), where updating it afterwards
 * rewrote every series of a first load once more.
 */
async function upsertSeries(
  db: Db,
  inputs: SeriesInput[],
  datasetCode: string,
  ids: SeriesIds,
  decimals: Map<SeriesKey, number>,
): Promise<boolean> {
  const rows = inputs.map((s) => ({
    indicator_code: s.indicatorCode,
    territory_code: s.territoryCode,
    measure: s.measure,
    breakdown: s.breakdown,
    breakdown_key: breakdownKey(s.breakdown),
    filiere_code: s.filiereCode ?? s.breakdown.filiere ?? null,
    naf_code: s.nafCode ?? s.breakdown.naf ?? null,
    dataset_code: s.datasetCode ?? datasetCode,
    source_key: s.sourceKey ?? null,
    frequency: s.frequency,
    unit: s.unit,
    unit_mult: s.unitMult ?? 0,
    title_fr: s.titleFr ?? null,
    title_en: s.titleEn ?? null,
    source_updated_at: s.sourceUpdatedAt?.toISOString() ?? null,
    derived: s.derived ?? false,
    derivation: s.derivation ?? null,
    metadata: s.metadata ?? {},
    decimals: decimals.get(s) ?? null,
  }));
  let allNew = true;
  for (let i = 0; i < rows.length; i += BATCH) {
    const json = JSON.stringify(rows.slice(i, i + BATCH));
    const recordset = sql`jsonb_to_recordset(${json}::jsonb) as r(${sql.raw(SERIES_COLUMNS)})`;
    const written = await upsertSeriesFrom(db, sql`select * from ${recordset}`);
    for (const r of written) ids.set(r);
    if (written.length === Math.min(BATCH, rows.length - i) && written.every((r) => r.inserted)) continue;
    // Some existed unchanged, so the upsert did not return them: their ids are read by natural key.
    allNew = false;
    const found = await selectRows<SeriesIdRow>(
      db,
      sql`select s.id, s.indicator_code, s.territory_code, s.measure, s.breakdown_key
          from series s join ${recordset}
          using (indicator_code, territory_code, measure, breakdown_key)`,
    );
    for (const r of found) ids.set(r);
  }
  return allNew;
}

/** Where observations written by one upsert come from; derived values have no URL or payload. */
export interface ObservationProvenance {
  runId: number | null;
  rawPayloadId: number | null;
  sourceUrl: string | null;
  retrievedAt: Date | null;
}

/**
 * Upserts observations from `incoming`, a SELECT yielding `series_id int, period text, period_start date,
 * period_end date, value double precision, obs_status text, obs_qual text, attributes jsonb,
 * derived_from jsonb`, one row per (series_id, period). A value whose (value, status, qualifier,
 * attributes, inputs) changed is copied to observation_revisions first; an unchanged one is not touched.
 *
 * `newSeries`: every series of `incoming` was created by the caller's transaction, so the only values
 * they can hold are this payload's own, written by an earlier batch. Nothing is then looked up to be
 * archived (a fifth of a first load's time on PostgreSQL), and a cell written again with another value
 * is the payload contradicting itself.
 */
export async function upsertObservationsFrom(
  db: Db,
  incoming: SQL,
  provenance: ObservationProvenance,
  options: { newSeries?: boolean; bumpVersion?: boolean } = {},
): Promise<{ inserted: number; updated: number }> {
  const now = new Date().toISOString();
  const upsert = sql`
      insert into observations (series_id, period, period_start, period_end, value, obs_status, obs_qual, attributes,
        source_url, retrieved_at, run_id, raw_payload_id, derived_from, valid_from)
      select series_id, period, period_start, period_end, value, obs_status, obs_qual, attributes,
        ${provenance.sourceUrl}, ${provenance.retrievedAt?.toISOString() ?? null}::timestamptz,
        ${provenance.runId}::bigint, ${provenance.rawPayloadId}::bigint, derived_from, ${now}::timestamptz
      from incoming
      on conflict (series_id, period) do update set
        (value, obs_status, obs_qual, attributes, source_url, retrieved_at, run_id, raw_payload_id, doc_ref,
          derived_from, valid_from) =
        (excluded.value, excluded.obs_status, excluded.obs_qual, excluded.attributes, excluded.source_url,
          excluded.retrieved_at, excluded.run_id, excluded.raw_payload_id, null, excluded.derived_from,
          excluded.valid_from)
      where (observations.value, observations.obs_status, observations.obs_qual, observations.attributes,
          observations.derived_from)
        is distinct from (excluded.value, excluded.obs_status, excluded.obs_qual, excluded.attributes,
          excluded.derived_from)`;
  // Data-modifying CTEs all see the table as it was before the statement, so `changed` reads the old
  // values that `revised` archives while `upserted` replaces them.
  const [r] = await selectRows<{
    inserted: number | string;
    updated: number | string;
    contradicted: string | null;
  }>(
    db,
    options.newSeries
      ? sql`
    with incoming as (${incoming}),
    upserted as (${upsert} returning series_id, period, (xmax = 0) as inserted)
    select count(*) filter (where inserted) as inserted, count(*) filter (where not inserted) as updated,
      min(series_id || ' ' || period) filter (where not inserted) as contradicted
    from upserted`
      : sql`
    with incoming as (${incoming}),
    changed as (
      select o.* from observations o join incoming i on i.series_id = o.series_id and i.period = o.period
      where (o.value, o.obs_status, o.obs_qual, o.attributes, o.derived_from)
        is distinct from (i.value, i.obs_status, i.obs_qual, i.attributes, i.derived_from)
    ),
    revised as (
      insert into observation_revisions (series_id, period, value, obs_status, obs_qual, attributes, source_url,
        retrieved_at, run_id, raw_payload_id, doc_ref, derived_from, valid_from, valid_to, replaced_by_run_id)
      select series_id, period, value, obs_status, obs_qual, attributes, source_url, retrieved_at, run_id,
        raw_payload_id, doc_ref, derived_from, valid_from, ${now}::timestamptz, ${provenance.runId}::bigint from changed
    ),
    upserted as (${upsert} returning (xmax = 0) as inserted)
    select count(*) filter (where inserted) as inserted, count(*) filter (where not inserted) as updated,
      -- A value this same payload wrote in an earlier batch, now given differently: the payload says two
      -- things about one cell (a payload's own batches never revise each other).
      (select min(series_id || ' ' || period) from changed
        where raw_payload_id = ${provenance.rawPayloadId}::bigint and run_id = ${provenance.runId}::bigint) as contradicted
    from upserted`,
  );
  if (r?.contradicted) {
    const [seriesId, period] = r.contradicted.split(" ");
    throw new ConvertError(`two different values for series ${seriesId} at ${period} in one payload`);
  }
  const counts = { inserted: Number(r?.inserted ?? 0), updated: Number(r?.updated ?? 0) };
  // HTTP caches key on it; a caller writing many batches may advance it once (`bumpVersion: false`).
  if (counts.inserted + counts.updated > 0 && options.bumpVersion !== false) await bumpDataVersion(db);
  return counts;
}

export interface LoadOutcome {
  rows: RowCounts;
  /** Cells the conversion left out, by reason, added up over its batches. */
  skipped: Record<string, number>;
  /** The conversion's new cursor, its batches' cursors merged. */
  cursor?: Record<string, unknown>;
}

/**
 * Loads a conversion batch by batch as it streams. Call it inside the resource's transaction: it throws
 * on the first problem (a code the hub does not know, a bad period, a value given twice) and leaves
 * the rollback, which undoes every batch already written, to the caller. What it holds between batches
 * is the id of each series seen so far, never the observations.
 *
 * One observation upsert stays in flight while the next rows are parsed, checked and serialized: on
 * PostgreSQL the server writes while Node converts, where each waited for the other. The statements
 * still run one after the other, in order, on the transaction's connection.
 */
export async function loadBatches(
  db: Db,
  batches: AsyncIterable<ConvertBatch>,
  provenance: Provenance,
): Promise<LoadOutcome> {
  const ids = new SeriesIds();
  const knownCodes = { indicators: new Set<string>(), territories: new Set<string>() };
  const outcome: LoadOutcome = { rows: { inserted: 0, updated: 0, unchanged: 0 }, skipped: {} };
  // True while every series this load has written was created by it: a first load of a resource.
  let everySeriesNew = true;
  let inFlight: Promise<void> | undefined;
  const settle = async () => {
    const pending = inFlight;
    inFlight = undefined;
    await pending;
  };
  try {
    for await (const batch of batches) {
      for (const [reason, n] of Object.entries(batch.skipped ?? {})) {
        outcome.skipped[reason] = (outcome.skipped[reason] ?? 0) + n;
      }
      if (batch.cursor) outcome.cursor = { ...outcome.cursor, ...batch.cursor };
      const fresh = new Map<string, SeriesInput>();
      for (const s of batch.series ?? []) {
        if (ids.get(s) === undefined) fresh.set(seriesKeyOf(s), s);
      }
      // Each value's decimals are read once, by the series it names: new series are inserted with them.
      const byInput = decimalsBySeries(batch.observations ?? []);
      let freshAllNew = false;
      if (fresh.size > 0) {
        await settle();
        await checkCodes(db, [...fresh.values()], knownCodes);
        freshAllNew = await upsertSeries(db, [...fresh.values()], provenance.datasetCode, ids, byInput);
        if (!freshAllNew) everySeriesNew = false;
      }
      const rows = observationRows(batch.observations ?? [], ids);
      const decimals = new Map<number, number>();
      for (const [s, d] of byInput) {
        const id = ids.get(s);
        if (id !== undefined && d > (decimals.get(id) ?? -1)) decimals.set(id, d);
      }
      // Series just inserted with these very decimals need no update.
      if (freshAllNew)
        for (const s of fresh.values()) {
          const id = ids.get(s);
          if (id !== undefined && decimals.get(id) === byInput.get(s)) decimals.delete(id);
        }
      for (let i = 0; i < rows.length; i += BATCH) {
        const chunk = JSON.stringify(rows.slice(i, i + BATCH));
        const size = Math.min(BATCH, rows.length - i);
        // Without a payload to attribute the earlier batches to, a repeated cell is a revision as before.
        const newSeries = everySeriesNew && provenance.rawPayloadId !== null;
        const first = i === 0;
        const write = async () => {
          // The decimals travel with the first chunk, in flight while the next rows are read.
          if (first) await recordDecimals(db, decimals);
          const { inserted, updated } = await upsertObservationsFrom(
            db,
            // json, not jsonb: the rows are read once, and building jsonb's tree cost more than that.
            sql`select * from json_to_recordset(${chunk}::json) as r(series_id int, period text,
              period_start date, period_end date, value double precision, obs_status text, obs_qual text,
              attributes jsonb, derived_from jsonb)`,
            provenance,
            { newSeries, bumpVersion: false },
          );
          outcome.rows.inserted += inserted;
          outcome.rows.updated += updated;
          outcome.rows.unchanged += size - inserted - updated;
        };
        await settle();
        inFlight = write();
        // Its failure is thrown by the next settle(); until then it must not count as unhandled.
        inFlight.catch(() => {});
      }
    }
    await settle();
    if (outcome.rows.inserted + outcome.rows.updated > 0) await bumpDataVersion(db);
  } finally {
    // A conversion that failed while a statement ran: that statement ends before the caller rolls back.
    await inFlight?.catch(() => {});
  }
  return outcome;
}

/** One batch's observations as table rows, checked, and given once each (a repeat must agree). */
function observationRows(observations: ObservationInput[], ids: SeriesIds) {
  const rows = new Map<string, ObservationRow>();
  // Conversions give a series' observations one after the other: its id is looked up once for them.
  let last: { series: SeriesKey; id: number | undefined } | undefined;
  for (const o of observations) {
    if (last?.series !== o.series) last = { series: o.series, id: ids.get(o.series) };
    const seriesId = last.id;
    if (seriesId === undefined) {
      throw new ConvertError(
        `observation ${o.period} refers to a series not in this batch or an earlier one: ${seriesKeyOf(o.series)}`,
      );
    }
    let period: ReturnType<typeof parsePeriod>;
    try {
      period = parsePeriod(o.period);
    } catch (error) {
      if (error instanceof PeriodError) throw new ConvertError(error.message, { cause: error });
      throw error;
    }
    if (o.value !== null && !Number.isFinite(o.value)) {
      throw new ConvertError(
        `observation ${seriesKeyOf(o.series)} ${o.period}: value ${o.value} is not a number`,
      );
    }
    const row: ObservationRow = {
      series_id: seriesId,
      period: period.period,
      period_start: period.start,
      period_end: period.end,
      value: o.value,
      obs_status: o.obsStatus,
      obs_qual: o.obsQual ?? null,
      attributes: o.attributes ?? {},
    };
    const key = `${seriesId}|${period.period}`;
    const previous = rows.get(key);
    if (previous && JSON.stringify(previous) !== JSON.stringify(row)) {
      throw new ConvertError(`two different values for ${seriesKeyOf(o.series)} at ${period.period}`);
    }
    rows.set(key, row);
  }
  return [...rows.values()];
}

interface ObservationRow {
  series_id: number;
  period: string;
  period_start: string;
  period_end: string;
  value: number | null;
  obs_status: string;
  obs_qual: string | null;
  attributes: Record<string, string>;
}
