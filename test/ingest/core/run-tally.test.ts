import { describe, expect, it } from "vitest";
import { describeTally, tallyRuns } from "../../../ingest/core/run-tally";
import type { RunSummary } from "../../../ingest/core/runner";

const run = (streamId: string, status: string, extra: Partial<RunSummary> = {}): RunSummary => ({
  runId: 1,
  streamId,
  status: status as RunSummary["status"],
  resourcesTotal: 1,
  resourcesFailed: 0,
  resourcesHeld: 0,
  rowsInserted: 0,
  rowsUpdated: 0,
  rowsUnchanged: 0,
  rowsSkipped: 0,
  durationMs: 5,
  error: null,
  nextAttemptAt: null,
  ...extra,
});

describe("the tally of a catch-up or of ingest all", () => {
  // What a hub without network sees at its first start: the sources fail with the HTTP client's words.
  const offline = [
    run("insee-bdm.unemployment-rate", "failed", {
      resourcesFailed: 1,
      error: "series: GET https://bdm.insee.fr/series/sdmx/data/SERIES_BDM/001515842 failed: ENOTFOUND",
    }),
    run("urssaf.commune-ape", "failed", { error: "GET https://open.urssaf.fr/… failed: EAI_AGAIN" }),
    run("partner-csv.files", "success", { resourcesTotal: 0 }),
    run("mesr.students", "success", { rowsInserted: 12 }),
    run("dares.jobseekers", "failed", { error: "convert: unexpected column" }),
    run("dgac.airport-traffic", "unchanged"),
  ];

  it("tells loaded, unreachable, not configured and failed streams apart", () => {
    const tally = tallyRuns(offline);
    expect(tally.loaded).toEqual(["mesr.students"]);
    expect(tally.unreachable.map((u) => u.streamId)).toEqual([
      "insee-bdm.unemployment-rate",
      "urssaf.commune-ape",
    ]);
    expect(tally.notConfigured).toEqual(["partner-csv.files"]);
    expect(tally.failed).toEqual([{ streamId: "dares.jobseekers", error: "convert: unexpected column" }]);
    expect(tally.unchanged).toEqual(["dgac.airport-traffic"]);
    expect(tally.rowsWritten).toBe(12);
  });

  it("says what to run next for each kind of trouble", () => {
    const lines = describeTally(tallyRuns(offline), 3);
    expect(lines[0]).toBe(
      "1 loaded, 1 unchanged, 3 not due, 2 unreachable, 1 not configured, 1 failed; 12 values written",
    );
    expect(lines.find((l) => l.startsWith("unreachable"))).toMatch(
      /INGEST_<SOURCE>_BASE_URL.*--from-file.*agenda's printed figures/,
    );
    expect(lines.find((l) => l.startsWith("not configured"))).toMatch(/manifest\.json/);
    expect(lines.find((l) => l.startsWith("failed"))).toMatch(
      /dares\.jobseekers \(convert: unexpected column\).*--status/,
    );
  });

  it("counts a stream the scheduler found not due only when asked", () => {
    expect(describeTally(tallyRuns([run("a", "success", { rowsInserted: 1 })]))[0]).toBe(
      "1 loaded, 0 unchanged, 0 unreachable, 0 not configured, 0 failed; 1 values written",
    );
  });
});
