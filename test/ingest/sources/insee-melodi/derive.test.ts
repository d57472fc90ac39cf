/**
 * The youth employment rate derived from the stored census observations. Every number in the fixture
 * (test/fixtures/insee-melodi/rp-emploi-lr-youth-invented-values.json) is INVENTED: only its envelope and
 * dimension names are Melodi's. COM-13001, 2022: 6000.12345 employed 15-24 year-olds out of 20000.5. The
 * rates below are what the derivation makes of those numbers, never real figures.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runStream } from "../../../../ingest/core/runner";
import {
  deriveYouthEmploymentRate,
  YOUTH_RATE,
  YOUTH_RATE_DERIVATION,
} from "../../../../ingest/sources/insee-melodi/derive";
import {
  inseeMelodi,
  youthEmploymentStream,
} from "../../../../ingest/sources/insee-melodi/insee-melodi.source";
import { selectRows } from "../../../../src/db/client";
import { loggerFor } from "../../../../src/logger";
import { createTestDatabase, type TestDatabase } from "../../../support/db";

const log = loggerFor("test");
const invented = readFileSync(
  join(import.meta.dirname, "../../../fixtures/insee-melodi/rp-emploi-lr-youth-invented-values.json"),
  "utf-8",
);
const dir = mkdtempSync(join(tmpdir(), "hublot-melodi-derive-"));
let files = 0;
/** Writes a variant of the answer to disk, for `runStream`'s `fromFile` (it stands for the communes' request). */
const answerFile = (text: string) => {
  const path = join(dir, `answer-${++files}.json`);
  writeFileSync(path, text);
  return path;
};
const run = (db: TestDatabase["db"], fromFile: string) =>
  runStream({ db, source: inseeMelodi, stream: youthEmploymentStream, trigger: "test", fromFile, log });

/** A census observation in the fixture's shape (invented value). */
const cell = (commune: string, empsta: "1" | "_T", value: number, status?: string) => ({
  dimensions: {
    GEO: `2025-COM-${commune}`,
    FREQ: "A",
    TIME_PERIOD: "2022",
    SEX: "_T",
    AGE: "Y15T24",
    EDUC: "_T",
    RP_MEASURE: "POP",
    EMPSTA_ENQ: empsta,
  },
  measures: { OBS_VALUE_NIVEAU: { value } },
  ...(status ? { attributes: { OBS_STATUS: status } } : {}),
});
const withCells = (cells: unknown[]) => {
  const answer = JSON.parse(invented);
  answer.observations.push(...cells);
  return JSON.stringify(answer);
};

interface Row {
  series_id: number;
  value: number | null;
  obs_status: string;
  attributes: Record<string, string>;
  derived_from: { seriesId: number; period: string }[] | null;
  run_id: number | null;
  derived: boolean;
  derivation: string | null;
  unit: string;
  dataset_code: string;
}

const observation = async (db: TestDatabase["db"], territory: string, measure: string, period = "2022") =>
  (
    await selectRows<Row>(
      db,
      sql`select s.id as series_id, o.value, o.obs_status, o.attributes, o.derived_from, o.run_id::int as run_id, s.derived,
            s.derivation, s.unit, s.dataset_code
          from observations o join series s on s.id = o.series_id
          where s.indicator_code = 'youth_employment_rate' and s.territory_code = ${territory}
            and s.measure = ${measure} and s.breakdown_key = '' and o.period = ${period}`,
    )
  )[0];

const counts = async (db: TestDatabase["db"]) =>
  (
    await selectRows<{ observations: number; revisions: number; series: number }>(
      db,
      sql`select (select count(*)::int from observations) as observations,
                 (select count(*)::int from observation_revisions) as revisions,
                 (select count(*)::int from series) as series`,
    )
  )[0];

describe("insee-melodi.youth-employment derived rate (invented values)", () => {
  let database: TestDatabase;
  let db: TestDatabase["db"];
  let runId: number | null;
  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.db;
    const summary = await run(db, answerFile(invented));
    expect(summary).toMatchObject({ status: "success", error: null });
    runId = summary.runId;
  });
  afterAll(async () => {
    await database?.close();
  });

  it("computes 100 × employed ÷ population, flagged derived, listing both inputs", async () => {
    const employed = await observation(db, "COM-13001", "employed_15_24");
    const population = await observation(db, "COM-13001", "population_15_24");
    expect(employed).toMatchObject({ value: 6000.12345, derived: false });
    expect(population).toMatchObject({ value: 20000.5, derived: false });
    const rate = await observation(db, "COM-13001", YOUTH_RATE);
    expect(rate).toMatchObject({
      value: (100 * 6000.12345) / 20000.5,
      obs_status: "A",
      attributes: {},
      derived: true,
      derivation: YOUTH_RATE_DERIVATION,
      unit: "%",
      dataset_code: "DS_RP_EMPLOI_LR_PRINC",
      run_id: runId,
    });
    expect(rate?.value).toBeCloseTo(29.99987, 5);
    expect(rate?.derived_from).toEqual([
      { seriesId: employed?.series_id, period: "2022" },
      { seriesId: population?.series_id, period: "2022" },
    ]);
  });

  it("writes nothing when derived again, or when the same answer comes back", async () => {
    const before = await counts(db);
    expect(await deriveYouthEmploymentRate(db, log)).toEqual({ rows: 1, inserted: 0, updated: 0 });
    const again = await run(db, answerFile(invented));
    expect(again).toMatchObject({ status: "unchanged", rowsInserted: 0, rowsUpdated: 0 });
    expect(await counts(db)).toEqual(before);
  });

  it("recomputes the rate when an input is revised, keeping the previous one", async () => {
    const before = await counts(db);
    const rateBefore = await observation(db, "COM-13001", YOUTH_RATE);
    const revised = await run(db, answerFile(invented.replace('"value": 20000.5', '"value": 25000.0')));
    expect(revised).toMatchObject({ status: "success", rowsUpdated: 1, rowsInserted: 0 });
    const rate = await observation(db, "COM-13001", YOUTH_RATE);
    expect(rate).toMatchObject({ value: (100 * 6000.12345) / 25000, obs_status: "A", run_id: revised.runId });
    expect(rate?.derived_from).toEqual(rateBefore?.derived_from);
    // Two revision rows: the population as first loaded, and the rate computed from it.
    expect(await counts(db)).toEqual({ ...before, revisions: before.revisions + 2 });
    const history = await selectRows<{ value: number; replaced_by_run_id: number }>(
      db,
      sql`select value, replaced_by_run_id::int as replaced_by_run_id from observation_revisions where series_id = ${rateBefore?.series_id}`,
    );
    expect(history).toEqual([{ value: (100 * 6000.12345) / 20000.5, replaced_by_run_id: revised.runId }]);
  });
});

describe("youth employment rate: which inputs give a rate, and its status (invented values)", () => {
  let database: TestDatabase;
  let db: TestDatabase["db"];
  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.db;
    const answer = withCells([
      // Marseille: a provisional employed count over a semi-definitive population → P, the weaker.
      cell("13055", "1", 30000, "P"),
      cell("13055", "_T", 100000, "SD"),
      // Allauch: an estimated population → E.
      cell("13002", "1", 1000),
      cell("13002", "_T", 4000, "E"),
      // Pertuis: the population alone → no rate.
      cell("84089", "_T", 2000),
      // Cassis: no 15-24 year-olds → no value, M.
      cell("13022", "1", 0),
      cell("13022", "_T", 0),
    ]);
    expect(await run(db, answerFile(answer))).toMatchObject({ status: "success", error: null });
  });
  afterAll(async () => {
    await database?.close();
  });

  it("takes the weaker status of the two inputs", async () => {
    expect(await observation(db, "COM-13055", YOUTH_RATE)).toMatchObject({ value: 30, obs_status: "P" });
    expect(await observation(db, "COM-13002", YOUTH_RATE)).toMatchObject({ value: 25, obs_status: "E" });
    expect(await observation(db, "COM-13001", YOUTH_RATE)).toMatchObject({ obs_status: "A" });
  });

  it("gives a rate only where both inputs are stored, and none over a zero population", async () => {
    expect(await observation(db, "COM-84089", "population_15_24")).toMatchObject({ value: 2000 });
    expect(await observation(db, "COM-84089", YOUTH_RATE)).toBeUndefined();
    expect(await observation(db, "COM-13022", YOUTH_RATE)).toMatchObject({
      value: null,
      obs_status: "M",
      attributes: {},
    });
  });
});
