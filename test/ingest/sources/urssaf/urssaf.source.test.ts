import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { sql } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createHttpClient } from "../../../../ingest/core/http";
import { collectBatches, payloadOf } from "../../../../ingest/core/payload";
import { runStream } from "../../../../ingest/core/runner";
import type { BufferedPayload, ConvertResult, Resource } from "../../../../ingest/core/types";
import {
  COMMUNE_TOTAL_DERIVATION,
  convertCommuneApe,
  grandSecteurCode,
  nafSousClasse,
} from "../../../../ingest/sources/urssaf/commune-ape";
import { convertQuarterly, ZONE_EMPLOI_DATASET } from "../../../../ingest/sources/urssaf/quarterly";
import { urssafCommuneTerritory } from "../../../../ingest/sources/urssaf/territories";
import {
  communeApeStream,
  departementGrandSecteurStream,
  urssaf,
} from "../../../../ingest/sources/urssaf/urssaf.source";
import { selectRows } from "../../../../src/db/client";
import { loggerFor } from "../../../../src/logger";
import { createTestDatabase, type TestDatabase } from "../../../support/db";
import { type FixtureServer, startFixtureServer } from "../../../support/fixture-server";

const fixture = (name: string) => readFileSync(join(import.meta.dirname, "../../../fixtures/urssaf", name));
/** Every number in this CSV is INVENTED; only its columns and format are URSSAF's. */
const inventedExport = fixture("commune-ape-export-invented-values.csv");
/** `total_count` 6: the row count of the invented export. */
const COUNT_FIXTURE = join(
  import.meta.dirname,
  "../../../fixtures/urssaf/commune-ape-records-count-invented.json",
);
const log = loggerFor("test");

const info = {
  url: "https://open.urssaf.fr/api/explore/v2.1/catalog/datasets/x/exports/csv",
  httpStatus: 200,
  contentType: "text/csv",
  retrievedAt: new Date("2026-09-14T12:00:00Z"),
};
const payload = (body: Uint8Array | string): BufferedPayload => ({
  ...info,
  body: typeof body === "string" ? new TextEncoder().encode(body) : body,
});
/** The streaming conversion, its batches gathered into one result to read. */
const convertApe = (body: Uint8Array | string, resource: Resource) =>
  collectBatches(convertCommuneApe(payloadOf(info, body), resource));
const AMP_TERRITORIES = ["COM-13001", "COM-13055", "COM-84089", "ARM-13202", "ARM-13216"];
const communeApe = (knownTerritories = AMP_TERRITORIES): Resource => ({
  key: "commune-ape",
  url: "u",
  meta: { epci: "200054807", knownTerritories },
});

const value = (result: ConvertResult, territoryCode: string, measure: string, period: string, gs?: string) =>
  result.observations.find(
    (o) =>
      o.series.territoryCode === territoryCode &&
      o.series.measure === measure &&
      o.period === period &&
      JSON.stringify(o.series.breakdown) === JSON.stringify(gs ? { grand_secteur: gs } : {}),
  );

describe("commune × APE conversion (invented values)", () => {
  let result: ConvertResult;
  beforeAll(async () => {
    result = await convertApe(inventedExport, communeApe());
  });

  it("adds APE rows up per commune and year; an arrondissement stays an ARM territory", () => {
    expect(value(result, "COM-13001", "private_salaried_jobs", "2022")?.value).toBe(300 + 700);
    expect(value(result, "ARM-13202", "private_salaried_jobs", "2024")?.value).toBe(1000 + 220);
    expect(value(result, "ARM-13216", "private_salaried_jobs", "2024")?.value).toBe(420);
    expect(value(result, "COM-84089", "employer_establishments", "2024")).toMatchObject({
      series: { indicatorCode: "avg_private_firm_size" },
      value: 11,
    });
    expect(result.observations.some((o) => o.series.territoryCode === "COM-13055")).toBe(false);
  });

  it("breaks totals down by grand secteur", () => {
    expect(value(result, "ARM-13202", "private_salaried_jobs", "2024", "GS5")?.value).toBe(1000);
    expect(value(result, "ARM-13202", "private_salaried_jobs", "2024", "GS3")?.value).toBe(220);
    expect(
      result.series.find((s) => s.breakdown.grand_secteur === "GS2" && s.measure === "private_salaried_jobs"),
    ).toMatchObject({
      indicatorCode: "net_job_creation",
      territoryCode: "COM-84089",
      frequency: "A",
      unit: "jobs",
    });
  });

  it("flags the commune and grand-secteur totals derived, and not the APE series URSSAF publishes", () => {
    const totals = result.series.filter((s) => !("naf" in s.breakdown));
    expect(totals.length).toBeGreaterThan(0);
    expect(totals.some((s) => "grand_secteur" in s.breakdown)).toBe(true);
    for (const s of totals) expect(s).toMatchObject({ derived: true, derivation: COMMUNE_TOTAL_DERIVATION });
    const ape = result.series.filter((s) => "naf" in s.breakdown);
    expect(ape.length).toBeGreaterThan(0);
    for (const s of ape) expect(s.derived ?? false).toBe(false);
  });

  it("marks a total that lacks secret cells E with missing_inputs, never A, and one with none known M", () => {
    expect(result.skipped).toEqual({});
    // 2611Z's 2024 cells are empty (secret): Aix's 351 jobs are 6201Z's alone.
    expect(value(result, "COM-13001", "private_salaried_jobs", "2024")).toMatchObject({
      value: 351,
      obsStatus: "E",
      attributes: { ape_rows: "2", missing_inputs: "1" },
    });
    expect(value(result, "COM-13001", "private_salaried_jobs", "2024", "GS1")).toMatchObject({
      value: null,
      obsStatus: "M",
      attributes: { ape_rows: "1", missing_inputs: "1" },
    });
    expect(value(result, "COM-13001", "private_salaried_jobs", "2023", "GS1")).toMatchObject({
      value: 710,
      obsStatus: "A",
      attributes: { ape_rows: "1" },
    });
  });

  it("stores every commune × APE cell under its NAF sous-classe, a secret cell as null with status C", () => {
    const ape = (territory: string, naf: string, measure: string, period: string) =>
      result.observations.find(
        (o) =>
          o.series.territoryCode === territory &&
          o.series.breakdown.naf === naf &&
          o.series.measure === measure &&
          o.period === period,
      );
    expect(ape("ARM-13202", "52.24A", "private_salaried_jobs", "2024")).toMatchObject({
      value: 1000,
      obsStatus: "A",
      attributes: {},
    });
    expect(ape("ARM-13216", "52.24A", "employer_establishments", "2022")).toMatchObject({
      series: { indicatorCode: "avg_private_firm_size" },
      value: 2,
    });
    expect(ape("COM-13001", "26.11Z", "private_salaried_jobs", "2024")).toMatchObject({
      value: null,
      obsStatus: "C",
    });
    const aix = result.series
      .filter((s) => s.territoryCode === "COM-13001" && s.breakdown.naf === "62.01Z")
      .sort((a, b) => a.measure.localeCompare(b.measure));
    expect(aix).toMatchObject([
      { nafCode: "62.01Z", measure: "employer_establishments", indicatorCode: "avg_private_firm_size" },
      {
        nafCode: "62.01Z",
        measure: "private_salaried_jobs",
        indicatorCode: "net_job_creation",
        unit: "jobs",
      },
    ]);
    const kinds = new Set(result.series.map((s) => Object.keys(s.breakdown).join(",")));
    expect(kinds).toEqual(new Set(["", "grand_secteur", "naf"]));
    // six commune × APE rows, two measures each
    expect(result.series.filter((s) => s.breakdown.naf).length).toBe(6 * 2);
  });

  it("never counts Marseille twice: a 13055 row next to arrondissements is skipped", async () => {
    const text = inventedExport.toString("utf-8");
    const lines = text.trimEnd().split("\n");
    const marseille = lines[3]
      .replace("13202 Marseille 2e Arrondissement", "13055 Marseille")
      .replace(";13202;", ";13055;");
    const withWhole = await convertApe(`${text}${marseille}\n`, communeApe());
    expect(withWhole.skipped.marseille_whole_with_arrondissements).toBe(1);
    expect(value(withWhole, "ARM-13202", "private_salaried_jobs", "2024")?.value).toBe(1220);
    expect(withWhole.observations.some((o) => o.series.territoryCode === "COM-13055")).toBe(false);
  });

  it("skips rows of another EPCI or of a territory the reference data lacks", async () => {
    const other = await convertApe(inventedExport, communeApe(["COM-13001"]));
    expect(other.skipped.territory_not_in_reference).toBe(4);
    const text = inventedExport.toString("utf-8").replace(";200054807;84089;", ";248400251;84089;");
    expect((await convertApe(text, communeApe())).skipped.outside_epci).toBe(1);
  });

  it("fails a renamed column, a header-only export and a value that is not a number", async () => {
    const renamed = inventedExport.toString("utf-8").replace("code_commune", "code_com");
    await expect(convertApe(renamed, communeApe())).rejects.toThrow(/code_commune missing/);
    const headerOnly = `${inventedExport.toString("utf-8").split("\n")[0]}\n`;
    await expect(convertApe(headerOnly, communeApe())).rejects.toThrow(/no row/);
    const garbage = inventedExport.toString("utf-8").replace(";45;351\n", ";45;n.d.\n");
    await expect(convertApe(garbage, communeApe())).rejects.toThrow(/effectifs_salaries_2024 = "n.d."/);
  });

  it("names each series once a batch, and before or with every observation of it, over many batches", async () => {
    const [header = [], first = []] = parse(inventedExport, { delimiter: ";", bom: true }) as string[][];
    const apeColumn = header.indexOf("code_ape");
    // 2 000 APE rows of one commune: 12 000 APE cells and their totals, more than one batch.
    const rows = Array.from({ length: 2_000 }, (_, i) =>
      first.map((cell, c) => (c === apeColumn ? `${1000 + i}Z` : cell)),
    );
    const body = stringify([header, ...rows], { delimiter: ";" });
    const named = new Set<string>();
    let batches = 0;
    let observations = 0;
    const keyOf = (s: { indicatorCode: string; territoryCode: string; measure: string; breakdown: object }) =>
      `${s.indicatorCode}|${s.territoryCode}|${s.measure}|${JSON.stringify(s.breakdown)}`;
    for await (const batch of convertCommuneApe(payloadOf(info, body), communeApe())) {
      batches += 1;
      const inBatch = (batch.series ?? []).map(keyOf);
      expect(new Set(inBatch).size).toBe(inBatch.length);
      for (const k of inBatch) named.add(k);
      for (const o of batch.observations ?? []) expect(named.has(keyOf(o.series))).toBe(true);
      observations += batch.observations?.length ?? 0;
    }
    expect(batches).toBeGreaterThan(1);
    // per year: 2 000 APE cells, the commune total and its grand secteur, for each of the two measures
    expect(observations).toBe(3 * 2 * (2_000 + 2));
    expect(named.size).toBe(2 * (2_000 + 2));
  });

  it("maps codes the way URSSAF writes them", () => {
    expect(urssafCommuneTerritory("13201")).toBe("ARM-13201");
    expect(urssafCommuneTerritory("13216")).toBe("ARM-13216");
    expect(urssafCommuneTerritory("13217")).toBe("COM-13217");
    expect(urssafCommuneTerritory("13055")).toBe("COM-13055");
    expect(grandSecteurCode("GS5 Autres services marchands hors intérimaires")).toBe("GS5");
    expect(nafSousClasse("2110Z")).toBe("21.10Z");
    expect(nafSousClasse("21.10Z")).toBe("21.10Z");
    expect(nafSousClasse("4332a")).toBe("43.32A");
    expect(nafSousClasse("62")).toBeNull();
  });
});

describe("quarterly conversions", () => {
  it("reads the captured zone-d'emploi records as two measures per quarter", () => {
    const resource: Resource = {
      key: "ze",
      url: "u",
      meta: {
        dataset: ZONE_EMPLOI_DATASET,
        territoryField: "code_zone_d_emploi",
        territoryPrefix: "ZE2020",
        breakdownField: null,
        knownTerritories: ["ZE2020-2804"],
      },
    };
    const result = convertQuarterly(payload(fixture("ze-trimestriel-records.json")), resource);
    expect(result.series.map((s) => [s.territoryCode, s.measure, s.frequency, s.titleFr])).toEqual([
      ["ZE2020-2804", "private_salaried_jobs_sa", "Q", "2804 Caen"],
      ["ZE2020-2804", "private_salaried_jobs_raw", "Q", "2804 Caen"],
    ]);
    expect(
      result.observations.filter((o) => o.period === "2022-Q1").map((o) => [o.series.measure, o.value]),
    ).toEqual([
      ["private_salaried_jobs_sa", 132010],
      ["private_salaried_jobs_raw", 130330],
    ]);
    const unknown = convertQuarterly(payload(fixture("ze-trimestriel-records.json")), {
      ...resource,
      meta: { ...resource.meta, knownTerritories: [] },
    });
    expect(unknown.skipped).toEqual({ territory_not_in_reference: 2 });
  });

  it("turns département × grand secteur records into quarterly series by grand secteur (placeholder values)", () => {
    const resource: Resource = {
      key: "dep",
      url: "u",
      meta: {
        dataset: "d",
        territoryField: "code_departement",
        territoryPrefix: "DEP",
        breakdownField: "grand_secteur_d_activite",
        knownTerritories: ["DEP-13"],
      },
    };
    const result = convertQuarterly(
      payload(fixture("dep-grand-secteur-records-invented-placeholders.json")),
      resource,
    );
    expect(result.series.map((s) => [s.territoryCode, s.measure, s.breakdown, s.titleFr])).toEqual([
      ["DEP-13", "private_salaried_jobs_sa", { grand_secteur: "GS3" }, "Bouches-du-Rhône — GS3 Commerce"],
      ["DEP-13", "private_salaried_jobs_raw", { grand_secteur: "GS3" }, "Bouches-du-Rhône — GS3 Commerce"],
    ]);
    expect(result.observations.map((o) => o.period)).toEqual(["2025-Q1", "2025-Q1"]);
  });

  it("fails an empty answer and records without the expected fields", () => {
    const resource: Resource = {
      key: "dep",
      url: "u",
      meta: {
        dataset: "d",
        territoryField: "code_departement",
        territoryPrefix: "DEP",
        breakdownField: "grand_secteur_d_activite",
        knownTerritories: ["DEP-13"],
      },
    };
    expect(() => convertQuarterly(payload("[]"), resource)).toThrow(/no record/);
    expect(() => convertQuarterly(payload('[{"code_departement":"13","annee":"2025"}]'), resource)).toThrow(
      /trimestre, grand_secteur_d_activite/,
    );
  });
});

describe("urssaf against a local server", () => {
  let database: TestDatabase | undefined;
  let server: FixtureServer | undefined;
  afterEach(async () => {
    await server?.close();
    await database?.close();
  });

  const run = (stream: typeof communeApeStream) =>
    runStream({
      db: (database as TestDatabase).db,
      source: urssaf,
      stream,
      trigger: "test",
      env: { INGEST_URSSAF_BASE_URL: server?.baseUrl },
      http: createHttpClient({ log, retries: 0 }),
      log,
    });

  it("exports the EPCI's commune × APE rows, loads them by commune and arrondissement, and reloads nothing", async () => {
    database = await createTestDatabase();
    const path =
      "/catalog/datasets/etablissements-et-effectifs-salaries-au-niveau-commune-x-ape-last/exports/csv";
    server = await startFixtureServer({
      [path]: [{ body: inventedExport, headers: { "content-type": "text/csv" } }],
      [path.replace("/exports/csv", "/records")]: [{ body: readFileSync(COUNT_FIXTURE) }],
    });
    const first = await run(communeApeStream);
    expect(first.status).toBe("success");
    // The row count first (the same filter on /records, no row), then the export it checks.
    expect(server.requests.map((r) => r.path)).toEqual([
      `${path.replace("/exports/csv", "/records")}?where=code_epci%3D%22200054807%22&limit=0`,
      `${path}?where=code_epci%3D%22200054807%22&delimiter=%3B&with_bom=false`,
    ]);
    const rows = await selectRows<{ territory_code: string; value: number }>(
      database.db,
      sql`select s.territory_code, o.value from observations o join series s on s.id = o.series_id
          where s.measure = 'private_salaried_jobs' and s.breakdown_key = '' and o.period = '2024'
          order by s.territory_code`,
    );
    expect(rows).toEqual([
      { territory_code: "ARM-13202", value: 1220 },
      { territory_code: "ARM-13216", value: 420 },
      { territory_code: "COM-13001", value: 351 },
      { territory_code: "COM-84089", value: 40 },
      // derived after the load: the EPCI sum, Marseille from its arrondissements (see derive.test.ts)
      { territory_code: "EPCI-200054807", value: 351 + 40 + 1220 + 420 },
    ]);
    // Stored flags: every total is computed (in convert per commune, in derive for the EPCI), no APE series is.
    const flags = await selectRows<{ level: string; derived: boolean; convert_sum: boolean }>(
      database.db,
      sql`select distinct case when breakdown_key like 'naf=%' then 'ape' else 'total' end as level, derived,
            derivation = ${COMMUNE_TOTAL_DERIVATION} as convert_sum
          from series where measure = 'private_salaried_jobs' and territory_code <> 'EPCI-200054807'
            and (breakdown_key = '' or breakdown_key like 'grand_secteur=%' or breakdown_key like 'naf=%')
          order by level`,
    );
    expect(flags).toEqual([
      { level: "ape", derived: false, convert_sum: null },
      { level: "total", derived: true, convert_sum: true },
    ]);
    const second = await run(communeApeStream);
    expect(second.rowsInserted + second.rowsUpdated).toBe(0);
  });

  it("asks the département × grand secteur export for 13, 83 and 84", async () => {
    database = await createTestDatabase();
    server = await startFixtureServer();
    await run(departementGrandSecteurStream);
    const where = new URL(`http://x${server.requests[0].path}`).searchParams.get("where");
    expect(server.requests[0].path.split("?")[0]).toBe(
      "/catalog/datasets/effectifs-salaries-et-masse-salariale-du-secteur-prive-par-departement-x-grand-s/exports/json",
    );
    expect(where).toBe('code_departement IN ("13", "83", "84")');
  });
});
