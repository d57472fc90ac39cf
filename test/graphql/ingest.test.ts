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
