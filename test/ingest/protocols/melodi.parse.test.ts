import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConvertError } from "../../../ingest/core/types";
import {
  melodiDataUrl,
  melodiHasMorePages,
  parseMelodiData,
  parseMelodiGeo,
} from "../../../ingest/protocols/melodi.parse";

const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, "../../fixtures/insee-melodi", name));

describe("parseMelodiGeo", () => {
  it("splits the millésime off Melodi GEO values", () => {
    expect(parseMelodiGeo("2025-COM-13055")).toEqual({
      territoryCode: "COM-13055",
      level: "COM",
      code: "13055",
      vintage: 2025,
    });
    expect(parseMelodiGeo("ARM-13201")).toMatchObject({ territoryCode: "ARM-13201", vintage: null });
    expect(parseMelodiGeo("2025-EPCI-200054807").territoryCode).toBe("EPCI-200054807");
    expect(parseMelodiGeo("FRANCE-F").territoryCode).toBe("FRANCE-F");
    expect(parseMelodiGeo("2022-ZE2020-9312").territoryCode).toBe("ZE2020-9312");
  });

  it("refuses a GEO without a level", () => {
    expect(() => parseMelodiGeo("13055")).toThrow(ConvertError);
  });
});

describe("parseMelodiData on recorded answers", () => {
  it("reads the legal populations of an EPCI's communes", () => {
    const page = parseMelodiData(fixture("popref-epci-244400404-com.json"));
    expect(page.identifier).toBe("DS_POPULATIONS_REFERENCE");
    expect(page.observations).toHaveLength(6);
    expect(page.observations[5]).toEqual({
      geo: { territoryCode: "COM-44162", level: "COM", code: "44162", vintage: 2025 },
      period: "2023",
      freq: "A",
      dimensions: { POPREF_MEASURE: "PMUN" },
      measure: "OBS_VALUE_NIVEAU",
      value: 50973,
      rawValue: 50973,
      attributes: {},
    });
    expect(page.paging).toEqual({
      first:
        "https://api.insee.fr/melodi/data/DS_POPULATIONS_REFERENCE?GEO=EPCI-244400404%2ACOM&idTerritoire=TRUE&maxResult=100000&page=1",
      next: null,
      last: null,
      isLast: null,
      count: null,
    });
  });

  it("takes whatever measure key the dataset uses and keeps attributes, whatever the key order", () => {
    const [obs] = parseMelodiData(fixture("ipc-dep-974-with-attributes.json")).observations;
    expect(obs.measure).toBe("OBS_VALUE_INDICE_DE_PRIX");
    expect(obs.value).toBe(99.14);
    expect(obs.attributes).toEqual({ OBS_STATUS: "A", DECIMALS: "2", CONF_STATUS: "F" });
    expect(obs.geo.territoryCode).toBe("DEP-974");
    expect(obs.dimensions.PRODUCT_GROUP).toBe("4000");
  });

  it("reads the count probe: no observations, a count", () => {
    const page = parseMelodiData(fixture("popref-count-probe.json"));
    expect(page.observations).toEqual([]);
    expect(page.paging.count).toBe(72);
  });
});

describe("bad Melodi input", () => {
  it("fails the gateway's text/plain 500 page and a JSON without observations", () => {
    expect(() => parseMelodiData("Le serveur a rencontré une erreur inattendue.")).toThrow(
      /not JSON \(starts "Le serveur a rencontré une erreur inattendue."\)/,
    );
    expect(() => parseMelodiData('{"identifier":"DS_X"}')).toThrow(/no observations array/);
  });

  it("gives null for a NaN or null cell and keeps what was sent (invented cells)", () => {
    const body = JSON.stringify({
      observations: [
        {
          dimensions: { GEO: "COM-13001", TIME_PERIOD: "2023" },
          measures: { OBS_VALUE_NIVEAU: { value: "NaN" } },
        },
        {
          dimensions: { GEO: "COM-13001", TIME_PERIOD: "2022" },
          measures: { OBS_VALUE_NIVEAU: { value: null } },
        },
      ],
    });
    const [a, b] = parseMelodiData(body).observations;
    expect([a.value, a.rawValue]).toEqual([null, "NaN"]);
    expect([b.value, b.rawValue]).toEqual([null, null]);
  });

  it("refuses an observation without GEO or with two measures", () => {
    const noGeo = '{"observations":[{"dimensions":{"TIME_PERIOD":"2023"},"measures":{"M":{"value":1}}}]}';
    expect(() => parseMelodiData(noGeo)).toThrow(/lacks GEO/);
    const two =
      '{"observations":[{"dimensions":{"GEO":"COM-1","TIME_PERIOD":"2023"},"measures":{"A":{},"B":{}}}]}';
    expect(() => parseMelodiData(two)).toThrow(/2 measures/);
  });
});

describe("melodiDataUrl and paging", () => {
  it("encodes * as %2A and repeats multi-valued filters", () => {
    expect(
      melodiDataUrl("https://api.insee.fr/melodi/", "DS_RP_EMPLOI_LR_PRINC", {
        GEO: "EPCI-200054807*COM",
        EMPSTA_ENQ: ["1", "31"],
      }),
    ).toBe(
      "https://api.insee.fr/melodi/data/DS_RP_EMPLOI_LR_PRINC?GEO=EPCI-200054807%2ACOM&EMPSTA_ENQ=1&EMPSTA_ENQ=31&maxResult=100000",
    );
    expect(
      melodiDataUrl(
        "https://api.insee.fr/melodi",
        "DS_POPULATIONS_REFERENCE",
        {},
        { totalCount: true, maxResult: 0 },
      ),
    ).toBe("https://api.insee.fr/melodi/data/DS_POPULATIONS_REFERENCE?totalCount=TRUE&maxResult=0");
    expect(() => melodiDataUrl("https://x", "DS_X", {}, { maxResult: 100_001 })).toThrow(RangeError);
    expect(() => melodiDataUrl("https://x", "../catalog", {})).toThrow(RangeError);
  });

  it("sees more pages from a next link or isLast false", () => {
    const page = parseMelodiData(fixture("popref-epci-244400404-com.json"));
    expect(melodiHasMorePages(page, page.paging.first ?? "")).toBe(false);
    expect(melodiHasMorePages({ ...page, paging: { ...page.paging, next: "https://x?page=2" } }, "u")).toBe(
      true,
    );
    expect(melodiHasMorePages({ ...page, paging: { ...page.paging, isLast: false } }, "u")).toBe(true);
  });
});
