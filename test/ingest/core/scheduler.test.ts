import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { ScheduleError, startScheduler, wasMissed } from "../../../ingest/core/scheduler";
import type { SourceDefinition } from "../../../ingest/core/types";
import { selectRows } from "../../../src/db/client";
import { loggerFor } from "../../../src/logger";
import { createTestDatabase, type TestDatabase } from "../../support/db";

describe("wasMissed", () => {
  // 06:00 Europe/Paris is 05:00 UTC in winter.
  const daily = "0 6 * * *";
  it("sees a daily run that fell due while the hub was down", () => {
    expect(wasMissed(daily, new Date("2026-11-20T05:00:00Z"), new Date("2026-11-21T09:00:00Z"))).toBe(true);
  });
  it("sees nothing missed when the last run came after the last due time", () => {
    expect(wasMissed(daily, new Date("2026-11-21T05:00:30Z"), new Date("2026-11-21T09:00:00Z"))).toBe(false);
  });
  it("reads the expression in Paris time, not UTC", () => {
    // 05:30 UTC is 06:30 in Paris: the 06:00 Paris run was due at 05:00 UTC, after a 04:59 UTC last run.
    expect(wasMissed(daily, new Date("2026-11-21T04:59:00Z"), new Date("2026-11-21T05:30:00Z"))).toBe(true);
    expect(wasMissed(daily, new Date("2026-11-21T05:01:00Z"), new Date("2026-11-21T05:30:00Z"))).toBe(false);
  });
  it("finds a monthly due time across a change of clocks, however long ago the last run", () => {
    const monthly = "0 5 3 * *"; // 05:00 Paris on the 3rd: 03:00 UTC in October (CEST), 04:00 UTC in November
    const afterOctober = new Date("2026-10-03T03:30:00Z");
    expect(wasMissed(monthly, afterOctober, new Date("2026-11-03T03:59:00Z"))).toBe(false);
    expect(wasMissed(monthly, afterOctober, new Date("2026-11-03T04:00:30Z"))).toBe(true);
    expect(wasMissed(monthly, new Date("2025-01-01T00:00:00Z"), new Date("2026-11-02T00:00:00Z"))).toBe(true);
  });
  it("runs a stream that never ran, and refuses a bad expression", () => {
    expect(wasMissed(daily, null)).toBe(true);
    expect(() => wasMissed("every day at six", null)).toThrow(ScheduleError);
  });
});

describe("startScheduler", () => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.close();
    database = undefined;
  });

  it("catches up, once, a stream that never ran, a failing source does not stop the others, and the next start retries the failed one", async () => {
    database = await createTestDatabase();
    const stream = (id: string, url: string) => ({
      id,
      description: "catch-up test stream (no rows)",
      schedule: "0 6 1 1 *",
      indicators: [],
      datasetCode: "TAUX-CHOMAGE",
      plan: () => [{ key: "only", url }],
      convert: () => ({ series: [], observations: [], skipped: {} }),
    });
    const sources: SourceDefinition[] = [
      {
        id: "offline",
        title: "A source with no network",
        partnerCode: "INSEE",
        // Port 9 (discard) on the loopback refuses connections at once: no network, fast failure.
        defaultBaseUrl: "http://127.0.0.1:9",
        streams: [stream("offline.a", "http://127.0.0.1:9/nothing")],
      },
      {
        id: "local",
        title: "A source read from a file",
        partnerCode: "INSEE",
        defaultBaseUrl: "file:///",
        streams: [stream("local.a", new URL(import.meta.url).href)],
      },
    ];
    const log = loggerFor("test");
    const first = startScheduler({ db: database.db, sources, log, schedule: false, catchUp: true });
    const runs = await first.caughtUp;
    await first.stop();
    expect(runs.map((r) => [r.streamId, r.status])).toEqual([
      ["offline.a", "failed"],
      ["local.a", "success"],
    ]);
    // The failed stream owes a retry: the next start runs it again, at once; the other one waits.
    const second = startScheduler({ db: database.db, sources, log, schedule: false, catchUp: true });
    expect((await second.caughtUp).map((r) => [r.streamId, r.status])).toEqual([["offline.a", "failed"]]);
    await second.stop();
    const triggers = await selectRows<{ trigger: string; n: string }>(
      database.db,
      sql`select trigger, count(*)::text as n from ingest_runs group by trigger`,
    );
    expect(triggers).toEqual([{ trigger: "catch_up", n: "3" }]);
  });
});
