import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase, selectRows } from "../src/db/client";
import { prepareDatabase } from "../src/startup";

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
