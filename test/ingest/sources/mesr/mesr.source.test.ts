import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createHttpClient } from "../../../../ingest/core/http";
import { runStream } from "../../../../ingest/core/runner";
import type { BufferedPayload, ConvertResult, Resource } from "../../../../ingest/core/types";
import {
  convertMesr,
  MESR_EPCI_DERIVATION,
  mesr,
  mesrExportUrl,
  rentreeYear,
  studentsStream,
} from "../../../../ingest/sources/mesr/mesr.source";
import { loggerFor } from "../../../../src/logger";
import { createTestDatabase, type TestDatabase } from "../../../support/db";
import { type FixtureServer, startFixtureServer } from "../../../support/fixture-server";

/** Every number in this export is INVENTED. */
const invented = readFileSync(
  join(import.meta.dirname, "../../../fixtures/mesr/atlas-effectifs-grouped-export-invented-values.json"),
);
const payload = (body: Uint8Array | string): BufferedPayload => ({
  body: typeof body === "string" ? new TextEncoder().encode(body) : body,
  url: "https://data.enseignementsup-recherche.gouv.fr/api/explore/v2.1/catalog/datasets/x/exports/json",
  httpStatus: 200,
  contentType: "application/json",
  retrievedAt: new Date("2026-09-14T12:00:00Z"),
});
const resource: Resource = {
  key: "communes",
  url: "u",
  meta: {
    epci: "200054807",
    knownTerritories: ["COM-13001", "COM-13055", "COM-13056", "ARM-13201", "EPCI-200054807"],
  },
};
const find = (result: ConvertResult, territory: string, breakdown: Record<string, string> = {}) =>
  result.observations.find(
    (o) =>
      o.series.territoryCode === territory &&
      JSON.stringify(o.series.breakdown) === JSON.stringify(breakdown),
  );

describe("MESR students by commune (invented values)", () => {
  const result = convertMesr(payload(invented), resource);

  it("adds the sexes up to the commune total, for the year of the rentrée", () => {
    expect(find(result, "COM-13001")).toMatchObject({
      series: { indicatorCode: "student_count", measure: "enrolled_students" },
      period: "2021",
      value: 40000,
    });
    expect(find(result, "COM-13001", { sex: "F" })?.value).toBe(22000);
    expect(find(result, "COM-13001", { regroupement: "univ" })?.value).toBe(27000);
  });

  it("sums the EPCI from its communes with Marseille counted once", () => {
    expect(find(result, "ARM-13201")?.value).toBe(7000);
    expect(find(result, "EPCI-200054807", { regroupement: "univ" })).toMatchObject({
      value: 27000,
      obsStatus: "A",
      attributes: { method: "sum of communes (no row for Marseille)", communes: "1" },
    });
  });

  it("flags the EPCI sums derived; commune series, which may hold MESR's all-sexes rows, are not", () => {
    const epci = result.series.filter((s) => s.territoryCode === "EPCI-200054807");
    expect(epci.length).toBeGreaterThan(0);
    for (const s of epci) expect(s).toMatchObject({ derived: true, derivation: MESR_EPCI_DERIVATION });
    for (const s of result.series.filter((x) => x.territoryCode !== "EPCI-200054807")) {
      expect(s.derived ?? false, s.territoryCode).toBe(false);
    }
  });

  it("keeps a group whose sum skipped a null cell as an estimate, and marks every sum above it", () => {
    // Martigues (13056): one of its two male rows has a null effectif; the other counts 500.
    expect(find(result, "COM-13056", { sex: "M" })).toMatchObject({
      value: 500,
      obsStatus: "E",
      attributes: { missing_inputs: "1" },
    });
    expect(find(result, "COM-13056")).toMatchObject({
      value: 500,
      obsStatus: "E",
      attributes: { missing_inputs: "1" },
    });
    expect(find(result, "EPCI-200054807")).toEqual({
      series: expect.objectContaining({ territoryCode: "EPCI-200054807" }),
      period: "2021",
      value: 40000 + 56000 + 500,
      obsStatus: "E",
      attributes: {
        method: "sum of communes, Marseille whole (arrondissements not added)",
        communes: "3",
        missing_inputs: "1",
      },
    });
    expect(find(result, "COM-13001")).toMatchObject({ obsStatus: "A", attributes: {} });
    expect(result.skipped).toEqual({ territory_not_in_reference: 1 });
  });

  it("stores a group whose every cell is null as missing, and sums what the others know", () => {
    const rows = [
      { sexe_de_l_etudiant: "Masculin", effectif: null, n_rows: 3, n_effectif: 0 },
      { sexe_de_l_etudiant: "Féminin", effectif: 70, n_rows: 2, n_effectif: 2 },
    ].map((r) => ({ annee_universitaire: "2022-23", geo_id: "13001", regroupement: "TOTAL", ...r }));
    const converted = convertMesr(payload(JSON.stringify(rows)), resource);
    expect(find(converted, "COM-13001", { sex: "M" })).toMatchObject({
      value: null,
      obsStatus: "M",
      attributes: { missing_inputs: "3" },
    });
    expect(find(converted, "COM-13001")).toMatchObject({
      value: 70,
      obsStatus: "E",
      attributes: { missing_inputs: "3" },
    });
    expect(find(converted, "EPCI-200054807")).toMatchObject({
      value: 70,
      obsStatus: "E",
      attributes: { missing_inputs: "3" },
    });
  });

  it("reads academic years in their usual spellings", () => {
    expect(["2021-22", "2021-2022", "2021/2022", "2021", 2021].map(rentreeYear)).toEqual([
      "2021",
      "2021",
      "2021",
      "2021",
      "2021",
    ]);
    expect(rentreeYear("rentrée 2021")).toBeNull();
    expect(() =>
      convertMesr(payload('[{"annee_universitaire":"21-22","geo_id":"13001","effectif":1}]'), resource),
    ).toThrow(/annee_universitaire "21-22"/);
  });
  it("builds the export URL on the portal's path", () => {
    expect(mesrExportUrl("https://h/api/explore/v2.1", ["13001"])).toMatch(
      /^https:\/\/h\/api\/explore\/v2\.1\/catalog\/datasets\/fr-esr-atlas_regional-effectifs-d-etudiants-inscrits\/exports\/json\?select=/,
    );
  });
});

describe("mesr against a local server", () => {
  let database: TestDatabase | undefined;
  let server: FixtureServer | undefined;
  afterEach(async () => {
    await server?.close();
    await database?.close();
  });

  it("asks for sums by commune, regroupement and sex, and loads once", async () => {
    database = await createTestDatabase();
    const path = "/catalog/datasets/fr-esr-atlas_regional-effectifs-d-etudiants-inscrits/exports/json";
    server = await startFixtureServer({ [path]: [{ body: invented }] });
    const log = loggerFor("test");
    const run = () =>
      runStream({
        db: (database as TestDatabase).db,
        source: mesr,
        stream: studentsStream,
        trigger: "test",
        env: { INGEST_MESR_BASE_URL: server?.baseUrl },
        http: createHttpClient({ log, retries: 0 }),
        log,
      });
    const first = await run();
    expect(first.status).toBe("success");
    const params = new URL(`http://x${server.requests[0].path}`).searchParams;
    expect(params.get("group_by")).toBe("annee_universitaire, geo_id, regroupement, sexe_de_l_etudiant");
    expect(params.get("where")).toMatch(/^niveau_geographique="Commune" AND geo_id IN \(.*"13001"/);
    expect((await run()).status).toBe("unchanged");
  });
});
