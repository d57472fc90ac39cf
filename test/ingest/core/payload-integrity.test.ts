/**
 * A payload is loaded only when it was wholly received and understood. Each case loads a good payload
 * first, then a local stand-in serves the broken form a fault-injecting probe found loading as a success:
 * every one must end in a failed (or held) run with its reason, the stored values, the cursor and the
 * last success exactly as they were. Numbers in the fixtures are INVENTED, except BDM's (see its README).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpClient } from "../../../ingest/core/http";
import { type RunSummary, runStream } from "../../../ingest/core/runner";
import type { SourceDefinition, StreamDefinition } from "../../../ingest/core/types";
import {
  inseeBdm,
  UNEMPLOYMENT_SERIES,
  unemploymentRateStream,
} from "../../../ingest/sources/insee-bdm/insee-bdm.source";
import {
  businessCreationsStream,
  inseeMelodi,
} from "../../../ingest/sources/insee-melodi/insee-melodi.source";
import { partnerCsv, partnerFilesStream } from "../../../ingest/sources/partner-csv/partner-csv.source";
import { COMMUNE_APE_DATASET } from "../../../ingest/sources/urssaf/commune-ape";
import { DEP_GRAND_SECTEUR_DATASET } from "../../../ingest/sources/urssaf/quarterly";
import {
  communeApeStream,
  departementGrandSecteurStream,
  urssaf,
} from "../../../ingest/sources/urssaf/urssaf.source";
import { selectRows } from "../../../src/db/client";
import { loggerFor } from "../../../src/logger";
import { createTestDatabase, type TestDatabase } from "../../support/db";
import { type FixtureServer, type ScriptedResponse, startFixtureServer } from "../../support/fixture-server";

const log = loggerFor("test");
const fixture = (path: string) => readFileSync(join(import.meta.dirname, "../../fixtures", path), "utf8");

const BDM_PATH = `/data/SERIES_BDM/${UNEMPLOYMENT_SERIES.map((s) => s.idbank).join("+")}`;
const EXPORT_CSV = `/catalog/datasets/${COMMUNE_APE_DATASET}/exports/csv`;
const RECORDS = `/catalog/datasets/${COMMUNE_APE_DATASET}/records`;
const DEP_EXPORT = `/catalog/datasets/${DEP_GRAND_SECTEUR_DATASET}/exports/json`;
const MELODI_PATH = "/data/DS_SIDE_CREA_ENT_COM";

const bdm = fixture("insee-bdm/taux-chomage-r93-d13.xml");
const communeApe = fixture("urssaf/commune-ape-export-invented-values.csv");
const depGrandSecteur = fixture("urssaf/dep-grand-secteur-records-invented-placeholders.json");
const melodi = fixture("insee-melodi/side-crea-ent-com-epci-invented-values.json");
const partnerExample = readFileSync(
  join(import.meta.dirname, "../../../docs/partner-csv-example.csv"),
  "utf8",
);

let database: TestDatabase;
let server: FixtureServer;
let partnerDir: string;

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startFixtureServer();
  partnerDir = mkdtempSync(join(tmpdir(), "hublot-integrity-"));
  writeFileSync(
    join(partnerDir, "manifest.json"),
    JSON.stringify({ files: [{ key: "invented", partner: "AMP", location: "invented.csv" }] }),
  );
});
afterAll(async () => {
  await server?.close();
  await database?.close();
  rmSync(partnerDir, { recursive: true, force: true });
});

const run = (source: SourceDefinition, stream: StreamDefinition): Promise<RunSummary> =>
  runStream({
    db: database.db,
    source,
    stream,
    trigger: "test",
    env: {
      INGEST_INSEE_BDM_BASE_URL: server.baseUrl,
      INGEST_INSEE_MELODI_BASE_URL: server.baseUrl,
      INGEST_URSSAF_BASE_URL: server.baseUrl,
      INGEST_PARTNER_CSV_BASE_URL: pathToFileURL(partnerDir).href,
    },
    // One quick retry: a keep-alive socket the stand-in closed between two slow runs answers ECONNRESET.
    http: createHttpClient({ log, retries: 1, retryBaseMs: 10 }),
    log,
  });

/** Everything a bad payload must leave as it was: the values, their history, and the stream's state. */
async function snapshot(streamId: string) {
  const [tables] = await selectRows<{ h: string }>(
    database.db,
    sql`select md5(
          (select coalesce(string_agg(t::text, '|' order by t::text), '') from observations t) ||
          (select coalesce(string_agg(t::text, '|' order by t::text), '') from series t) ||
          (select coalesce(string_agg(t::text, '|' order by t::text), '') from observation_revisions t)) as h`,
  );
  const [state] = await selectRows<{ cursor: unknown; last_success_at: Date | string | null }>(
    database.db,
    sql`select cursor, last_success_at from stream_state where stream_id = ${streamId}`,
  );
  return { tables: tables?.h, cursor: state?.cursor, lastSuccessAt: String(state?.last_success_at) };
}

/** Serves `good`, loads it, then serves `bad`: the second run must fail with `reason`, changing nothing. */
async function expectRefused(
  source: SourceDefinition,
  stream: StreamDefinition,
  serve: (body: string) => void,
  good: string,
  bad: string,
  reason: RegExp,
) {
  serve(good);
  const first = await run(source, stream);
  // `unchanged` when an earlier case of the same stream already loaded it.
  expect(["success", "unchanged"], first.error ?? "").toContain(first.status);
  const before = await snapshot(stream.id);
  serve(bad);
  const second = await run(source, stream);
  expect({ status: second.status, error: second.error }).toEqual({
    status: "failed",
    error: expect.stringMatching(reason),
  });
  expect(await snapshot(stream.id)).toEqual(before);
  const [state] = await selectRows<{ last_failure_at: Date | null; last_error: string | null }>(
    database.db,
    sql`select last_failure_at, last_error from stream_state where stream_id = ${stream.id}`,
  );
  expect(state?.last_failure_at).not.toBeNull();
  expect(state?.last_error).toMatch(reason);
  return second;
}

const route =
  (path: string, extra: Record<string, ScriptedResponse[]> = {}) =>
  (body: string) => {
    server.route(path, { body });
    for (const [p, responses] of Object.entries(extra)) server.route(p, ...responses);
  };
const communeApeRoute = (rows: number) =>
  route(EXPORT_CSV, { [RECORDS]: [{ body: JSON.stringify({ total_count: rows, results: [] }) }] });

describe("a payload cut short", () => {
  const lines = communeApe.trimEnd().split("\n");
  it("fails an URSSAF export cut inside its last number (it would read 40 as 4)", async () => {
    const cut = communeApe.trimEnd().slice(0, -1);
    expect(cut.endsWith(";4")).toBe(true);
    await expectRefused(
      urssaf,
      communeApeStream,
      communeApeRoute(6),
      communeApe,
      cut,
      /cut inside its last row/,
    );
  });

  it("fails an URSSAF export cut at a line boundary, against the total_count /records gives", async () => {
    const cut = `${lines.slice(0, -1).join("\n")}\n`;
    await expectRefused(
      urssaf,
      communeApeStream,
      communeApeRoute(6),
      communeApe,
      cut,
      /holds 5 records where the source counts 6/,
    );
  });

  it("fails an URSSAF export whose yearly column was renamed, instead of dropping that year", async () => {
    const renamed = communeApe.replace("effectifs_salaries_2023", "effectif_salarie_2023");
    await expectRefused(
      urssaf,
      communeApeStream,
      communeApeRoute(6),
      communeApe,
      renamed,
      /effectif_salarie_2023 are not/,
    );
  });

  const serveFile = (body: string) => writeFileSync(join(partnerDir, "invented.csv"), body);
  it("fails a partner file cut inside its last row (no final line break)", async () => {
    const good = partnerExample;
    await expectRefused(
      partnerCsv,
      partnerFilesStream,
      serveFile,
      good,
      good.trimEnd().slice(0, -3),
      /line break/,
    );
  });

  it("fails a partner file cut at a line boundary when it carries its row count", async () => {
    const rows = partnerExample.trimEnd().split("\n");
    const dataRows = rows.filter((l) => !l.startsWith("#")).length - 1;
    const counted = `# rows: ${dataRows}\n${partnerExample}`;
    const cut = `${counted.trimEnd().split("\n").slice(0, -1).join("\n")}\n`;
    await expectRefused(
      partnerCsv,
      partnerFilesStream,
      serveFile,
      counted,
      cut,
      /says "# rows: \d+" but holds/,
    );
  });
});

describe("a payload not understood", () => {
  it("fails a BDM answer whose value attribute was renamed, and keeps its updatedAfter cursor", async () => {
    const renamed = bdm.replaceAll("OBS_VALUE=", "OBS_VAL=");
    // expectRefused compares the cursor too: it did not move past an answer that did not load.
    await expectRefused(
      inseeBdm,
      unemploymentRateStream,
      route(BDM_PATH),
      bdm,
      renamed,
      /every cell was skipped/,
    );
  });

  it("fails a Melodi answer whose measure was renamed: every cell skipped is no success", async () => {
    const renamed = melodi.replaceAll('{"value":', '{"valeur":');
    expect(renamed).not.toEqual(melodi);
    await expectRefused(
      inseeMelodi,
      businessCreationsStream,
      route(MELODI_PATH),
      melodi,
      renamed,
      /every cell was skipped/,
    );
  });
});

describe("a code outside its codelist", () => {
  it("fails an observation status SDMX does not define (Z)", async () => {
    const z = bdm.replace('OBS_STATUS="SD"', 'OBS_STATUS="Z"');
    await expectRefused(
      inseeBdm,
      unemploymentRateStream,
      route(BDM_PATH),
      bdm,
      z,
      /status\(es\) outside .*"Z"/,
    );
  });

  it("fails a grand secteur URSSAF does not have (GS9) instead of opening a new series", async () => {
    const gs9 = depGrandSecteur.replaceAll("GS3 Commerce", "GS9 Nouveau secteur");
    await expectRefused(
      urssaf,
      departementGrandSecteurStream,
      route(DEP_EXPORT),
      depGrandSecteur,
      gs9,
      /grand secteur\(s\) outside .*"GS9"/,
    );
  });
});
