import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { wholeBody } from "../../../ingest/core/payload";
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
  it("answers again when a due time passes, though it keeps the last one it found", () => {
    const hourly = "30 * * * *";
    const lastRun = new Date("2026-11-21T08:31:00Z");
    // the same window (08:30-09:30) asked twice, then the next due time passed, then back in time
    expect(wasMissed(hourly, lastRun, new Date("2026-11-21T08:45:00Z"))).toBe(false);
    expect(wasMissed(hourly, lastRun, new Date("2026-11-21T09:29:00Z"))).toBe(false);
    expect(wasMissed(hourly, lastRun, new Date("2026-11-21T09:30:30Z"))).toBe(true);
    expect(wasMissed(hourly, lastRun, new Date("2026-11-21T09:00:00Z"))).toBe(false);
    expect(wasMissed(hourly, new Date("2026-11-21T07:31:00Z"), new Date("2026-11-21T08:29:00Z"))).toBe(false);
    expect(wasMissed(hourly, new Date("2026-11-21T07:31:00Z"), new Date("2026-11-21T08:30:00Z"))).toBe(true);
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
      convert: async function* () {},
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
    const startedAt = new Date();
    const first = startScheduler({
      db: database.db,
      sources,
      log,
      schedule: false,
      catchUp: true,
      startedAt,
    });
    const runs = await first.caughtUp;
    await first.stop();
    expect(runs.map((r) => [r.streamId, r.status])).toEqual([
      ["offline.a", "failed"],
      ["local.a", "success"],
    ]);
    // A second instance that started before the failure leaves it to the first one's retry backoff.
    const peer = startScheduler({ db: database.db, sources, log, schedule: false, catchUp: true, startedAt });
    expect(await peer.caughtUp).toEqual([]);
    await peer.stop();
    // The failed stream owes a retry: the next start runs it again, at once; the other one waits.
    const second = startScheduler({
      db: database.db,
      sources,
      log,
      schedule: false,
      catchUp: true,
      startedAt: new Date(),
    });
    expect((await second.caughtUp).map((r) => [r.streamId, r.status])).toEqual([["offline.a", "failed"]]);
    await second.stop();
    const triggers = await selectRows<{ trigger: string; n: string }>(
      database.db,
      sql`select trigger, count(*)::text as n from ingest_runs group by trigger`,
    );
    expect(triggers).toEqual([{ trigger: "catch_up", n: "3" }]);
  });

  it("runs the other sources' start-up runs while one source hangs, and stops the hung run as interrupted", async () => {
    database = await createTestDatabase();
    const hung = createServer(() => undefined);
    await new Promise<void>((r) => hung.listen(0, "127.0.0.1", r));
    const port = (hung.address() as AddressInfo).port;
    const stream = (id: string, url: string) => ({
      id,
      description: "concurrency test stream (no rows)",
      schedule: "0 6 1 1 *",
      indicators: [],
      datasetCode: "TAUX-CHOMAGE",
      plan: () => [{ key: "only", url }],
      convert: wholeBody(() => ({ series: [], observations: [], skipped: {} })),
    });
    const here = new URL(import.meta.url).href;
    const sources: SourceDefinition[] = [
      {
        id: "hung",
        title: "A source that never answers",
        partnerCode: "INSEE",
        defaultBaseUrl: `http://127.0.0.1:${port}`,
        streams: [stream("hung.a", `http://127.0.0.1:${port}/never`)],
      },
      ...["one", "two", "three"].map((id) => ({
        id,
        title: `Local source ${id}`,
        partnerCode: "INSEE",
        defaultBaseUrl: "file:///",
        streams: [stream(`${id}.a`, here)],
      })),
    ];
    // Two at once: the hung source takes one slot for as long as it hangs, the three others share the other.
    const scheduler = startScheduler({
      db: database.db,
      sources,
      log: loggerFor("test"),
      schedule: false,
      catchUp: true,
      concurrency: 2,
      retryCheckMs: 0,
      run: { resourceDeadlineMs: 60_000 },
    });
    const statuses = () =>
      selectRows<{ stream_id: string; status: string }>(
        database!.db,
        sql`select stream_id, status from ingest_runs order by stream_id`,
      );
    for (let i = 0; i < 600; i++) {
      const done = (await statuses()).filter((r) => r.status === "success").length;
      if (done === 3) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await statuses()).toEqual([
      { stream_id: "hung.a", status: "running" },
      { stream_id: "one.a", status: "success" },
      { stream_id: "three.a", status: "success" },
      { stream_id: "two.a", status: "success" },
    ]);
    await scheduler.stop("the test is over");
    expect((await scheduler.caughtUp).map((r) => [r.streamId, r.status])).toEqual([
      ["hung.a", "interrupted"],
      ["one.a", "success"],
      ["two.a", "success"],
      ["three.a", "success"],
    ]);
    hung.closeAllConnections();
    await new Promise((r) => hung.close(r));
  });
});
