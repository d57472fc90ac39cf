/**
 * The install's seed of the embedded database: a new directory starts from it, migrated and with the
 * reference data, instead of PGlite's initdb; a seed that cannot be made or is of another key is not used.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase, selectRows } from "../../src/db/client";
import { readSeed, seedKey, seedOfInstall } from "../../src/db/seed";
import { prepareDatabase } from "../../src/startup";

const scratch = mkdtempSync(join(tmpdir(), "hublot-seed-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const noWarning = (message: string, error: unknown) => {
  throw new Error(`unexpected warning: ${message}: ${String(error)}`);
};

describe("the seed of the embedded database", () => {
  it("starts a new directory migrated and loaded, and is made once", async () => {
    const folder = join(scratch, "seed");
    const seed = await seedOfInstall(noWarning, folder);
    expect(seed?.size).toBeGreaterThan(1_000_000);
    expect(readdirSync(folder)).toEqual([`pglite-${seedKey()}.tar`]);
    expect(readSeed(seedKey(), folder)?.size).toBe(seed?.size);
    // Asked again, it is read: the same dump, no second one.
    expect((await seedOfInstall(noWarning, folder))?.size).toBe(seed?.size);
    expect(readdirSync(folder)).toHaveLength(1);

    const dir = join(scratch, "fresh");
    const database = await openDatabase({ pgliteDir: dir, pgliteSnapshot: seed });
    try {
      expect(existsSync(join(dir, "PG_VERSION"))).toBe(true);
      const report = await prepareDatabase(database);
      // Everything the start would have loaded is there already.
      expect(report.referenceReloaded).toBe(false);
      const [counts] = await selectRows<{ indicators: number | string; territories: number | string }>(
        database.db,
        sql`select (select count(*) from indicators) as indicators, (select count(*) from territories) as territories`,
      );
      expect(Number(counts.indicators)).toBe(22);
      expect(Number(counts.territories)).toBeGreaterThan(100);
    } finally {
      await database.close();
    }
  });

  it("is not read when it was made for another install (PGlite, migrations or reference data)", async () => {
    const folder = join(scratch, "older");
    mkdirSync(folder);
    writeFileSync(join(folder, `pglite-${"0".repeat(24)}.tar`), "not a dump");
    const seed = await seedOfInstall(noWarning, folder);
    expect(seed?.size).toBeGreaterThan(1_000_000);
    // The older one is gone: nothing will read it again.
    expect(readdirSync(folder)).toEqual([`pglite-${seedKey()}.tar`]);
  });

  it("leaves the start as it was when it cannot be made", async () => {
    const notAFolder = join(scratch, "a-file");
    writeFileSync(notAFolder, "");
    const warnings: string[] = [];
    const seed = await seedOfInstall((message) => warnings.push(message), notAFolder);
    expect(seed).toBeUndefined();
    expect(warnings).toEqual([expect.stringMatching(/without it/)]);
  });
});
