/**
 * The `bi` schema BI tools read over SQL, and the data version HTTP caches key on, on the connectors'
 * fixtures (INVENTED numbers but for INSEE's unemployment rates, as test/support/fixture-data.ts says).
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectRows } from "../../src/db/client";
import { readDataVersion } from "../../src/db/data-version";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { loadFixtureData } from "../support/fixture-data";
import { dataOf, graphqlOn } from "../support/graphql";

let database: TestDatabase;
let versionBeforeLoad: number;

beforeAll(async () => {
  database = await createTestDatabase();
  versionBeforeLoad = await readDataVersion(database.db);
  await loadFixtureData(database.db);
}, 120_000);
afterAll(() => database?.close());

describe("the data version", () => {
  it("advances with a load that writes rows, and stays put when a load writes none", async () => {
    const afterFirst = await readDataVersion(database.db);
    expect(afterFirst).toBeGreaterThan(versionBeforeLoad);
    await loadFixtureData(database.db); // every payload unchanged: nothing written
    expect(await readDataVersion(database.db)).toBe(afterFirst);
  });
});

describe("the bi views", () => {
  it("flatten every observation with its codes and labels, totals marked", async () => {
    const [counts] = await selectRows<{ view: number; table: number; totals: number }>(
      database.db,
      sql`select (select count(*)::int from bi.observations) as view, (select count(*)::int from observations) as table,
        (select count(*)::int from bi.observations where is_total) as totals`,
    );
    expect(counts.view).toBe(counts.table);
    expect(counts.totals).toBeGreaterThan(0);
    expect(counts.totals).toBeLessThan(counts.view);
    const [row] = await selectRows<Record<string, unknown>>(
      database.db,
      sql`select * from bi.observations where indicator_code = 'unemployment_rate' and territory_code = 'DEP-13'
          order by period_start desc limit 1`,
    );
    expect(row).toMatchObject({
      territory_name: "Bouches-du-Rhône",
      territory_level: "departement",
      is_total: true,
    });
    expect(String(row.period_start)).toMatch(/^\d{4}-\d{2}-\d{2}|\d{4}/);
  });

  it("say which memberships can be summed: Marseille's arrondissements never into Marseille", async () => {
    const rows = await selectRows<{ relation: string; summable: boolean; n: number }>(
      database.db,
      sql`select relation, summable, count(*)::int as n from bi.territory_memberships
          where parent_code = 'COM-13055' group by relation, summable`,
    );
    expect(rows).toEqual([{ relation: "subdivision", summable: false, n: 16 }]);
  });

  it("give each target the same progress as GraphQL", async () => {
    const graphql = await graphqlOn(database);
    const { targets } = dataOf(
      await graphql<{
        targets: {
          nodes: {
            code: string;
            progress: {
              indicatorCode: string;
              seriesId: number | null;
              latestValue: number | null;
              targetValue: number | null;
              shareAchieved: number | null;
              status: string;
            }[];
          }[];
        };
      }>(`{ targets(first: 1000) { nodes { code progress {
          indicatorCode seriesId latestValue targetValue shareAchieved status } } } }`),
    );
    const api = targets.nodes
      .flatMap((t) => t.progress.map((p) => ({ targetCode: t.code, ...p, status: p.status.toLowerCase() })))
      .sort((a, b) =>
        `${a.targetCode}|${a.indicatorCode}`.localeCompare(`${b.targetCode}|${b.indicatorCode}`),
      );
    const view = await selectRows<Record<string, unknown>>(
      database.db,
      sql`select target_code, indicator_code, series_id, latest_value, target_value, share_achieved, status
          from bi.target_progress`,
    );
    const fromView = view
      .map((r) => ({
        targetCode: String(r.target_code),
        indicatorCode: String(r.indicator_code),
        seriesId: r.series_id === null ? null : Number(r.series_id),
        latestValue: r.latest_value === null ? null : Number(r.latest_value),
        targetValue: r.target_value === null ? null : Number(r.target_value),
        shareAchieved: r.share_achieved === null ? null : Number(r.share_achieved),
        status: String(r.status),
      }))
      .sort((a, b) =>
        `${a.targetCode}|${a.indicatorCode}`.localeCompare(`${b.targetCode}|${b.indicatorCode}`),
      );
    expect(fromView.length).toBeGreaterThan(0);
    expect(fromView.some((p) => p.latestValue !== null)).toBe(true);
    expect(fromView).toEqual(api);
  });
});
