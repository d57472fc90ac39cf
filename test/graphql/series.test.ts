/**
 * Series and observations over GraphQL, on what the connectors load from their recorded fixtures.
 * The INSEE BDM rates are INSEE's published figures; the revised 2026-Q1 value below (9.3) is INVENTED
 * to exercise the revision history.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpClient } from "../../ingest/core/http";
import { runStream } from "../../ingest/core/runner";
import {
  inseeBdm,
  UNEMPLOYMENT_SERIES,
  unemploymentRateStream,
} from "../../ingest/sources/insee-bdm/insee-bdm.source";
import { loggerFor } from "../../src/logger";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { loadFixtureData } from "../support/fixture-data";
import { startFixtureServer } from "../support/fixture-server";
import { dataOf, graphqlOn } from "../support/graphql";

interface Obs {
  period: string;
  value: number | null;
  obsStatus: string;
  obsQual: string | null;
  provenance: { sourceUrl: string; retrievedAt: string; runId: number };
  changeFromPrevious: { basePeriod: string; baseValue: number; absolute: number; percent: number } | null;
  changeFromYearBefore: { basePeriod: string; baseValue: number; absolute: number; percent: number } | null;
  revisions: { value: number; validTo: string }[];
}

const recorded = readFileSync(
  join(import.meta.dirname, "../fixtures/insee-bdm/taux-chomage-r93-d13.xml"),
  "utf8",
);
// DEP-13's 2026-Q1 rate is the only "9.1" of 2026-Q1 in the recording (REG-93's is 8.5).
const revised = recorded.replace(
  'TIME_PERIOD="2026-Q1" OBS_VALUE="9.1"',
  'TIME_PERIOD="2026-Q1" OBS_VALUE="9.3"',
);

describe("series and observations over GraphQL", () => {
  let database: TestDatabase;
  let query: Awaited<ReturnType<typeof graphqlOn>>;
  let beforeRevision: string;
  beforeAll(async () => {
    database = await createTestDatabase();
    const report = await loadFixtureData(database.db);
    expect(report.allSucceeded).toBe(true);
    beforeRevision = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    const server = await startFixtureServer({
      [`/data/SERIES_BDM/${UNEMPLOYMENT_SERIES.map((s) => s.idbank).join("+")}`]: [{ body: revised }],
    });
    const log = loggerFor("test");
    const run = await runStream({
      db: database.db,
      source: inseeBdm,
      stream: unemploymentRateStream,
      trigger: "test",
      force: true,
      env: { INGEST_INSEE_BDM_BASE_URL: server.baseUrl },
      http: createHttpClient({ log, retries: 0 }),
      log,
    });
    await server.close();
    expect(run.rowsUpdated).toBe(1);
    query = await graphqlOn(database);
  });
  afterAll(() => database.close());

  const OBS = `period value obsStatus obsQual provenance { sourceUrl retrievedAt runId }
    changeFromPrevious { basePeriod baseValue absolute percent }
    changeFromYearBefore { basePeriod baseValue absolute percent } revisions { value validTo }`;

  it("answers unemployment in the Bouches-du-Rhône since 2020 against the agenda's baseline", async () => {
    const { indicator } = dataOf(
      await query<{
        indicator: {
          baselines: { valueNumeric: number; refs: { line: number }[] }[];
          series: {
            territoryCode: string;
            unit: string;
            title: string;
            sourceKey: string;
            observations: Obs[];
          }[];
        };
      }>(`{ indicator(number: 1) {
            baselines { valueNumeric refs { line } }
            series(territory: "DEP-13") { territoryCode unit title(lang: FR) sourceKey observations(from: "2020") { ${OBS} } }
          } }`),
    );
    expect(indicator.baselines.map((b) => b.valueNumeric)).toContain(9.3);
    const [d13] = indicator.series;
    expect(d13).toMatchObject({ territoryCode: "DEP-13", sourceKey: "001515877" });
    expect(d13.title).toBe("Taux de chômage localisé par département - Bouches-du-Rhône");
    expect(d13.observations.map((o) => o.period)).toEqual([
      "2024-Q2",
      "2024-Q3",
      "2024-Q4",
      "2025-Q1",
      "2025-Q2",
      "2025-Q3",
      "2025-Q4",
      "2026-Q1",
    ]);
    const q4 = d13.observations.find((o) => o.period === "2025-Q4");
    expect(q4).toMatchObject({ value: 9, obsStatus: "A", obsQual: "DEF" });
    expect(q4?.provenance.sourceUrl).toMatch(/\/data\/SERIES_BDM\/001515877\+/);
    expect(q4?.provenance.runId).toBeGreaterThan(0);
  });

  it("computes the change over the previous quarter and over the same quarter a year before", async () => {
    const { series } = dataOf(
      await query<{ series: { observations: Obs[] } }>(
        `query($id: Int!) { series(id: $id) { observations(from: "2025-Q1") { ${OBS} } } }`,
        { id: await d13SeriesId() },
      ),
    );
    const q1 = series.observations.find((o) => o.period === "2026-Q1");
    expect(q1?.changeFromPrevious).toMatchObject({ basePeriod: "2025-Q4", baseValue: 9 });
    // Exactly 0.3, not 9.3 − 9 in floating point: changes keep the series' published decimals.
    expect(q1?.changeFromPrevious?.absolute).toBe(0.3);
    expect(q1?.changeFromYearBefore).toMatchObject({ basePeriod: "2025-Q1", baseValue: 8.6 });
    expect(q1?.changeFromYearBefore?.absolute).toBe(0.7);
    expect(q1?.changeFromYearBefore?.percent).toBe(8.1);
    // The range starts at 2025-Q1, yet its change reaches back to 2024-Q4, outside the range.
    expect(series.observations[0].changeFromPrevious).toMatchObject({
      basePeriod: "2024-Q4",
      baseValue: 8.4,
    });
    expect(series.observations[0].changeFromYearBefore).toBeNull();
  });

  it("keeps a revised value's predecessor and answers as of a date before the revision", async () => {
    const id = await d13SeriesId();
    const { now, then } = dataOf(
      await query<{ now: { latest: Obs }; then: { latest: Obs; observations: Obs[] } }>(
        `query($id: Int!, $asOf: String!) {
          now: series(id: $id) { latest { ${OBS} } }
          then: series(id: $id) { latest(asOf: $asOf) { ${OBS} } observations(asOf: $asOf, last: 2) { period value } }
        }`,
        { id, asOf: beforeRevision },
      ),
    );
    expect(now.latest).toMatchObject({ period: "2026-Q1", value: 9.3 });
    expect(now.latest.revisions).toHaveLength(1);
    expect(now.latest.revisions[0].value).toBe(9.1);
    expect(then.latest).toMatchObject({ period: "2026-Q1", value: 9.1, obsStatus: "SD" });
    expect(then.observations.map((o) => [o.period, o.value])).toEqual([
      ["2025-Q4", 9],
      ["2026-Q1", 9.1],
    ]);
  });

  it("lists observations across series with filters, status, ordering and pages", async () => {
    const { observations } = dataOf(
      await query<{
        observations: { totalCount: number; nodes: { value: number; series: { territoryCode: string } }[] };
      }>(`{ observations(filter: { indicator: "unemployment_rate", territories: ["DEP-13", "REG-93"] },
              from: "2025", to: "2025", status: ["A"], orderBy: VALUE_DESC, first: 3) {
            totalCount nodes { value series { territoryCode } } } }`),
    );
    expect(observations.totalCount).toBe(8);
    expect(observations.nodes.map((o) => o.value)).toEqual([9, 8.8, 8.7]);
    expect(observations.nodes[0].series.territoryCode).toBe("DEP-13");
    // Past the last row: an empty page that still tells the total.
    const past = dataOf(
      await query<{
        observations: { totalCount: number; nodes: unknown[]; pageInfo: { hasNextPage: boolean } };
      }>(
        `query($after: String!) { observations(filter: { indicator: "unemployment_rate", territories: ["DEP-13", "REG-93"] },
            from: "2025", to: "2025", status: ["A"], after: $after) { totalCount nodes { value } pageInfo { hasNextPage } } }`,
        { after: Buffer.from("o:20").toString("base64url") },
      ),
    );
    expect(past.observations).toEqual({ totalCount: 8, nodes: [], pageInfo: { hasNextPage: false } });
  });

  it("finds series by territory level and parent, and each series links back to its indicator and dataset", async () => {
    const { seriesList } = dataOf(
      await query<{
        seriesList: {
          totalCount: number;
          nodes: {
            territoryCode: string;
            indicator: { code: string };
            dataset: { partner: { code: string } };
          }[];
        };
      }>(`{ seriesList(filter: { memberOf: "CT-2", indicator: "net_job_creation", breakdown: [] }) {
            totalCount nodes { territoryCode indicator { code } dataset { partner { code } } } } }`),
    );
    expect(seriesList.totalCount).toBeGreaterThan(0);
    expect(seriesList.nodes.every((s) => s.indicator.code === "net_job_creation")).toBe(true);
    expect(seriesList.nodes.map((s) => s.territoryCode)).toContain("COM-13001");
    expect(seriesList.nodes[0].dataset.partner.code).toBe("URSSAF");
  });

  it("narrows a commune's series to its totals, leaving out the series by NAF code and grand secteur", async () => {
    const { territory } = dataOf(
      await query<{
        territory: { all: { breakdownKey: string }[]; totals: { breakdownKey: string; measure: string }[] };
      }>(
        `{ territory(code: "COM-13001") {
            all: series(indicator: "net_job_creation") { breakdownKey }
            totals: series(indicator: "net_job_creation", breakdown: []) { breakdownKey measure } } }`,
      ),
    );
    expect(territory.all.some((s) => s.breakdownKey.startsWith("naf="))).toBe(true);
    expect(territory.totals.length).toBeGreaterThan(0);
    expect(territory.totals.length).toBeLessThan(territory.all.length);
    expect(territory.totals.every((s) => s.breakdownKey === "")).toBe(true);
    expect(territory.totals.map((s) => s.measure)).toContain("private_salaried_jobs");
  });

  it("reads a rate indicator's rate as its latest value, not the counts the rate is computed from", async () => {
    const { indicator } = dataOf(
      await query<{
        indicator: {
          latest: { value: number; series: { measure: string } };
          series: { measure: string; headline: boolean; derived: boolean }[];
        };
      }>(`{ indicator(code: "youth_employment_rate") {
            latest(territory: "COM-13001") { value series { measure } }
            series(territory: "COM-13001") { measure headline derived } } }`),
    );
    // INVENTED census counts: the rate is derived from them after each load.
    expect(indicator.series.filter((s) => s.headline)).toEqual([
      { measure: "rate", headline: true, derived: true },
    ]);
    expect(indicator.latest.series.measure).toBe("rate");
    expect(indicator.latest.value).toBeGreaterThan(0);
    expect(indicator.latest.value).toBeLessThan(100);
  });

  it("answers `latest` asked only for its values, and beside it for its provenance, each as it asks", async () => {
    type Latest = {
      period: string;
      value: number;
      provenance?: { sourceUrl: string | null; retrievedAt: string | null };
    };
    const { indicator } = dataOf(
      await query<{ indicator: { values: Latest; sourced: Latest; spread: Latest } }>(
        `{ indicator(code: "unemployment_rate") {
             values: latest(territory: "DEP-13") { period value obsStatus }
             sourced: latest(territory: "DEP-13") { period value provenance { sourceUrl retrievedAt } }
             spread: latest(territory: "DEP-13") { ...Sourced } } }
         fragment Sourced on Observation { period provenance { sourceUrl retrievedAt } }`,
      ),
    );
    // The values-only read leaves the provenance columns out: the others must still get them.
    expect(indicator.sourced).toMatchObject({
      period: indicator.values.period,
      value: indicator.values.value,
    });
    for (const asked of [indicator.sourced, indicator.spread]) {
      expect(asked.provenance?.sourceUrl).toMatch(/^https?:\/\//);
      expect(asked.provenance?.retrievedAt).not.toBeNull();
    }
  });

  async function d13SeriesId(): Promise<number> {
    const { seriesList } = dataOf(
      await query<{ seriesList: { nodes: { id: number }[] } }>(
        `{ seriesList(filter: { indicator: "unemployment_rate", territory: "DEP-13" }) { nodes { id } } }`,
      ),
    );
    return seriesList.nodes[0].id;
  }
});
