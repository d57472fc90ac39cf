/**
 * Loads into a test database what the connectors make of their recorded fixtures: every covered stream
 * runs through the real engine (`runStream`: plan → download → raw archive → convert → load → run log)
 * against one local fixture server, each source's `INGEST_<SOURCE>_BASE_URL` pointing at it. GraphQL
 * tests call it in a `beforeAll`; a second call writes nothing (every payload's hash is unchanged).
 *
 * Most fixtures hold INVENTED numbers in the sources' real formats (their file names say so). The
 * report says, stream by stream, whether the rows it loaded are published figures or invented ones:
 * only `insee-bdm.unemployment-rate` (INSEE's published rates for DEP-13 and REG-93) loads real values.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { envStem } from "../../ingest/core/config";
import { createHttpClient } from "../../ingest/core/http";
import { type RunSummary, runStream } from "../../ingest/core/runner";
import type { SourceDefinition, StreamDefinition } from "../../ingest/core/types";
import {
  atmoIndexStream,
  atmosud,
  atmosudIndice,
  cigaleStream,
  cigaleUrl,
} from "../../ingest/sources/atmosud/atmosud.source";
import { DARES_DATASET, dares, jobseekersStream } from "../../ingest/sources/dares/dares.source";
import { AIRPORT_FILES, airportTrafficStream, dgac } from "../../ingest/sources/dgac/dgac.source";
import {
  inseeBdm,
  UNEMPLOYMENT_SERIES,
  unemploymentRateStream,
} from "../../ingest/sources/insee-bdm/insee-bdm.source";
import {
  businessCreationsStream,
  diplomasStream,
  floresStream,
  inseeMelodi,
  legalPopulationStream,
  youthEmploymentStream,
} from "../../ingest/sources/insee-melodi/insee-melodi.source";
import { MESR_DATASET, mesr, studentsStream } from "../../ingest/sources/mesr/mesr.source";
import { partnerCsv, partnerFilesStream } from "../../ingest/sources/partner-csv/partner-csv.source";
import { PORT_FILE, port, portTrafficStream } from "../../ingest/sources/port/port.source";
import { COMMUNE_APE_DATASET } from "../../ingest/sources/urssaf/commune-ape";
import { DEP_GRAND_SECTEUR_DATASET, ZONE_EMPLOI_DATASET } from "../../ingest/sources/urssaf/quarterly";
import {
  communeApeStream,
  departementGrandSecteurStream,
  urssaf,
  zoneEmploiStream,
} from "../../ingest/sources/urssaf/urssaf.source";
import type { RunStatus } from "../../schema/ingest";
import type { Db } from "../../src/db/client";
import { loggerFor } from "../../src/logger";
import { type ScriptedResponse, startFixtureServer } from "./fixture-server";

/**
 * What the numbers of a stream's fixture are: `published` figures of the source (recorded verbatim),
 * `invented` numbers in the source's real format, or `placeholder` zeros. Anything but `published` must
 * never be presented as a real figure.
 */
export type FixtureValues = "published" | "invented" | "placeholder";
type Expected = "success" | "failed" | "not_configured";

export interface StreamLoad {
  sourceId: string;
  streamId: string;
  /** `series.dataset_code` of what the stream loaded (a partner file may name its own). */
  datasetCode: string;
  indicators: string[];
  /** The files served, relative to the repository root. */
  fixtures: string[];
  values: FixtureValues;
  /** Why a stream loads fewer rows than its fixture holds, or how the fixture is served. */
  note: string;
  /**
   * How the run is meant to end: `success`; `failed` for a recording of another territory (every cell
   * skipped); `not_configured` for a stream the reference data gives nothing to load into.
   */
  expected: Expected;
  status: RunStatus;
  resourcesTotal: number;
  resourcesFailed: number;
  rowsInserted: number;
  rowsUpdated: number;
  rowsUnchanged: number;
  rowsSkipped: number;
  durationMs: number;
  error: string | null;
}

export interface FixtureLoadReport {
  /** One entry per stream run, in run order. */
  streams: StreamLoad[];
  /** Streams of the covered sources that were not run, and why. */
  notLoaded: { streamId: string; reason: string }[];
  /**
   * Whether every run ended as expected: `success` (first load) or `unchanged` (a reload); `failed` for
   * the recording of another territory (every cell skipped), `not_configured` for the zones d'emploi.
   */
  allSucceeded: boolean;
  rowsInserted: number;
  rowsUpdated: number;
  durationMs: number;
  /** Streams whose loaded rows (if any) are INVENTED or placeholder numbers, never published figures. */
  inventedStreams: string[];
  /** Streams whose loaded rows are the source's published figures. */
  publishedStreams: string[];
}

const ROOT = join(import.meta.dirname, "../..");
const read = (path: string) => readFileSync(join(ROOT, path));
const fixture = (source: string, name: string) => `test/fixtures/${source}/${name}`;

interface FixtureStream {
  source: SourceDefinition;
  stream: StreamDefinition;
  /** Request path (with or without its query string) → repository file answering it. */
  routes: Record<string, string>;
  /**
   * A repository file the source's base URL points at (as a `file:` URL) instead of the fixture server,
   * with the files it leads to.
   */
  local?: { baseUrl: string; files: string[] };
  values: FixtureValues;
  note: string;
  /** Set on a recording the runner must refuse, or a stream with nothing to do (default: it loads). */
  expected?: Exclude<Expected, "success">;
}

const BDM_PATH = `/data/SERIES_BDM/${UNEMPLOYMENT_SERIES.map((s) => s.idbank).join("+")}`;
const ods = (dataset: string, format: "csv" | "json") => `/catalog/datasets/${dataset}/exports/${format}`;
const PARTNER_EXAMPLE = "docs/partner-csv-example.csv";
const PARTNER_MANIFEST = fixture("partner-csv", "manifest.json");
/** The request for inventory year 2022, path and query string as the client sends them. */
const CIGALE_2022 = (() => {
  const url = new URL(cigaleUrl("http://fixture", 2022));
  return `${url.pathname}${url.search}`;
})();

const STREAMS: FixtureStream[] = [
  {
    source: inseeBdm,
    stream: unemploymentRateStream,
    routes: { [BDM_PATH]: fixture("insee-bdm", "taux-chomage-r93-d13.xml") },
    values: "published",
    note: "INSEE's published quarterly rates (8 quarters) for DEP-13 and REG-93; the recording holds no series for DEP-83, DEP-84 or France métropolitaine (FRANCE-FM)",
  },
  {
    source: inseeMelodi,
    stream: legalPopulationStream,
    routes: { "/data/DS_POPULATIONS_REFERENCE": fixture("insee-melodi", "popref-epci-244400404-com.json") },
    values: "published",
    note: "the only recording is Nantes Métropole's (EPCI 244400404), whose communes are not the hub's: every row is skipped, so the run fails (an answer about other places is not the one asked for)",
    expected: "failed",
  },
  {
    source: inseeMelodi,
    stream: businessCreationsStream,
    routes: {
      "/data/DS_SIDE_CREA_ENT_COM": fixture("insee-melodi", "side-crea-ent-com-epci-invented-values.json"),
    },
    values: "invented",
    note: "the commune-level fixture answers the commune, EPCI and arrondissement requests alike (no recording exists for the other two), so those add no row",
  },
  {
    source: inseeMelodi,
    stream: youthEmploymentStream,
    routes: {
      "/data/DS_RP_EMPLOI_LR_PRINC": fixture("insee-melodi", "rp-emploi-lr-youth-invented-values.json"),
    },
    values: "invented",
    note: "COM-13001 only (employed 15-24 and all 15-24, 2022); the same body answers the EPCI request; the stream's derive adds the rate (100 × employed ÷ all) from the invented counts",
  },
  {
    source: urssaf,
    stream: communeApeStream,
    routes: {
      [ods(COMMUNE_APE_DATASET, "csv")]: fixture("urssaf", "commune-ape-export-invented-values.csv"),
      [`/catalog/datasets/${COMMUNE_APE_DATASET}/records`]: fixture(
        "urssaf",
        "commune-ape-records-count-invented.json",
      ),
    },
    values: "invented",
    note: "COM-13001, ARM-13202, ARM-13216, COM-84089, 2022-2024, total and by grand secteur",
  },
  {
    source: urssaf,
    stream: departementGrandSecteurStream,
    routes: {
      [ods(DEP_GRAND_SECTEUR_DATASET, "json")]: fixture(
        "urssaf",
        "dep-grand-secteur-records-invented-placeholders.json",
      ),
    },
    values: "placeholder",
    note: "one record (DEP-13, GS3, 2025-Q1) whose headcounts are placeholder zeros",
  },
  {
    source: urssaf,
    stream: zoneEmploiStream,
    routes: { [ods(ZONE_EMPLOI_DATASET, "json")]: fixture("urssaf", "ze-trimestriel-records.json") },
    values: "published",
    note: "the captured records are Caen's zone d'emploi and the reference data holds no ZE2020 territory: the stream is not configured (nothing to load into), so the run asks nothing",
    expected: "not_configured",
  },
  {
    source: dares,
    stream: jobseekersStream,
    routes: { [ods(DARES_DATASET, "json")]: fixture("dares", "defm-communales-export-invented-values.json") },
    values: "invented",
    note: "3 of the EPCI's 92 communes, so the connector gives no EPCI sum (epci_total_incomplete)",
  },
  {
    source: mesr,
    stream: studentsStream,
    routes: {
      [ods(MESR_DATASET, "json")]: fixture("mesr", "atlas-effectifs-grouped-export-invented-values.json"),
    },
    values: "invented",
    note: "the connector sums the communes present into EPCI-200054807 (Marseille whole, not its arrondissements); Martigues has a row with a null effectif, so its totals and the EPCI's are estimates (E, missing_inputs)",
  },
  {
    source: atmosud,
    stream: cigaleStream,
    routes: {
      [CIGALE_2022]: fixture("atmosud", "cigale-bilan-commune-invented-values.csv"),
      "/scripts/tableau.php": fixture("atmosud", "cigale-bilan-commune-header-only.csv"),
    },
    values: "invented",
    note: "the 2022 file answers the request for 2022 only (the connector refuses rows of another year than the one asked); the other inventory years planned get the header alone, so they add no row; 3 of the 92 communes, so no EPCI sum; per-inhabitant series divide the invented emissions by the reference populations. Rows load only while 2022 is among the planned years (N-2 to N-5, until 2027)",
  },
  {
    source: atmosudIndice,
    stream: atmoIndexStream,
    routes: {
      "/geoserver/ind_sudpaca/ows": fixture("atmosud", "indice-wfs-geojson-reconstructed-placeholders.json"),
    },
    values: "placeholder",
    note: "the daily ATMO index under the hub's own air_quality_index indicator; its values are placeholders",
  },
  {
    source: dgac,
    stream: airportTrafficStream,
    routes: Object.fromEntries(
      AIRPORT_FILES.map((f) => [
        `/fr/datasets/r/${f.resourceId}`,
        fixture("dgac", "airport-2022-invented-values.csv"),
      ]),
    ),
    values: "invented",
    note: "LFML, 2022-07 to 2022-09, under EPCI-200054807",
  },
  {
    source: partnerCsv,
    stream: partnerFilesStream,
    routes: {},
    local: { baseUrl: PARTNER_MANIFEST, files: [PARTNER_MANIFEST, PARTNER_EXAMPLE] },
    values: "invented",
    note: "the documented example, read from disk and attributed to partner AMP by the fixture manifest INGEST_PARTNER_CSV_BASE_URL names",
  },
  {
    source: port,
    stream: portTrafficStream,
    routes: { [`/${PORT_FILE}`]: fixture("port", "gpmm-traffic-invented-values.csv") },
    values: "invented",
    note: "EPCI-200054807, July 2024: calls, cargo, containers and passengers, by basin where given; only this stream may write the port's series (the partner-csv reader refuses them)",
  },
];

const NOT_LOADED: Record<string, string> = {
  [floresStream.id]: "no recording of DS_FLORES_A38 exists under test/fixtures/insee-melodi",
  [diplomasStream.id]: "no recording of DS_RP_DIPLOMES_PRINC exists under test/fixtures/insee-melodi",
};

/**
 * Every source's recorded payloads on one local server, and the `INGEST_<SOURCE>_BASE_URL` variables
 * that point the connectors at it: what a process (the CLI, the hub) needs to ingest the fixtures.
 */
export async function serveFixtureSources(): Promise<{
  env: Record<string, string>;
  close(): Promise<void>;
}> {
  const routes: Record<string, ScriptedResponse[]> = {};
  for (const s of STREAMS) {
    for (const [path, file] of Object.entries(s.routes)) routes[path] = [{ body: read(file) }];
  }
  const server = await startFixtureServer(routes);
  const env: Record<string, string> = {};
  for (const { source, local } of STREAMS) {
    env[`INGEST_${envStem(source.id)}_BASE_URL`] = local
      ? pathToFileURL(join(ROOT, local.baseUrl)).href
      : server.baseUrl;
  }
  return { env, close: () => server.close() };
}

export async function loadFixtureData(db: Db): Promise<FixtureLoadReport> {
  const started = Date.now();
  const log = loggerFor("fixture-data");
  const http = createHttpClient({ log, retries: 0 });
  const server = await serveFixtureSources();
  const env: NodeJS.ProcessEnv = server.env;

  const streams: StreamLoad[] = [];
  try {
    for (const s of STREAMS) {
      const summary: RunSummary = await runStream({
        db,
        source: s.source,
        stream: s.stream,
        trigger: "test",
        env,
        http,
        log,
      });
      streams.push({
        sourceId: s.source.id,
        streamId: s.stream.id,
        datasetCode: s.stream.datasetCode,
        indicators: s.stream.indicators,
        fixtures: [...Object.values(s.routes), ...(s.local?.files ?? [])],
        values: s.values,
        note: s.note,
        expected: s.expected ?? "success",
        status: summary.status,
        resourcesTotal: summary.resourcesTotal,
        resourcesFailed: summary.resourcesFailed,
        rowsInserted: summary.rowsInserted,
        rowsUpdated: summary.rowsUpdated,
        rowsUnchanged: summary.rowsUnchanged,
        rowsSkipped: summary.rowsSkipped,
        durationMs: summary.durationMs,
        error: summary.error,
      });
    }
  } finally {
    await server.close();
  }

  const run = new Set(streams.map((s) => s.streamId));
  const sources = [...new Set(STREAMS.map((s) => s.source))];
  const notLoaded = sources
    .flatMap((source) => source.streams)
    .filter((stream) => !run.has(stream.id))
    .map((stream) => ({
      streamId: stream.id,
      reason: NOT_LOADED[stream.id] ?? "no fixture wired in test/support/fixture-data.ts",
    }));
  return {
    streams,
    notLoaded,
    allSucceeded: streams.every((s) =>
      s.expected === "success" ? s.status === "success" || s.status === "unchanged" : s.status === s.expected,
    ),
    rowsInserted: streams.reduce((n, s) => n + s.rowsInserted, 0),
    rowsUpdated: streams.reduce((n, s) => n + s.rowsUpdated, 0),
    durationMs: Date.now() - started,
    inventedStreams: streams.filter((s) => s.values !== "published").map((s) => s.streamId),
    publishedStreams: streams.filter((s) => s.values === "published").map((s) => s.streamId),
  };
}
