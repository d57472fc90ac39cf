/**
 * A stream of INVENTED quarterly values for the engine's tests: its payload is
 * `{"values": [["2024-Q1", 7.5], …]}` for one made-up series (indicator unemployment_rate, DEP-13), and
 * its optional derive doubles every value into a second series. Nothing in it is a published figure.
 */
import { sql } from "drizzle-orm";
import { upsertDerived } from "../../ingest/core/derive";
import { wholeBody } from "../../ingest/core/payload";
import type { SourceDefinition, StreamDefinition } from "../../ingest/core/types";
import type { Db } from "../../src/db/client";

export const inventedPayload = (values: [string, number][]) => JSON.stringify({ values });

/** `n` quarters from 2000-Q1 (or `from`), valued `value(i)`. */
export const quarters = (n: number, value: (i: number) => number, from = 2000): [string, number][] =>
  Array.from({ length: n }, (_, i) => [`${from + Math.floor(i / 4)}-Q${(i % 4) + 1}`, value(i)]);

export function inventedStream(
  id: string,
  measure: string,
  overrides: Partial<StreamDefinition> = {},
): StreamDefinition {
  const key = { indicatorCode: "unemployment_rate", territoryCode: "DEP-13", measure, breakdown: {} };
  return {
    id,
    description: "engine test stream with INVENTED values",
    schedule: "0 6 1 1 *",
    indicators: ["unemployment_rate"],
    datasetCode: "TAUX-CHOMAGE",
    plan: (ctx) => [{ key: "only", url: `${ctx.baseUrl}/data/invented.json` }],
    convert: wholeBody((payload) => {
      const { values } = JSON.parse(new TextDecoder().decode(payload.body)) as { values: [string, number][] };
      return {
        series: [{ ...key, frequency: "Q", unit: "%" }],
        observations: values.map(([period, value]) => ({ series: key, period, value, obsStatus: "A" })),
        skipped: {},
      };
    }),
    ...overrides,
  };
}

/** Derives `to` = 2 × `from` for every stored value of `from`, in one stage. */
export async function deriveDouble(db: Db, runId: number | null, from: string, to: string): Promise<void> {
  await upsertDerived(
    db,
    sql`select 'unemployment_rate'::text as indicator_code, s.territory_code, ${to}::text as measure,
          s.breakdown, s.filiere_code, s.naf_code, s.dataset_code, s.frequency, s.unit,
          'twice the invented value'::text as derivation, o.period, o.period_start, o.period_end,
          2 * o.value as value, 0 as missing_inputs, o.obs_status = 'A' as inputs_all_a,
          jsonb_build_array(jsonb_build_object('seriesId', s.id, 'period', o.period)) as derived_from
        from series s join observations o on o.series_id = s.id where s.measure = ${from}`,
    { runId },
  );
}

export const sourceOf = (
  id: string,
  stream: StreamDefinition,
  defaultBaseUrl = "http://127.0.0.1:9",
): SourceDefinition => ({
  id,
  title: `Test source ${id}`,
  partnerCode: "INSEE",
  defaultBaseUrl,
  streams: [stream],
});
