/**
 * The data version the HTTP cache keys on, kept in memory by `watchDataVersion`: read once while nothing
 * changes, read again as soon as a commit advanced it, whoever wrote it.
 */
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bumpDataVersion, type DataVersionSource, watchDataVersion } from "../../src/db/data-version";
import { createTestDatabase, type TestDatabase } from "../support/db";

let database: TestDatabase;
let watched: DataVersionSource;

beforeAll(async () => {
  database = await createTestDatabase();
  watched = await watchDataVersion(database);
}, 60_000);
afterAll(async () => {
  await watched?.close();
  await database?.close();
});

describe("the data version kept in memory", () => {
  it("costs no statement while nothing changes", async () => {
    const version = await watched.current();
    database.resetQueryCount();
    expect(await watched.current()).toBe(version);
    expect(await watched.current()).toBe(version);
    expect(database.queryCount()).toBe(0);
  });

  it("is the new one as soon as a load of this process commits, before any notification arrives", async () => {
    const before = await watched.current();
    await database.db.transaction(async (tx) => {
      await bumpDataVersion(tx);
    });
    expect(await watched.current()).toBe(before + 1);
  });

  it("follows an UPDATE that did not go through the hub's code, once its notification arrives", async () => {
    const before = await watched.current();
    if (database.url) {
      // another process: a connection of its own
      const other = postgres(database.url, { max: 1, onnotice: () => {} });
      await other`update data_version set version = version + 5 where id = 1`;
      await other.end();
    } else {
      await database.db.execute(sql`update data_version set version = version + 5 where id = 1`);
    }
    await expect.poll(() => watched.current(), { timeout: 5_000 }).toBe(before + 5);
  });
});

describe.runIf(process.env.DATABASE_URL)("the data version when the listening connection is lost", () => {
  it("is read afresh once the hub listens again, whatever committed in between", async () => {
    const before = await watched.current();
    const url = database.url ?? "";
    const other = postgres(url, { max: 1, onnotice: () => {} });
    try {
      // Cut the listening backend and advance the version in one go, before it can listen again.
      await other.begin(async (tx) => {
        await tx`select pg_terminate_backend(pid) from pg_stat_activity
                 where datname = current_database() and query like 'listen %' and pid <> pg_backend_pid()`;
        await tx`update data_version set version = version + 3 where id = 1`;
      });
    } finally {
      await other.end();
    }
    await expect.poll(() => watched.current(), { timeout: 10_000 }).toBe(before + 3);
    // listening again: the next change is seen too
    await database.db.execute(sql`update data_version set version = version + 1 where id = 1`);
    await expect.poll(() => watched.current(), { timeout: 10_000 }).toBe(before + 4);
  });
});
