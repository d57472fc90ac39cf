/** GraphQL answers as tables. The data here is shaped by hand (INVENTED values) on the hub's real schema. */
import { type GraphQLSchema, parse } from "graphql";
import { beforeAll, describe, expect, it } from "vitest";
import { buildHublotSchema } from "../../../src/graphql/build-schema";
import { TabularError, tableOf } from "../../../src/http/tabular/flatten";
import { formatTable, requestedTableFormat } from "../../../src/http/tabular/format";

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildHublotSchema();
});

const table = (query: string, data: Record<string, unknown>, pick?: string) =>
  tableOf(schema, parse(query), data, { pick });

describe("a query holding one list", () => {
  it("gives one row per element, nested objects as dotted columns in selection order", () => {
    const t = table(`{ indicators { totalCount nodes { code latest { value period } label } } }`, {
      indicators: {
        totalCount: 2,
        nodes: [
          { code: "a", latest: { value: 1.5, period: "2024" }, label: "A" },
          { code: "b", latest: null, label: "B" },
        ],
      },
    });
    expect(t.columns).toEqual(["indicators.totalCount", "code", "latest.value", "latest.period", "label"]);
    expect(t.rows).toEqual([
      [2, "a", 1.5, "2024", "A"],
      [2, "b", null, null, "B"],
    ]);
  });

  it("keeps aliases and fragments, and gives the header of an empty answer", () => {
    const t = table(
      `query { rows: indicators { nodes { id: code ...More } } } fragment More on Indicator { label }`,
      { rows: { nodes: [] } },
    );
    expect(t.columns).toEqual(["id", "label"]);
    expect(t.rows).toEqual([]);
  });

  it("unnests a list inside a list, parents' fields repeated, a parent with no rows kept once", () => {
    const t = table(`{ indicator(code: "x") { code series { measure observations { period value } } } }`, {
      indicator: {
        code: "x",
        series: [
          {
            measure: "rate",
            observations: [
              { period: "2023", value: 1 },
              { period: "2024", value: 2 },
            ],
          },
          { measure: "count", observations: [] },
        ],
      },
    });
    expect(t.columns).toEqual(["indicator.code", "indicator.series.measure", "period", "value"]);
    expect(t.rows).toEqual([
      ["x", "rate", "2023", 1],
      ["x", "rate", "2024", 2],
      ["x", "count", null, null],
    ]);
  });
});

describe("a query holding several lists", () => {
  const query = `{ indicators { nodes { code } } territories { nodes { code name } } }`;
  const data = {
    indicators: { nodes: [{ code: "a" }] },
    territories: { nodes: [{ code: "DEP-13", name: "Bouches-du-Rhône" }] },
  };

  it("is refused with an error naming the lists and how to pick one", () => {
    expect(() => table(query, data)).toThrow(TabularError);
    expect(() => table(query, data)).toThrow(
      /several lists \(indicators\.nodes, territories\.nodes\).*\?list=indicators\.nodes/,
    );
  });

  it("gives the picked list, the other left out", () => {
    expect(table(query, data, "territories.nodes")).toEqual({
      columns: ["code", "name"],
      rows: [["DEP-13", "Bouches-du-Rhône"]],
    });
    expect(() => table(query, data, "nodes")).toThrow(
      /no list "nodes".*indicators\.nodes, territories\.nodes/,
    );
  });

  it("with no list at all is one row: the answer itself", () => {
    expect(
      table(`{ indicator(code: "x") { code latest { value } } }`, {
        indicator: { code: "x", latest: { value: 8.6 } },
      }),
    ).toEqual({
      columns: ["indicator.code", "indicator.latest.value"],
      rows: [["x", 8.6]],
    });
  });
});

describe("the formats", () => {
  const columns = ["name", "value", "ok"];
  const rows = [
    ["Aix-en-Provence; Pays d'Aix", 9.25, true],
    ["Marseille", null, false],
  ];

  it("write RFC 4180 CSV by default", () => {
    const f = requestedTableFormat({ format: "csv" });
    expect(f?.contentType).toMatch(/^text\/csv/);
    expect(formatTable(f!, columns, rows)).toBe(
      "name,value,ok\r\nAix-en-Provence; Pays d'Aix,9.25,true\r\nMarseille,,false\r\n",
    );
  });

  it("write the French variant: semicolons, decimal comma, BOM", () => {
    const f = requestedTableFormat({ format: "csv", locale: "fr" });
    expect(formatTable(f!, columns, rows)).toBe(
      '\ufeffname;value;ok\r\n"Aix-en-Provence; Pays d\'Aix";9,25;true\r\nMarseille;;false\r\n',
    );
  });

  it("write TSV, and follow the Accept header when no format is named", () => {
    const f = requestedTableFormat({ accept: "text/tab-separated-values, */*" });
    expect(formatTable(f!, columns, rows).split("\r\n")[1]).toBe("Aix-en-Provence; Pays d'Aix\t9.25\ttrue");
    expect(requestedTableFormat({ accept: "application/json, text/csv" })).toBeUndefined();
    expect(requestedTableFormat({ accept: "*/*" })).toBeUndefined();
    expect(() => requestedTableFormat({ format: "xlsx" })).toThrow(/not one of json, csv, tsv/);
  });
});
