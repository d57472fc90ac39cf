import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  isSignedMeasure,
  type PartnerCsvError,
  type PartnerCsvIssue,
  parsePartnerCsv,
} from "../../../ingest/protocols/partner-csv.parse";

/** The documented example (docs/partner-csv-example.csv): every value in it is INVENTED. */
const example = readFileSync(join(import.meta.dirname, "../../../docs/partner-csv-example.csv"));
const HEADER = "template_version,indicator_code,territory_code,measure,breakdown,period,value,unit";
const known = {
  knownIndicators: ["office_space_produced", "port_calls_and_intl_air_traffic"],
  knownTerritories: ["EPCI-200054807", "COM-13001", "COM-13055"],
};

/** The issues a file is refused with (fails the test when the file is accepted). */
function issuesOf(body: string | Uint8Array, rules = known): PartnerCsvIssue[] {
  try {
    parsePartnerCsv(body, rules);
  } catch (error) {
    if ((error as Error).name !== "PartnerCsvError") throw error;
    return (error as PartnerCsvError).issues;
  }
  throw new Error("the file was accepted");
}
const csv = (...lines: string[]) => `${[HEADER, ...lines].join("\n")}\n`;

describe("partner CSV template v1: a good file", () => {
  it("reads the documented example, comment line included", () => {
    const rows = parsePartnerCsv(example);
    expect(rows).toHaveLength(6);
    expect(rows[0]).toMatchObject({
      line: 3,
      indicatorCode: "office_space_produced",
      territoryCode: "EPCI-200054807",
      measure: "office_space_delivered",
      breakdown: {},
      period: "2024",
      frequency: "A",
      value: 61250,
      unit: "m2",
      obsStatus: "P",
      sourceUrl: "https://example.org/invented-observatoire-bureaux-2024.pdf",
    });
    expect(rows[4]).toMatchObject({ breakdown: { label: "parc_plus" }, referenceDate: "2024-12-31" });
    expect(rows[5]).toMatchObject({ measure: "exports", period: "2024-Q3", frequency: "Q" });
  });

  it("keeps an empty value only with status M or C, as null", () => {
    const row = parsePartnerCsv(example).find((r) => r.measure === "exports");
    expect(row).toMatchObject({ value: null, obsStatus: "C", period: "2024-Q3" });
  });

  it("tolerates Excel's UTF-8 BOM and normalises INSEE's 2024-T3 to 2024-Q3", () => {
    const withBom = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(csv("1,office_space_produced,COM-13001,office_space_delivered,,2024-T3,12.5,m2")),
    ]);
    expect(parsePartnerCsv(withBom, known)[0]).toMatchObject({ period: "2024-Q3", value: 12.5 });
  });

  it("allows a negative value only for a measure named as a difference", () => {
    expect(isSignedMeasure("net_office_space")).toBe(true);
    expect(isSignedMeasure("stock_change")).toBe(true);
    expect(isSignedMeasure("office_space_delivered")).toBe(false);
    const rows = parsePartnerCsv(
      csv("1,office_space_produced,COM-13001,net_office_space,,2024,-300,m2"),
      known,
    );
    expect(rows[0].value).toBe(-300);
  });
});

describe("partner CSV template v1: bad files are refused by line and column", () => {
  it("refuses an empty file", () => {
    expect(issuesOf("")[0]).toMatchObject({ line: 1, message: expect.stringContaining("empty") });
    expect(issuesOf("\n\n  \n")[0].message).toContain("empty");
  });

  it("refuses a header without data", () => {
    expect(issuesOf(`${HEADER}\n`)[0].message).toContain("no data row");
  });

  it("names the separator when the file uses semicolons", () => {
    const issues = issuesOf(
      `${HEADER.replaceAll(",", ";")}\n1;office_space_produced;COM-13001;x;;2024;1,5;m2\n`,
    );
    expect(issues).toEqual([
      expect.objectContaining({ line: 1, message: expect.stringContaining('separated by ";"') }),
    ]);
  });

  it("finds a decimal comma, quoted or splitting the row", () => {
    const issues = issuesOf(
      csv(
        '1,office_space_produced,COM-13001,office_space_delivered,,2023,"12,5",m2',
        "1,office_space_produced,COM-13001,office_space_delivered,,2024,12,5,m2",
      ),
    );
    expect(issues).toEqual([
      expect.objectContaining({
        line: 2,
        column: 7,
        columnName: "value",
        message: expect.stringContaining("write 12.5"),
      }),
      expect.objectContaining({
        line: 3,
        column: 7,
        columnName: "value",
        message: expect.stringContaining("decimal comma"),
      }),
    ]);
  });

  it("refuses a thousands separator and text in the value column", () => {
    const issues = issuesOf(
      csv(
        '1,office_space_produced,COM-13001,office_space_delivered,,2023,"61 250",m2',
        "1,office_space_produced,COM-13001,office_space_delivered,,2024,n.d.,m2",
      ),
    );
    expect(issues.map((i) => [i.line, i.columnName])).toEqual([
      [2, "value"],
      [3, "value"],
    ]);
    expect(issues[0].message).toContain("thousands separator: write 61250");
  });

  it("refuses an unknown column, naming its position", () => {
    const issues = issuesOf(`${HEADER},indicateur\n1,office_space_produced,COM-13001,x,,2024,1,m2,y\n`);
    expect(issues[0]).toMatchObject({ line: 1, column: 9, columnName: "indicateur" });
  });

  it("refuses a missing required column", () => {
    const issues = issuesOf("template_version,indicator_code,territory_code,measure,period,value,unit\n");
    expect(issues[0].message).toBe("required column(s) missing: breakdown");
  });

  it("refuses a bad period like 2024-Q5 and an unknown indicator or territory", () => {
    const issues = issuesOf(
      csv(
        "1,office_space_produced,COM-13001,office_space_delivered,,2024-Q5,1,m2",
        "1,bureaux_livres,COM-13001,office_space_delivered,,2024,1,m2",
        "1,office_space_produced,COM-99999,office_space_delivered,,2024,1,m2",
        "1,office_space_produced,13001,office_space_delivered,,2024,1,m2",
      ),
    );
    expect(issues.map((i) => [i.line, i.column, i.columnName])).toEqual([
      [2, 6, "period"],
      [3, 2, "indicator_code"],
      [4, 3, "territory_code"],
      [5, 3, "territory_code"],
    ]);
    expect(issues[0].message).toContain('"2024-Q5" is not a period');
    expect(issues[1].message).toContain('unknown indicator "bureaux_livres"');
    expect(issues[3].message).toContain("COM-13001");
  });

  it("refuses duplicate rows, pointing at the first one", () => {
    const row = "1,office_space_produced,COM-13001,office_space_delivered,a=1;b=2,2024,1,m2";
    const same = "1,office_space_produced,COM-13001,office_space_delivered,b=2;a=1,2024,2,m2";
    const issues = issuesOf(csv(row, same));
    expect(issues).toEqual([
      expect.objectContaining({ line: 3, message: expect.stringContaining("duplicate of line 2") }),
    ]);
  });

  it("refuses a negative count and an empty value without a status saying why", () => {
    const issues = issuesOf(
      csv(
        "1,office_space_produced,COM-13001,office_space_delivered,,2023,-5,m2",
        "1,office_space_produced,COM-13001,office_space_delivered,,2024,,m2",
      ),
    );
    expect(issues.map((i) => i.message)).toEqual([
      expect.stringContaining("negative"),
      expect.stringContaining("obs_status M (missing) or C (confidential)"),
    ]);
  });

  it("refuses a reference date outside the period", () => {
    const header = `${HEADER},reference_date`;
    const issues = issuesOf(
      `${header}\n1,office_space_produced,COM-13001,office_space_delivered,,2024-Q1,1,m2,2024-04-01\n`,
    );
    expect(issues[0]).toMatchObject({
      line: 2,
      columnName: "reference_date",
      message: "2024-04-01 is outside period 2024-Q1 (2024-01-01 to 2024-03-31)",
    });
  });

  it("refuses a unit or frequency that changes within a series", () => {
    const issues = issuesOf(
      csv(
        "1,office_space_produced,COM-13001,office_space_delivered,,2023,1,m2",
        "1,office_space_produced,COM-13001,office_space_delivered,,2024,1,ha",
        "1,office_space_produced,COM-13001,office_space_delivered,,2025-Q1,1,m2",
      ),
    );
    expect(issues.map((i) => [i.line, i.columnName])).toEqual([
      [3, "unit"],
      [4, "period"],
    ]);
  });

  it("refuses text that is not UTF-8, and UTF-16 files, by line", () => {
    const latin1 = Buffer.concat([
      Buffer.from(`${HEADER}\n1,office_space_produced,COM-13001,office_space_delivered,,2024,1,m`),
      Buffer.from([0xb2]),
      Buffer.from("\n"),
    ]);
    expect(issuesOf(latin1)[0]).toMatchObject({ line: 2, column: 8 });
    expect(issuesOf(Buffer.from([0xff, 0xfe, 0x74, 0x00]))[0].message).toContain("UTF-16");
  });

  it("reports every problem of a file at once", () => {
    const issues = issuesOf(
      csv(
        "2,office_space_produced,COM-13001,Office Space,x,2024-13,abc,,Z",
        "1,office_space_produced,COM-13001,office_space_delivered,,2024,1,m2,A",
      ).replace(HEADER, `${HEADER},obs_status`),
    );
    expect(issues.map((i) => i.columnName)).toEqual([
      "template_version",
      "measure",
      "breakdown",
      "period",
      "obs_status",
      "value",
      "unit",
    ]);
  });

  it("applies a stream's restrictions on measures and breakdowns", () => {
    const issues = issuesOf(
      csv("1,port_calls_and_intl_air_traffic,EPCI-200054807,port_calls,basin=nord,2024,1,calls"),
      { ...known, measures: ["port_calls"], breakdowns: { basin: ["est", "ouest"] } } as typeof known,
    );
    expect(issues[0]).toMatchObject({
      columnName: "breakdown",
      message: 'basin="nord" is not one of est, ouest',
    });
  });

  it("refuses an indicator and measure that a dedicated stream owns, naming it", () => {
    const issues = issuesOf(
      csv(
        "1,port_calls_and_intl_air_traffic,EPCI-200054807,port_calls,basin=est,2024-07,112,calls",
        "1,port_calls_and_intl_air_traffic,EPCI-200054807,cruise_ships_named,,2024-07,3,ships",
      ),
      {
        ...known,
        reserved: { port_calls_and_intl_air_traffic: { port_calls: "port.traffic" } },
      } as typeof known,
    );
    expect(issues).toEqual([
      {
        line: 2,
        column: 4,
        columnName: "measure",
        message:
          "port_calls_and_intl_air_traffic port_calls is loaded by the stream port.traffic: a partner file cannot write those series (send the figures to that stream's source, or use another measure name)",
      },
    ]);
  });

  it("puts every issue in the error message", () => {
    try {
      parsePartnerCsv(csv("1,office_space_produced,COM-13001,office_space_delivered,,2024-Q5,1,m2"), known);
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toContain("line 2, column 6 (period):");
      expect((error as Error).name).toBe("PartnerCsvError");
    }
  });
});
