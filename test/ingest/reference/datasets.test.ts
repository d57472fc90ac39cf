import { describe, expect, it } from "vitest";
import { readReferenceFiles } from "../../../ingest/reference/load";
import { sources } from "../../../ingest/registry";

const datasets = readReferenceFiles()["datasets.json"] as { code: string; sourceId: string | null }[];

describe("datasets.json", () => {
  it("files every stream's dataset under the source that holds the stream", () => {
    const misfiled = sources.flatMap((source) =>
      source.streams
        .map((stream) => ({
          stream: stream.id,
          dataset: datasets.find((d) => d.code === stream.datasetCode),
        }))
        .filter(({ dataset }) => dataset && dataset.sourceId !== source.id)
        .map(({ stream, dataset }) => `${stream}: ${dataset?.code} is filed under ${dataset?.sourceId}`),
    );
    expect(misfiled).toEqual([]);
  });
});
