/**
 * The playground's examples answer the questions they stand for, on what the connectors load from
 * their fixtures (INVENTED values except INSEE's unemployment rates).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { playgroundExamples } from "../../src/graphql/examples";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { loadFixtureData } from "../support/fixture-data";
import { dataOf, graphqlOn } from "../support/graphql";

// biome-ignore lint/suspicious/noExplicitAny: answers are walked loosely, each example has its own shape
type Answer = any;

describe("the playground's examples", () => {
  let database: TestDatabase;
  let query: Awaited<ReturnType<typeof graphqlOn>>;
  beforeAll(async () => {
    database = await createTestDatabase();
    await loadFixtureData(database.db);
    query = await graphqlOn(database);
  });
  afterAll(() => database.close());

  const run = async (name: string): Promise<Answer> => {
    const example = playgroundExamples.find((e) => e.name === name);
    if (!example) throw new Error(`no example "${name}"`);
    return dataOf(await query<Answer>(example.query, example.variables));
  };

  it("every example runs without errors", async () => {
    for (const example of playgroundExamples) {
      const answer = await query(example.query, example.variables);
      expect(answer.errors, example.name).toBeUndefined();
    }
  });

  it("unemployment in the Bouches-du-Rhône since 2020, against the agenda's baseline", async () => {
    const { indicator } = await run("Unemployment in the Bouches-du-Rhône");
    expect(
      indicator.baselines.some((b: Answer) => b.valueText.includes("9,3") || b.valueText.includes("9.3")),
    ).toBe(true);
    const observations = indicator.series[0].observations;
    expect(observations.at(-1)).toMatchObject({ period: "2026-Q1", value: 9.1, obsStatus: "SD" });
    expect(observations.at(-1).changeFromYearBefore).toMatchObject({ basePeriod: "2025-Q1" });
    // INSEE publishes the rate to one decimal: so are its changes, with no float noise (9.1 − 8.8 = 0.3).
    const decimals = (x: number | null) => (x === null ? 0 : (String(x).split(".")[1]?.length ?? 0));
    const changes = observations.map((o: Answer) => o.changeFromYearBefore).filter(Boolean);
    expect(changes.length).toBeGreaterThan(0);
    for (const c of changes) {
      expect(decimals(c.absolute), String(c.absolute)).toBeLessThanOrEqual(1);
      expect(Math.abs(c.absolute - Math.round(c.absolute * 10) / 10)).toBe(0);
    }
    expect(observations.every((o: Answer) => decimals(o.value) <= 1)).toBe(true);
  });

  it("salaried jobs by filière in the Pays d'Aix communes", async () => {
    const { territory, aggregate } = await run("Jobs by filière in the Pays d'Aix");
    expect(territory.name).toBe("Pays d'Aix");
    expect(aggregate.length).toBeGreaterThan(0);
    expect(aggregate.every((r: Answer) => r.filiereCode !== null && r.period >= "2021")).toBe(true);
  });

  it("the sites of the santé filière with their partners and commune", async () => {
    const { filiere } = await run("Sites of the santé filière");
    expect(filiere.label).toBe("Santé");
    expect(filiere.sites.length).toBeGreaterThan(0);
    expect(filiere.sites.some((s: Answer) => s.commune && s.partners.length > 0)).toBe(true);
  });

  it("every indicator of orientation 1 with its latest value, its target and the progress toward it", async () => {
    const { indicators } = await run("Orientation 1: latest values and progress");
    const students = indicators.nodes.find((i: Answer) => i.number === 13);
    expect(students.latest).toMatchObject({ period: "2021" });
    expect(students.progress).toContainEqual(
      expect.objectContaining({ targetCode: "T_STUDENTS_2030", baselineValue: 101653, latestPeriod: "2021" }),
    );
  });

  it("which sources are stale", async () => {
    const { ingestSources } = await run("Stale sources");
    const streams = ingestSources.flatMap((s: Answer) => s.streams);
    const bdm = streams.find((s: Answer) => s.id === "insee-bdm.unemployment-rate");
    expect(bdm).toMatchObject({ stale: false, lastRun: { status: "success" } });
    // Never run in the fixtures (no recording of Flores): stale, with no success to show.
    expect(streams.find((s: Answer) => s.id === "insee-melodi.flores-a38")).toMatchObject({
      stale: true,
      lastSuccessAt: null,
      lastRun: null,
    });
  });
});
