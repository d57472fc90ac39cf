import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { readReferenceFiles } from "../ingest/reference/load";
import { openDatabase, selectRows } from "../src/db/client";
import { prepareDatabase } from "../src/startup";
import { createTestDatabase } from "./support/db";

const countRows = async (dir: string) => {
  const database = await openDatabase({ pgliteDir: dir });
  try {
    await prepareDatabase(database);
    const tables = await selectRows<{ table_name: string }>(
      database.db,
      sql`select table_name from information_schema.tables where table_schema = 'public' order by 1`,
    );
    const counts: Record<string, number> = {};
    for (const { table_name } of tables) {
      const [row] = await selectRows<{ n: number }>(
        database.db,
        sql`select count(*)::int as n from ${sql.identifier(table_name)}`,
      );
      counts[table_name] = row.n;
    }
    return counts;
  } finally {
    await database.close();
  }
};

describe("starting the hub", () => {
  const dir = mkdtempSync(join(tmpdir(), "hublot-start-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // Two fresh PGlite starts: opening PGlite alone took 34 s on the shared 2-core machine under load.
  it("leaves the same row counts when it starts twice on the same data directory", {
    timeout: 240_000,
  }, async () => {
    const first = await countRows(dir);
    const second = await countRows(dir);
    expect(first.territories).toBe(121);
    expect(second).toEqual(first);
  });
});

describe("the reference data on start", () => {
  it("is not reloaded when the database already holds it from the same files, and is when a file changes", async () => {
    const database = await createTestDatabase();
    try {
      // The template was seeded without a fingerprint: the first start reloads and records one.
      expect((await prepareDatabase(database)).referenceReloaded).toBe(true);
      database.resetQueryCount();
      const again = await prepareDatabase(database);
      expect(again.referenceReloaded).toBe(false);
      // The lock and one read of the fingerprint, no upsert.
      expect(database.queryCount()).toBe(2);

      const data = readReferenceFiles();
      const [first, ...rest] = data["indicators.json"] as { code: string; nameEn: string }[];
      const edited = { ...data, "indicators.json": [{ ...first, nameEn: "Renamed in a test" }, ...rest] };
      database.resetQueryCount();
      expect((await prepareDatabase(database, edited)).referenceReloaded).toBe(true);
      expect(database.queryCount()).toBeGreaterThan(10);
      const [row] = await selectRows<{ name_en: string }>(
        database.db,
        sql`select name_en from indicators where code = ${first.code}`,
      );
      expect(row.name_en).toBe("Renamed in a test");
      expect((await prepareDatabase(database, edited)).referenceReloaded).toBe(false);
    } finally {
      await database.close();
    }
  });

  it("is loaded once when two instances start at once on a new database", async () => {
    const database = await createTestDatabase();
    try {
      // Two connections of the pool on PostgreSQL, as two hubs behind a load balancer.
      const starts = await Promise.all([prepareDatabase(database), prepareDatabase(database)]);
      expect(starts.map((s) => s.referenceReloaded).sort()).toEqual([false, true]);
    } finally {
      await database.close();
    }
  });
});
