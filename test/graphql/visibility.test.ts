/**
 * Who sees what, tried as an attacker would: the schema is walked by introspection from every root field
 * through every link (every field of every object type reachable from Query), as anonymous, partner A,
 * partner B, an analyst and an admin, over a data set where each holds series the others must not see
 * (test/support/slices.ts). Every answer is searched for the tokens of the slices its caller must not
 * see. A new field is walked as soon as it exists: if it reads series or observations without the rule,
 * the walk finds a slice's value in its answer and fails.
 */
import {
  buildClientSchema,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  getIntrospectionQuery,
  getNamedType,
  graphql,
  type IntrospectionQuery,
  isNonNullType,
  isObjectType,
} from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildHublotSchema } from "../../src/graphql/build-schema";
import { createContext } from "../../src/graphql/context";
import { ReferenceCache } from "../../src/graphql/reference-cache";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { loadFixtureData } from "../support/fixture-data";
import {
  callers,
  datasetSeenBy,
  everyone,
  INDICATOR,
  loadSlices,
  PARTNER_A,
  RUN_ERROR,
  slices,
  tokensOf,
  type Who,
} from "../support/slices";

/**
 * Argument values for the walk, by `Type.field.argument`, then by argument name. Each one steers the
 * walk toward the slices (their indicator, territory, filière, target, owner).
 */
function argumentFor(
  type: string,
  field: string,
  arg: GraphQLArgument,
  ids: Map<string, number>,
): string | undefined {
  const exact: Record<string, string> = {
    "Query.agendaNode.code": '"O4.L1"',
    "Query.filiere.code": '"F1"',
    "Query.nafCode.code": '"41.10A"',
    "Query.indicator.code": `"${INDICATOR}"`,
    "Query.indicators.search": '"office"',
    "Query.target.code": '"T_OFFICE"',
    "Query.targets.indicator": `"${INDICATOR}"`,
    "Query.dataset.code": '"ZZ-A-RESTRICTED"',
    "Query.partner.code": `"${PARTNER_A}"`,
    "Query.partners.search": '"AGAM"',
    "Query.series.id": String(ids.get("a_restricted")),
    "Query.site.code": '"S_LUMINY"',
    "Query.territory.code": '"COM-13001"',
    "Query.territories.search": '"Aix-en-Provence"',
    "Query.seriesList.filter": `{ indicator: "${INDICATOR}" }`,
    "Query.observations.filter": `{ indicator: "${INDICATOR}" }`,
    "Query.aggregate.filter": `{ indicator: "${INDICATOR}" }`,
    "Query.aggregate.function": "SUM",
    "Query.aggregate.groupBy": "[MEASURE, TERRITORY]",
    "Query.seriesList.first": "100",
    "Query.observations.first": "100",
    "Filiere.series.indicator": `"${INDICATOR}"`,
    "Territory.series.indicator": `"${INDICATOR}"`,
  };
  const byName: Record<string, string> = { first: "20", last: "3" };
  return exact[`${type}.${field}.${arg.name}`] ?? byName[arg.name];
}

interface Walk {
  queries: { root: string; text: string }[];
  /** `Type.field` of every field some query selects. */
  covered: Set<string>;
}

/** How many object levels each query expands below the field it starts from. */
const DEPTH = 2;

type Step = { type: string; field: GraphQLField<unknown, unknown> };

/**
 * The queries of the walk: each root field expanded DEPTH levels deep (without going round a cycle of
 * types), then, for every field still not selected, the shortest path from Query to its type with that
 * field expanded at its end. Every field of every reachable type ends up in some query.
 */
function walk(schema: GraphQLSchema, ids: Map<string, number>): Walk {
  const covered = new Set<string>();
  const missingArgs: string[] = [];
  const argsOf = (type: string, f: GraphQLField<unknown, unknown>) => {
    const given = f.args.flatMap((a) => {
      const v = argumentFor(type, f.name, a, ids);
      if (v === undefined && isNonNullType(a.type) && a.defaultValue === undefined)
        missingArgs.push(`${type}.${f.name}(${a.name})`);
      return v === undefined ? [] : [`${a.name}: ${v}`];
    });
    return given.length ? `(${given.join(", ")})` : "";
  };
  const fieldText = (type: string, f: GraphQLField<unknown, unknown>, path: string[], depth: number) => {
    const target = getNamedType(f.type);
    if (!isObjectType(target)) {
      covered.add(`${type}.${f.name}`);
      return `${f.name}${argsOf(type, f)}`;
    }
    if (path.includes(target.name) || depth <= 0) return "";
    const inner = selection(target, [...path, target.name], depth - 1);
    if (!inner) return "";
    covered.add(`${type}.${f.name}`);
    return `${f.name}${argsOf(type, f)} { ${inner} }`;
  };
  const selection = (type: GraphQLNamedType, path: string[], depth: number): string =>
    isObjectType(type)
      ? Object.values(type.getFields())
          .map((f) => fieldText(type.name, f, path, depth))
          .filter(Boolean)
          .join(" ")
      : "";
  const query = schema.getQueryType();
  if (!query) throw new Error("no Query type");
  const queries = Object.values(query.getFields()).map((f) => ({
    root: f.name,
    text: `{ ${fieldText("Query", f, ["Query"], DEPTH + 1)} }`,
  }));
  // Shortest paths from Query to every type, breadth first.
  const pathTo = new Map<string, Step[]>([["Query", []]]);
  const queue: string[] = ["Query"];
  while (queue.length) {
    const name = queue.shift() as string;
    const type = schema.getType(name);
    if (!isObjectType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      const target = getNamedType(field.type);
      if (!isObjectType(target) || pathTo.has(target.name)) continue;
      pathTo.set(target.name, [...(pathTo.get(name) ?? []), { type: name, field }]);
      queue.push(target.name);
    }
  }
  for (const [name, steps] of pathTo) {
    const type = schema.getType(name);
    if (!isObjectType(type) || steps.length === 0) continue;
    const missed = Object.values(type.getFields()).filter((f) => !covered.has(`${name}.${f.name}`));
    if (missed.length === 0) continue;
    // Cycles are what these fields are about (a node's parent, a link's territory): only depth bounds them.
    let text = missed.map((f) => fieldText(name, f, [], DEPTH)).join(" ");
    for (const step of [...steps].reverse()) {
      covered.add(`${step.type}.${step.field.name}`);
      text = `${step.field.name}${argsOf(step.type, step.field)} { ${text} }`;
    }
    queries.push({ root: steps[0].field.name, text: `{ ${text} }` });
  }
  if (missingArgs.length)
    throw new Error(`the walk has no value for: ${[...new Set(missingArgs)].join(", ")}`);
  return { queries, covered };
}

/** Every `Type.field` of every object type reachable from Query. */
function allFields(schema: GraphQLSchema): string[] {
  const seen = new Set<string>();
  const fields: string[] = [];
  const visit = (type: GraphQLNamedType) => {
    if (!isObjectType(type) || seen.has(type.name)) return;
    seen.add(type.name);
    for (const f of Object.values(type.getFields())) {
      fields.push(`${type.name}.${f.name}`);
      visit(getNamedType(f.type));
    }
  };
  const query = schema.getQueryType();
  if (query) visit(query);
  return fields;
}

describe("every path of the schema honours the visibility rule", () => {
  let database: TestDatabase;
  let executable: GraphQLSchema;
  let plan: Walk;
  let walked: GraphQLSchema;
  const answers = new Map<Who, { root: string; json: string; errors: string[] }[]>();

  beforeAll(async () => {
    database = await createTestDatabase();
    expect((await loadFixtureData(database.db)).allSucceeded).toBe(true);
    const ids = await loadSlices(database.db);
    executable = await buildHublotSchema();
    // The walk reads the schema as a client would: through introspection.
    const introspection = await graphql({ schema: executable, source: getIntrospectionQuery() });
    walked = buildClientSchema(introspection.data as unknown as IntrospectionQuery);
    plan = walk(walked, ids);
    // As a server walks them: through one store of kept reference rows shared by every caller, the
    // most privileged first, so a read the rule applies to, kept there, would reach the callers after.
    const kept = new ReferenceCache({ current: async () => 1, close: async () => {} });
    for (const who of [...everyone].reverse()) {
      const list: { root: string; json: string; errors: string[] }[] = [];
      for (const q of plan.queries) {
        const result = await graphql({
          schema: executable,
          source: q.text,
          contextValue: createContext(database.db, callers[who], kept.forRequest()),
        });
        list.push({
          root: q.root,
          json: JSON.stringify(result.data ?? null),
          errors: (result.errors ?? []).map((e) => `${e.extensions?.code}: ${e.message}`),
        });
      }
      answers.set(who, list);
    }
  }, 300_000);
  afterAll(() => database.close());

  it("walks every field of every type reachable from Query", () => {
    const missed = allFields(walked).filter((f) => !plan.covered.has(f));
    expect(missed).toEqual([]);
  });

  it.each(everyone)("shows %s exactly the slices it may see, through every path", (who) => {
    const list = answers.get(who) ?? [];
    const leaks: string[] = [];
    for (const slice of slices) {
      const allowed = slice.seenBy.includes(who);
      const found = list.filter((a) => tokensOf(slice).some((t) => a.json.includes(t)));
      if (!allowed) for (const a of found) leaks.push(`${slice.measure} through ${a.root}`);
      // Seen through the links that reach series: the walk must find what the caller may see.
      else
        expect(
          found.map((a) => a.root),
          `${who} sees ${slice.measure}`,
        ).toEqual(
          expect.arrayContaining([
            "indicator",
            "territory",
            "filiere",
            "seriesList",
            "observations",
            "aggregate",
          ]),
        );
    }
    for (const code of new Set(slices.map((s) => s.dataset))) {
      if (datasetSeenBy(code).includes(who)) continue;
      for (const a of list) if (a.json.includes(`"${code}"`)) leaks.push(`dataset ${code} through ${a.root}`);
    }
    const details = who === "analyst" || who === "admin";
    const errorSeen = list.filter((a) => a.json.includes("SENTINEL_ERROR_TEXT")).map((a) => a.root);
    if (!details) for (const root of errorSeen) leaks.push(`run error text through ${root}`);
    else expect(errorSeen).toEqual(expect.arrayContaining(["ingestRuns", "ingestSources"]));
    expect(leaks).toEqual([]);
    expect(RUN_ERROR).toContain("SENTINEL_ERROR_TEXT");
  });

  it("answers a lookup of an invisible series or dataset exactly as one that does not exist", async () => {
    const errorsOf = async (who: Who, source: string) =>
      (
        await graphql({ schema: executable, source, contextValue: createContext(database.db, callers[who]) })
      ).errors?.map((e) => ({ code: e.extensions?.code, message: e.message }));
    for (const who of ["anonymous", "partnerB", "analyst"] as Who[]) {
      const hidden = await errorsOf(who, '{ dataset(code: "ZZ-A-PRIVATE") { code } }');
      const absent = await errorsOf(who, '{ dataset(code: "ZZ-NO-SUCH") { code } }');
      expect(hidden?.[0].code).toBe("NOT_FOUND");
      expect(hidden?.[0].message.replace("ZZ-A-PRIVATE", "X")).toBe(
        absent?.[0].message.replace("ZZ-NO-SUCH", "X"),
      );
    }
    const privateId = (await answers.get("admin"))?.length; // the walk ran; ids come from the data set
    expect(privateId).toBeGreaterThan(0);
  });

  it("leaves the errors of the walk to lookups the caller may not make and admins' lists", () => {
    for (const who of everyone)
      for (const a of answers.get(who) ?? [])
        for (const e of a.errors)
          expect(`${who} ${a.root}: ${e}`).toMatch(
            /^\w+ ((dataset|series): NOT_FOUND|(apiKeys|auditLog): FORBIDDEN)/,
          );
  });
});
