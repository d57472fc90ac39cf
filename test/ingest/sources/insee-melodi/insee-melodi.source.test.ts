import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { createHttpClient } from "../../../../ingest/core/http";
import { readWhole } from "../../../../ingest/core/payload";
import { runStream } from "../../../../ingest/core/runner";
import type { BufferedPayload, HttpClient, Resource } from "../../../../ingest/core/types";
import { convertMelodi, type MelodiDatasetSpec } from "../../../../ingest/sources/insee-melodi/convert";
import {
  BUSINESS_CREATIONS,
  businessCreationsStream,
  downloadAllPages,
  inseeMelodi,
  POPULATIONS,
  YOUTH_EMPLOYMENT,
} from "../../../../ingest/sources/insee-melodi/insee-melodi.source";
import { selectRows } from "../../../../src/db/client";
import { loggerFor } from "../../../../src/logger";
import { createTestDatabase, type TestDatabase } from "../../../support/db";
import { type FixtureServer, startFixtureServer } from "../../../support/fixture-server";

const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, "../../../fixtures/insee-melodi", name));
const log = loggerFor("test");

const payload = (body: Uint8Array | string): BufferedPayload => ({
  body: typeof body === "string" ? new TextEncoder().encode(body) : body,
  url: "https://api.insee.fr/melodi/data/X",
  httpStatus: 200,
  contentType: "application/json",
  retrievedAt: new Date("2026-09-14T12:00:00Z"),
});

const resource = (
  spec: MelodiDatasetSpec,
  knownTerritories: string[],
  knownIndicators = ["business_creations", "youth_employment_rate", "legal_population"],
): Resource => ({
  key: "r",
  url: "https://api.insee.fr/melodi/data/X?GEO=EPCI-200054807%2ACOM",
  meta: { spec, knownTerritories, knownIndicators, cogVintage: 2025 },
});

const AMP = ["COM-13001", "COM-13055", "COM-84089", "EPCI-200054807", "ARM-13201"];

describe("legal populations (recorded answer for EPCI 244400404)", () => {
  const nantes = ["COM-44166", "COM-44215", "COM-44172", "COM-44024", "COM-44162"];

  it("maps each POPREF_MEASURE to a measure with INSEE's published value", () => {
    const result = convertMelodi(
      payload(fixture("popref-epci-244400404-com.json")),
      resource(POPULATIONS, nantes),
    );
    expect(result.observations).toHaveLength(6);
    expect(result.observations.find((o) => o.series.territoryCode === "COM-44162")).toEqual({
      series: {
        indicatorCode: "legal_population",
        territoryCode: "COM-44162",
        measure: "municipal_population",
        breakdown: {},
      },
      period: "2023",
      value: 50973,
      obsStatus: "A",
      attributes: {},
    });
    expect(
      result.series.find((s) => s.territoryCode === "COM-44166" && s.measure === "population_counted_apart"),
    ).toMatchObject({ frequency: "A", unit: "inhabitants", titleFr: "Populations de référence" });
    expect(result.series[0].metadata).toMatchObject({
      measureKey: "OBS_VALUE_NIVEAU",
      geo: "2025-COM-44166",
    });
  });

  it("skips and counts every row while the reference data has no legal_population indicator", () => {
    const result = convertMelodi(
      payload(fixture("popref-epci-244400404-com.json")),
      resource(POPULATIONS, nantes, ["business_creations"]),
    );
    expect(result.observations).toEqual([]);
    expect(result.skipped).toEqual({ indicator_not_in_reference: 6 });
  });
});

describe("business creations (invented values in the recorded envelope)", () => {
  const result = convertMelodi(
    payload(fixture("side-crea-ent-com-epci-invented-values.json")),
    resource(BUSINESS_CREATIONS, AMP),
  );
  const find = (territory: string, period: string, breakdown: Record<string, string>) =>
    result.observations.find(
      (o) =>
        o.series.territoryCode === territory &&
        o.period === period &&
        JSON.stringify(o.series.breakdown) === JSON.stringify(breakdown),
    );

  it("turns ACTIVITY and LEGAL_FORM into breakdowns, totals into the empty breakdown", () => {
    expect(find("COM-13001", "2024", {})?.value).toBe(1500);
    expect(find("COM-13001", "2024", { activity_a10: "GI" })?.value).toBe(400);
    expect(find("COM-13001", "2024", { activity_a10: "GI", legal_form: "EI" })).toMatchObject({
      value: 250,
      obsStatus: "A",
      series: { indicatorCode: "business_creations", measure: "creations" },
    });
    expect(find("COM-13055", "2024", {})?.value).toBe(9000);
  });

  it("counts NaN, null and foreign-territory cells instead of loading them", () => {
    expect(result.skipped).toEqual({ NaN: 1, null_value: 1, territory_not_in_reference: 1 });
    expect(find("COM-13055", "2023", {})).toBeUndefined();
  });
});

describe("youth employment (invented values)", () => {
  it("keeps employed and all 15-24 year-olds and skips rows of other codes", () => {
    const result = convertMelodi(
      payload(fixture("rp-emploi-lr-youth-invented-values.json")),
      resource(YOUTH_EMPLOYMENT, AMP),
    );
    expect(result.observations.map((o) => [o.series.measure, o.value])).toEqual([
      ["employed_15_24", 6000.12345],
      ["population_15_24", 20000.5],
    ]);
    expect(result.skipped).toEqual({ unmapped_EMPSTA_ENQ: 1, other_RP_MEASURE: 1, unmapped_PCS: 1 });
  });
});

describe("bad Melodi answers", () => {
  it("fails an empty observations array, the gateway's text page and another dataset's answer", () => {
    const empty = fixture("popref-count-probe.json");
    expect(() => convertMelodi(payload(empty), resource(POPULATIONS, AMP))).toThrow(/no observation/);
    expect(() =>
      convertMelodi(payload("Le serveur a rencontré une erreur inattendue."), resource(POPULATIONS, AMP)),
    ).toThrow(/not JSON/);
    expect(() =>
      convertMelodi(payload(fixture("popref-epci-244400404-com.json")), resource(BUSINESS_CREATIONS, AMP)),
    ).toThrow(/answered dataset DS_POPULATIONS_REFERENCE, expected DS_SIDE_CREA_ENT_COM/);
  });
});

describe("downloadAllPages", () => {
  it("follows paging until the last page and hands convert one body (invented pages)", async () => {
    const page = (n: number, isLast: boolean) =>
      JSON.stringify({
        identifier: "DS_X",
        observations: [
          {
            dimensions: { GEO: `COM-1300${n}`, TIME_PERIOD: "2024" },
            measures: { OBS_VALUE_NIVEAU: { value: n } },
          },
        ],
        paging: {
          first: "u",
          isLast,
          ...(isLast ? {} : { next: `https://m/data/DS_X?maxResult=1&page=${n + 1}` }),
        },
      });
    const asked: string[] = [];
    const http: HttpClient = {
      get: async (url) => {
        asked.push(url);
        const n = url.includes("page=") ? Number(url.split("page=")[1]) : 1;
        return { ...payload(page(n, n === 3)), url };
      },
      stream: () => Promise.reject(new Error("Melodi pages are read whole")),
    };
    const merged = await downloadAllPages(
      { key: "k", url: "https://m/data/DS_X?maxResult=1" },
      { http, log },
    );
    expect(asked).toEqual([
      "https://m/data/DS_X?maxResult=1",
      "https://m/data/DS_X?maxResult=1&page=2",
      "https://m/data/DS_X?maxResult=1&page=3",
    ]);
    const body = JSON.parse(new TextDecoder().decode(await readWhole(merged.body)));
    expect(body.observations.map((o: { dimensions: { GEO: string } }) => o.dimensions.GEO)).toEqual([
      "COM-13001",
      "COM-13002",
      "COM-13003",
    ]);
  });
});

describe("insee-melodi against a local server", () => {
  let database: TestDatabase | undefined;
  let server: FixtureServer | undefined;
  afterEach(async () => {
    await server?.close();
    await database?.close();
  });

  it("asks for the EPCI's communes, the EPCI and the arrondissements, and loads what the reference knows", async () => {
    database = await createTestDatabase();
    const communes = fixture("side-crea-ent-com-epci-invented-values.json");
    const invented = (geo: string, value: number) =>
      JSON.stringify({
        identifier: "DS_SIDE_CREA_ENT_COM",
        observations: [
          {
            dimensions: {
              GEO: geo,
              FREQ: "A",
              TIME_PERIOD: "2024",
              ACTIVITY: "_T",
              LEGAL_FORM: "_T",
              SIDE_MEASURE: "BURE",
            },
            measures: { OBS_VALUE_NIVEAU: { value } },
          },
        ],
        paging: { first: "u" },
      });
    const script = () => [
      { body: communes },
      { body: invented("2025-EPCI-200054807", 30000) },
      { body: invented("2025-ARM-13201", 700) },
    ];
    server = await startFixtureServer({ "/data/DS_SIDE_CREA_ENT_COM": script() });
    const run = () =>
      runStream({
        db: (database as TestDatabase).db,
        source: inseeMelodi,
        stream: businessCreationsStream,
        trigger: "test",
        env: { INGEST_INSEE_MELODI_BASE_URL: server?.baseUrl },
        http: createHttpClient({ log, retries: 0 }),
        log,
      });
    const first = await run();
    expect(first.status).toBe("success");
    expect(server.requests.map((r) => r.path)).toEqual([
      "/data/DS_SIDE_CREA_ENT_COM?GEO=EPCI-200054807%2ACOM&maxResult=100000",
      "/data/DS_SIDE_CREA_ENT_COM?GEO=EPCI-200054807&maxResult=100000",
      "/data/DS_SIDE_CREA_ENT_COM?GEO=ARM&maxResult=100000",
    ]);
    const rows = await selectRows<{ territory_code: string; value: number }>(
      database.db,
      sql`select s.territory_code, o.value from observations o join series s on s.id = o.series_id
          where s.indicator_code = 'business_creations' and s.breakdown_key = '' and o.period = '2024'
          order by s.territory_code`,
    );
    expect(rows).toEqual([
      { territory_code: "ARM-13201", value: 700 },
      { territory_code: "COM-13001", value: 1500 },
      { territory_code: "COM-13055", value: 9000 },
      { territory_code: "EPCI-200054807", value: 30000 },
    ]);
    server.route("/data/DS_SIDE_CREA_ENT_COM", ...script());
    const second = await run();
    expect(second.rowsInserted + second.rowsUpdated).toBe(0);
  });
});
