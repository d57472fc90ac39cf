import { describe, expect, it } from "vitest";
import { logFormatFor, prettyLine } from "../src/logger";

describe("the logs", () => {
  it("are readable lines on a terminal and JSON elsewhere, unless LOG_FORMAT says", () => {
    expect(logFormatFor({}, true)).toBe("pretty");
    expect(logFormatFor({}, false)).toBe("json");
    expect(logFormatFor({ LOG_FORMAT: "json" }, true)).toBe("json");
    expect(logFormatFor({ LOG_FORMAT: "pretty" }, false)).toBe("pretty");
    expect(logFormatFor({ LOG_FORMAT: "auto" }, false)).toBe("json");
  });

  it("print one line per event: category, stream, message and the reason, not the fields' JSON", () => {
    const line = prettyLine(
      {
        category: "ingest",
        stream: "insee-bdm.unemployment-rate",
        msg: "resource failed",
        resource: "series",
        error: "GET https://bdm.insee.fr/series/sdmx/data/SERIES_BDM/001515842 failed: ENOTFOUND",
        rowsInserted: 0,
      },
      "msg",
    );
    expect(line).toBe(
      "ingest insee-bdm.unemployment-rate: resource failed (GET https://bdm.insee.fr/series/sdmx/data/SERIES_BDM/001515842 failed: ENOTFOUND; series)",
    );
    expect(line).not.toMatch(/[{}]/);
    // A reason already in the message is not said twice.
    expect(prettyLine({ category: "ingest", msg: "run failed: boom", error: "boom" }, "msg")).toBe(
      "ingest: run failed: boom",
    );
  });
});
