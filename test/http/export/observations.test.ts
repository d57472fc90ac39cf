/**
 * The flat observations export on the connectors' fixtures (INVENTED numbers but for INSEE's
 * unemployment rates): every observation once, filters as GraphQL's, errors by name.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectRows } from "../../../src/db/client";
import { createContext } from "../../../src/graphql/context";
import {
  OBSERVATION_COLUMNS,
  observationExport,
  parseExportParams,
} from "../../../src/http/export/observations";
import { createTestDatabase, type TestDatabase } from "../../support/db";
import { loadFixtureData } from "../../support/fixture-data";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
  await loadFixtureData(database.db);
}, 120_000);
afterAll(() => database?.close());

async function exported(query: Record<string, string>, batch?: number) {
  const rows: Record<string, unknown>[] = [];
  const batches = await observationExport(createContext(database.db), parseExportParams(query), { batch });
  for await (const b of batches)
    for (const cells of b) rows.push(Object.fromEntries(OBSERVATION_COLUMNS.map((c, i) => [c, cells[i]])));
  return rows;
}

describe("the observations export", () => {
  it("gives every observation once, in series then period order, whatever the batch size", async () => {
    const [{ n }] = await selectRows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from observations`,
    );
    const small = await exported({}, 7);
    expect(small).toHaveLength(n);
    expect(
      new Set(small.map((r) => `${r.INDICATOR}|${r.REF_AREA}|${r.MEASURE}|${r.BREAKDOWN}|${r.TIME_PERIOD}`))
        .size,
    ).toBe(n);
    expect(await exported({})).toEqual(small);
  });

  it("filters like GraphQL: indicator, territory, period range, with ISO dates beside the SDMX period", async () => {
    const rows = await exported({
      indicator: "unemployment_rate",
      territory: "DEP-13",
      from: "2024-Q3",
      to: "2025",
    });
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r).toMatchObject({
        INDICATOR: "unemployment_rate",
        REF_AREA: "DEP-13",
        REF_AREA_LEVEL: "departement",
      });
      expect(String(r.TIME_PERIOD)).toMatch(/^(2024-Q[34]|2025-Q[1-4])$/);
      expect(r.TIME_PERIOD_START).toMatch(/^202[45]-\d\d-01$/);
      expect(r.OBS_STATUS).toBeTypeOf("string");
      expect(r.SOURCE_URL).toMatch(/^https?:/);
      expect(r.RETRIEVED_AT).toBeInstanceOf(Date);
    }
    const communes = await exported({ memberOf: "EPCI-200054807", level: "commune" });
    expect(communes.length).toBeGreaterThan(0);
    expect(communes.every((r) => r.REF_AREA_LEVEL === "commune")).toBe(true);
  });

  it("refuses unknown codes and bad periods by name, before writing a row", async () => {
    await expect(exported({ indicator: "nope" })).rejects.toThrow(/no indicator with code "nope"/);
    await expect(exported({ from: "2024-Q5" })).rejects.toThrow(/"2024-Q5" is not a period/);
    await expect(exported({ level: "planet" })).rejects.toThrow(/level/);
  });
});
