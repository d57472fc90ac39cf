/**
 * Speed by construction: a nested query costs a number of SQL statements that depends on its depth,
 * never on how many parents it walks through (loaders batch each level into one statement).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { loadFixtureData } from "../support/fixture-data";
import { dataOf, graphqlOn } from "../support/graphql";

// biome-ignore lint/suspicious/noExplicitAny: answers are walked loosely, each query has its own shape
type Answer = any;

const NESTED = `query Nested($first: Int!) {
  territories(level: COMMUNE, first: $first, orderBy: { field: POPULATION, direction: DESC }) {
    nodes {
      code
      parents { territory { code children { territory { code sites { code } } } } }
      series { indicator { code targets { code } } observations { value revisions { value } } latest { period } }
      sites { filieres { code partners { code } } partners { code } }
    }
  }
}`;

// One fixture-loaded database for both questions: loading it is most of this file's time.
let database: TestDatabase;
let query: Awaited<ReturnType<typeof graphqlOn>>;
beforeAll(async () => {
  database = await createTestDatabase();
  await loadFixtureData(database.db);
  query = await graphqlOn(database);
});
afterAll(() => database.close());

describe("the SQL statements of a nested query", () => {
  it("do not grow with the number of parents", async () => {
    // The two largest communes (Marseille, Aix) already reach every relation of the query.
    const few = await query<{ territories: { nodes: unknown[] } }>(NESTED, { first: 2 });
    const many = await query<{ territories: { nodes: unknown[] } }>(NESTED, { first: 92 });
    expect(dataOf(few).territories.nodes).toHaveLength(2);
    expect(dataOf(many).territories.nodes).toHaveLength(92);
    // At most one statement per relation of the query (loaders of one relation reached at two depths
    // may batch apart), whatever the parents: 92 communes cost no more than 2.
    expect(many.statements).toBeLessThanOrEqual(few.statements);
    expect(few.statements).toBeLessThanOrEqual(16);
  });

  it("do not grow with the number of series either, through indicators and their observations", async () => {
    const q = `query($first: Int!) { seriesList(first: $first) { nodes {
      territory { name parents { territory { code } } } indicator { code baselines { code } }
      observations { value changeFromYearBefore { absolute } } } } }`;
    const few = await query<{ seriesList: { nodes: unknown[] } }>(q, { first: 2 });
    const many = await query<{ seriesList: { nodes: unknown[] } }>(q, { first: 1000 });
    expect(dataOf(many).seriesList.nodes.length).toBeGreaterThan(50);
    expect(many.statements).toBeLessThanOrEqual(few.statements);
  });
});

describe("the SQL statements of a list of series and their observations", () => {
  const OBSERVATION =
    "period value obsStatus changeFromPrevious { absolute } changeFromYearBefore { basePeriod absolute } provenance { sourceUrl }";
  const listed = (observations: string) => `query {
    indicators(first: 100) { nodes { code series(territory: "EPCI-200054807") { id ${observations} } } } }`;
  const one = (observations: string) => `query($id: Int!) { series(id: $id) { id ${observations} } }`;
  const seriesOf = (answer: Answer): Answer[] =>
    dataOf<Answer>(answer).indicators.nodes.flatMap((i: Answer) => i.series);

  /** Each listed series' answer, asked again alone (`series(id:)`): observations then read on their own. */
  async function askedAlone(listedSeries: Answer[], observations: string) {
    return Promise.all(
      listedSeries.map(async (s) => dataOf<Answer>(await query(one(observations), { id: s.id })).series),
    );
  }

  it("read the values in the series' statement: they cost no statement of their own", async () => {
    const observations = `observations(from: "2020") { ${OBSERVATION} }`;
    const bare = await query(listed(""));
    const withValues = await query(listed(observations));
    expect(withValues.statements).toBe(bare.statements);
    const series = seriesOf(withValues);
    expect(series.filter((s) => s.observations.length > 1).length).toBeGreaterThan(3);
    expect(series.some((s) => s.observations.some((o: Answer) => o.changeFromYearBefore))).toBe(true);
    // The same values, changes and provenance as the observations read on their own.
    expect(series).toEqual(await askedAlone(series, observations));
  });

  it("answer the last periods, and two different asks under aliases, as each asks alone", async () => {
    const observations = `last: observations(last: 2) { period value } since: observations(from: "2022") { period value }`;
    const answer = await query(listed(observations));
    const series = seriesOf(answer);
    expect(series.some((s) => s.last.length === 2 && s.since.length > 0)).toBe(true);
    expect(series).toEqual(await askedAlone(series, observations));
  });

  it("still refuse arguments the observations field refuses", async () => {
    const answer = await query(listed(`observations(last: 0) { value }`));
    expect(answer.errors?.[0]?.message).toMatch(/last: 0 must be 1 or more/);
  });
});

describe("the SQL statements of an aggregate", () => {
  it("read what the selection is (which the checks refuse on) and its values in one statement", async () => {
    const answer = await query<{ aggregate: Answer[] }>(
      `{ aggregate(filter: { indicator: "net_job_creation", measure: "private_salaried_jobs", memberOf: "CT-2" },
          function: SUM, groupBy: [FILIERE, YEAR], from: "2021") { filiereCode period value seriesCount } }`,
    );
    expect(dataOf(answer).aggregate.length).toBeGreaterThan(1);
    // The names the filter gives are checked (the indicator, the territory: one statement each), then
    // one statement answers; the checks of the selection read apart were one more.
    expect(answer.statements).toBe(3);
  });
});

describe("the SQL statements of the dashboard question", () => {
  const dashboard = (first: number, territories: string[]) => `query {
    indicators(first: ${first}) { nodes { code
      latest { period value }
      ${territories.map((t, i) => `t${i}: latest(territory: "${t}") { period value changeFromYearBefore { absolute } }`).join("\n")}
      again: latest { period }
      targets { code valueText }
      progress { targetCode status latestValue shareAchieved } } } }`;

  it("do not grow with the number of indicators, territories or aliases", async () => {
    const small = await query<{ indicators: { nodes: unknown[] } }>(dashboard(2, ["CT-1"]));
    const large = await query<{ indicators: { nodes: unknown[] } }>(
      dashboard(100, ["CT-1", "CT-2", "CT-3", "CT-4", "CT-5", "CT-6", "DEP-13"]),
    );
    expect(dataOf(small).indicators.nodes).toHaveLength(2);
    expect(dataOf(large).indicators.nodes.length).toBeGreaterThan(10);
    // Without batching across aliases, each `latest(territory:)` costs two statements more.
    expect(large.statements).toBeLessThanOrEqual(small.statements);
  });

  it("read every `latest` in one statement whatever its territory, and progress with the targets", async () => {
    const morning = await query<{ indicators: { nodes: { progress: unknown[] }[] } }>(`query {
      indicators(first: 100) { nodes { code
        latest { period value }
        ct1: latest(territory: "CT-1") { period value }
        ct2: latest(territory: "CT-2") { period value }
        targets { code }
        progress { targetCode status latestValue } } } }`);
    expect(dataOf(morning).indicators.nodes.some((n) => n.progress.length > 0)).toBe(true);
    // The indicators; their targets, the territories' check, every latest and the progress, together.
    // Waiting for the check put the aliased latest in a statement of its own (six).
    expect(morning.statements).toBeLessThanOrEqual(5);
  });
});

describe("the SQL statements of headlines", () => {
  const headlines = (observation: string) => `query {
    indicators(first: 100) { nodes { code latest { period value } headline { value period ${observation} } } } }`;

  it("share the latest values' statement, and read changes only when the headline's observation asks", async () => {
    const plain = await query<{ indicators: { nodes: Answer[] } }>(headlines(""));
    const withChanges = await query<{ indicators: { nodes: Answer[] } }>(
      headlines("observation { changeFromYearBefore { absolute } }"),
    );
    const measured = dataOf(plain).indicators.nodes.filter((i) => i.latest?.value != null);
    expect(measured.length).toBeGreaterThan(3);
    for (const i of measured) expect(i.headline).toEqual({ value: i.latest.value, period: i.latest.period });
    // Changes cost their own statement (two more index reads per row); without them, none more.
    expect(withChanges.statements).toBe(plain.statements + 1);
    const changes = dataOf(withChanges).indicators.nodes.flatMap((i) =>
      i.headline?.observation?.changeFromYearBefore ? [i.headline.observation.changeFromYearBefore] : [],
    );
    expect(changes.length).toBeGreaterThan(0);
  });
});

describe("the SQL statements of the freshness question", () => {
  it("read every stream's state, latest run and held payloads in one statement, and the caller's datasets in one more", async () => {
    const answer = await query<{ ingestSources: { streams: Answer[] }[] }>(
      "{ ingestSources { id streams { id stale lastSuccessAt lastFailureAt lastError lastRun { status startedAt } } } }",
    );
    const streams = dataOf(answer).ingestSources.flatMap((s) => s.streams);
    expect(streams.length).toBeGreaterThan(10);
    expect(streams.filter((s) => s.lastRun?.status === "success").length).toBeGreaterThan(5);
    // An anonymous caller: which datasets it may see, then every stream's freshness, side by side.
    expect(answer.statements).toBe(2);
  });
});
