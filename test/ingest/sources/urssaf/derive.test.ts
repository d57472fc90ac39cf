/**
 * The series derived from the stored commune × APE observations. Every number in the fixture is
 * INVENTED (only its columns and format are URSSAF's): the values below are what the derivation makes of
 * them, computed by hand from the fixture and ingest/reference/data/filiere-naf-codes.json, never real
 * figures. The fixture, by commune × APE (establishments / jobs for 2022, 2023, 2024):
 *   13001 6201Z GS5  40/300  42/320  45/351        → F4 (core 62.01Z)
 *   13001 2611Z GS1   3/700   3/710  secret        → F4 (core 26.11Z)
 *   13202 5224A GS5   5/900   5/950   6/1000       → F3 (core 52.24A)
 *   13216 5224A GS5   2/400   2/410   2/420        → F3
 *   13202 4711D GS3   4/200   4/210   4/220        → F_RESIDENTIELLE (core division 47)
 *   84089 4332A GS2  10/35   11/37   11/40         → no filière
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runStream } from "../../../../ingest/core/runner";
import { AVG_SIZE, deriveCommuneApe, NET_CHANGE } from "../../../../ingest/sources/urssaf/derive";
import { communeApeStream, urssaf } from "../../../../ingest/sources/urssaf/urssaf.source";
import { selectRows } from "../../../../src/db/client";
import { loggerFor } from "../../../../src/logger";
import { createTestDatabase, type TestDatabase } from "../../../support/db";

const EPCI = "EPCI-200054807";
const JOBS = "private_salaried_jobs";
const ESTABLISHMENTS = "employer_establishments";
const log = loggerFor("test");
const invented = readFileSync(
  join(import.meta.dirname, "../../../fixtures/urssaf/commune-ape-export-invented-values.csv"),
  "utf-8",
);
const lines = invented.trimEnd().split("\n");
const dir = mkdtempSync(join(tmpdir(), "hublot-urssaf-derive-"));
let files = 0;
/** Writes a variant of the export to disk, for `runStream`'s `fromFile`. */
const exportFile = (text: string) => {
  const path = join(dir, `export-${++files}.csv`);
  writeFileSync(path, text);
  return path;
};

interface Row {
  series_id: number;
  value: number | null;
  obs_status: string;
  attributes: Record<string, string>;
  derived_from: { seriesId: number; period: string }[] | null;
  derived: boolean;
  derivation: string | null;
  filiere_code: string | null;
  naf_code: string | null;
  indicator_code: string;
}

const observation = async (
  db: TestDatabase["db"],
  territory: string,
  measure: string,
  breakdownKey: string,
  period: string,
): Promise<Row | undefined> =>
  (
    await selectRows<Row>(
      db,
      sql`select s.id as series_id, o.value, o.obs_status, o.attributes, o.derived_from, s.derived, s.derivation,
            s.filiere_code, s.naf_code, s.indicator_code
          from observations o join series s on s.id = o.series_id
          where s.territory_code = ${territory} and s.measure = ${measure} and s.breakdown_key = ${breakdownKey}
            and o.period = ${period}`,
    )
  )[0];

const seriesId = async (db: TestDatabase["db"], territory: string, measure: string, breakdownKey: string) =>
  Number(
    (
      await selectRows<{ id: number }>(
        db,
        sql`select id from series where territory_code = ${territory} and measure = ${measure}
            and breakdown_key = ${breakdownKey}`,
      )
    )[0]?.id,
  );

const counts = async (db: TestDatabase["db"]) =>
  (
    await selectRows<{ observations: number; revisions: number; series: number; derived: number }>(
      db,
      sql`select (select count(*)::int from observations) as observations,
                 (select count(*)::int from observation_revisions) as revisions,
                 (select count(*)::int from series) as series,
                 (select count(*)::int from series where derived) as derived`,
    )
  )[0];

const run = (db: TestDatabase["db"], fromFile: string) =>
  runStream({ db, source: urssaf, stream: communeApeStream, trigger: "test", fromFile, log });

describe("urssaf.commune-ape derived series (invented values)", () => {
  let database: TestDatabase;
  let db: TestDatabase["db"];
  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.db;
    const summary = await run(db, exportFile(invented));
    expect(summary).toMatchObject({ status: "success", error: null });
  });
  afterAll(async () => {
    await database?.close();
  });

  it("stores the APE level with its NAF code", async () => {
    expect(await observation(db, "ARM-13202", JOBS, "naf=52.24A", "2024")).toMatchObject({
      value: 1000,
      obs_status: "A",
      naf_code: "52.24A",
      derived: false,
    });
    expect(await observation(db, "COM-13001", JOBS, "naf=26.11Z", "2024")).toMatchObject({
      value: null,
      obs_status: "C",
    });
    // URSSAF's 6201Z is stored as the nomenclature writes it: every APE code is a known NAF code.
    const unknown = await selectRows(
      db,
      sql`select s.naf_code from series s left join naf_codes n on n.code = s.naf_code
          where s.naf_code is not null and n.code is null`,
    );
    expect(unknown).toEqual([]);
    const codes = await selectRows<{ naf_code: string }>(
      db,
      sql`select distinct naf_code from series where naf_code is not null order by naf_code`,
    );
    expect(codes.map((c) => c.naf_code)).toEqual(["26.11Z", "43.32A", "47.11D", "52.24A", "62.01Z"]);
  });

  it("sums the core NAF codes of a filière per commune, flagged derived, with its inputs", async () => {
    const f4 = await observation(db, "COM-13001", JOBS, "filiere=F4", "2023");
    expect(f4).toMatchObject({
      value: 320 + 710,
      obs_status: "A",
      attributes: {},
      derived: true,
      filiere_code: "F4",
      indicator_code: "net_job_creation",
    });
    expect(f4?.derivation).toMatch(/core/);
    const inputs = [
      await seriesId(db, "COM-13001", JOBS, "naf=62.01Z"),
      await seriesId(db, "COM-13001", JOBS, "naf=26.11Z"),
    ].sort((a, b) => a - b);
    expect(f4?.derived_from).toEqual(inputs.map((id) => ({ seriesId: id, period: "2023" })));
    // A division in the mapping (47) covers its sous-classes (47.11D).
    expect(await observation(db, "ARM-13202", JOBS, "filiere=F_RESIDENTIELLE", "2024")).toMatchObject({
      value: 220,
      obs_status: "A",
    });
    expect(await observation(db, "ARM-13202", ESTABLISHMENTS, "filiere=F3", "2024")).toMatchObject({
      value: 6,
      indicator_code: "avg_private_firm_size",
      derived: true,
    });
    // 43.32A belongs to no filière: Pertuis has none.
    const pertuis = await selectRows(
      db,
      sql`select 1 from series where territory_code = 'COM-84089' and breakdown_key like 'filiere=%'`,
    );
    expect(pertuis).toEqual([]);
  });

  it("gives a sum with a secret input the known part, status E and missing_inputs, never A", async () => {
    expect(await observation(db, "COM-13001", JOBS, "filiere=F4", "2024")).toMatchObject({
      value: 351,
      obs_status: "E",
      attributes: { missing_inputs: "1" },
    });
    expect(await observation(db, "COM-13001", JOBS, "", "2024")).toMatchObject({
      value: 351,
      obs_status: "E",
      attributes: { ape_rows: "2", missing_inputs: "1" },
    });
  });

  it("sums the EPCI over its communes with Marseille from its arrondissements, counting who is missing", async () => {
    const total = await observation(db, EPCI, JOBS, "", "2024");
    // 13001 (351, one secret cell) + 84089 (40) + 13202 (1220) + 13216 (420). Missing: the 89 other
    // communes of the 92 (13055 is replaced by its 16 arrondissements), the 14 other arrondissements,
    // and 13001's secret cell.
    expect(total).toMatchObject({
      value: 351 + 40 + 1220 + 420,
      obs_status: "E",
      attributes: { missing_inputs: String(89 + 14 + 1) },
      derived: true,
      indicator_code: "net_job_creation",
    });
    expect(total?.derivation).toMatch(/jamais les deux/);
    const inputs = await Promise.all(
      ["COM-13001", "COM-84089", "ARM-13202", "ARM-13216"].map((t) => seriesId(db, t, JOBS, "")),
    );
    expect(total?.derived_from).toEqual(
      inputs.sort((a, b) => a - b).map((id) => ({ seriesId: id, period: "2024" })),
    );
    expect(await observation(db, EPCI, JOBS, "filiere=F3", "2024")).toMatchObject({ value: 1000 + 420 });
    expect(await observation(db, EPCI, ESTABLISHMENTS, "grand_secteur=GS5", "2022")).toMatchObject({
      value: 40 + 5 + 2,
      obs_status: "E",
    });
    expect(await observation(db, EPCI, JOBS, "", "2022")).toMatchObject({
      value: 300 + 700 + 35 + 900 + 400 + 200,
      attributes: { missing_inputs: String(89 + 14) },
    });
  });

  it("computes the net change of jobs, E when a year lacks a secret cell", async () => {
    expect(await observation(db, "COM-13001", NET_CHANGE, "", "2023")).toMatchObject({
      value: 320 + 710 - (300 + 700),
      obs_status: "A",
      derived: true,
    });
    expect(await observation(db, "ARM-13202", NET_CHANGE, "", "2024")).toMatchObject({
      value: 1220 - 1160,
      obs_status: "A",
    });
    // 2611Z's 2024 cell is secret: not a loss of 679 jobs but an estimate that says so.
    expect(await observation(db, "COM-13001", NET_CHANGE, "", "2024")).toMatchObject({
      value: 351 - 1030,
      obs_status: "E",
      attributes: { missing_inputs: "1" },
    });
    expect(await observation(db, "ARM-13202", NET_CHANGE, "filiere=F3", "2023")).toMatchObject({
      value: 50,
    });
    expect(await observation(db, EPCI, NET_CHANGE, "", "2023")).toMatchObject({
      value: 320 + 710 + 37 + 950 + 410 + 210 - (300 + 700 + 35 + 900 + 400 + 200),
      obs_status: "E",
    });
    const first = await selectRows(
      db,
      sql`select 1 from observations o join series s on s.id = o.series_id
          where s.measure = ${NET_CHANGE} and o.period = '2022'`,
    );
    expect(first).toEqual([]);
  });

  it("computes the average size as jobs per establishment, total and by grand secteur", async () => {
    const avg = await observation(db, "ARM-13202", AVG_SIZE, "", "2024");
    expect(avg).toMatchObject({
      value: 1220 / 10,
      obs_status: "A",
      indicator_code: "avg_private_firm_size",
      derived: true,
    });
    expect(avg?.derived_from).toEqual([
      { seriesId: await seriesId(db, "ARM-13202", JOBS, ""), period: "2024" },
      { seriesId: await seriesId(db, "ARM-13202", ESTABLISHMENTS, ""), period: "2024" },
    ]);
    expect((await observation(db, "ARM-13202", AVG_SIZE, "grand_secteur=GS5", "2024"))?.value).toBeCloseTo(
      1000 / 6,
    );
    expect(await observation(db, "COM-13001", AVG_SIZE, "", "2024")).toMatchObject({
      value: 351 / 45,
      obs_status: "E",
      attributes: { missing_inputs: "2" },
    });
    expect(await observation(db, EPCI, AVG_SIZE, "", "2022")).toMatchObject({
      value: (300 + 700 + 35 + 900 + 400 + 200) / (40 + 3 + 10 + 5 + 2 + 4),
    });
  });

  it("writes nothing when derived again, or when the same export comes back", async () => {
    const before = await counts(db);
    expect(before.derived).toBeGreaterThan(0);
    const again = await deriveCommuneApe(db, log);
    for (const stage of Object.values(again)) {
      expect(stage.rows).toBeGreaterThan(0);
      expect(stage.inserted + stage.updated).toBe(0);
    }
    const rerun = await run(db, exportFile(invented));
    expect(rerun.rowsInserted + rerun.rowsUpdated).toBe(0);
    expect(await counts(db)).toEqual(before);
  });

  it("recomputes the derived values when an input is revised, keeping the previous ones", async () => {
    // 13202 × 5224A: 1000 → 1100 jobs in 2024.
    const revised = invented.replace(lines[3], lines[3].replace(/;6;1000$/, ";6;1100"));
    expect(revised).not.toBe(invented);
    const summary = await run(db, exportFile(revised));
    expect(summary).toMatchObject({ status: "success", error: null });
    const history = async (territory: string, measure: string, breakdownKey: string) =>
      selectRows<{ value: number; replaced_by_run_id: number }>(
        db,
        sql`select r.value, r.replaced_by_run_id::int as replaced_by_run_id from observation_revisions r join series s on s.id = r.series_id
            where s.territory_code = ${territory} and s.measure = ${measure}
              and s.breakdown_key = ${breakdownKey} and r.period = '2024'`,
      );
    const cases: [string, string, string, number, number][] = [
      ["ARM-13202", JOBS, "naf=52.24A", 1000, 1100],
      ["ARM-13202", JOBS, "filiere=F3", 1000, 1100],
      [EPCI, JOBS, "", 2031, 2131],
      [EPCI, JOBS, "filiere=F3", 1420, 1520],
      ["ARM-13202", NET_CHANGE, "", 60, 160],
      [EPCI, NET_CHANGE, "filiere=F3", 1420 - 1360, 1520 - 1360],
      ["ARM-13202", AVG_SIZE, "", 122, 132],
    ];
    for (const [territory, measure, key, before, after] of cases) {
      expect({
        territory,
        measure,
        key,
        value: (await observation(db, territory, measure, key, "2024"))?.value,
      }).toEqual({ territory, measure, key, value: after });
      expect(await history(territory, measure, key)).toEqual([
        { value: before, replaced_by_run_id: summary.runId },
      ]);
    }
    // Untouched inputs leave their derived values alone.
    expect(await history("COM-13001", JOBS, "filiere=F4")).toEqual([]);
    expect(await history(EPCI, ESTABLISHMENTS, "")).toEqual([]);
  });
});

describe("Marseille in the EPCI sum (invented values)", () => {
  let database: TestDatabase | undefined;
  afterAll(async () => {
    await database?.close();
  });

  it("adds 13055 when URSSAF gives Marseille whole, its arrondissements once it gives them, never both", async () => {
    database = await createTestDatabase();
    const db = database.db;
    // A first export with Marseille whole (13202's 5224A row filed under 13055), nothing by arrondissement.
    const whole = lines[3]
      .replace("13202 Marseille 2e Arrondissement", "13055 Marseille")
      .replace(";13202;", ";13055;");
    await run(db, exportFile(`${[lines[0], lines[1], lines[2], whole, lines[6]].join("\n")}\n`));
    expect(await observation(db, EPCI, JOBS, "", "2024")).toMatchObject({
      value: 351 + 1000 + 40,
      // the 89 communes absent from the export, and 13001's secret cell
      attributes: { missing_inputs: String(89 + 1) },
    });
    // The next export gives Marseille by arrondissement: 13055's stored values stay, but are not added.
    await run(db, exportFile(invented));
    expect(await observation(db, "COM-13055", JOBS, "", "2024")).toMatchObject({ value: 1000 });
    const total = await observation(db, EPCI, JOBS, "", "2024");
    expect(total?.value).toBe(351 + 40 + 1220 + 420);
    const marseille = await seriesId(db, "COM-13055", JOBS, "");
    expect(total?.derived_from?.some((i) => i.seriesId === marseille)).toBe(false);
    expect(total?.derived_from).toHaveLength(4);
  });
});
