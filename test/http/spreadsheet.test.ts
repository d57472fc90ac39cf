/**
 * LibreOffice Calc (headless, Debian's libreoffice-calc-nogui, driven by test/support/calc.py) reads the
 * hub as a spreadsheet user would: a CSV export URL opened into a sheet, and WEBSERVICE formulas on a
 * GraphQL GET. The test reads the cells back. Data: the connectors' fixtures; the unemployment rates
 * read here are INSEE's published figures.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectRows } from "../../src/db/client";
import { loadFixtureData } from "../support/fixture-data";
import { type RunningHub, startHub } from "../support/http";

const run = promisify(execFile);
const hasCalc = existsSync("/usr/bin/soffice") && existsSync("/usr/lib/python3/dist-packages/uno.py");
const inCi = Boolean(process.env.CI);
if (!hasCalc && !inCi)
  console.warn("spreadsheet test skipped: apt-get install libreoffice-calc-nogui python3-uno");
const CSV_FILTER = "Text - txt - csv (StarCalc)";

let hub: RunningHub;
let profile: string;

beforeAll(async () => {
  hub = await startHub();
  await loadFixtureData(hub.database.db);
  profile = mkdtempSync(join(tmpdir(), "hublot-calc-"));
}, 120_000);
afterAll(async () => {
  await hub?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/** Opens every document in one Calc start (a start costs seconds) and returns each one's cells. */
async function openInCalc(documents: string[]): Promise<Record<string, unknown[][]>> {
  if (!hasCalc)
    throw new Error(
      "no LibreOffice Calc: apt-get install libreoffice-calc-nogui python3-uno, as .ci/run does",
    );
  const { stdout } = await run(
    "/usr/bin/python3",
    [join(import.meta.dirname, "../support/calc.py"), profile, ...documents],
    { timeout: 120_000 },
  );
  return JSON.parse(stdout) as Record<string, unknown[][]>;
}

describe("LibreOffice Calc", () => {
  it.skipIf(!hasCalc && !inCi)(
    "loads a CSV export URL into a sheet and a WEBSERVICE GraphQL GET into cells",
    { timeout: 180_000 },
    async () => {
      const latest = await selectRows<{ period: string; value: number }>(
        hub.database.db,
        sql`select o.period, o.value from observations o join series s on s.id = o.series_id
            where s.indicator_code = 'unemployment_rate' and s.territory_code = 'DEP-13' and s.breakdown_key = ''
            order by o.period_start desc limit 1`,
      );
      const exportUrl = `${hub.base}/export/observations.csv?indicator=unemployment_rate&territory=DEP-13`;
      const frenchUrl = `${exportUrl}&locale=fr`;
      const query = encodeURIComponent(
        '{ indicator(code: "unemployment_rate") { series(territory: "DEP-13", measure: "rate") { observations(last: 1) { value } } } }',
      );
      const webservice = `formulas:${JSON.stringify([
        `=WEBSERVICE("${hub.base}/graphql?query=${query}&format=csv&header=absent")`,
        "=VALUE(CLEAN(A1))",
        `=WEBSERVICE("${hub.base}/graphql?query=${query}")`,
      ])}`;
      const csv = `${exportUrl}|${CSV_FILTER}|44,34,76,1`;
      const french = `${frenchUrl}|${CSV_FILTER}|59,34,76,1,,1036`; // ; separated, UTF-8, French
      const sheets = await openInCalc([csv, french, webservice]);

      const [header, ...rows] = sheets[csv];
      const column = (name: string) => header.indexOf(name);
      expect(header.slice(0, 3)).toEqual(["INDICATOR", "INDICATOR_NAME", "MEASURE"]);
      expect(rows.length).toBeGreaterThan(0);
      const last = rows.find(
        (r) => r[column("TIME_PERIOD")] === latest[0].period && r[column("MEASURE")] === "rate",
      );
      expect(last?.[column("OBS_VALUE")]).toBe(latest[0].value); // a number in the cell, not text
      // The French file: same numbers once Calc reads its decimal commas.
      const [frHeader, ...frRows] = sheets[french];
      expect(frHeader).toEqual(header);
      expect(frRows.map((r) => r[column("OBS_VALUE")])).toEqual(rows.map((r) => r[column("OBS_VALUE")]));

      const [[text, value, json]] = sheets[webservice];
      expect(String(text).trim()).toBe(String(latest[0].value));
      expect(value).toBe(latest[0].value);
      expect(JSON.parse(String(json))).toMatchObject({
        data: { indicator: { series: [{ observations: [{ value: latest[0].value }] }] } },
      });
    },
  );
});
