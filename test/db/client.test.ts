import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatabaseConnectionError, openDatabase, PREPARED_TEXTS_MAX, selectRows } from "../../src/db/client";
import { HOLDER_FILE } from "../../src/db/holder";
import { createTestDatabase, type TestDatabase } from "../support/db";

describe("the database client", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.close());

  it("opens a migrated database with every domain table", async () => {
    const tables = await selectRows<{ table_name: string }>(
      database.db,
      sql`select table_name from information_schema.tables where table_schema = 'public' order by 1`,
    );
    const names = tables.map((t) => t.table_name);
    for (const t of [
      "territories",
      "series",
      "observations",
      "observation_revisions",
      "ingest_runs",
      "agenda_nodes",
    ]) {
      expect(names).toContain(t);
    }
  });

  it("cancels a statement longer than statement_timeout on PostgreSQL (PGlite has only the request deadline)", async () => {
    if (!database.url) {
      // Nothing to cancel in the process's own database: the deadline (test/graphql/limits.test.ts) is it.
      expect(database.driver).toBe("pglite");
      return;
    }
    const limited = await openDatabase({ url: database.url, statementTimeoutMs: 100, maxConnections: 1 });
    try {
      await expect(selectRows(limited.db, sql`select pg_sleep(2)`)).rejects.toMatchObject({
        cause: { code: "57014" },
      });
    } finally {
      await limited.close();
    }
  });

  it("keeps PGlite's shared buffers at 16 MB, since its WebAssembly memory never shrinks back", async () => {
    const embedded = await openDatabase({ pgliteDir: "memory://" });
    try {
      const [row] = await selectRows<{ shared_buffers: string }>(embedded.db, sql`show shared_buffers`);
      // PostgreSQL's default, 128 MB, would stay resident after the first large ingest.
      expect(row?.shared_buffers).toBe("16MB");
    } finally {
      await embedded.close();
    }
  });

  it("prepares a repeated statement on PostgreSQL, up to a number of texts per pool", async () => {
    if (!database.url) {
      expect(database.driver).toBe("pglite");
      return;
    }
    const one = await openDatabase({ url: database.url, maxConnections: 1 });
    try {
      const prepared = async (like: string) =>
        Number(
          (
            await selectRows<{ n: number | string }>(
              one.db,
              sql`select count(*) as n from pg_prepared_statements where statement like ${like}`,
            )
          )[0]?.n,
        );
      for (let i = 0; i < 3; i++) await selectRows(one.db, sql`select ${i}::int as repeated`);
      expect(await prepared("select $1::int as repeated")).toBe(1);
      for (let i = 0; i < PREPARED_TEXTS_MAX + 20; i++)
        await selectRows(one.db, sql`select ${sql.raw(String(i))} + ${1}::int as distinct_text`);
      // postgres.js sends a statement without parameters by the simple protocol, never prepared.
      // Texts past the cap run unprepared: the connection does not keep a statement per text forever.
      const kept = await prepared("select % + $1::int as distinct_text");
      expect(kept).toBeGreaterThan(0);
      expect(kept).toBeLessThan(PREPARED_TEXTS_MAX);
    } finally {
      await one.close();
    }
  });

  it("counts the statements it sends", async () => {
    database.resetQueryCount();
    await database.db.execute(sql`select 1`);
    await database.db.execute(sql`select 2`);
    expect(database.queryCount()).toBe(2);
  });

  it("names the server it cannot reach in one clear error", async () => {
    await expect(openDatabase({ url: "postgres://postgres@127.0.0.1:1/none" })).rejects.toThrow(
      /cannot reach PostgreSQL at 127\.0\.0\.1:1\/none/,
    );
    await expect(openDatabase({ url: "postgres://postgres@127.0.0.1:1/none" })).rejects.toBeInstanceOf(
      DatabaseConnectionError,
    );
  });

  it("says when the embedded data directory cannot be written", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "hublot-")), "a-file");
    writeFileSync(file, "not a directory");
    await expect(openDatabase({ pgliteDir: join(file, "pglite") })).rejects.toThrow(
      /cannot open the embedded database in .*a-file/,
    );
  });

  it("refuses an embedded directory another live process holds, and opens it once that process is gone", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hublot-held-"));
    // Another process, alive, stands for the hub holding the directory.
    const other = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"]);
    try {
      holdAs(dir, other.pid as number);
      await expect(openDatabase({ pgliteDir: dir })).rejects.toThrow(
        /is held by a running hub \(pid \d+\): stop it first/,
      );
    } finally {
      other.kill("SIGKILL");
      await new Promise((r) => other.once("exit", r));
    }
    const opened = await openDatabase({ pgliteDir: dir });
    await opened.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

function holdAs(dir: string, pid: number): void {
  writeFileSync(
    join(dir, HOLDER_FILE),
    JSON.stringify({ pid, kind: "hub", port: 1, token: "x".repeat(64), since: new Date().toISOString() }),
  );
}
