/**
 * The decimals a source publishes a series with, kept on the series so the API can serve values and the
 * changes between them as published (see src/graphql/series/precision.ts). A value parsed from the
 * source's text prints back as that text (JavaScript's shortest round-trip form), so its decimals are
 * the source's; a value a converter computed may carry float noise, hence the cap.
 */
import { sql } from "drizzle-orm";
import type { Db } from "../../src/db/client";

/** No source publishes more; anything longer is float noise of a computation. */
export const MAX_DECIMALS = 6;

/** Decimals of a number as it prints: 9.1 → 1, 101653 → 0, 1e-7 → 6 (capped). */
export function decimalsOf(value: number): number {
  if (!Number.isFinite(value) || Number.isInteger(value)) return 0;
  const [mantissa, exponent] = String(Math.abs(value)).split("e");
  const fraction = mantissa.split(".")[1]?.length ?? 0;
  return Math.min(MAX_DECIMALS, Math.max(0, fraction - Number(exponent ?? 0)));
}

/**
 * The most decimals among each series' values, by the series each observation names (the same object
 * a conversion gives its series and their observations), read before the series have ids.
 */
export function decimalsBySeries<S>(observations: { series: S; value: number | null }[]): Map<S, number> {
  const out = new Map<S, number>();
  for (const o of observations) {
    if (o.value === null) continue;
    const d = decimalsOf(o.value);
    if (d > (out.get(o.series) ?? -1)) out.set(o.series, d);
  }
  return out;
}

/**
 * Raises each series' `decimals` to what a load saw: a payload that happens to hold only round values
 * does not make a series published to one decimal look like an integer one.
 */
export async function recordDecimals(db: Db, decimals: Map<number, number>): Promise<void> {
  if (decimals.size === 0) return;
  const json = JSON.stringify([...decimals].map(([id, d]) => ({ id, d })));
  await db.execute(sql`update series s set decimals = greatest(coalesce(s.decimals, 0), v.d)
    from jsonb_to_recordset(${json}::jsonb) as v(id int, d int)
    where s.id = v.id and s.decimals is distinct from greatest(coalesce(s.decimals, 0), v.d)`);
}

/**
 * A derived series' decimals: what its stage declares (a percentage to one decimal), else the most its
 * inputs have (a sum of counts stays whole). Reads `derived_rows`, staged by upsertDerived.
 */
export async function recordDerivedDecimals(db: Db): Promise<void> {
  await db.execute(sql`update series s set decimals = x.d
    from (
      select one.id, coalesce(one.decimals, (
          select max(i.decimals) from jsonb_array_elements(one.derived_from) e
          join series i on i.id = (e->>'seriesId')::int)) as d
      from (
        select distinct on (s2.id) s2.id, dr.decimals, dr.derived_from
        from derived_rows dr join series s2 using (indicator_code, territory_code, measure, breakdown_key)
        order by s2.id
      ) one
    ) x
    where s.id = x.id and x.d is not null and s.decimals is distinct from x.d`);
}
