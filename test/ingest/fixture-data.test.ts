/**
 * The fixture loader GraphQL tests rely on. Only INSEE's BDM rates are published figures; every other
 * number asserted below comes from a fixture whose values are INVENTED (or placeholder zeros) and is
 * checked as "what the connector makes of it", never as a real figure.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectRows } from "../../src/db/client";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { type FixtureLoadReport, loadFixtureData } from "../support/fixture-data";

const EPCI = "EPCI-200054807";

describe("loadFixtureData", () => {
  let database: TestDatabase;
  let report: FixtureLoadReport;
  beforeAll(async () => {
    database = await createTestDatabase();
    report = await loadFixtureData(database.db);
  });
  afterAll(async () => {
    await database?.close();
  });

  const observation = async (
    indicator: string,
    territory: string,
    measure: string,
    breakdownKey: string,
    period: string,
  ) => {
    const rows = await selectRows<{
      value: number | null;
      obs_status: string;
      attributes: Record<string, string>;
      derived: boolean;
    }>(
      database.db,
      sql`select o.value, o.obs_status, o.attributes, s.derived from observations o join series s on s.id = o.series_id
          where s.indicator_code = ${indicator} and s.territory_code = ${territory} and s.measure = ${measure}
            and s.breakdown_key = ${breakdownKey} and o.period = ${period}`,
    );
    return rows[0];
  };

  it("runs every covered stream to success and says which streams were left out", () => {
    expect(report.allSucceeded).toBe(true);
    for (const s of report.streams.filter((x) => x.expected === "success")) {
      expect({ stream: s.streamId, status: s.status, error: s.error }).toEqual({
        stream: s.streamId,
        status: "success",
        error: null,
      });
      expect(s.resourcesFailed).toBe(0);
    }
    expect(new Set(report.streams.map((s) => s.sourceId))).toEqual(
      new Set([
        "insee-bdm",
        "insee-melodi",
        "urssaf",
        "dares",
        "mesr",
        "atmosud",
        "atmosud-indice",
        "dgac",
        "partner-csv",
        "port",
      ]),
    );
    expect(report.notLoaded.map((n) => n.streamId).sort()).toEqual([
      "insee-melodi.diplomas",
      "insee-melodi.flores-a38",
    ]);
  });

  it("inserts rows for every stream except the two whose fixtures hold nothing the reference data takes", () => {
    // The Nantes Métropole recording: every cell is skipped, and a payload the hub understands nothing of
    // is a failure, not a success. The zones d'emploi: the reference holds none, so nothing is asked.
    const empty = report.streams.filter((s) => s.rowsInserted === 0).map((s) => s.streamId);
    expect(empty.sort()).toEqual(["insee-melodi.legal-population", "urssaf.zone-emploi"]);
    const outcome = (id: string) => report.streams.find((s) => s.streamId === id);
    expect(outcome("insee-melodi.legal-population")).toMatchObject({
      status: "failed",
      error: expect.stringMatching(/every cell was skipped \(territory_not_in_reference: \d+/),
    });
    expect(outcome("urssaf.zone-emploi")).toMatchObject({
      status: "not_configured",
      error: expect.stringContaining("no zone d'emploi"),
    });
    expect(report.rowsInserted).toBeGreaterThan(100);
  });

  it("loads INSEE's published BDM unemployment rates (DEP-13 9.1 % and REG-93 8.5 % in 2026-Q1, semi-definitive)", async () => {
    expect(await observation("unemployment_rate", "DEP-13", "rate", "", "2026-Q1")).toMatchObject({
      value: 9.1,
      obs_status: "SD",
    });
    expect(await observation("unemployment_rate", "REG-93", "rate", "", "2026-Q1")).toMatchObject({
      value: 8.5,
      obs_status: "SD",
    });
    expect(await observation("unemployment_rate", "DEP-13", "rate", "", "2024-Q4")).toMatchObject({
      value: 8.4,
      obs_status: "A",
    });
  });

  it("marks every stream that loaded rows as invented, except BDM", () => {
    const loaded = report.streams.filter((s) => s.rowsInserted > 0);
    expect(loaded.filter((s) => s.values === "published").map((s) => s.streamId)).toEqual([
      "insee-bdm.unemployment-rate",
    ]);
    for (const s of loaded.filter((x) => x.streamId !== "insee-bdm.unemployment-rate")) {
      expect(report.inventedStreams).toContain(s.streamId);
    }
  });

  it("only the TAUX-CHOMAGE dataset holds published values; the other loaded datasets are invented fixtures", async () => {
    const rows = await selectRows<{ dataset_code: string }>(
      database.db,
      sql`select distinct s.dataset_code from series s join observations o on o.series_id = s.id
          order by s.dataset_code`,
    );
    const invented = new Set(
      report.streams.filter((s) => s.values !== "published").map((s) => s.datasetCode),
    );
    for (const { dataset_code } of rows) {
      if (dataset_code !== "TAUX-CHOMAGE") expect(invented).toContain(dataset_code);
    }
  });

  it("stores the series the connectors compute themselves, flagged derived (invented inputs)", async () => {
    // MESR: the EPCI sum of the communes present, Marseille whole (40 000 + 56 000 + Martigues's 500,
    // invented), an estimate because one of Martigues's rows has a null effectif.
    expect(await observation("student_count", EPCI, "enrolled_students", "", "2021")).toMatchObject({
      value: 96500,
      obs_status: "E",
      attributes: {
        method: "sum of communes, Marseille whole (arrondissements not added)",
        missing_inputs: "1",
      },
    });
    // CIGALE: per inhabitant, invented emissions over the reference population.
    const perInhabitant = await observation(
      "ghg_emissions",
      "COM-13001",
      "ghg_emissions_per_inhabitant",
      "",
      "2022",
    );
    expect(perInhabitant).toMatchObject({ obs_status: "E", derived: true });
    expect(Number(perInhabitant?.attributes.population)).toBeGreaterThan(0);
    // URSSAF: commune × APE rows added up by commune and by grand secteur (invented).
    expect(
      await observation(
        "net_job_creation",
        "ARM-13202",
        "private_salaried_jobs",
        "grand_secteur=GS5",
        "2024",
      ),
    ).toMatchObject({ value: 1000, derived: true });
    // DGAC: the airport total is the sum of its directions (invented).
    expect(
      await observation("port_calls_and_intl_air_traffic", EPCI, "air_passengers", "airport=LFML", "2022-07"),
    ).toMatchObject({ value: 1036200, derived: true });
    // Melodi youth employment: the rate its derive computes from the invented census counts.
    expect(await observation("youth_employment_rate", "COM-13001", "rate", "", "2022")).toMatchObject({
      value: (100 * 6000.12345) / 20000.5,
      obs_status: "A",
      derived: true,
    });
    // What the sources publish is not: DARES's Marseille, a CIGALE sector, URSSAF's APE cell, DGAC's columns.
    for (const [indicator, territory, measure, breakdownKey, period] of [
      ["unemployment_rate", "COM-13055", "jobseekers", "category=ABC", "2024-Q4"],
      ["ghg_emissions", "COM-13001", "ghg_emissions", "secten1=6", "2022"],
      ["net_job_creation", "ARM-13202", "private_salaried_jobs", "naf=52.24A", "2024"],
      [
        "port_calls_and_intl_air_traffic",
        EPCI,
        "air_passengers",
        "airport=LFML;direction=arrivals",
        "2022-07",
      ],
    ]) {
      expect(await observation(indicator, territory, measure, breakdownKey, period), measure).toMatchObject({
        derived: false,
      });
    }
  });

  it("writes nothing when loaded a second time", async () => {
    const count = async () =>
      (
        await selectRows<{ observations: number; revisions: number; series: number }>(
          database.db,
          sql`select (select count(*)::int from observations) as observations,
                     (select count(*)::int from observation_revisions) as revisions,
                     (select count(*)::int from series) as series`,
        )
      )[0];
    const before = await count();
    const again = await loadFixtureData(database.db);
    expect(again.allSucceeded).toBe(true);
    for (const s of again.streams) {
      expect({ stream: s.streamId, status: s.status, written: s.rowsInserted + s.rowsUpdated }).toEqual({
        stream: s.streamId,
        status: s.expected === "success" ? "unchanged" : s.expected,
        written: 0,
      });
    }
    expect(await count()).toEqual(before);
  });
});
