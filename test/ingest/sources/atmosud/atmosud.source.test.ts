import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { BufferedPayload, ConvertResult, Resource } from "../../../../ingest/core/types";
import { atmoDate, atmoIndexUrl, convertAtmoIndex } from "../../../../ingest/sources/atmosud/atmo-index";
import { cigaleUrl, cigaleYears, indexDays } from "../../../../ingest/sources/atmosud/atmosud.source";
import {
  CIGALE_EPCI_DERIVATION,
  CIGALE_PER_INHABITANT_DERIVATION,
  CIGALE_TOTAL_DERIVATION,
  convertCigale,
} from "../../../../ingest/sources/atmosud/cigale";

const fixture = (name: string) => readFileSync(join(import.meta.dirname, "../../../fixtures/atmosud", name));
const payload = (body: Uint8Array | string): BufferedPayload => ({
  body: typeof body === "string" ? new TextEncoder().encode(body) : body,
  url: "https://cigale.atmosud.org/scripts/tableau.php",
  httpStatus: 200,
  contentType: null,
  retrievedAt: new Date("2026-09-14T12:00:00Z"),
});
const MEMBERS = ["COM-13001", "COM-13055", "COM-84089"];
const cigaleResource = (epciMembers = MEMBERS, year = 2022): Resource => ({
  key: `cigale-${year}`,
  url: "u",
  meta: {
    year,
    epci: "200054807",
    epciMembers,
    knownTerritories: [...MEMBERS, "EPCI-200054807", "ARM-13201"],
    populations: {
      "COM-13001": { value: 145000, year: 2022, source: "test population (invented)" },
      "EPCI-200054807": { value: 1900000, year: null, source: null },
    },
  },
});
const find = (
  result: ConvertResult,
  measure: string,
  territory: string,
  breakdown: Record<string, string> = {},
) =>
  result.observations.find(
    (o) =>
      o.series.measure === measure &&
      o.series.territoryCode === territory &&
      JSON.stringify(o.series.breakdown) === JSON.stringify(breakdown),
  );

describe("CIGALE inventory (invented values)", () => {
  const result = convertCigale(
    payload(fixture("cigale-bilan-commune-invented-values.csv")),
    cigaleResource(),
  );

  it("keeps each sector and totals the included ones (sector 8, 'Non inclus', stays out)", () => {
    expect(find(result, "ghg_emissions", "COM-13001", { secten1: "8" })?.value).toBe(40);
    expect(find(result, "ghg_emissions", "COM-13001")).toMatchObject({ period: "2022", value: 280.75 });
    expect(result.series.find((s) => s.breakdown.secten1 === "6")?.titleFr).toContain("Transports routiers");
  });

  it("sums the EPCI from its communes only when every member is there", () => {
    expect(find(result, "ghg_emissions", "EPCI-200054807")).toMatchObject({
      value: 280.75 + 1400 + 12,
      attributes: { communes: "3" },
    });
    const partial = convertCigale(
      payload(fixture("cigale-bilan-commune-invented-values.csv")),
      cigaleResource([...MEMBERS, "COM-13002"]),
    );
    expect(find(partial, "ghg_emissions", "EPCI-200054807")).toBeUndefined();
    expect(partial.skipped.epci_total_incomplete).toBe(2);
  });

  it("stores an empty sector as missing and every total above it as an estimate with missing_inputs", () => {
    // 13001's residential cell emptied: its total keeps the sectors it knows (road transport).
    const text = fixture("cigale-bilan-commune-invented-values.csv")
      .toString()
      .replace("3;Résidentiel;0;kt eq. CO2;80,5", "3;Résidentiel;0;kt eq. CO2;");
    const converted = convertCigale(payload(text), cigaleResource());
    expect(find(converted, "ghg_emissions", "COM-13001", { secten1: "3" })).toMatchObject({
      value: null,
      obsStatus: "M",
    });
    expect(find(converted, "ghg_emissions", "COM-13001")).toMatchObject({
      value: 200.25,
      obsStatus: "E",
      attributes: { missing_inputs: "1" },
    });
    expect(find(converted, "ghg_emissions", "EPCI-200054807")).toMatchObject({
      value: 200.25 + 1400 + 12,
      obsStatus: "E",
      attributes: { communes: "3", missing_inputs: "1" },
    });
    expect(find(converted, "ghg_emissions_per_inhabitant", "COM-13001")).toMatchObject({
      value: Math.round(((200.25 * 1000) / 145000) * 1e6) / 1e6,
      obsStatus: "E",
      attributes: { population: "145000", missing_inputs: "1" },
    });
    // Complete sums keep status A and carry no missing_inputs.
    expect(find(result, "ghg_emissions", "COM-13001")).toMatchObject({ obsStatus: "A", attributes: {} });
    expect(find(result, "ghg_emissions", "EPCI-200054807")).toMatchObject({
      obsStatus: "A",
      attributes: { communes: "3" },
    });
  });

  it("flags every total, EPCI sum and per-inhabitant series derived, and no sector series", () => {
    const seriesOf = (measure: string, territory: string, breakdown: Record<string, string> = {}) =>
      result.series.find(
        (s) =>
          s.measure === measure &&
          s.territoryCode === territory &&
          JSON.stringify(s.breakdown) === JSON.stringify(breakdown),
      );
    for (const measure of ["ghg_emissions", "final_energy_consumption"]) {
      expect(seriesOf(measure, "COM-13001")).toMatchObject({
        derived: true,
        derivation: CIGALE_TOTAL_DERIVATION,
      });
    }
    expect(seriesOf("ghg_emissions", "EPCI-200054807")).toMatchObject({
      derived: true,
      derivation: CIGALE_EPCI_DERIVATION,
    });
    for (const territory of ["COM-13001", "EPCI-200054807"]) {
      expect(seriesOf("ghg_emissions_per_inhabitant", territory)).toMatchObject({
        derived: true,
        derivation: CIGALE_PER_INHABITANT_DERIVATION,
      });
    }
    const sectors = result.series.filter((s) => "secten1" in s.breakdown);
    expect(sectors.length).toBeGreaterThan(0);
    for (const s of sectors) expect(s.derived ?? false).toBe(false);
    expect(result.series.filter((s) => !("secten1" in s.breakdown)).every((s) => s.derived)).toBe(true);
  });

  it("refuses an answer whose rows are not of the inventory year asked", () => {
    expect(() =>
      convertCigale(
        payload(fixture("cigale-bilan-commune-invented-values.csv")),
        cigaleResource(MEMBERS, 2024),
      ),
    ).toThrow(
      "CIGALE line 2, column an: 2022, but resource cigale-2024 asked for inventory year 2024 (query_ans): the answer is not the year asked",
    );
    expect(() =>
      convertCigale(payload(fixture("cigale-bilan-commune-invented-values.csv")), {
        key: "cigale-2022",
        url: "u",
        meta: { ...cigaleResource().meta, year: undefined },
      }),
    ).toThrow(/no CIGALE plan metadata/);
  });

  it("puts final energy consumption under indicator 10 and reads a decimal point too", () => {
    expect(find(result, "final_energy_consumption", "COM-13001")).toMatchObject({
      series: { indicatorCode: "renewable_share_final_consumption" },
      value: 35.5,
    });
  });

  it("derives t CO2e per inhabitant from the stored population, naming it", () => {
    expect(find(result, "ghg_emissions_per_inhabitant", "COM-13001")).toMatchObject({
      value: Math.round(((280.75 * 1000) / 145000) * 1e6) / 1e6,
      obsStatus: "E",
      attributes: {
        population: "145000",
        population_year: "2022",
        population_source: "test population (invented)",
      },
    });
    expect(result.skipped.per_inhabitant_without_population).toBe(2);
  });

  it("counts what it leaves out: unmapped pollutants and communes outside the hub", () => {
    expect(result.skipped).toMatchObject({ variable_not_mapped: 1, territory_not_in_reference: 1 });
  });

  it("reads the reconstructed sample layout and refuses a renamed column", () => {
    const sample = convertCigale(
      payload(fixture("cigale-bilan-commune-reconstructed-placeholders.csv")),
      cigaleResource(),
    );
    expect(find(sample, "ghg_emissions", "COM-13001", { secten1: "3" })?.value).toBe(0);
    expect(() =>
      convertCigale(payload("annee;id_comm;id_polluant;id_secten1;val\n"), cigaleResource()),
    ).toThrow(/column\(s\) an missing; the file has annee;id_comm/);
    expect(() =>
      convertCigale(payload("an;id_comm;id_polluant;id_secten1;val\n2022;13001;128;9;1\n"), cigaleResource()),
    ).toThrow(/line 2, column id_secten1: unknown sector "9"/);
  });

  it("plans the last four inventory years for the EPCI", () => {
    expect(cigaleYears(new Date("2026-03-01"))).toEqual([2024, 2023, 2022, 2021]);
    expect(cigaleUrl("https://cigale.atmosud.org", 2022)).toBe(
      "https://cigale.atmosud.org/scripts/tableau.php?query_ans=2022&query_entite=200054807&query_sect='1'%2C'2'%2C'3'%2C'4'%2C'5'%2C'6'%2C'7'%2C'8'&query_ener=&query_var=128%2C131&query_detail_comm=true",
    );
  });
});

describe("ATMO index (WFS GeoJSON)", () => {
  const resource = (knownIndicators = ["air_quality_index"]): Resource => ({
    key: "indice-2025-06-02",
    url: "u",
    meta: { date: "2025-06-02", knownIndicators, knownTerritories: ["COM-13001", "ARM-13201"] },
  });
  const geojson = fixture("indice-wfs-geojson-reconstructed-placeholders.json");

  it("reads one daily value per zone, Marseille by arrondissement", () => {
    const result = convertAtmoIndex(payload(geojson), resource());
    expect(result.observations).toEqual([
      expect.objectContaining({
        series: expect.objectContaining({ territoryCode: "COM-13001", measure: "atmo_index" }),
        period: "2025-06-02",
        value: 2,
        obsStatus: "A",
        attributes: expect.objectContaining({ lib_qual: "Moyen", code_o3: "2" }),
      }),
      expect.objectContaining({ series: expect.objectContaining({ territoryCode: "ARM-13201" }), value: 3 }),
    ]);
    expect(result.series[0]).toMatchObject({ frequency: "D", indicatorCode: "air_quality_index" });
  });

  it("skips and counts every feature while the hub has no air_quality_index indicator", () => {
    const result = convertAtmoIndex(payload(geojson), resource(["ghg_emissions"]));
    expect(result.observations).toHaveLength(0);
    expect(result.skipped).toEqual({ indicator_not_in_reference: 2 });
  });

  it("stores an unavailable index (0) as missing", () => {
    const text = geojson.toString().replace('"code_qual": 2', '"code_qual": 0');
    expect(convertAtmoIndex(payload(text), resource()).observations[0]).toMatchObject({
      value: null,
      obsStatus: "M",
    });
  });

  it("reads dates as the WFS and ArcGIS flavours write them", () => {
    const arcgis = JSON.parse(fixture("indice-arcgis-attributes-guadeloupe.json").toString());
    expect(atmoDate(arcgis.features[0].attributes.date_ech)).toBe("2025-11-08");
    expect(atmoDate("2025-06-02T00:00:00Z")).toBe("2025-06-02");
  });

  it("refuses a GeoServer exception report", () => {
    expect(() =>
      convertAtmoIndex(payload('<?xml version="1.0"?><ServiceExceptionReport/>'), resource()),
    ).toThrow(/not GeoJSON/);
  });

  it("asks the WFS for one day of the regional layer, yesterday to tomorrow", () => {
    expect(indexDays(new Date("2025-06-02T10:00:00Z"))).toEqual(["2025-06-01", "2025-06-02", "2025-06-03"]);
    const url = new URL(atmoIndexUrl("https://geoservices.atmosud.org", "2025-06-02"));
    expect(url.pathname).toBe("/geoserver/ind_sudpaca/ows");
    expect(url.searchParams.get("CQL_FILTER")).toBe("date_ech='2025-06-02T00:00:00Z'");
    expect(url.searchParams.get("typeName")).toBe("ind_sudpaca:ind_sudpaca");
    expect(url.searchParams.get("outputFormat")).toBe("json");
  });
});
