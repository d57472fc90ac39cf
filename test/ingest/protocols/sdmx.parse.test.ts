import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConvertError } from "../../../ingest/core/types";
import {
  bdmSeriesRequests,
  forEachSdmxSeries,
  parseSdmxStructureSpecific,
} from "../../../ingest/protocols/sdmx.parse";

const recorded = readFileSync(join(import.meta.dirname, "../../fixtures/insee-bdm/taux-chomage-r93-d13.xml"));
const recordedText = recorded.toString("utf-8");

/** An invented one-series message, for the cases the recording does not show. */
const invented = (obs: string, prefix = "message") =>
  `<?xml version="1.0"?><${prefix}:StructureSpecificData xmlns:${prefix}="urn:x"><${prefix}:DataSet>` +
  `<Series IDBANK="000000001" FREQ="M" UNIT_MULT="3">${obs}</Series></${prefix}:DataSet></${prefix}:StructureSpecificData>`;

describe("parseSdmxStructureSpecific on the recorded BDM answer", () => {
  const { header, series } = parseSdmxStructureSpecific(recorded);

  it("keeps every series attribute", () => {
    expect(header).toEqual({ id: "SERIES_BDM_1789388795865", prepared: "2026-09-14T14:26:35" });
    expect(series.map((s) => s.attributes.IDBANK)).toEqual(["001515864", "001515877"]);
    expect(series[1].attributes).toEqual({
      IDBANK: "001515877",
      FREQ: "T",
      TITLE_FR: "Taux de chômage localisé par département - Bouches-du-Rhône",
      TITLE_EN: "Unemployment rates localized by department - Bouches-du-Rhône",
      LAST_UPDATE: "2026-06-19",
      UNIT_MEASURE: "POURCENT",
      UNIT_MULT: "0",
      REF_AREA: "D13",
      DECIMALS: "1",
    });
  });

  it("puts the newest-first observations oldest first, with status, quality and revision flags", () => {
    const d13 = series[1].observations;
    expect(d13.map((o) => o.period)).toEqual([
      "2024-Q2",
      "2024-Q3",
      "2024-Q4",
      "2025-Q1",
      "2025-Q2",
      "2025-Q3",
      "2025-Q4",
      "2026-Q1",
    ]);
    expect(d13.at(-1)).toEqual({
      period: "2026-Q1",
      value: 9.1,
      rawValue: "9.1",
      attributes: { OBS_STATUS: "SD", OBS_QUAL: "SD", OBS_TYPE: "A" },
    });
    expect(d13[2].attributes).toMatchObject({ OBS_STATUS: "A", OBS_QUAL: "DEF", OBS_REV: "1" });
  });

  it("streams: each series reaches the callback when its element closes", () => {
    const seen: string[] = [];
    forEachSdmxSeries(recordedText, (s) => seen.push(`${s.attributes.REF_AREA}:${s.observations.length}`));
    expect(seen).toEqual(["R93:8", "D13:8"]);
  });
});

describe("bad SDMX input", () => {
  it("fails a truncated payload with a ConvertError, whatever the cut", () => {
    for (const cut of [0.25, 0.5, 0.9, 0.999]) {
      const truncated = recorded.subarray(0, Math.floor(recorded.length * cut));
      expect(() => parseSdmxStructureSpecific(truncated)).toThrow(ConvertError);
    }
    const atSeriesEnd = recordedText.slice(0, recordedText.indexOf("</Series>") + "</Series>".length);
    expect(() => parseSdmxStructureSpecific(atSeriesEnd)).toThrow(/truncated payload/);
  });

  it("fails malformed XML and an empty body", () => {
    expect(() =>
      parseSdmxStructureSpecific(invented('<Obs TIME_PERIOD="2024-01" OBS_VALUE="1"></Series>')),
    ).toThrow(/malformed XML/);
    expect(() => parseSdmxStructureSpecific("")).toThrow(/empty body/);
  });

  it("reads by local name, so a change of namespace prefix changes nothing", () => {
    const renamed = recordedText.replaceAll("message:", "mes:").replaceAll("xmlns:message=", "xmlns:mes=");
    expect(parseSdmxStructureSpecific(renamed).series[1].observations.at(-1)?.value).toBe(9.1);
  });

  it("turns OBS_VALUE NaN into a null value while keeping what was sent", () => {
    const { series } = parseSdmxStructureSpecific(
      invented(
        '<Obs TIME_PERIOD="2024-02" OBS_VALUE="NaN" OBS_STATUS="O"/><Obs TIME_PERIOD="2024-01" OBS_VALUE="3"/>',
      ),
    );
    expect(series[0].observations).toEqual([
      { period: "2024-01", value: 3, rawValue: "3", attributes: {} },
      { period: "2024-02", value: null, rawValue: "NaN", attributes: { OBS_STATUS: "O" } },
    ]);
  });

  it("reports an SDMX error message with its text", () => {
    const error =
      '<?xml version="1.0"?><mes:Error xmlns:mes="urn:m" xmlns:com="urn:c"><mes:ErrorMessage code="100">' +
      "<com:Text>No results found</com:Text></mes:ErrorMessage></mes:Error>";
    expect(() => parseSdmxStructureSpecific(error)).toThrow(/error message: No results found/);
  });

  it("refuses another kind of message and an Obs without a period", () => {
    expect(() => parseSdmxStructureSpecific('<message:GenericData xmlns:message="urn:x"/>')).toThrow(
      /expected a StructureSpecificData/,
    );
    expect(() => parseSdmxStructureSpecific("<html><body>Bad gateway</body></html>")).toThrow(ConvertError);
    expect(() => parseSdmxStructureSpecific(invented('<Obs OBS_VALUE="3"/>'))).toThrow(/no TIME_PERIOD/);
  });
});

describe("bdmSeriesRequests", () => {
  it("joins idbanks with + and splits above 400", () => {
    const ids = Array.from({ length: 401 }, (_, i) => String(1_000_000 + i).padStart(9, "0"));
    const requests = bdmSeriesRequests("https://bdm.insee.fr/series/sdmx/", ids);
    expect(requests).toHaveLength(2);
    expect(requests[0].idbanks).toHaveLength(400);
    expect(requests[1]).toEqual({
      url: "https://bdm.insee.fr/series/sdmx/data/SERIES_BDM/001000400",
      idbanks: ["001000400"],
    });
    expect(
      requests[0].url.startsWith("https://bdm.insee.fr/series/sdmx/data/SERIES_BDM/001000000+001000001+"),
    ).toBe(true);
  });

  it("adds updatedAfter in Paris local time and refuses what is not an idbank", () => {
    const [request] = bdmSeriesRequests("https://bdm.insee.fr/series/sdmx", ["001515877"], {
      updatedAfter: new Date("2026-06-19T08:30:00Z"),
      startPeriod: "2012-Q1",
    });
    expect(request.url).toBe(
      "https://bdm.insee.fr/series/sdmx/data/SERIES_BDM/001515877?startPeriod=2012-Q1&updatedAfter=2026-06-19T10%3A30%3A00",
    );
    expect(() => bdmSeriesRequests("https://x", ["1515877"])).toThrow(/nine digits/);
    expect(() => bdmSeriesRequests("https://x", ["001515877"], { updatedAfter: "yesterday" })).toThrow(
      RangeError,
    );
  });
});
