import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { inject } from "vitest";
import { type Database, openDatabase } from "../../src/db/client";
import { databaseUrlWithName, uniqueName } from "./template";

export interface TestDatabase extends Database {
  /** Its connection string, on PostgreSQL: what a child process (the CLI, the hub) is given. */
  url?: string;
  /** Statements sent through drizzle since the last `resetQueryCount()`. */
  queryCount(): number;
  resetQueryCount(): void;
}

/**
 * A database of the test's own, already migrated and holding the reference data: a copy of the run's
 * template (PGlite data dump, or `CREATE DATABASE … TEMPLATE` on PostgreSQL). `close()` drops it.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const template = inject("dbTemplate");
  let count = 0;
  const onQuery = () => {
    count += 1;
  };
  const counters = {
    queryCount: () => count,
    resetQueryCount: () => {
      count = 0;
    },
  };

  if (template.kind === "pglite") {
    const snapshot = new Blob([readFileSync(template.dumpPath)]);
    const database = await openDatabase({ pgliteDir: "memory://", pgliteSnapshot: snapshot, onQuery });
    return { ...database, ...counters };
  }

  const name = uniqueName("hublot_test");
  const url = databaseUrlWithName(template.adminUrl, name);
  await withAdmin(template.adminUrl, (admin) =>
    admin.unsafe(`create database "${name}" template "${template.name}"`),
  );
  const database = await openDatabase({
    url,
    onQuery,
    maxConnections: 4,
  });
  return {
    ...database,
    url,
    close: async () => {
      await database.close();
      await withAdmin(template.adminUrl, (admin) =>
        admin.unsafe(`drop database if exists "${name}" with (force)`),
      );
    },
    ...counters,
  };
}

async function withAdmin<T>(url: string, fn: (admin: postgres.Sql) => Promise<T>): Promise<T> {
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  try {
    // Two workers cloning the same template at the same instant makes PostgreSQL refuse one of them.
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn(admin);
      } catch (error) {
        if (attempt >= 20 || !String(error).includes("is being accessed by other users")) throw error;
        await new Promise((r) => setTimeout(r, 100 + attempt * 50));
      }
    }
  } finally {
    await admin.end();
  }
}

/** A database a child process opens too (crash tests): its settings for the child, and how to open it here. */
export interface SharedTestDatabase {
  /** Environment the child (test/support/ingest-child.ts) reads its database from. */
  childEnv: Record<string, string>;
  /** Opens it in this process. With PGlite, only while no child has it open (one process per directory). */
  open(): Promise<Database>;
  dispose(): Promise<void>;
}

/**
 * A copy of the run's template that another process can open: a PGlite data directory on disk, or a
 * PostgreSQL database. The copy is made here, so the child opens a migrated database with reference data.
 */
export async function createSharedTestDatabase(): Promise<SharedTestDatabase> {
  const template = inject("dbTemplate");
  if (template.kind === "pglite") {
    const dir = mkdtempSync(join(tmpdir(), "hublot-shared-"));
    const seeded = await openDatabase({
      pgliteDir: dir,
      pgliteSnapshot: new Blob([readFileSync(template.dumpPath)]),
    });
    await seeded.close();
    return {
      childEnv: { HUBLOT_CHILD_PGLITE_DIR: dir },
      open: () => openDatabase({ pgliteDir: dir }),
      dispose: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = uniqueName("hublot_shared");
  await withAdmin(template.adminUrl, (admin) =>
    admin.unsafe(`create database "${name}" template "${template.name}"`),
  );
  const url = databaseUrlWithName(template.adminUrl, name);
  return {
    childEnv: { HUBLOT_CHILD_DATABASE_URL: url },
    open: () => openDatabase({ url, maxConnections: 2 }),
    dispose: async () => {
      await withAdmin(template.adminUrl, (admin) =>
        admin.unsafe(`drop database if exists "${name}" with (force)`),
      );
    },
  };
}
