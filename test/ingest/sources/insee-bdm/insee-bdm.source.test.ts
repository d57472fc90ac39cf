import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { createHttpClient } from "../../../../ingest/core/http";
import { runStream } from "../../../../ingest/core/runner";
import type { BufferedPayload, Resource } from "../../../../ingest/core/types";
import {
  convertBdm,
  inseeBdm,
  UNEMPLOYMENT_SERIES,
  unemploymentRateStream,
} from "../../../../ingest/sources/insee-bdm/insee-bdm.source";
import { selectRows } from "../../../../src/db/client";
import { loggerFor } from "../../../../src/logger";
import { createTestDatabase, type TestDatabase } from "../../../support/db";
import { type FixtureServer, startFixtureServer } from "../../../support/fixture-server";

const recorded = readFileSync(
  join(import.meta.dirname, "../../../fixtures/insee-bdm/taux-chomage-r93-d13.xml"),
);
/** The recording plus a France métropolitaine series whose values are INVENTED. */
const withFranceMetro = readFileSync(
  join(import.meta.dirname, "../../../fixtures/insee-bdm/taux-chomage-r93-d13-plus-fm-invented.xml"),
);
const log = loggerFor("test");
const ALL_IDBANKS = "001515877+001515864+001515948+001515960+001515842";

const payload = (body: Uint8Array | string, httpStatus = 200): BufferedPayload => ({
  body: typeof body === "string" ? new TextEncoder().encode(body) : body,
  url: "https://bdm.insee.fr/series/sdmx/data/SERIES_BDM/x",
  httpStatus,
  contentType: "application/xml",
  retrievedAt: new Date("2026-09-14T12:00:00Z"),
});

const resource = (
  overrides: { knownTerritories?: string[]; updatedAfter?: string | null } = {},
): Resource => ({
  key: "taux-chomage-1",
  url: "https://bdm.insee.fr/series/sdmx/data/SERIES_BDM/x",
  meta: {
    dataflow: "TAUX-CHOMAGE",
    indicatorCode: "unemployment_rate",
    measure: "rate",
    specs: [...UNEMPLOYMENT_SERIES],
    knownTerritories: overrides.knownTerritories ?? ["DEP-13", "REG-93", "DEP-83", "DEP-84"],
    updatedAfter: overrides.updatedAfter ?? null,
    asked: ALL_IDBANKS,
  },
});

describe("convertBdm on the recorded answer", () => {
  const result = convertBdm(payload(recorded), resource());

  it("maps D13 and R93 to their territories with the series metadata kept", () => {
    expect(result.series.map((s) => s.territoryCode)).toEqual(["REG-93", "DEP-13"]);
    expect(result.series[1]).toMatchObject({
      indicatorCode: "unemployment_rate",
      measure: "rate",
      breakdown: {},
      frequency: "Q",
      unit: "%",
      unitMult: 0,
      sourceKey: "001515877",
      titleFr: "Taux de chômage localisé par département - Bouches-du-Rhône",
      titleEn: "Unemployment rates localized by department - Bouches-du-Rhône",
    });
    expect(result.series[1].sourceUpdatedAt?.toISOString()).toBe("2026-06-19T00:00:00.000Z");
    expect(result.series[1].metadata).toMatchObject({ dataflow: "TAUX-CHOMAGE", sdmx: { REF_AREA: "D13" } });
  });

  it("keeps the published values with status, quality and the revision flag", () => {
    const d13 = result.observations.filter((o) => o.series.territoryCode === "DEP-13");
    expect(d13).toHaveLength(8);
    expect(d13.find((o) => o.period === "2026-Q1")).toEqual({
      series: { indicatorCode: "unemployment_rate", territoryCode: "DEP-13", measure: "rate", breakdown: {} },
      period: "2026-Q1",
      value: 9.1,
      obsStatus: "SD",
      obsQual: "SD",
      attributes: { OBS_TYPE: "A" },
    });
    expect(d13.find((o) => o.period === "2024-Q4")).toMatchObject({
      value: 8.4,
      obsStatus: "A",
      obsQual: "DEF",
      attributes: { OBS_REV: "1", OBS_TYPE: "A" },
    });
  });

  it("counts the idbanks a full request did not get back and saves the message's preparation time", () => {
    expect(result.skipped).toEqual({ idbank_not_returned: 3 });
    expect(result.cursor).toEqual({ updatedAfter: "2026-09-14T14:26:35", idbanks: ALL_IDBANKS });
  });
});

describe("convertBdm on bad input", () => {
  it("skips and counts a NaN cell", () => {
    const withNaN = recorded
      .toString("utf-8")
      .replace('TIME_PERIOD="2024-Q3" OBS_VALUE="8.5"', 'TIME_PERIOD="2024-Q3" OBS_VALUE="NaN"');
    const result = convertBdm(payload(withNaN), resource());
    expect(result.skipped.NaN).toBe(1);
    expect(
      result.observations.some((o) => o.series.territoryCode === "DEP-13" && o.period === "2024-Q3"),
    ).toBe(false);
  });

  it("skips a territory the reference data lacks, counting its cells", () => {
    const result = convertBdm(payload(recorded), resource({ knownTerritories: ["DEP-13"] }));
    expect(result.series.map((s) => s.territoryCode)).toEqual(["DEP-13"]);
    expect(result.skipped.territory_not_in_reference).toBe(8);
  });

  it("fails an idbank that was not asked for, a REF_AREA mismatch and a truncated payload", () => {
    const foreign = recorded.toString("utf-8").replace('IDBANK="001515864"', 'IDBANK="999999999"');
    expect(() => convertBdm(payload(foreign), resource())).toThrow(/999999999, which was not asked for/);
    const swapped = recorded.toString("utf-8").replace('REF_AREA="D13"', 'REF_AREA="D06"');
    expect(() => convertBdm(payload(swapped), resource())).toThrow(/REF_AREA D06, expected D13/);
    expect(() => convertBdm(payload(recorded.subarray(0, 3000)), resource())).toThrow(/truncated payload/);
  });

  it("reads a 404 on an increment as nothing new", () => {
    const result = convertBdm(payload("", 404), resource({ updatedAfter: "2026-09-14T14:26:35" }));
    expect(result).toEqual({ series: [], observations: [], skipped: {} });
  });
});

describe("insee-bdm against a local server replaying the recording", () => {
  let database: TestDatabase | undefined;
  let server: FixtureServer | undefined;
  afterEach(async () => {
    await server?.close();
    await database?.close();
  });

  it("plans the real path, loads the published values, then asks only for updates and writes nothing", async () => {
    database = await createTestDatabase();
    server = await startFixtureServer({ [`/data/SERIES_BDM/${ALL_IDBANKS}`]: [{ body: recorded }] });
    const run = () =>
      runStream({
        db: (database as TestDatabase).db,
        source: inseeBdm,
        stream: unemploymentRateStream,
        trigger: "test",
        env: { INGEST_INSEE_BDM_BASE_URL: server?.baseUrl },
        http: createHttpClient({ log, retries: 0 }),
        log,
      });

    const first = await run();
    expect(first.status).toBe("success");
    expect(first.rowsInserted).toBe(16);
    expect(server.requests[0].path).toBe(`/data/SERIES_BDM/${ALL_IDBANKS}`);

    const rows = await selectRows<{
      territory_code: string;
      period: string;
      value: number;
      obs_status: string;
    }>(
      database.db,
      sql`select s.territory_code, o.period, o.value, o.obs_status from observations o
          join series s on s.id = o.series_id
          where s.indicator_code = 'unemployment_rate' and o.period = '2026-Q1' order by s.territory_code`,
    );
    expect(rows).toEqual([
      { territory_code: "DEP-13", period: "2026-Q1", value: 9.1, obs_status: "SD" },
      { territory_code: "REG-93", period: "2026-Q1", value: 8.5, obs_status: "SD" },
    ]);

    const second = await run();
    expect(server.requests[1].path).toBe(
      `/data/SERIES_BDM/${ALL_IDBANKS}?updatedAfter=2026-09-14T14%3A26%3A35`,
    );
    expect(second.rowsInserted + second.rowsUpdated).toBe(0);
  });

  it("loads the France métropolitaine series under the reference territory FRANCE-FM (invented values)", async () => {
    database = await createTestDatabase();
    server = await startFixtureServer({ [`/data/SERIES_BDM/${ALL_IDBANKS}`]: [{ body: withFranceMetro }] });
    const summary = await runStream({
      db: database.db,
      source: inseeBdm,
      stream: unemploymentRateStream,
      trigger: "test",
      env: { INGEST_INSEE_BDM_BASE_URL: server.baseUrl },
      http: createHttpClient({ log, retries: 0 }),
      log,
    });
    // 8 quarters each for R93, D13 and FM; D83 and D84 are not in the file (2 idbanks not returned).
    expect(summary).toMatchObject({ status: "success", rowsInserted: 24, rowsSkipped: 2 });
    const rows = await selectRows<{ territory_code: string; level: string; n: number; latest: number }>(
      database.db,
      sql`select s.territory_code, t.level, count(*)::int as n,
                 (array_agg(o.value order by o.period desc))[1] as latest
          from observations o join series s on s.id = o.series_id join territories t on t.code = s.territory_code
          where s.territory_code = 'FRANCE-FM' group by s.territory_code, t.level`,
    );
    expect(rows).toEqual([{ territory_code: "FRANCE-FM", level: "pays", n: 8, latest: 7 }]);
  });
});
