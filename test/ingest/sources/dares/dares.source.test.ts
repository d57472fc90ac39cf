import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createHttpClient } from "../../../../ingest/core/http";
import { runStream } from "../../../../ingest/core/runner";
import type { BufferedPayload, ConvertResult, Resource } from "../../../../ingest/core/types";
import {
  convertDares,
  DARES_EPCI_DERIVATION,
  dares,
  jobseekersStream,
  slug,
} from "../../../../ingest/sources/dares/dares.source";
import { loggerFor } from "../../../../src/logger";
import { createTestDatabase, type TestDatabase } from "../../../support/db";
import { type FixtureServer, startFixtureServer } from "../../../support/fixture-server";

const fixture = (name: string) => readFileSync(join(import.meta.dirname, "../../../fixtures/dares", name));
/** Every count in this export is INVENTED. */
const invented = fixture("defm-communales-export-invented-values.json");
const payload = (body: Uint8Array | string): BufferedPayload => ({
  body: typeof body === "string" ? new TextEncoder().encode(body) : body,
  url: "https://data.dares.travail-emploi.gouv.fr/api/explore/v2.1/catalog/datasets/dares_defm_communales-brutes/exports/json",
  httpStatus: 200,
  contentType: "application/json",
  retrievedAt: new Date("2026-09-14T12:00:00Z"),
});
const ARRONDISSEMENTS = Array.from({ length: 16 }, (_, i) => `ARM-132${String(i + 1).padStart(2, "0")}`);
const resource = (epciMembers = ["COM-13001", "COM-13055", "COM-84089"]): Resource => ({
  key: "communes",
  url: "u",
  meta: {
    epci: "200054807",
    epciMembers,
    knownTerritories: ["COM-13001", "COM-13055", "COM-84089", "EPCI-200054807", ...ARRONDISSEMENTS],
  },
});
const find = (result: ConvertResult, territory: string, period: string, breakdown: Record<string, string>) =>
  result.observations.find(
    (o) =>
      o.series.territoryCode === territory &&
      o.period === period &&
      JSON.stringify(Object.entries(o.series.breakdown).sort()) ===
        JSON.stringify(Object.entries(breakdown).sort()),
  );

describe("DARES jobseekers by commune (invented values)", () => {
  const result = convertDares(payload(invented), resource());

  it("stores Q4 counts by category, sex and age under indicator 1", () => {
    expect(find(result, "COM-13001", "2024-Q4", { category: "ABC" })).toMatchObject({
      series: { indicatorCode: "unemployment_rate", measure: "jobseekers" },
      value: 9105,
      obsStatus: "A",
      attributes: { rounded_to: "5" },
    });
    expect(find(result, "COM-13001", "2024-Q4", { category: "ABC", sex: "F" })?.value).toBe(4720);
    expect(find(result, "COM-13001", "2024-Q4", { category: "ABC", age: "moins_de_25_ans" })?.value).toBe(
      1045,
    );
    expect(result.series[0]).toMatchObject({ frequency: "Q", unit: "jobseekers" });
  });

  it("keeps Marseille whole and by arrondissement, and adds only the communes for the EPCI", () => {
    expect(find(result, "COM-13055", "2024-Q4", { category: "ABC" })?.value).toBe(88010);
    expect(find(result, "ARM-13201", "2024-Q4", { category: "ABC" })?.value).toBe(5230);
    expect(find(result, "EPCI-200054807", "2024-Q4", { category: "ABC" })).toMatchObject({
      value: 9105 + 88010 + 1530,
      obsStatus: "E",
      attributes: { communes: "3" },
    });
  });

  it("flags the EPCI sums derived, and only them: DARES publishes the communes, Marseille whole included", () => {
    const epci = result.series.filter((s) => s.territoryCode === "EPCI-200054807");
    expect(epci.length).toBeGreaterThan(0);
    for (const s of epci) expect(s).toMatchObject({ derived: true, derivation: DARES_EPCI_DERIVATION });
    const published = result.series.filter((s) => s.territoryCode !== "EPCI-200054807");
    expect(published.map((s) => s.territoryCode)).toContain("COM-13055");
    for (const s of published) expect(s.derived ?? false, s.territoryCode).toBe(false);
  });

  it("gives no EPCI total when a member is missing or secret, and skips the national total", () => {
    expect(find(result, "EPCI-200054807", "2023-Q4", { category: "ABC" })).toBeUndefined();
    expect(find(result, "COM-84089", "2023-Q4", { category: "ABC" })).toMatchObject({
      value: null,
      obsStatus: "M",
    });
    expect(result.skipped).toMatchObject({ national_total: 1 });
    expect(result.skipped.epci_total_incomplete).toBeGreaterThan(0);
  });

  it("reads a /records page too (reconstructed sample, placeholder values)", () => {
    const sample = convertDares(
      payload(fixture("defm-communales-records-reconstructed-placeholders.json")),
      resource(),
    );
    expect(find(sample, "COM-13055", "2024-Q4", { category: "ABC" })?.value).toBe(0);
  });

  it("refuses a date that is not a quarter and an unreadable count", () => {
    expect(() =>
      convertDares(payload(invented.toString().replace('"2024-T4"', '"2024"')), resource()),
    ).toThrow(/is not a quarter/);
    expect(() =>
      convertDares(payload(invented.toString().replace(": 9105", ': "n.d."')), resource()),
    ).toThrow(/nombre_de_demandeurs_d_emploi "n.d."/);
  });

  it("turns labels into stable codes", () => {
    expect(slug("50 ans ou plus")).toBe("50_ans_ou_plus");
    expect(slug("Égal à 25 ans")).toBe("egal_a_25_ans");
  });
});

describe("dares against a local server", () => {
  let database: TestDatabase | undefined;
  let server: FixtureServer | undefined;
  afterEach(async () => {
    await server?.close();
    await database?.close();
  });

  it("asks the export for the hub's communes and arrondissements, then loads once", async () => {
    database = await createTestDatabase();
    const path = "/catalog/datasets/dares_defm_communales-brutes/exports/json";
    server = await startFixtureServer({ [path]: [{ body: invented }] });
    const log = loggerFor("test");
    const run = () =>
      runStream({
        db: (database as TestDatabase).db,
        source: dares,
        stream: jobseekersStream,
        trigger: "test",
        env: { INGEST_DARES_BASE_URL: server?.baseUrl },
        http: createHttpClient({ log, retries: 0 }),
        log,
      });
    const first = await run();
    expect(first.status).toBe("success");
    const where = new URL(`http://x${server.requests[0].path}`).searchParams.get("where") ?? "";
    expect(where).toMatch(/^code_commune IN \(/);
    expect(where).toContain('"13001"');
    expect(where).toContain('"13201"');
    expect(where).toContain('"84089"');
    expect(first.rowsInserted).toBeGreaterThan(0);
    expect((await run()).status).toBe("unchanged");
  });
});
