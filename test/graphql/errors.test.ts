import { GraphQLError, graphql } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/client";
import { buildHublotSchema } from "../../src/graphql/build-schema";
import { createContext } from "../../src/graphql/context";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { graphqlOn } from "../support/graphql";

describe("errors a caller can act on", () => {
  let database: TestDatabase;
  let query: Awaited<ReturnType<typeof graphqlOn>>;
  beforeAll(async () => {
    database = await createTestDatabase();
    query = await graphqlOn(database);
  });
  afterAll(() => database.close());

  const errorOf = async (q: string) => {
    const { errors } = await query(q);
    expect(errors, q).toHaveLength(1);
    return errors![0] as GraphQLError;
  };

  it.each([
    [
      '{ territory(code: "COM-99999") { name } }',
      "NOT_FOUND",
      /no territory with code "COM-99999".*COM-13055/,
    ],
    ['{ indicator(code: "jobs") { code } }', "NOT_FOUND", /no indicator with code "jobs"/],
    ["{ indicator(number: 21) { code } }", "NOT_FOUND", /1 to 20/],
    ["{ indicator { code } }", "BAD_USER_INPUT", /exactly one of code or number/],
    [
      '{ seriesList(filter: { territory: "DEP-99" }) { totalCount } }',
      "NOT_FOUND",
      /territory with code "DEP-99"/,
    ],
    [
      '{ observations(from: "2024-Q5") { totalCount } }',
      "INVALID_PERIOD",
      /from: "2024-Q5" is not a period.*2024-Q3/,
    ],
    ['{ observations(to: "2024-13") { totalCount } }', "INVALID_PERIOD", /to: "2024-13"/],
    [
      '{ observations(from: "2025", to: "2020") { totalCount } }',
      "INVALID_RANGE",
      /starts after it ends.*swap/,
    ],
    ['{ observations(asOf: "yesterday") { totalCount } }', "INVALID_DATE", /ISO 8601/],
    ["{ territories(first: 5000) { totalCount } }", "PAGE_TOO_LARGE", /at most 1000.*endCursor/],
    ['{ territories(after: "bm9wZQ") { totalCount } }', "INVALID_CURSOR", /not a cursor/],
    [
      '{ aggregate(filter: { indicator: "unemployment_rate" }, function: SUM) { value } }',
      "AGGREGATION_NOT_ALLOWED",
      /cannot SUM unemployment_rate.*AVG/,
    ],
    ['{ ingestRuns(status: "done") { totalCount } }', "BAD_USER_INPUT", /not a run status/],
  ])("%s → %s", async (q, code, message) => {
    const error = await errorOf(q);
    expect(error.extensions.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it("hides an unexpected failure: no SQL, table name or stack reaches the client", async () => {
    const failing = new Proxy(database.db, {
      get(target, key, receiver) {
        if (key === "select" || key === "execute")
          return () => {
            throw new Error('relation "secret_table" does not exist: select * from secret_table');
          };
        return Reflect.get(target, key, receiver);
      },
    }) as Db;
    const result = await graphql({
      schema: await buildHublotSchema(),
      source: '{ territory(code: "COM-13055") { name } }',
      contextValue: createContext(failing),
    });
    expect(result.errors?.[0].extensions.code).toBe("INTERNAL_SERVER_ERROR");
    expect(JSON.stringify(result.errors)).not.toMatch(/secret_table|select|\.ts:/);
  });
});
