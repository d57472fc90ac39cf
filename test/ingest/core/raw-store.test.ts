import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { createHttpClient } from "../../../ingest/core/http";
import { readWhole } from "../../../ingest/core/payload";
import { readArchivedPayload } from "../../../ingest/core/raw-store";
import { runStream } from "../../../ingest/core/runner";
import {
  type ConvertBatch,
  ConvertError,
  type Payload,
  type SourceDefinition,
  type StreamDefinition,
} from "../../../ingest/core/types";
import { selectRows } from "../../../src/db/client";
import { loggerFor } from "../../../src/logger";
import { createTestDatabase, type TestDatabase } from "../../support/db";
import { type FixtureServer, startFixtureServer } from "../../support/fixture-server";

/**
 * A stream whose CSV payload `period;value` lines are INVENTED values of one made-up series, converted
 * one line per batch so that every load here goes through several batches.
 */
const key = {
  indicatorCode: "unemployment_rate",
  territoryCode: "DEP-13",
  measure: "invented",
  breakdown: {},
};
const csvStream: StreamDefinition = {
  id: "fake.csv",
  description: "engine test stream with invented values",
  schedule: "0 6 * * *",
  indicators: ["unemployment_rate"],
  datasetCode: "TAUX-CHOMAGE",
  plan: (ctx) => [{ key: "only/one", url: `${ctx.baseUrl}/data/invented.csv` }],
  async *convert(payload): AsyncIterable<ConvertBatch> {
    const text = new TextDecoder().decode(await readWhole(payload.body));
    if (!/^period;value\n/.test(text)) throw new ConvertError("not the invented CSV");
    yield { series: [{ ...key, frequency: "Q", unit: "%" }] };
    for (const line of text.trim().split("\n").slice(1)) {
      const [period = "", value = ""] = line.split(";");
      yield { observations: [{ series: key, period, value: Number(value), obsStatus: "A" }] };
    }
  },
};
const source: SourceDefinition = {
  id: "fake",
  title: "Fake source",
  partnerCode: "INSEE",
  defaultBaseUrl: "http://127.0.0.1:9",
  streams: [csvStream],
};

let database: TestDatabase | undefined;
let server: FixtureServer | undefined;
let dir: string | undefined;
afterEach(async () => {
  await server?.close();
  await database?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  server = database = dir = undefined;
});

const log = loggerFor("test");

async function setUp(...bodies: string[]) {
  database = await createTestDatabase();
  server = await startFixtureServer({ "/data/invented.csv": bodies.map((body) => ({ body })) });
  dir = mkdtempSync(join(tmpdir(), "hublot-raw-"));
  const archive = { dir, keep: 1 };
  const run = () =>
    runStream({
      db: (database as TestDatabase).db,
      source,
      stream: csvStream,
      trigger: "test",
      env: { INGEST_FAKE_BASE_URL: (server as FixtureServer).baseUrl },
      http: createHttpClient({ log, retries: 1, retryBaseMs: 10 }),
      rawArchive: archive,
      log,
    });
  return { db: database.db, archive, run };
}

const payloads = (db: TestDatabase["db"]) =>
  selectRows<{ id: number; sha256: string; size_bytes: string; storage_path: string; body: unknown }>(
    db,
    sql`select id, sha256, size_bytes::text, storage_path, body from raw_payloads order by id`,
  );

describe("the raw archive", () => {
  it("keeps a payload byte for byte, gzip-compressed in a file named by its hash, not in the database", async () => {
    const body = "period;value\n2024-Q1;7.5\n2024-Q2;7.25\n";
    const { db, archive, run } = await setUp(body);
    expect(await run()).toMatchObject({ status: "success", rowsInserted: 2 });
    const [row] = await payloads(db);
    const sha = createHash("sha256").update(body).digest("hex");
    expect(row).toMatchObject({ sha256: sha, size_bytes: String(body.length), body: null });
    expect(row?.storage_path).toBe(`fake.csv/only_one/${sha}.gz`);
    const file = readFileSync(join(archive.dir, row?.storage_path ?? ""));
    expect(file.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(gunzipSync(file).toString()).toBe(body);
    const replay = await readArchivedPayload(db, archive, row?.id ?? 0);
    expect(replay).not.toBeNull();
    expect(new TextDecoder().decode(await readWhole((replay as Payload).body))).toBe(body);
  });

  it("tells an unchanged payload by its hash and files nothing for it", async () => {
    const { db, archive, run } = await setUp("period;value\n2024-Q1;7.5\n");
    await run();
    expect(await run()).toMatchObject({ status: "unchanged", rowsInserted: 0 });
    expect(await payloads(db)).toHaveLength(1);
    // Nothing left half-written in the scratch space either.
    expect(readdirOrEmpty(join(archive.dir, ".incoming"))).toEqual([]);
  });

  it("prunes past the retention but keeps the payload of the last good load", async () => {
    const good = "period;value\n2024-Q1;7.5\n";
    const better = "period;value\n2024-Q1;7.75\n";
    const broken = "garbage";
    const { db, archive, run } = await setUp(good, better, broken);
    await run();
    const [first] = await payloads(db);
    expect(await run()).toMatchObject({ status: "success", rowsUpdated: 1 });
    // keep = 1: the first payload is gone, row and file.
    const afterSecond = await payloads(db);
    expect(afterSecond.map((p) => p.id)).not.toContain(first?.id);
    expect(existsSync(join(archive.dir, first?.storage_path ?? ""))).toBe(false);
    const lastGood = afterSecond[0];
    expect(await run()).toMatchObject({ status: "failed" });
    // The broken payload is the newest; the last good one stays beside it, file included.
    const afterBroken = await payloads(db);
    expect(afterBroken).toHaveLength(2);
    expect(afterBroken[0]?.id).toBe(lastGood?.id);
    expect(existsSync(join(archive.dir, lastGood?.storage_path ?? ""))).toBe(true);
  });

  it("fails a payload that gives one cell two values in different batches, writing none of it", async () => {
    const { db, run } = await setUp("period;value\n2024-Q1;7.5\n2024-Q2;7.1\n2024-Q1;9\n");
    const summary = await run();
    expect(summary).toMatchObject({ status: "failed" });
    expect(summary.error).toMatch(/two different values for series \d+ at 2024-Q1/);
    const rows = await selectRows<{ n: string }>(
      db,
      sql`select count(*)::text as n from observations o
      join series s on s.id = o.series_id where s.measure = 'invented'`,
    );
    expect(rows[0]?.n).toBe("0");
  });
});

function readdirOrEmpty(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}
