/**
 * `loadBatches`, the loader a conversion streams into: a series is named once, in the batch of its first
 * observation or earlier, and later batches refer to it without naming it again. Values INVENTED.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadBatches, type Provenance } from "../../../ingest/core/loader";
import type { ConvertBatch, SeriesInput } from "../../../ingest/core/types";
import { selectRows } from "../../../src/db/client";
import { createTestDatabase, type TestDatabase } from "../../support/db";

let database: TestDatabase;
let provenance: Provenance;

const series = (breakdown: Record<string, string>): SeriesInput => ({
  indicatorCode: "unemployment_rate",
  territoryCode: "DEP-13",
  measure: "loader_test_invented",
  breakdown,
  frequency: "A",
  unit: "%",
});

async function* batches(...list: ConvertBatch[]) {
  yield* list;
}

beforeAll(async () => {
  database = await createTestDatabase();
  const [run] = await selectRows<{ id: number }>(
    database.db,
    sql`insert into ingest_runs (source_id, stream_id, trigger) values ('test', 'test.loader', 'test') returning id`,
  );
  provenance = {
    runId: Number(run?.id),
    rawPayloadId: null,
    sourceUrl: "invented://loader-test",
    retrievedAt: new Date(),
    datasetCode: "TAUX-CHOMAGE",
  };
}, 60_000);
afterAll(() => database?.close());

const stored = () =>
  selectRows<{ breakdown_key: string; period: string; value: number }>(
    database.db,
    sql`select s.breakdown_key, o.period, o.value from observations o join series s on s.id = o.series_id
        where s.measure = 'loader_test_invented' order by 1, 2`,
  );

describe("loadBatches", () => {
  it("files each observation under its own series, named in an earlier batch or in its own", async () => {
    // One indicator, territory and measure: the series differ by their breakdown only.
    const women = series({ sex: "F" });
    const men = series({ sex: "M" });
    const both = series({});
    const outcome = await database.db.transaction((tx) =>
      loadBatches(
        tx,
        batches(
          {
            series: [women, men],
            observations: [
              { series: women, period: "2022", value: 7.1, obsStatus: "A" },
              { series: men, period: "2022", value: 6.4, obsStatus: "A" },
            ],
          },
          // Named again as new objects, not at all, or for the first time.
          {
            series: [both],
            observations: [
              { series: series({ sex: "M" }), period: "2023", value: 6.2, obsStatus: "A" },
              { series: women, period: "2023", value: 7.0, obsStatus: "A" },
              { series: both, period: "2023", value: 6.6, obsStatus: "A" },
            ],
          },
        ),
        provenance,
      ),
    );
    expect(outcome.rows.inserted).toBe(5);
    expect(await stored()).toEqual([
      { breakdown_key: "", period: "2023", value: 6.6 },
      { breakdown_key: "sex=F", period: "2022", value: 7.1 },
      { breakdown_key: "sex=F", period: "2023", value: 7 },
      { breakdown_key: "sex=M", period: "2022", value: 6.4 },
      { breakdown_key: "sex=M", period: "2023", value: 6.2 },
    ]);
  });

  it("refuses an observation of a series no batch named, and keeps nothing of the load", async () => {
    const before = await stored();
    const named = series({ sex: "F" });
    await expect(
      database.db.transaction((tx) =>
        loadBatches(
          tx,
          batches(
            {
              series: [named],
              observations: [{ series: named, period: "2024", value: 7.3, obsStatus: "A" }],
            },
            {
              observations: [{ series: series({ age: "15-24" }), period: "2024", value: 17, obsStatus: "A" }],
            },
          ),
          provenance,
        ),
      ),
    ).rejects.toThrow(/refers to a series not in this batch or an earlier one: .*age=15-24/);
    expect(await stored()).toEqual(before);
  });

  it("writes a new series with the decimals of its values, and only raises them on later loads", async () => {
    const rate = series({ age: "25-49" });
    const load = (values: number[], year: number) =>
      database.db.transaction((tx) =>
        loadBatches(
          tx,
          batches({
            series: [rate],
            observations: values.map((value, i) => ({
              series: rate,
              period: String(year + i),
              value,
              obsStatus: "A",
            })),
          }),
          provenance,
        ),
      );
    const decimals = async () =>
      (
        await selectRows<{ decimals: number | null }>(
          database.db,
          sql`select decimals from series where measure = 'loader_test_invented' and breakdown_key = 'age=25-49'`,
        )
      )[0]?.decimals;
    await load([7.25, 6.5], 2010);
    expect(await decimals()).toBe(2);
    await load([7.125], 2012);
    expect(await decimals()).toBe(3);
    // Round values in a later payload do not make it look published to fewer decimals.
    await load([7], 2013);
    expect(await decimals()).toBe(3);
  });
});

describe("a cell given twice by one payload, in two batches", () => {
  // A payload of its own (the contradiction is the same payload saying two things), INVENTED values.
  const fromPayload = (rawPayloadId: number) => ({ ...provenance, rawPayloadId });
  const twice = (cell: SeriesInput, first: number, second: number, rawPayloadId: number) =>
    database.db.transaction((tx) =>
      loadBatches(
        tx,
        batches(
          {
            series: [cell],
            observations: [
              { series: cell, period: "2021", value: first, obsStatus: "A" },
              { series: cell, period: "2022", value: 5, obsStatus: "A" },
            ],
          },
          { observations: [{ series: cell, period: "2021", value: second, obsStatus: "A" }] },
        ),
        fromPayload(rawPayloadId),
      ),
    );
  const cells = (key: string) =>
    selectRows<{ period: string; value: number }>(
      database.db,
      sql`select o.period, o.value from observations o join series s on s.id = o.series_id
          where s.measure = 'loader_test_invented' and s.breakdown_key = ${key} order by 1`,
    );

  it("with two values fails the load of a new series, keeping none of it", async () => {
    await expect(twice(series({ qpv: "in" }), 9.5, 9.75, 901)).rejects.toThrow(
      /two different values for series \d+ at 2021 in one payload/,
    );
    expect(await cells("qpv=in")).toEqual([]);
  });

  it("with two values fails the load of a series stored before, keeping what was stored", async () => {
    const cell = series({ qpv: "out" });
    await twice(cell, 8, 8, 902);
    await expect(twice(cell, 8.5, 8.25, 903)).rejects.toThrow(/two different values for series \d+ at 2021/);
    expect(await cells("qpv=out")).toEqual([
      { period: "2021", value: 8 },
      { period: "2022", value: 5 },
    ]);
  });

  it("with the same value is no contradiction", async () => {
    const outcome = await twice(series({ qpv: "all" }), 4.5, 4.5, 904);
    expect(outcome.rows).toEqual({ inserted: 2, updated: 0, unchanged: 1 });
  });
});
