import { type ExecutionResult, graphql } from "graphql";
import { buildHublotSchema } from "../../src/graphql/build-schema";
import { createContext } from "../../src/graphql/context";
import type { TestDatabase } from "./db";

export interface GraphQLAnswer<T> {
  data: T;
  errors?: ExecutionResult["errors"];
  /** SQL statements the query sent. */
  statements: number;
}

/**
 * Runs queries against the hub's schema as a server would (one context, hence one set of loaders,
 * per query), counting the SQL statements each one sends.
 */
export async function graphqlOn(database: TestDatabase) {
  const schema = await buildHublotSchema();
  return async <T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<GraphQLAnswer<T>> => {
    database.resetQueryCount();
    const result = await graphql({
      schema,
      source: query,
      variableValues: variables,
      contextValue: createContext(database.db),
    });
    return { data: result.data as T, errors: result.errors, statements: database.queryCount() };
  };
}

/** The answer's data, failing with the errors' messages when there are any. */
export function dataOf<T>(answer: GraphQLAnswer<T>): T {
  if (answer.errors?.length) throw new Error(answer.errors.map((e) => e.message).join("; "));
  return answer.data;
}
