/**
 * What happens around a run: the lease (who holds it, until when, what a stopped holder leaves), the
 * interruption on a signal, the retry after a failure, the derive owed after a load, the deadline of a
 * hung download, the revision guard, the redaction of stored URLs and the stream that is not configured.
 * The stream is a fake one; every number in it is INVENTED.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { createHttpClient } from "../../../ingest/core/http";
import { interruptRuns, type RunOptions, runStream } from "../../../ingest/core/runner";
import { acquireLease } from "../../../ingest/core/state";
import { streamStatuses } from "../../../ingest/core/status";
import { NotConfiguredError, type StreamDefinition } from "../../../ingest/core/types";
import { type Db, selectRows } from "../../../src/db/client";
import { loggerFor } from "../../../src/logger";
import { createTestDatabase, type TestDatabase } from "../../support/db";
import { type FixtureServer, startFixtureServer } from "../../support/fixture-server";
import {
  deriveDouble,
  inventedPayload,
  inventedStream,
  quarters,
  sourceOf as testSource,
} from "../../support/invented-stream";

const log = loggerFor("test");
const payload = inventedPayload;
const fakeStream = (overrides: Partial<StreamDefinition> = {}) =>
  inventedStream("fake.lifecycle", "invented", overrides);
const sourceOf = (stream: StreamDefinition) => testSource("fake", stream);

let database: TestDatabase | undefined;
let server: FixtureServer | undefined;
let hanging: Server | undefined;
afterEach(async () => {
  await server?.close();
  hanging?.closeAllConnections();
  await new Promise((r) => (hanging ? hanging.close(r) : r(undefined)));
  await database?.close();
  server = undefined;
  hanging = undefined;
  database = undefined;
});

async function setUp(...responses: Parameters<FixtureServer["route"]>[1][]) {
  database = await createTestDatabase();
  server = await startFixtureServer({ "/data/invented.json": responses });
  return database.db;
}

const run = (stream = fakeStream(), extra: Partial<RunOptions> = {}) =>
  runStream({
    db: (database as TestDatabase).db,
    source: sourceOf(stream),
    stream,
    trigger: "test",
    env: { INGEST_FAKE_BASE_URL: server?.baseUrl },
    http: createHttpClient({ log, retries: 0 }),
    log,
    ...extra,
  });

const one = async <T>(db: Db, query: ReturnType<typeof sql>) => (await selectRows<T>(db, query))[0];
const values = (db: Db) =>
  selectRows<{ period: string; value: number }>(
    db,
    sql`select o.period, o.value from observations o join series s on s.id = o.series_id
        where s.measure = 'invented' order by o.period`,
  );

describe("the lease", () => {
  it("says who holds a stream and until when when it skips it", async () => {
    const db = await setUp({ body: payload([["2024-Q1", 7.5]]) });
    await acquireLease(db, "fake.lifecycle", "fake", "other-host:4242", 60_000);
    const skipped = await run();
    expect(skipped.status).toBe("skipped");
    expect(skipped.error).toMatch(
      /^already running elsewhere: other-host:4242 holds the lease until \d{4}-\d\d-\d\dT[\d:.]+Z$/,
    );
  });

  it("skips a run found due while another instance was running the stream, once that run has finished", async () => {
    await setUp({ body: payload([["2024-Q1", 7.5]]) });
    // Seen as due while the other instance's run (id 1) was still going: it finished after this look.
    const seenWhileRunning = { lastRunId: 1, at: new Date() };
    expect((await run(fakeStream(), { instance: "first" })).status).toBe("success");
    const second = await run(fakeStream(), { instance: "second", foundDue: seenWhileRunning });
    expect(second).toMatchObject({
      status: "skipped",
      error: "already run since it was found due, by first",
    });
    // Seen after that run had finished, the stream really is owed another one: it runs.
    const third = await run(fakeStream(), { instance: "third", foundDue: { lastRunId: 1, at: new Date() } });
    expect(third.status).toBe("unchanged");
  });

  it("skips a run found due before another instance ran the stream, and lets go of the lease", async () => {
    const db = await setUp({ body: payload([["2024-Q1", 7.5]]) });
    // Two instances starting together both found the stream due when it had no run yet (last run id 0).
    const foundDue = { lastRunId: 0, at: new Date() };
    expect((await run(fakeStream(), { instance: "first", foundDue })).status).toBe("success");
    const second = await run(fakeStream(), { instance: "second", foundDue });
    expect(second).toMatchObject({
      status: "skipped",
      error: "already run since it was found due, by first",
    });
    const runs = await selectRows<{ instance: string }>(db, sql`select instance from ingest_runs`);
    expect(runs).toEqual([{ instance: "first" }]);
    const [state] = await selectRows<{ lease_owner: string | null }>(
      db,
      sql`select lease_owner from stream_state where stream_id = 'fake.lifecycle'`,
    );
    expect(state?.lease_owner).toBeNull();
  });

  it("is renewed by a heartbeat while a run outlives its TTL, so no one else takes the stream", async () => {
    const db = await setUp({ body: payload([["2024-Q1", 7.5]]) });
    let release: () => void = () => undefined;
    const slow = fakeStream({
      download: async (resource, ctx) => {
        await new Promise<void>((r) => {
          release = r;
        });
        return ctx.http.stream(resource.url);
      },
    });
    const first = run(slow, { leaseMs: 300, instance: "first" });
    await new Promise((r) => setTimeout(r, 900));
    const second = await run(fakeStream(), { leaseMs: 300, instance: "second" });
    expect(second).toMatchObject({
      status: "skipped",
      error: expect.stringContaining("first holds the lease"),
    });
    release();
    expect((await first).status).toBe("success");
    expect(await values(db)).toEqual([{ period: "2024-Q1", value: 7.5 }]);
  });

  it("closes as interrupted the run a stopped holder left running, once its lease expired", async () => {
    const db = await setUp({ body: payload([["2024-Q1", 7.5]]) });
    await acquireLease(db, "fake.lifecycle", "fake", "crashed:1", 50);
    await db.execute(
      sql`insert into ingest_runs (source_id, stream_id, trigger, instance) values ('fake', 'fake.lifecycle', 'test', 'crashed:1')`,
    );
    await new Promise((r) => setTimeout(r, 120));
    // Found due (the retry check) while the crashed run was its last: closing that run is not work done.
    const [last] = await selectRows<{ id: number }>(db, sql`select max(id)::int as id from ingest_runs`);
    const foundDue = { lastRunId: last?.id ?? 0, at: new Date(Date.now() - 1_000) };
    expect((await run(fakeStream(), { foundDue })).status).toBe("success");
    const runs = await selectRows<{ status: string; error: string | null }>(
      db,
      sql`select status, error from ingest_runs order by id`,
    );
    expect(runs).toEqual([
      { status: "interrupted", error: expect.stringContaining("crashed:1") },
      { status: "success", error: null },
    ]);
  });
});

describe("an interruption", () => {
  it("ends the run interrupted, releases the lease, and owes a retry at once", async () => {
    const db = await setUp({ body: payload([["2024-Q1", 7.5]]) });
    const stalling = createServer(() => undefined);
    hanging = stalling;
    await new Promise<void>((r) => stalling.listen(0, "127.0.0.1", r));
    const port = (stalling.address() as AddressInfo).port;
    const stalled = fakeStream({ plan: () => [{ key: "only", url: `http://127.0.0.1:${port}/x` }] });
    const running = run(stalled);
    await new Promise((r) => setTimeout(r, 300));
    await interruptRuns("the test sent SIGTERM");
    const summary = await running;
    expect(summary).toMatchObject({ status: "interrupted", error: "interrupted: the test sent SIGTERM" });
    const state = await one<{ lease_owner: string | null; next_attempt_at: Date | null }>(
      db,
      sql`select lease_owner, next_attempt_at from stream_state where stream_id = 'fake.lifecycle'`,
    );
    expect(state?.lease_owner).toBeNull();
    expect(new Date(state?.next_attempt_at ?? 0).getTime()).toBeLessThanOrEqual(Date.now());
  });
});

describe("a body cut in transit", () => {
  it("fails when fewer bytes arrive than its Content-Length announced, and changes nothing", async () => {
    const body = payload(quarters(8, (i) => i));
    const db = await setUp({ body }, { body, truncateAt: body.length - 5 });
    expect((await run()).status).toBe("success");
    const cut = await run();
    expect(cut.status).toBe("failed");
    expect((await values(db)).map((v) => v.value)).toEqual(quarters(8, (i) => i).map(([, v]) => v));
  });
});

describe("a hung source", () => {
  it("fails the resource at its deadline, not after the client's retries", async () => {
    await setUp();
    hanging = createServer(() => undefined);
    await new Promise<void>((r) => hanging?.listen(0, "127.0.0.1", r));
    const port = (hanging.address() as AddressInfo).port;
    const stalled = fakeStream({ plan: () => [{ key: "only", url: `http://127.0.0.1:${port}/x` }] });
    const started = Date.now();
    const summary = await run(stalled, { resourceDeadlineMs: 400 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(summary).toMatchObject({
      status: "failed",
      error: expect.stringContaining("no complete answer within the resource deadline"),
    });
  });
});

describe("retries", () => {
  it("schedule the next attempt minutes after a failure, longer after each, and clear on success", async () => {
    const db = await setUp(
      { status: 404, body: "gone" },
      { status: 404, body: "gone" },
      { body: payload([["2024-Q1", 7.5]]) },
    );
    const delays = [120_000, 600_000, 3_600_000];
    const first = await run(fakeStream(), { retryDelaysMs: delays });
    const second = await run(fakeStream(), { retryDelaysMs: delays });
    const wait = (s: typeof first) => (s.nextAttemptAt?.getTime() ?? 0) - Date.now();
    expect(wait(first)).toBeGreaterThan(100_000);
    expect(wait(first)).toBeLessThanOrEqual(120_000);
    expect(wait(second)).toBeGreaterThan(500_000);
    const [status] = (await streamStatuses(db, [sourceOf(fakeStream())])).filter(
      (s) => s.streamId === "fake.lifecycle",
    );
    expect(status?.nextAttemptAt?.toISOString()).toBe(second.nextAttemptAt?.toISOString());
    expect(status?.consecutiveFailures).toBe(2);
    const third = await run(fakeStream(), { retryDelaysMs: delays });
    expect(third).toMatchObject({ status: "success", nextAttemptAt: null });
    const [after] = await streamStatuses(db, [sourceOf(fakeStream())]);
    expect(after).toMatchObject({ nextAttemptAt: null, consecutiveFailures: 0, lastError: null });
  });
});

describe("derived series", () => {
  const derivedStream = (fail: { now: boolean }) =>
    fakeStream({
      derive: async (db, _log, runId) => {
        await deriveDouble(db, runId, "invented", "invented_double");
        if (fail.now) throw new Error("derive killed half-way");
      },
    });
  const derived = (db: Db) =>
    selectRows<{ period: string; value: number }>(
      db,
      sql`select o.period, o.value from observations o join series s on s.id = o.series_id
          where s.measure = 'invented_double' order by o.period`,
    );

  it("are derived again by the next run, unchanged payload or not, when the last derive did not commit", async () => {
    const db = await setUp({ body: payload([["2024-Q1", 7.5]]) });
    const fail = { now: true };
    const first = await run(derivedStream(fail));
    expect(first.status).toBe("partial");
    expect(await derived(db)).toEqual([]);
    fail.now = false;
    const second = await run(derivedStream(fail));
    expect(second.status).toBe("unchanged");
    expect(await derived(db)).toEqual([{ period: "2024-Q1", value: 15 }]);
    // And --force derives even when nothing is owed.
    await db.execute(
      sql`delete from observations where series_id in (select id from series where measure = 'invented_double')`,
    );
    await run(derivedStream(fail), { force: true });
    expect(await derived(db)).toEqual([{ period: "2024-Q1", value: 15 }]);
  });
});

describe("the revision guard", () => {
  it("holds a payload that would revise most stored values by far, until it is accepted", async () => {
    const good = quarters(40, (i) => 100 + i);
    const thousandfold = quarters(40, (i) => (100 + i) * 1000);
    const db = await setUp({ body: payload(good) }, { body: payload(thousandfold) });
    expect((await run()).status).toBe("success");
    const held = await run();
    expect(held).toMatchObject({
      status: "held",
      error: expect.stringContaining("held for review: it would revise 40 of the 40 stored values"),
    });
    expect((await values(db)).map((v) => v.value)).toEqual(good.map(([, v]) => v));
    const [status] = await streamStatuses(db, [sourceOf(fakeStream())]);
    expect(status?.held).toEqual([
      { resourceKey: "only", rawPayloadId: expect.any(Number), reason: expect.any(String) },
    ]);
    // Accepting applies the held payload itself, without asking the source again.
    const hits = server?.hits("/data/invented.json");
    const accepted = await run(fakeStream(), { acceptHeld: true });
    expect(accepted).toMatchObject({ status: "success", rowsUpdated: 40 });
    expect(server?.hits("/data/invented.json")).toBe(hits);
    expect((await values(db)).map((v) => v.value)).toEqual(thousandfold.map(([, v]) => v));
    const [after] = await streamStatuses(db, [sourceOf(fakeStream())]);
    expect(after?.held).toEqual([]);
  });

  it("lets ordinary revisions through", async () => {
    const db = await setUp(
      { body: payload(quarters(40, (i) => 100 + i)) },
      { body: payload(quarters(40, (i) => 100.5 + i)) },
    );
    await run();
    expect(await run()).toMatchObject({ status: "success", rowsUpdated: 40 });
    expect((await values(db))[0]?.value).toBe(100.5);
  });
});

describe("stored URLs", () => {
  it("keep no credentials or secret parameters in provenance, the raw archive or the run log", async () => {
    const db = await setUp({ body: payload([["2024-Q1", 7.5]]) });
    const base = (server as FixtureServer).baseUrl.replace("http://", "http://user:pa55@");
    const secret = fakeStream({
      plan: () => [
        { key: "only", url: `${base}/data/invented.json?token=t0k3n&X-Amz-Signature=s1gn&year=2024` },
      ],
    });
    expect((await run(secret)).status).toBe("success");
    const stored = await selectRows<{ url: string }>(
      db,
      sql`select source_url as url from observations union all select url from raw_payloads`,
    );
    expect(stored.length).toBe(2);
    for (const { url } of stored) {
      expect(url).not.toMatch(/pa55|t0k3n|s1gn|user:/);
      expect(url).toContain("year=2024");
    }
  });
});

describe("a stream not configured", () => {
  it("is reported with the setting to give, and fails no run", async () => {
    const db = await setUp();
    const unset = fakeStream({
      plan: () => {
        throw new NotConfiguredError("no invented file at /nowhere", "INGEST_FAKE_BASE_URL");
      },
    });
    const summary = await run(unset);
    expect(summary).toMatchObject({
      status: "not_configured",
      error: "not configured: no invented file at /nowhere (set INGEST_FAKE_BASE_URL)",
      nextAttemptAt: null,
    });
    const state = await one<{ last_failure_at: Date | null; consecutive_failures: number }>(
      db,
      sql`select last_failure_at, consecutive_failures from stream_state where stream_id = 'fake.lifecycle'`,
    );
    expect(state).toEqual({ last_failure_at: null, consecutive_failures: 0 });
  });
});
