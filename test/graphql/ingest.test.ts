import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { loadFixtureData } from "../support/fixture-data";
import { dataOf, graphqlOn } from "../support/graphql";

describe("the run log over GraphQL", () => {
  let database: TestDatabase;
  let query: Awaited<ReturnType<typeof graphqlOn>>;
  beforeAll(async () => {
    database = await createTestDatabase();
    await loadFixtureData(database.db);
    await loadFixtureData(database.db);
    query = await graphqlOn(database);
  });
  afterAll(() => database.close());

  it("lists a stream's runs newest first, with their resources and row counts", async () => {
    const { ingestRuns } = dataOf(
      await query<{
        ingestRuns: {
          totalCount: number;
          nodes: {
            status: string;
            rowsInserted: number;
            resources: { status: string }[];
            stream: { id: string };
          }[];
        };
      }>(`{ ingestRuns(stream: "insee-bdm.unemployment-rate") { totalCount
            nodes { status rowsInserted resources { status } stream { id } } } }`),
    );
    expect(ingestRuns.totalCount).toBe(2);
    // The second load found every payload unchanged and wrote nothing.
    expect(ingestRuns.nodes.map((r) => [r.status, r.rowsInserted])).toEqual([
      ["unchanged", 0],
      ["success", 16],
    ]);
    expect(ingestRuns.nodes[1].resources.map((r) => r.status)).toEqual(["success"]);
    expect(ingestRuns.nodes[0].stream.id).toBe("insee-bdm.unemployment-rate");
  });

  it("links a dataset to the streams that load it and their runs, and an observation to its run", async () => {
    const { dataset, observations } = dataOf(
      await query<{
        dataset: {
          partner: { code: string };
          streams: { id: string; stale: boolean }[];
          runs: { id: number }[];
        };
        observations: { nodes: { provenance: { runId: number } }[] };
      }>(`{
        dataset(code: "TAUX-CHOMAGE") { partner { code } streams { id stale } runs(last: 5) { id } }
        observations(filter: { indicator: "unemployment_rate", territory: "DEP-13" }, last: 1) { nodes { provenance { runId } } }
      }`),
    );
    expect(dataset.partner.code).toBe("INSEE");
    expect(dataset.streams).toEqual([{ id: "insee-bdm.unemployment-rate", stale: false }]);
    expect(dataset.runs).toHaveLength(2);
    expect(dataset.runs.map((r) => r.id)).toContain(observations.nodes[0].provenance.runId);
  });

  it("gives each stream its own latest runs, newest first, as many as asked", async () => {
    type Run = { id: number; startedAt: string };
    const { ingestSources, ingestRuns } = dataOf(
      await query<{
        ingestSources: { streams: { id: string; lastRun: Run | null; one: Run[]; all: Run[] }[] }[];
        ingestRuns: { nodes: (Run & { stream: { id: string } })[] };
      }>(`{
        ingestSources { streams { id lastRun { id startedAt } one: runs(last: 1) { id startedAt } all: runs(last: 5) { id startedAt } } }
        ingestRuns(first: 100) { nodes { id startedAt stream { id } } }
      }`),
    );
    const streams = ingestSources.flatMap((s) => s.streams);
    // Two loads of the fixtures: two runs a stream, for several streams asked in one batch.
    expect(streams.filter((s) => s.all.length === 2).length).toBeGreaterThan(3);
    for (const stream of streams) {
      const log = ingestRuns.nodes
        .filter((r) => r.stream.id === stream.id)
        .map(({ id, startedAt }) => ({ id, startedAt }));
      expect(stream.all).toEqual(log.slice(0, 5));
      expect(stream.one).toEqual(log.slice(0, 1));
      expect(stream.lastRun).toEqual(log[0] ?? null);
    }
  });

  it("says when a failed stream is tried again, and that a healthy one waits for its schedule", async () => {
    const { ingestSources } = dataOf(
      await query<{
        ingestSources: {
          streams: { id: string; nextAttemptAt: string | null; lastError: string | null }[];
        }[];
      }>(`{ ingestSources { streams { id nextAttemptAt lastError } } }`),
    );
    const streams = new Map(ingestSources.flatMap((s) => s.streams).map((s) => [s.id, s]));
    // The Nantes recording fails (every cell skipped) at each load: its retry is minutes away. (Why it
    // failed is for keyed callers; this one is anonymous.)
    const failed = streams.get("insee-melodi.legal-population");
    const wait = new Date(failed?.nextAttemptAt ?? 0).getTime() - Date.now();
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(10 * 60_000);
    expect(streams.get("insee-bdm.unemployment-rate")?.nextAttemptAt).toBeNull();
  });
});
