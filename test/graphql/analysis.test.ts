/**
 * Aggregates and progress toward targets, computed by the database, on what the connectors load from
 * their fixtures. Apart from INSEE's unemployment rates, every number here is INVENTED (the fixtures say
 * so in their names), including the 2024 student count added below to give the students target a pace.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { payloadOf, wholeBody } from "../../ingest/core/payload";
import { runStream } from "../../ingest/core/runner";
import type { StreamDefinition } from "../../ingest/core/types";
import { loggerFor } from "../../src/logger";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { loadFixtureData } from "../support/fixture-data";
import { dataOf, graphqlOn } from "../support/graphql";

const INVENTED_STUDENTS_2024 = 110_000;

/** A stream that hands the engine one invented value without any network. */
const inventedStudents: StreamDefinition = {
  id: "invented.students",
  description: "an INVENTED 2024 student count for the Métropole",
  schedule: "0 6 * * *",
  indicators: ["student_count"],
  datasetCode: "fr-esr-atlas_regional-effectifs-d-etudiants-inscrits",
  plan: () => [{ key: "students-2024", url: "invented://students-2024" }],
  download: async (resource) =>
    payloadOf(
      { url: resource.url, httpStatus: null, contentType: "text/plain", retrievedAt: new Date() },
      String(INVENTED_STUDENTS_2024),
    ),
  convert: wholeBody((payload) => {
    const series = {
      indicatorCode: "student_count",
      territoryCode: "EPCI-200054807",
      measure: "enrolled_students",
      breakdown: {},
    };
    return {
      series: [{ ...series, frequency: "A", unit: "students" }],
      observations: [
        { series, period: "2024", value: Number(new TextDecoder().decode(payload.body)), obsStatus: "A" },
      ],
      skipped: {},
    };
  }),
};

interface Row {
  territoryCode: string | null;
  filiereCode: string | null;
  period: string | null;
  measure: string | null;
  value: number;
  observationCount: number;
}

describe("aggregates and progress over GraphQL", () => {
  let database: TestDatabase;
  let query: Awaited<ReturnType<typeof graphqlOn>>;
  beforeAll(async () => {
    database = await createTestDatabase();
    await loadFixtureData(database.db);
    const run = await runStream({
      db: database.db,
      source: {
        id: "invented",
        title: "Invented",
        partnerCode: "MESR",
        defaultBaseUrl: "invented://",
        streams: [inventedStudents],
      },
      stream: inventedStudents,
      trigger: "test",
      log: loggerFor("test"),
    });
    expect(run.status).toBe("success");
    query = await graphqlOn(database);
  });
  afterAll(() => database.close());

  const JOBS = `indicator: "net_job_creation", measure: "private_salaried_jobs"`;
  const FIELDS = "territoryCode filiereCode period measure value observationCount";

  it("sums salaried jobs over the communes, year by year, from the totals only", async () => {
    const { aggregate } = dataOf(
      await query<{ aggregate: Row[] }>(
        `{ aggregate(filter: { ${JOBS}, territoryLevel: COMMUNE }, function: SUM, groupBy: [PERIOD]) { ${FIELDS} } }`,
      ),
    );
    // COM-13001 and COM-84089, the communes of the fixture; their grand-secteur rows are not added again.
    expect(aggregate.map((r) => [r.period, r.value, r.observationCount])).toEqual([
      ["2022", 1000 + 35, 2],
      ["2023", 1030 + 37, 2],
      ["2024", 351 + 40, 2],
    ]);
  });

  it("rolls communes and Marseille's arrondissements up into the conseils de territoire", async () => {
    const { aggregate } = dataOf(
      await query<{ aggregate: Row[] }>(
        `{ aggregate(filter: { ${JOBS} }, function: SUM, groupBy: [TERRITORY, PERIOD], rollUpTo: CONSEIL_DE_TERRITOIRE, from: "2022", to: "2022") { ${FIELDS} } }`,
      ),
    );
    expect(aggregate.map((r) => [r.territoryCode, r.value])).toEqual([
      ["CT-1", 1100 + 400], // ARM-13202 and ARM-13216, through Marseille
      ["CT-2", 1000 + 35], // Aix-en-Provence and Pertuis
    ]);
  });

  it("averages rates where a sum is refused", async () => {
    const { aggregate } = dataOf(
      await query<{ aggregate: Row[] }>(
        `{ aggregate(filter: { indicator: "unemployment_rate", measure: "rate" }, function: AVG, groupBy: [YEAR], from: "2025", to: "2025") { ${FIELDS} } }`,
      ),
    );
    // INSEE's published quarterly rates of 2025 for DEP-13 and REG-93.
    expect(aggregate).toHaveLength(1);
    expect(aggregate[0].period).toBe("2025");
    // A mean of values published to one decimal is given to three.
    expect(aggregate[0].value).toBe(Number(((8.6 + 8.7 + 8.8 + 9.0 + 7.9 + 8.0 + 8.2 + 8.4) / 8).toFixed(3)));
    expect(aggregate[0].observationCount).toBe(8);
  });

  it("dates each group so a time-series tool can plot it: the period's span, or the year's", async () => {
    const byQuarter = dataOf(
      await query<{ aggregate: Row[] }>(
        `{ aggregate(filter: { indicator: "unemployment_rate", measure: "rate" }, function: AVG, groupBy: [PERIOD], from: "2025-Q2", to: "2025-Q2") { period periodStart periodEnd } }`,
      ),
    ).aggregate;
    expect(byQuarter).toEqual([{ period: "2025-Q2", periodStart: "2025-04-01", periodEnd: "2025-06-30" }]);
    const byYear = dataOf(
      await query<{ aggregate: Row[] }>(
        `{ aggregate(filter: { indicator: "unemployment_rate", measure: "rate" }, function: AVG, groupBy: [YEAR], from: "2025", to: "2025") { period periodStart periodEnd } }`,
      ),
    ).aggregate;
    expect(byYear).toEqual([{ period: "2025", periodStart: "2025-01-01", periodEnd: "2025-12-31" }]);
  });

  it.each([
    [`{ ${JOBS} }`, "SUM", "[PERIOD]", /across territory levels.*Marseille and its arrondissements/],
    [
      `{ indicator: "net_job_creation", breakdown: [{ key: "grand_secteur", value: "GS3" }] }`,
      "MAX",
      "[]",
      /mixes measures \(private_salaried_jobs, private_salaried_jobs_net_change, private_salaried_jobs_raw/,
    ],
    [
      `{ indicator: "unemployment_rate", measure: "rate" }`,
      "SUM",
      "[TERRITORY]",
      /cannot SUM unemployment_rate/,
    ],
  ])("refuses %s with %s grouped by %s", async (filter, fn, groupBy, message) => {
    const { errors } = await query(
      `{ aggregate(filter: ${filter}, function: ${fn}, groupBy: ${groupBy}) { value } }`,
    );
    expect(errors?.[0].extensions.code).toBe("AGGREGATION_NOT_ALLOWED");
    expect(errors?.[0].message).toMatch(message);
  });

  it("refuses a sum of rates even over a range that holds no value", async () => {
    const { errors } = await query(
      `{ aggregate(filter: { indicator: "unemployment_rate", measure: "rate" }, function: SUM, groupBy: [TERRITORY], from: "2100") { value } }`,
    );
    expect(errors?.[0].extensions.code).toBe("AGGREGATION_NOT_ALLOWED");
  });

  it("measures progress toward the students target from the agenda's 2021 baseline", async () => {
    const { target } = dataOf(
      await query<{ target: { progress: Record<string, number | string | null>[] } }>(
        `{ target(code: "T_STUDENTS_2030") { progress { indicatorCode territoryCode baselineValue baselinePeriod
            latestValue latestPeriod targetValue shareAchieved timeElapsed projectedValue status } } }`,
      ),
    );
    const [p] = target.progress;
    const base = 101_653; // 001:L603
    const goal = base * 1.2; // +20 % by 2030, 001:L654
    const elapsed =
      (Date.UTC(2024, 11, 31) - Date.UTC(2021, 11, 31)) / (Date.UTC(2030, 11, 31) - Date.UTC(2021, 11, 31));
    expect(p).toMatchObject({
      indicatorCode: "student_count",
      territoryCode: "EPCI-200054807",
      baselineValue: base,
      baselinePeriod: "2021",
      latestValue: INVENTED_STUDENTS_2024,
      latestPeriod: "2024",
      status: "ON_TRACK",
    });
    // Student counts are whole: so are the target and the projection; shares are given to four decimals.
    expect(p.targetValue).toBe(Math.round(goal));
    expect(p.shareAchieved).toBe(Number(((INVENTED_STUDENTS_2024 - base) / (goal - base)).toFixed(4)));
    expect(p.timeElapsed).toBe(Number(elapsed.toFixed(4)));
    expect(p.projectedValue).toBe(Math.round(base + (INVENTED_STUDENTS_2024 - base) / elapsed));
  });

  it("says why progress cannot be measured: no data, or a target without a number", async () => {
    const { indicator } = dataOf(
      await query<{
        indicator: { progress: { targetCode: string; filiereCode: string | null; status: string }[] };
      }>(`{ indicator(code: "net_job_creation") { progress { targetCode filiereCode status } } }`),
    );
    expect(indicator.progress).toEqual(
      expect.arrayContaining([
        { targetCode: "T_CREM", filiereCode: null, status: "NOT_QUANTIFIED" },
        // About filière F2 alone: measured on F2's jobs, which the fixture does not hold, not on all jobs.
        { targetCode: "T_HENRI_FABRE_2017", filiereCode: "F2", status: "NO_DATA" },
      ]),
    );
  });

  it("answers the progress as known before the invented 2024 value arrived", async () => {
    const { target } = dataOf(
      await query<{ target: { progress: { latestPeriod: string; status: string }[] } }>(
        `{ target(code: "T_STUDENTS_2030") { progress(asOf: "2000-01-01") { latestPeriod status } } }`,
      ),
    );
    expect(target.progress).toEqual([{ latestPeriod: null, status: "NO_DATA" }]);
  });
});
