/** The query gate (src/graphql/limits/gate.ts) on the hub's schema, without HTTP or a database. */

import { type GraphQLSchema, graphql } from "graphql";
import { beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/client";
import { parseEnv, queryLimitsOf } from "../../src/env";
import { buildHublotSchema } from "../../src/graphql/build-schema";
import { createContext } from "../../src/graphql/context";
import { playgroundExamples } from "../../src/graphql/examples";
import { defaultQueryLimits } from "../../src/graphql/limits/config";
import { Deadline } from "../../src/graphql/limits/deadline";
import { createQueryGate } from "../../src/graphql/limits/gate";
import { findStringProblem } from "../../src/graphql/limits/strings";
import { dashboardQueries } from "../../src/http/dashboard/queries";

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildHublotSchema();
});

const nest = (depth: number): string =>
  depth === 0 ? "code" : `code children { territory { ${nest(depth - 1)} } }`;

describe("the query gate", () => {
  it("lets every documented example and every dashboard question through", () => {
    const gate = createQueryGate(schema, defaultQueryLimits);
    for (const example of playgroundExamples)
      expect(gate({ query: example.query, variables: example.variables }), example.name).toBeUndefined();
    // With the variables the dashboard sends: without them the cost of a list argument is not known.
    const variables = {
      lang: "FR",
      fallback: "DEP-13",
      code: "unemployment_rate",
      territories: ["EPCI-200054807", "CT-1", "CT-2", "CT-3", "CT-4", "CT-5", "CT-6", "DEP-13"],
    };
    for (const [name, query] of Object.entries(dashboardQueries))
      expect(gate({ query: String(query), variables }), name).toBeUndefined();
  });

  it("refuses each limit with its code, and only above the limit set", () => {
    const gate = createQueryGate(schema, defaultQueryLimits);
    const deep = `{ territory(code: "DEP-13") { ${nest(8)} } }`;
    expect(gate({ query: deep })?.code).toBe("QUERY_TOO_DEEP");
    // The same rule with a higher limit passes it on to the cost, which refuses it for its own reason.
    expect(createQueryGate(schema, { ...defaultQueryLimits, maxDepth: 40 })({ query: deep })?.code).toBe(
      "QUERY_TOO_COSTLY",
    );
    const aliases = (n: number) =>
      `{ ${Array.from({ length: n }, (_, i) => `a${i}: indicators(first: 1) { totalCount }`).join(" ")} }`;
    expect(gate({ query: aliases(30) })).toBeUndefined();
    expect(gate({ query: aliases(31) })?.code).toBe("TOO_MANY_ALIASES");
    const directives = `{ ${Array.from({ length: 21 }, () => "viewer @include(if: true) { role }").join(" ")} }`;
    expect(gate({ query: directives })?.code).toBe("TOO_MANY_DIRECTIVES");
    expect(
      createQueryGate(schema, { ...defaultQueryLimits, maxTokens: 100 })({ query: aliases(10) })?.code,
    ).toBe("TOO_MANY_TOKENS");
    expect(
      createQueryGate(schema, { ...defaultQueryLimits, maxDocumentBytes: 1_000 })({ query: aliases(30) })
        ?.code,
    ).toBe("DOCUMENT_TOO_LARGE");
  });

  it("costs pages from their size, variables included, and says the cost and the limit", () => {
    const gate = createQueryGate(schema, { ...defaultQueryLimits, maxCost: 2_000 });
    const query = "query ($n: Int) { observations(first: $n) { nodes { period value } } }";
    expect(gate({ query, variables: { n: 10 } })).toBeUndefined();
    const refusal = gate({ query, variables: { n: 1000 } });
    expect(refusal?.code).toBe("QUERY_TOO_COSTLY");
    expect(refusal?.message).toMatch(/cost \d+, more than the 2000.*smaller pages/);
  });

  it("refuses a page above 1000 on first and on last, before any resolver runs", () => {
    const gate = createQueryGate(schema, defaultQueryLimits);
    expect(
      gate({ query: "{ seriesList(first: 1) { nodes { observations(last: 1000000) { value } } } }" })?.code,
    ).toBe("PAGE_TOO_LARGE");
    expect(gate({ query: "{ territories(first: 5000) { totalCount } }" })?.code).toBe("PAGE_TOO_LARGE");
  });

  it("refuses a fragment spread a thousand ways before walking it", () => {
    // Deep enough to pass the depth limit, so what stops it is the fan-out.
    const gate = createQueryGate(schema, { ...defaultQueryLimits, maxDepth: 40 });
    const spreads = (f: string) => Array.from({ length: 10 }, () => `...${f}`).join(" ");
    const query = `{ viewer { ...A } }
      fragment A on Viewer { ${spreads("B")} } fragment B on Viewer { ${spreads("C")} }
      fragment C on Viewer { ${spreads("D")} } fragment D on Viewer { ${spreads("E")} }
      fragment E on Viewer { ${spreads("F")} } fragment F on Viewer { role }`;
    expect(gate({ query })?.code).toBe("QUERY_TOO_COSTLY");
  });

  it("refuses NUL and control characters and overlong strings in arguments, from variables too", () => {
    const gate = createQueryGate(schema, defaultQueryLimits);
    expect(gate({ query: '{ territory(code: "COM-13\\u000055") { code } }' })?.code).toBe("BAD_USER_INPUT");
    const search = "query ($s: String) { indicators(search: $s) { totalCount } }";
    expect(gate({ query: search, variables: { s: "ch\u0007mage" } })?.code).toBe("BAD_USER_INPUT");
    expect(gate({ query: search, variables: { s: "x".repeat(1001) } })?.code).toBe("BAD_USER_INPUT");
    expect(gate({ query: search, variables: { s: "chômage\tEPCI" } })).toBeUndefined();
    expect(findStringProblem({ a: ["ok", "b\u0000"] }, "f(x)", 10)?.path).toBe("f(x).a[1]");
  });
});

describe("the query limits' environment", () => {
  it("defaults to the documented limits", () => {
    expect(queryLimitsOf(parseEnv({}))).toEqual(defaultQueryLimits);
  });
  it("reads each limit, and turns introspection off only when asked", () => {
    const limits = queryLimitsOf(
      parseEnv({
        GRAPHQL_MAX_DEPTH: "5",
        GRAPHQL_MAX_COST: "1000",
        GRAPHQL_INTROSPECTION: "off",
        NODE_ENV: "production",
      }),
    );
    expect(limits).toMatchObject({ maxDepth: 5, maxCost: 1000, introspection: false });
    expect(queryLimitsOf(parseEnv({ NODE_ENV: "production" })).introspection).toBe(true);
    expect(() => parseEnv({ GRAPHQL_MAX_DEPTH: "deep" })).toThrow(/GRAPHQL_MAX_DEPTH/);
  });
});

describe("the request deadline", () => {
  it("stops a request past its deadline with TIMEOUT instead of running its resolvers", async () => {
    const deadline = new Deadline(1);
    await new Promise((r) => setTimeout(r, 10));
    const result = await graphql({
      schema,
      source: "{ viewer { role } }",
      contextValue: { ...createContext({} as Db), deadline },
    });
    deadline.cancel();
    expect(result.errors?.[0]?.extensions?.code).toBe("TIMEOUT");
    // The same request within its deadline answers.
    const inTime = new Deadline(5_000);
    const answered = await graphql({
      schema,
      source: "{ viewer { role } }",
      contextValue: { ...createContext({} as Db), deadline: inTime },
    });
    inTime.cancel();
    expect(answered.errors).toBeUndefined();
  });

  it("does not wait on a resolver that hangs past the deadline", async () => {
    const deadline = new Deadline(20);
    const hanging = new Promise<string>(() => {});
    await expect(deadline.race(hanging)).rejects.toMatchObject({ extensions: { code: "TIMEOUT" } });
  });
});
