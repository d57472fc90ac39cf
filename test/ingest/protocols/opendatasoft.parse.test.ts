import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bytesOf } from "../../../ingest/core/payload";
import { ConvertError } from "../../../ingest/core/types";
import {
  odsCsvRecords,
  odsExportUrl,
  odsIn,
  odsNumber,
  odsRecordsUrl,
  odsString,
  parseOdsDatasetFields,
  parseOdsExportJson,
  parseOdsRecords,
} from "../../../ingest/protocols/opendatasoft.parse";

const fixture = (name: string) => readFileSync(join(import.meta.dirname, "../../fixtures/urssaf", name));
const BASE = "https://open.urssaf.fr/api/explore/v2.1";
const COMMUNE_APE = "etablissements-et-effectifs-salaries-au-niveau-commune-x-ape-last";

describe("Opendatasoft URL builders", () => {
  it("builds a /records URL with ODSQL percent-encoded and double-quoted literals", () => {
    const url = odsRecordsUrl(BASE, COMMUNE_APE, {
      select: "code_commune, sum(effectifs_salaries_2024) as e",
      where: `code_epci=${odsString("200054807")}`,
      groupBy: "code_commune",
      limit: 100,
      offset: 200,
    });
    expect(url).toBe(
      `${BASE}/catalog/datasets/${COMMUNE_APE}/records` +
        "?select=code_commune%2C%20sum(effectifs_salaries_2024)%20as%20e" +
        "&where=code_epci%3D%22200054807%22&group_by=code_commune&limit=100&offset=200",
    );
    const parsed = new URL(url);
    expect(parsed.searchParams.get("where")).toBe('code_epci="200054807"');
  });

  it("repeats refine per value and quotes facet values", () => {
    const url = new URL(
      odsRecordsUrl(BASE, "x", {
        refine: { grand_secteur_d_activite: ["GS1 Industrie", "GS2 Construction"] },
      }),
    );
    expect(url.searchParams.getAll("refine")).toEqual([
      'grand_secteur_d_activite:"GS1 Industrie"',
      'grand_secteur_d_activite:"GS2 Construction"',
    ]);
  });

  it("refuses pages the portal would refuse: limit above 100 or beyond the first 10 000 records", () => {
    expect(() => odsRecordsUrl(BASE, "x", { limit: 101 })).toThrow(RangeError);
    expect(() => odsRecordsUrl(BASE, "x", { limit: 100, offset: 9_901 })).toThrow(/use \/exports/);
    expect(() => odsRecordsUrl(BASE, "x", { limit: 100, offset: 9_900 })).not.toThrow();
  });

  it("builds a CSV export URL with the ; separator and no BOM", () => {
    const url = new URL(
      odsExportUrl(`${BASE}/`, COMMUNE_APE, "csv", { where: odsIn("code_commune", ["13001", "13202"]) }),
    );
    expect(url.pathname).toBe(`/api/explore/v2.1/catalog/datasets/${COMMUNE_APE}/exports/csv`);
    expect(url.searchParams.get("where")).toBe('code_commune IN ("13001", "13202")');
    expect(url.searchParams.get("delimiter")).toBe(";");
    expect(url.searchParams.get("with_bom")).toBe("false");
    expect(new URL(odsExportUrl(BASE, "x", "json")).search).toBe("");
  });

  it("escapes quotes inside ODSQL strings", () => {
    expect(odsString('Provence-Alpes-Côte d\'Azur "PACA"')).toBe('"Provence-Alpes-Côte d\'Azur \\"PACA\\""');
  });
});

describe("parseOdsRecords", () => {
  it("reads the captured zone-d'emploi envelope", () => {
    const page = parseOdsRecords(fixture("ze-trimestriel-records.json"));
    expect(page.totalCount).toBe(2);
    expect(page.results[0]).toMatchObject({ code_zone_d_emploi: "2804", annee: "2022", trimestre: 1 });
    expect(page.results[1].effectifs_salaries_cvs).toBe(133000);
  });

  it("fails clearly on an HTML error page, a portal error and a wrong shape", () => {
    expect(() => parseOdsRecords("<html><body>502 Bad Gateway</body></html>")).toThrow(
      /not JSON.*502 Bad Gateway/,
    );
    expect(() => parseOdsRecords('{"error_code":"ODSQLError","message":"Unknown field: code_epc"}')).toThrow(
      /ODSQLError: Unknown field: code_epc/,
    );
    expect(() => parseOdsRecords('{"results":[]}')).toThrow(ConvertError);
  });
});

describe("parseOdsExportJson", () => {
  it("reads a bare array and refuses an envelope", () => {
    expect(parseOdsExportJson('[{"code_commune":"13001","effectifs_salaries_2024":12}]')).toEqual([
      { code_commune: "13001", effectifs_salaries_2024: 12 },
    ]);
    expect(() => parseOdsExportJson('{"total_count":0,"results":[]}')).toThrow(/JSON array/);
  });
});

/** Every record of a CSV export, read as it streams. */
async function parseOdsExportCsv(
  body: Uint8Array | string,
  options: Parameters<typeof odsCsvRecords>[1] = {},
) {
  const rows: Record<string, string>[] = [];
  for await (const r of odsCsvRecords(bytesOf(body), options)) rows.push(r);
  return rows;
}

describe("CSV export", () => {
  it("parses with csv-parse: quoted cells that contain the separator stay whole", async () => {
    const rows = await parseOdsExportCsv(fixture("commune-ape-export-invented-values.csv"));
    expect(rows).toHaveLength(6);
    expect(rows[0].secteur_na17).toBe(
      "MN Activités scientifiques et techniques ; services administratifs et de soutien",
    );
    expect(rows[0].code_commune).toBe("13001");
    expect(rows[1].effectifs_salaries_2024).toBe("");
  });

  it("streams records from a body that arrives in small chunks", async () => {
    const text = fixture("commune-ape-export-invented-values.csv");
    async function* inChunks() {
      for (let i = 0; i < text.length; i += 7) yield text.subarray(i, i + 7);
    }
    const communes: string[] = [];
    for await (const r of odsCsvRecords(inChunks())) {
      expect(Object.keys(r)).toContain("effectifs_salaries_2024");
      communes.push(r.code_commune);
    }
    expect(communes).toEqual(["13001", "13001", "13202", "13216", "13202", "84089"]);
  });

  it("strips a BOM from the first column name", async () => {
    const rows = await parseOdsExportCsv("\uFEFFcode_commune;effectifs_salaries_2024\n13001;5\n");
    expect(rows).toEqual([{ code_commune: "13001", effectifs_salaries_2024: "5" }]);
  });

  it("names a renamed column, and refuses an empty body, a JSON body and a ragged row", async () => {
    const csv = "code_commune;effectifs_2024\n13001;5\n";
    await expect(
      parseOdsExportCsv(csv, { required: ["code_commune", "effectifs_salaries_2024"] }),
    ).rejects.toThrow(/effectifs_salaries_2024 missing/);
    await expect(parseOdsExportCsv("")).rejects.toThrow(/empty body/);
    await expect(parseOdsExportCsv('{"error_code":"x"}')).rejects.toThrow(/not CSV/);
    await expect(parseOdsExportCsv("a;b\n1;2;3\n")).rejects.toThrow(ConvertError);
  });
});

describe("odsNumber", () => {
  it("tells numbers, confidential cells and garbage apart", () => {
    expect(odsNumber(12)).toBe(12);
    expect(odsNumber("1234")).toBe(1234);
    expect(odsNumber("8.5")).toBe(8.5);
    expect(odsNumber("")).toBeNull();
    expect(odsNumber(null)).toBeNull();
    expect(odsNumber("NaN")).toBeUndefined();
    expect(odsNumber("12 345")).toBeUndefined();
  });
});

describe("parseOdsDatasetFields", () => {
  it("lists the fields of a dataset schema", () => {
    const fields = parseOdsDatasetFields(
      '{"dataset_id":"x","fields":[{"name":"effectifs_salaries_2024","type":"int","label":"Effectifs salariés 2024"}]}',
    );
    expect(fields).toEqual([
      { name: "effectifs_salaries_2024", type: "int", label: "Effectifs salariés 2024" },
    ]);
  });
});
