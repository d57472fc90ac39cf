import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { createHttpClient } from "../../../ingest/core/http";
import { wholeBody } from "../../../ingest/core/payload";
import { runStream } from "../../../ingest/core/runner";
import { ConvertError, type SourceDefinition, type StreamDefinition } from "../../../ingest/core/types";
import { selectRows } from "../../../src/db/client";
import { loggerFor } from "../../../src/logger";
import { createTestDatabase, type TestDatabase } from "../../support/db";
import { type FixtureServer, startFixtureServer } from "../../support/fixture-server";

/**
 * A fake stream for the engine: its payload is `{"values": [["2024-Q1", 7.5], …]}` for one made-up
 * series of indicator unemployment_rate at DEP-13. Every number here is INVENTED for the tests.
 */
const inventedPayload = (values: [string, number | null][]) => JSON.stringify({ values });
const key = {
  indicatorCode: "unemployment_rate",
  territoryCode: "DEP-13",
  measure: "invented",
  breakdown: {},
};

function fakeStream(overrides: Partial<StreamDefinition> = {}): StreamDefinition {
  return {
    id: "fake.quarterly",
    description: "engine test stream with invented values",
    schedule: "0 6 * * *",
    indicators: ["unemployment_rate"],
    datasetCode: "TAUX-CHOMAGE",
    plan: (ctx) => [{ key: "only", url: `${ctx.baseUrl}/data/invented.json` }],
    convert: wholeBody((payload) => {
      let parsed: { values: [string, number | null][] };
      try {
        parsed = JSON.parse(new TextDecoder().decode(payload.body));
      } catch (error) {
        throw new ConvertError("payload is not complete JSON", { cause: error });
      }
      return {
        series: [{ ...key, frequency: "Q", unit: "%" }],
        observations: parsed.values.map(([period, value]) => ({
          series: key,
          period,
          value,
          obsStatus: "A",
        })),
        skipped: {},
      };
    }),
    ...overrides,
  };
}

const source = (stream: StreamDefinition): SourceDefinition => ({
  id: "fake",
  title: "Fake source",
  partnerCode: "INSEE",
  defaultBaseUrl: "http://127.0.0.1:9",
  streams: [stream],
});

let database: TestDatabase | undefined;
let server: FixtureServer | undefined;
afterEach(async () => {
  await server?.close();
  await database?.close();
  server = undefined;
  database = undefined;
});

const log = loggerFor("test");
const quickHttp = () => createHttpClient({ log, retries: 3, retryBaseMs: 20, timeoutMs: 5_000 });

async function setUp(...responses: Parameters<FixtureServer["route"]>[1][]) {
  database = await createTestDatabase();
  server = await startFixtureServer({ "/data/invented.json": responses });
  return { db: database.db, env: { INGEST_FAKE_BASE_URL: server.baseUrl } };
}

async function run(stream = fakeStream(), extra: { force?: boolean } = {}) {
  const { db } = database as TestDatabase;
  const env = { INGEST_FAKE_BASE_URL: (server as FixtureServer).baseUrl };
  return runStream({
    db,
    source: source(stream),
    stream,
    trigger: "test",
    env,
    http: quickHttp(),
    log,
    ...extra,
  });
}

async function observations() {
  return selectRows<{ period: string; value: number | null; run_id: number }>(
    (database as TestDatabase).db,
    sql`select o.period, o.value, o.run_id from observations o join series s on s.id = o.series_id
        where s.measure = 'invented' order by o.period`,
  );
}

/** Whole-table fingerprint: equal before and after means byte-for-byte the same rows. */
async function fingerprint(table: string) {
  const [row] = await selectRows<{ h: string }>(
    (database as TestDatabase).db,
    sql.raw(`select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as h from ${table} t`),
  );
  return row?.h;
}

describe("runStream", () => {
  it("loads a payload, then writes nothing for the same payload and records the run as unchanged", async () => {
    await setUp({
      body: inventedPayload([
        ["2024-Q1", 7.5],
        ["2024-Q2", 7.3],
      ]),
    });
    const first = await run();
    expect(first).toMatchObject({ status: "success", rowsInserted: 2, rowsUpdated: 0, resourcesFailed: 0 });
    const second = await run();
    expect(second).toMatchObject({ status: "unchanged", rowsInserted: 0, rowsUpdated: 0 });
    const raw = await selectRows<{ n: string }>(
      database!.db,
      sql`select count(*)::text as n from raw_payloads`,
    );
    expect(raw[0]?.n).toBe("1");
    // Forced, the same payload is converted again, and every value is found unchanged.
    const forced = await run(fakeStream(), { force: true });
    expect(forced).toMatchObject({ status: "success", rowsInserted: 0, rowsUpdated: 0, rowsUnchanged: 2 });
    const [state] = await selectRows<{ last_success_at: Date | null; lease_owner: string | null }>(
      database!.db,
      sql`select last_success_at, lease_owner from stream_state where stream_id = 'fake.quarterly'`,
    );
    expect(state?.last_success_at).not.toBeNull();
    expect(state?.lease_owner).toBeNull();
  });

  it("keeps the previous value of a revised observation in the revision history", async () => {
    await setUp(
      {
        body: inventedPayload([
          ["2024-Q1", 7.5],
          ["2024-Q2", 7.3],
        ]),
      },
      {
        body: inventedPayload([
          ["2024-Q1", 7.5],
          ["2024-Q2", 7.4],
          ["2024-Q3", 7.2],
        ]),
      },
    );
    const first = await run();
    const second = await run();
    expect(second).toMatchObject({ status: "success", rowsInserted: 1, rowsUpdated: 1, rowsUnchanged: 1 });
    expect((await observations()).map((o) => [o.period, o.value])).toEqual([
      ["2024-Q1", 7.5],
      ["2024-Q2", 7.4],
      ["2024-Q3", 7.2],
    ]);
    const revisions = await selectRows<{
      period: string;
      value: number;
      run_id: number;
      replaced_by_run_id: number;
    }>(
      database!.db,
      sql`select period, value, run_id, replaced_by_run_id from observation_revisions order by id`,
    );
    expect(
      revisions.map((r) => ({
        ...r,
        run_id: Number(r.run_id),
        replaced_by_run_id: Number(r.replaced_by_run_id),
      })),
    ).toEqual([{ period: "2024-Q2", value: 7.3, run_id: first.runId, replaced_by_run_id: second.runId }]);
  });

  it("retries a 429 after its Retry-After and a 503, then succeeds", async () => {
    await setUp(
      { status: 429, headers: { "retry-after": "1" }, body: "slow down" },
      { status: 503, body: "unavailable" },
      { body: inventedPayload([["2024-Q1", 7.5]]) },
    );
    const started = Date.now();
    const result = await run();
    expect(result).toMatchObject({ status: "success", rowsInserted: 1 });
    expect(server!.hits("/data/invented.json")).toBe(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
  });

  it("fails a 404 at once, without retrying, and says so in the run log", async () => {
    await setUp({ status: 404, body: "no such series" });
    const result = await run();
    expect(result.status).toBe("failed");
    expect(result.error).toContain("HTTP 404");
    expect(server!.hits("/data/invented.json")).toBe(1);
    const [runRow] = await selectRows<{ status: string; error: string }>(
      database!.db,
      sql`select status, error from ingest_runs where id = ${result.runId}`,
    );
    expect(runRow?.status).toBe("failed");
    const [event] = await selectRows<{ status: string; error: string }>(
      database!.db,
      sql`select status, error from ingest_resource_events where run_id = ${result.runId}`,
    );
    expect(event).toEqual({ status: "failed", error: expect.stringContaining("HTTP 404") });
  });

  it("fails a truncated payload, keeps it in the raw archive and leaves the tables as they were", async () => {
    const full = inventedPayload([
      ["2024-Q1", 7.5],
      ["2024-Q2", 7.3],
    ]);
    await setUp({ body: full }, { body: full.slice(0, 20) });
    await run();
    const before = [await fingerprint("observations"), await fingerprint("series")];
    const result = await run();
    expect(result).toMatchObject({ status: "failed", resourcesFailed: 1 });
    expect(result.error).toContain("payload is not complete JSON");
    expect([await fingerprint("observations"), await fingerprint("series")]).toEqual(before);
    const raw = await selectRows<{ size_bytes: number }>(
      database!.db,
      sql`select size_bytes from raw_payloads order by id`,
    );
    expect(raw.map((r) => Number(r.size_bytes))).toEqual([full.length, 20]);
  });

  it("rolls back a load that crashes half-way: no partial rows", async () => {
    // 6 000 quarters so the loader writes a first batch of 5 000 before the bad row of the second.
    const values: [string, number | null][] = Array.from({ length: 6_000 }, (_, i) => [
      `${1000 + Math.floor(i / 4)}-Q${(i % 4) + 1}`,
      i,
    ]);
    await setUp({ body: inventedPayload(values) });
    const crashing = fakeStream({
      convert: async function* (payload, ctx) {
        for await (const batch of fakeStream().convert(payload, ctx)) {
          // A status the database refuses (NOT NULL), well after the first batch: the load throws mid-way.
          const last = batch.observations?.[5_500];
          if (last) last.obsStatus = null as unknown as string;
          yield batch;
        }
      },
    });
    const result = await run(crashing);
    expect(result.status).toBe("failed");
    expect(await observations()).toEqual([]);
    const series = await selectRows<{ n: string }>(
      database!.db,
      sql`select count(*)::text as n from series where measure = 'invented'`,
    );
    expect(series[0]?.n).toBe("0");
  });

  it("lets only one of two concurrent runners of the same stream run", async () => {
    await setUp({ body: inventedPayload([["2024-Q1", 7.5]]) });
    const [a, b] = await Promise.all([run(), run()]);
    expect([a.status, b.status].sort()).toEqual(["skipped", "success"]);
    const runs = await selectRows<{ n: string }>(
      database!.db,
      sql`select count(*)::text as n from ingest_runs where stream_id = 'fake.quarterly'`,
    );
    expect(runs[0]?.n).toBe("1");
  });
});
