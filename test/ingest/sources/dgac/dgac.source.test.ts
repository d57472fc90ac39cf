import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { createHttpClient } from "../../../../ingest/core/http";
import { runStream } from "../../../../ingest/core/runner";
import type { BufferedPayload, ConvertResult } from "../../../../ingest/core/types";
import {
  airportTotalDerivation,
  airportTrafficStream,
  convertAirportFile,
  dgac,
  dgacNumber,
  MEASURES,
} from "../../../../ingest/sources/dgac/dgac.source";
import { selectRows } from "../../../../src/db/client";
import { loggerFor } from "../../../../src/logger";
import { createTestDatabase, type TestDatabase } from "../../../support/db";
import { type FixtureServer, startFixtureServer } from "../../../support/fixture-server";

const fixture = (name: string) => readFileSync(join(import.meta.dirname, "../../../fixtures/dgac", name));
/** Every number in this file is INVENTED; the header is DGAC's. */
const invented = fixture("airport-2022-invented-values.csv");
const payload = (body: Uint8Array | string): BufferedPayload => ({
  body: typeof body === "string" ? new TextEncoder().encode(body) : body,
  url: "https://www.data.gouv.fr/fr/datasets/r/f1bd931e-c99e-41ce-865e-9e9785c903ec",
  httpStatus: 200,
  contentType: "text/csv",
  retrievedAt: new Date("2026-09-14T12:00:00Z"),
});
const value = (result: ConvertResult, measure: string, period: string, breakdown: Record<string, string>) =>
  result.observations.find(
    (o) =>
      o.series.measure === measure &&
      o.period === period &&
      JSON.stringify(o.series.breakdown) === JSON.stringify({ airport: "LFML", ...breakdown }),
  )?.value;

describe("DGAC airport file (invented values)", () => {
  const result = convertAirportFile(payload(invented));

  it("keeps LFML's months, passengers by direction and their total", () => {
    expect(value(result, "air_passengers", "2022-07", { direction: "departures" })).toBe(520000);
    expect(value(result, "air_passengers", "2022-07", {})).toBe(520000 + 515000 + 1200);
    expect(result.skipped.other_airport).toBe(1);
    expect(result.series.every((s) => s.territoryCode === "EPCI-200054807" && s.frequency === "M")).toBe(
      true,
    );
  });

  it("reads decimal commas for freight and adds movements by type", () => {
    expect(value(result, "air_freight_mail_tonnes", "2022-07", { direction: "arrivals" })).toBe(2350.2);
    expect(value(result, "air_freight_mail_tonnes", "2022-07", {})).toBe(4450.6);
    expect(value(result, "aircraft_movements", "2022-08", {})).toBe(8300 + 295);
  });

  it("flags each measure's total derived, naming its columns, and no direction or movement type", () => {
    for (const spec of MEASURES) {
      expect(
        result.series.find((s) => s.measure === spec.measure && Object.keys(s.breakdown).length === 1),
      ).toMatchObject({
        breakdown: { airport: "LFML" },
        derived: true,
        derivation: airportTotalDerivation(spec),
      });
    }
    expect(airportTotalDerivation(MEASURES[0])).toContain("APT_PAX_dep + APT_PAX_arr + APT_PAX_tr");
    const parts = result.series.filter((s) => Object.keys(s.breakdown).length > 1);
    expect(parts.length).toBe(MEASURES.flatMap((m) => m.parts).length);
    for (const s of parts) expect(s.derived ?? false).toBe(false);
  });

  it("gives no total for a month with an empty part, and counts the empty cell", () => {
    expect(value(result, "air_passengers", "2022-09", { direction: "arrivals" })).toBe(488000);
    expect(value(result, "air_passengers", "2022-09", {})).toBeUndefined();
    expect(result.skipped.empty_cell).toBe(1);
  });

  it("reads the recorded header with placeholder values", () => {
    const sample = convertAirportFile(payload(fixture("airport-header-sample-placeholder-values.csv")));
    expect(sample.observations.filter((o) => o.period === "2022-08")).toHaveLength(3 + 1 + 2 + 1 + 2 + 1);
  });

  it("refuses points, commas as separator, a bad month and a month twice", () => {
    expect(dgacNumber("2100,4", "x")).toBe(2100.4);
    expect(() => dgacNumber("2100.4", "line 2, column APT_FRP_dep")).toThrow(
      /line 2, column APT_FRP_dep: "2100.4"/,
    );
    const text = invented.toString();
    expect(() => convertAirportFile(payload(text.replaceAll(";", ",")))).toThrow(/comma-separated/);
    expect(() => convertAirportFile(payload(text.replace("202208;LFML", "202213;LFML")))).toThrow(
      /line 3, column ANMOIS: "202213"/,
    );
    expect(() => convertAirportFile(payload(text.replace("202208;LFML", "202207;LFML")))).toThrow(
      /LFML 2022-07 already on line 2/,
    );
    expect(() => convertAirportFile(payload("ANMOIS;APT\n202207;LFML\n"))).toThrow(/APT_PAX_dep/);
  });
});

describe("dgac against a local server", () => {
  let database: TestDatabase | undefined;
  let server: FixtureServer | undefined;
  afterEach(async () => {
    await server?.close();
    await database?.close();
  });

  it("downloads the yearly airport file from its data.gouv.fr resource path and loads it once", async () => {
    database = await createTestDatabase();
    server = await startFixtureServer({
      "/fr/datasets/r/f1bd931e-c99e-41ce-865e-9e9785c903ec": [{ body: invented }],
    });
    const log = loggerFor("test");
    const run = () =>
      runStream({
        db: (database as TestDatabase).db,
        source: dgac,
        stream: airportTrafficStream,
        trigger: "test",
        env: { INGEST_DGAC_BASE_URL: server?.baseUrl },
        http: createHttpClient({ log, retries: 0 }),
        log,
      });
    expect((await run()).status).toBe("success");
    const [row] = await selectRows<{ value: number }>(
      database.db,
      sql`select o.value from observations o join series s on s.id = o.series_id
          where s.measure = 'air_passengers' and s.breakdown_key = 'airport=LFML' and o.period = '2022-08'`,
    );
    expect(row.value).toBe(540000 + 536000 + 900);
    expect((await run()).status).toBe("unchanged");
  });
});
