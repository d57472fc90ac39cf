import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { collectBatches, payloadOf } from "../../../../ingest/core/payload";
import { runStream } from "../../../../ingest/core/runner";
import type { BufferedPayload, Resource } from "../../../../ingest/core/types";
import { findStreams } from "../../../../ingest/registry";
import { CIGALE_VARIABLES } from "../../../../ingest/sources/atmosud/cigale";
import { MEASURES as AIRPORT_MEASURES } from "../../../../ingest/sources/dgac/dgac.source";
import { YOUTH_RATE } from "../../../../ingest/sources/insee-melodi/derive";
import * as melodi from "../../../../ingest/sources/insee-melodi/insee-melodi.source";
import { convertPartnerFile } from "../../../../ingest/sources/partner-csv/convert";
import { DEDICATED_MEASURES } from "../../../../ingest/sources/partner-csv/dedicated";
import {
  manifestPath,
  parseManifest,
  partnerCsv,
  partnerFilesStream,
  resolveLocation,
} from "../../../../ingest/sources/partner-csv/partner-csv.source";
import { PORT_RULES } from "../../../../ingest/sources/port/port.source";
import { AVG_SIZE, NET_CHANGE } from "../../../../ingest/sources/urssaf/derive";
import { selectRows } from "../../../../src/db/client";
import { loggerFor } from "../../../../src/logger";
import { createTestDatabase, type TestDatabase } from "../../../support/db";

/** The documented example; every value in it is INVENTED. */
const examplePath = join(import.meta.dirname, "../../../../docs/partner-csv-example.csv");
const log = loggerFor("test");

const payload = (body: string | Uint8Array): BufferedPayload => ({
  body: typeof body === "string" ? new TextEncoder().encode(body) : body,
  url: "file:///partners/agam.csv",
  httpStatus: null,
  contentType: null,
  retrievedAt: new Date("2026-09-14T12:00:00Z"),
});
const resource: Resource = {
  key: "agam-bureaux",
  url: "file:///partners/agam.csv",
  meta: {
    partnerCode: "ORG_AGAM",
    datasetCode: null,
    knownIndicators: [
      "office_space_produced",
      "brownfield_reconverted_area",
      "labelled_business_parks",
      "imports_exports",
      "port_calls_and_intl_air_traffic",
    ],
    knownTerritories: ["EPCI-200054807", "COM-13001", "DEP-13"],
  },
};

describe("partner file conversion", () => {
  it("attributes every series and observation to the file's partner", () => {
    const result = convertPartnerFile(payload(readFileSync(examplePath)), resource);
    expect(result.series).toHaveLength(6);
    expect(result.series[0]).toMatchObject({
      indicatorCode: "office_space_produced",
      territoryCode: "EPCI-200054807",
      measure: "office_space_delivered",
      frequency: "A",
      unit: "m2",
      sourceKey: "agam-bureaux",
      metadata: { partnerCode: "ORG_AGAM", template: "partner-csv v1" },
    });
    expect(result.observations[4]).toMatchObject({
      period: "2024",
      value: 7,
      attributes: {
        partner: "ORG_AGAM",
        reference_date: "2024-12-31",
        comment: "invented example value; stock at 31 December",
      },
    });
  });

  it("refuses a resource planned without the partner", () => {
    expect(() => convertPartnerFile(payload(readFileSync(examplePath)), { key: "x", url: "u" })).toThrow(
      /no partner file metadata/,
    );
  });
});

describe("series owned by a dedicated stream", () => {
  const portRow =
    "1,port_calls_and_intl_air_traffic,EPCI-200054807,port_calls,basin=est;call_type=cruise,2024-07,112,calls,A,,,invented";
  const withPortRow = `${readFileSync(examplePath, "utf8")}${portRow}\n`;

  it("refuses a partner file row for the port's series, by line and column, naming the port stream", async () => {
    const converted = partnerFilesStream.convert(payloadOf(payload(withPortRow), withPortRow), {
      resource,
      url: resource.url,
    });
    await expect(collectBatches(converted)).rejects.toThrow(
      /line 9, column 4 \(measure\): port_calls_and_intl_air_traffic port_calls is loaded by the stream port\.traffic/,
    );
    // Without the stream's rule (as the port stream reads its own file), the row is a row like any other.
    expect(convertPartnerFile(payload(withPortRow), resource).series).toHaveLength(7);
  });

  it("lists every measure the dedicated streams load, under streams that exist", () => {
    const owned = (indicator: string, stream: string) =>
      DEDICATED_MEASURES.filter((d) => d.indicatorCode === indicator && d.streams.includes(stream)).flatMap(
        (d) => d.measures,
      );
    expect(owned("port_calls_and_intl_air_traffic", "port.traffic").sort()).toEqual(
      [...PORT_RULES.measures].sort(),
    );
    expect(owned("port_calls_and_intl_air_traffic", "dgac.airport-traffic").sort()).toEqual(
      AIRPORT_MEASURES.map((m) => m.measure).sort(),
    );
    for (const v of Object.values(CIGALE_VARIABLES)) {
      expect(owned(v.indicatorCode, "atmosud.cigale")).toContain(v.measure);
    }
    const melodiStreams = [
      melodi.legalPopulationStream,
      melodi.businessCreationsStream,
      melodi.floresStream,
      melodi.youthEmploymentStream,
      melodi.diplomasStream,
    ];
    const specs = [
      melodi.POPULATIONS,
      melodi.BUSINESS_CREATIONS,
      melodi.FLORES_A38,
      melodi.YOUTH_EMPLOYMENT,
      melodi.DIPLOMAS,
    ];
    specs.forEach((spec, i) => {
      for (const m of Object.values(spec.measures)) {
        expect(owned(m.indicatorCode, melodiStreams[i].id), `${spec.dataset} ${m.measure}`).toContain(
          m.measure,
        );
      }
    });
    expect(owned("net_job_creation", "urssaf.commune-ape")).toContain(NET_CHANGE);
    expect(owned("avg_private_firm_size", "urssaf.commune-ape")).toContain(AVG_SIZE);
    expect(owned("youth_employment_rate", "insee-melodi.youth-employment")).toContain(YOUTH_RATE);
    const streamIds = new Set(findStreams("all").map(({ stream }) => stream.id));
    for (const d of DEDICATED_MEASURES) for (const s of d.streams) expect(streamIds, s).toContain(s);
    expect(DEDICATED_MEASURES.flatMap((d) => d.streams)).not.toContain(partnerFilesStream.id);
  });
});

describe("partner file manifest", () => {
  it("resolves locations against the base directory or keeps absolute ones", () => {
    expect(resolveLocation("agam/bureaux.csv", "file:///srv/partners")).toBe(
      "file:///srv/partners/agam/bureaux.csv",
    );
    expect(resolveLocation("bureaux.csv", "https://files.example.org/partners/")).toBe(
      "https://files.example.org/partners/bureaux.csv",
    );
    expect(resolveLocation("/data/x.csv", "https://h/p")).toBe("file:///data/x.csv");
    expect(resolveLocation("https://h/y.csv", "file:///srv")).toBe("https://h/y.csv");
  });

  it("finds the manifest from the base URL alone: a directory's manifest.json, or the .json it names", () => {
    expect(manifestPath("file:///srv/partners")).toBe("/srv/partners/manifest.json");
    expect(manifestPath("file:///etc/hublot/partners.json")).toBe("/etc/hublot/partners.json");
    expect(manifestPath("https://h/p")).toBeNull();
  });

  it("refuses a manifest with a bad key or a key listed twice", () => {
    expect(() =>
      parseManifest('{"files":[{"key":"A B","partner":"X","location":"a.csv"}]}', "m.json"),
    ).toThrow(/files\.0\.key/);
    const twice =
      '{"files":[{"key":"a","partner":"X","location":"a.csv"},{"key":"a","partner":"X","location":"b.csv"}]}';
    expect(() => parseManifest(twice, "m.json")).toThrow(/listed twice/);
  });
});

describe("partner files through the runner", () => {
  let database: TestDatabase | undefined;
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "hublot-partners-"));
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    await database?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const writeManifest = (partner: string) =>
    writeFileSync(
      join(dir, "manifest.json"),
      JSON.stringify({ files: [{ key: "agam-2024", partner, location: "agam/example.csv" }] }),
    );
  const run = () =>
    runStream({
      db: (database as TestDatabase).db,
      source: partnerCsv,
      stream: partnerFilesStream,
      trigger: "test",
      env: { INGEST_PARTNER_CSV_BASE_URL: pathToFileURL(dir).href },
      log,
    });
  const values = () =>
    selectRows<{ measure: string; territory_code: string; value: number | null; source_url: string }>(
      (database as TestDatabase).db,
      sql`select s.measure, s.territory_code, o.value, o.source_url from observations o
          join series s on s.id = o.series_id where s.dataset_code = 'partner-csv'
          order by s.measure, s.territory_code, s.breakdown_key`,
    );

  it("loads a partner file, writes nothing the second time, and keeps the data when a bad file comes", async () => {
    database = await createTestDatabase();
    const file = join(dir, "agam", "example.csv");
    mkdirSync(join(dir, "agam"));
    copyFileSync(examplePath, file);
    writeManifest("ORG_AGAM");

    const first = await run();
    expect(first).toMatchObject({ status: "success", rowsInserted: 6 });
    const loaded = await values();
    expect(loaded).toHaveLength(6);
    expect(loaded.find((r) => r.territory_code === "COM-13001")).toMatchObject({
      value: 9800,
      source_url: pathToFileURL(file).href,
    });

    expect((await run()).rowsInserted).toBe(0);

    writeFileSync(file, readFileSync(file, "utf8").replace(",9800,", ',"9 800",'));
    const bad = await run();
    expect(bad.status).toBe("failed");
    expect(bad.error).toContain('line 5, column 7 (value): "9 800" has a thousands separator');
    expect(await values()).toEqual(loaded);

    writeFileSync(file, readFileSync(file, "utf8").replace(',"9 800",', ",9900,"));
    expect(await run()).toMatchObject({ status: "success", rowsUpdated: 1, rowsInserted: 0 });
  });

  it("fails the plan when the manifest names a partner the hub does not know", async () => {
    database = await createTestDatabase();
    writeManifest("NOBODY");
    const summary = await run();
    expect(summary.status).toBe("failed");
    expect(summary.error).toContain("unknown partner code(s): NOBODY");
  });

  it("reads the manifest the env given to the runner names, never one from process.env", async () => {
    database = await createTestDatabase();
    mkdirSync(join(dir, "agam"));
    copyFileSync(examplePath, join(dir, "agam", "example.csv"));
    const manifest = join(dir, "partners-2024.json");
    writeFileSync(
      manifest,
      JSON.stringify({ files: [{ key: "agam-2024", partner: "ORG_AGAM", location: "agam/example.csv" }] }),
    );
    // A manifest left in the process's environment must not stand in for the one the runner is given.
    const stray = join(dir, "stray.json");
    writeFileSync(stray, JSON.stringify({ files: [{ key: "x", partner: "NOBODY", location: "x.csv" }] }));
    vi.stubEnv("INGEST_PARTNER_CSV_MANIFEST", stray);
    vi.stubEnv("INGEST_PARTNER_CSV_BASE_URL", pathToFileURL(join(dir, "elsewhere")).href);
    const summary = await runStream({
      db: database.db,
      source: partnerCsv,
      stream: partnerFilesStream,
      trigger: "test",
      env: { INGEST_PARTNER_CSV_BASE_URL: pathToFileURL(manifest).href },
      log,
    });
    expect(summary).toMatchObject({ status: "success", resourcesTotal: 1, error: null });
    expect((await values()).find((r) => r.territory_code === "COM-13001")?.source_url).toBe(
      pathToFileURL(join(dir, "agam", "example.csv")).href,
    );
  });

  it("plans nothing when there is no manifest", async () => {
    database = await createTestDatabase();
    expect(await run()).toMatchObject({ status: "success", resourcesTotal: 0 });
  });
});
