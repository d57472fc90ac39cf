/**
 * Reference rows kept between requests (src/graphql/reference-cache.ts), as the HTTP server keeps them:
 * what a second request saves, and the rule it must never break, serving rows a load has since changed.
 * (That no caller's slice is ever kept there is tried by the visibility walk, test/graphql/visibility.test.ts.)
 */
import { sql } from "drizzle-orm";
import { type GraphQLSchema, graphql } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/client";
import { bumpDataVersion, type DataVersionSource, watchDataVersion } from "../../src/db/data-version";
import { buildHublotSchema } from "../../src/graphql/build-schema";
import { anonymousCaller, createContext } from "../../src/graphql/context";
import { ReferenceCache, readReference } from "../../src/graphql/reference-cache";
import { createTestDatabase, type TestDatabase } from "../support/db";

/** Indicators and their providers and targets, a conseil de territoire's communes, a filière's sites. */
const REFERENCE_QUESTION = `{
  indicators(inAgenda: true) { totalCount nodes { code label unit provider { code name } targets { code } } }
  territory(code: "CT-2") { name children(level: COMMUNE) { territory { code name population } } }
  filiere(code: "F1") { label sites { name commune { code } partners { code } } }
}`;

let database: TestDatabase;
let version: DataVersionSource;
let kept: ReferenceCache;
let schema: GraphQLSchema;
beforeAll(async () => {
  database = await createTestDatabase();
  version = await watchDataVersion(database);
  kept = new ReferenceCache(version);
  schema = await buildHublotSchema();
});
afterAll(async () => {
  await version.close();
  await database.close();
});

/** One request as the server makes it: its own loaders, the shared store of reference rows. */
async function ask(source: string) {
  database.resetQueryCount();
  const result = await graphql({
    schema,
    source,
    contextValue: createContext(database.db, anonymousCaller, kept.forRequest()),
  });
  expect(result.errors).toBeUndefined();
  return { data: JSON.parse(JSON.stringify(result.data)), statements: database.queryCount() };
}

describe("reference rows kept between requests", () => {
  it("answer a second request for indicators, territories and sites without one statement, and the same", async () => {
    const first = await ask(REFERENCE_QUESTION);
    const second = await ask(REFERENCE_QUESTION);
    expect(first.statements).toBeGreaterThanOrEqual(6);
    expect(second.statements).toBe(0);
    expect(second.data).toEqual(first.data);
    expect(second.data.indicators.totalCount).toBe(20);
  });

  it("are read again once a load has advanced the data version", async () => {
    const label = `{ indicator(code: "unemployment_rate") { label(lang: EN) } }`;
    const before = (await ask(label)).data.indicator.label;
    await database.db.transaction(async (tx) => {
      const db = tx as unknown as Db;
      await db.execute(sql`update indicators set name_en = 'Unemployment, renamed by this test'
        where code = 'unemployment_rate'`);
      await bumpDataVersion(db);
    });
    const after = await ask(label);
    expect(before).not.toBe("Unemployment, renamed by this test");
    expect(after.data.indicator.label).toBe("Unemployment, renamed by this test");
    expect(after.statements).toBeGreaterThan(0);
  });

  it("are frozen: a resolver changing a kept row fails instead of changing the next request's answer", async () => {
    const ctx = createContext(database.db, anonymousCaller, kept.forRequest());
    const rows = await readReference(ctx, "this test's rows", async () => [{ code: "X", refs: [1] }]);
    expect(() => {
      (rows[0] as { code: string }).code = "Y";
    }).toThrow(TypeError);
    expect(() => (rows[0].refs as number[]).push(2)).toThrow(TypeError);
  });
});
