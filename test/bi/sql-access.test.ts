/**
 * SQL access for BI tools, tried with a real client (psql): on the embedded database through SQL_PORT's
 * wire-protocol server, on PostgreSQL as a per-partner login role. Data: the connectors' fixtures
 * (INVENTED numbers but for INSEE's unemployment rates).
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPartnerRole, dropPartnerRole } from "../../src/bi/roles";
import { startSqlServer } from "../../src/bi/sql-server";
import { selectRows } from "../../src/db/client";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { loadFixtureData } from "../support/fixture-data";
import { loadSlices, PARTNER_A, slices } from "../support/slices";
import { uniqueName } from "../support/template";

const run = promisify(execFile);
// A synchronous exec would block the event loop that serves the embedded database's socket.
const psql = async (args: string[], password?: string) =>
  (
    await run("psql", ["-X", "-At", "-v", "ON_ERROR_STOP=1", ...args], {
      env: { ...process.env, PGPASSWORD: password ?? "", PGSSLMODE: "disable", PGCONNECT_TIMEOUT: "10" },
    })
  ).stdout.trim();

let database: TestDatabase;
let observationCount: number;

beforeAll(async () => {
  database = await createTestDatabase();
  await loadFixtureData(database.db);
  [{ n: observationCount }] = await selectRows<{ n: number }>(
    database.db,
    sql`select count(*)::int as n from observations`,
  );
}, 120_000);
afterAll(() => database?.close());

describe.runIf(!process.env.DATABASE_URL)("SQL_PORT on the embedded database", () => {
  it("lets psql read the bi views over the PostgreSQL wire protocol, on 127.0.0.1", async () => {
    const server = await startSqlServer(database, 0);
    try {
      const out = await psql([
        "-h",
        "127.0.0.1",
        "-p",
        String(server.port),
        "-U",
        "postgres",
        "-c",
        "select count(*) from bi.observations",
        "-c",
        "select territory_name from bi.territories where territory_code = 'COM-13055'",
      ]);
      expect(out.split("\n")).toEqual([String(observationCount), "Marseille"]);
      // The hub keeps working on the same database while psql was connected.
      expect((await selectRows(database.db, sql`select 1 as one`)).length).toBe(1);
    } finally {
      await server.stop();
    }
  });
});

describe.runIf(process.env.DATABASE_URL)("a partner's SQL login role on PostgreSQL", () => {
  const role = uniqueName("bi_test").toLowerCase();
  let url: string;
  let password: string;

  beforeAll(async () => {
    ({ password } = await createPartnerRole(database.db, { partner: "INSEE", role }));
    const u = new URL(process.env.DATABASE_URL as string);
    url = `postgres://${role}@${u.hostname}:${u.port || "5432"}/${database.location.split("/").pop()}`;
  });
  afterAll(() => dropPartnerRole(database.db, role));

  it("reads the bi views with psql", async () => {
    const out = await psql([url, "-c", "select count(*) from bi.observations"], password);
    expect(Number(out)).toBe(observationCount);
  });

  it("sees exactly the slice its partner's API key sees, through the same rule", async () => {
    await loadSlices(database.db);
    const partnerA = uniqueName("bi_test_a").toLowerCase();
    const { password: secret } = await createPartnerRole(database.db, { partner: PARTNER_A, role: partnerA });
    try {
      const u = new URL(process.env.DATABASE_URL as string);
      const urlA = `postgres://${partnerA}@${u.hostname}:${u.port || "5432"}/${database.location.split("/").pop()}`;
      const seen = await psql(
        [
          urlA,
          "-c",
          "select distinct measure from bi.observations where dataset_code like 'ZZ-%' order by 1",
        ],
        secret,
      );
      const expected = slices
        .filter((slice) => slice.seenBy.includes("partnerA"))
        .map((slice) => slice.measure)
        .sort();
      expect(seen.split("\n").filter(Boolean).sort()).toEqual(expected);
      // Another partner's role (INSEE holds no slice) sees only the public ones.
      const publicOnly = await psql(
        [url, "-c", "select distinct measure from bi.observations where dataset_code like 'ZZ-%' order by 1"],
        password,
      );
      expect(publicOnly.split("\n").filter(Boolean).sort()).toEqual(
        slices
          .filter((slice) => slice.seenBy.includes("anonymous"))
          .map((slice) => slice.measure)
          .sort(),
      );
    } finally {
      await dropPartnerRole(database.db, partnerA);
    }
  });

  it("cannot read the tables behind them, nor write anything", async () => {
    await expect(psql([url, "-c", "select count(*) from observations"], password)).rejects.toThrow(
      /permission denied/,
    );
    await expect(psql([url, "-c", "create table bi.mine (a int)"], password)).rejects.toThrow(
      /read-only transaction|permission denied/,
    );
  });

  it("is refused for an unknown partner, and the hub never drops a role it did not create", async () => {
    await expect(createPartnerRole(database.db, { partner: "NOPE", role: `${role}_x` })).rejects.toThrow(
      /no partner with code "NOPE"/,
    );
    await expect(dropPartnerRole(database.db, "postgres")).rejects.toThrow(/not created by npm run bi:role/);
  });
});

describe.runIf(process.env.DATABASE_URL)("SQL_PORT with a PostgreSQL server", () => {
  it("is refused with a pointer to the server itself", async () => {
    await expect(startSqlServer(database, 0)).rejects.toThrow(/point BI tools at that PostgreSQL server/);
  });
});
