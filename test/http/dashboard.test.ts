/**
 * The dashboard at `/`, driven in headless Chromium on what the connectors load from their fixtures.
 * Apart from INSEE's unemployment rates every number is INVENTED (the fixtures say so in their names),
 * and so are the two 2024 student counts added below: the second revises the first, and gives the
 * students target a share achieved to draw.
 */
import { existsSync, readFileSync } from "node:fs";
import { parse as parseCsv } from "csv-parse/sync";
import { parse, validate } from "graphql";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpClient } from "../../ingest/core/http";
import { payloadOf, wholeBody } from "../../ingest/core/payload";
import { runStream } from "../../ingest/core/runner";
import type { SourceDefinition, StreamDefinition } from "../../ingest/core/types";
import { airportTrafficStream, dgac } from "../../ingest/sources/dgac/dgac.source";
import { createKey } from "../../src/access/keys";
import { buildHublotSchema } from "../../src/graphql/build-schema";
import { dashboardMessages } from "../../src/http/dashboard/messages";
import { dashboardQueries } from "../../src/http/dashboard/queries";
import { loggerFor } from "../../src/logger";
import { loadFixtureData } from "../support/fixture-data";
import { type RunningHub, startHub } from "../support/http";

const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const hasChromium = existsSync(chromiumPath);
const inCi = Boolean(process.env.CI);
if (!hasChromium && !inCi) console.warn(`dashboard browser tests skipped: no Chromium at ${chromiumPath}`);
/** A test that needs Chromium: skipped without one, except in CI, where its absence fails. */
const browserIt = it.skipIf(!hasChromium && !inCi);

const INVENTED_STUDENTS_FIRST = 105_000;
const INVENTED_STUDENTS_REVISED = 110_000;

/** A stream that hands the engine one INVENTED 2024 student count for the Métropole, without any network. */
function inventedStudents(value: number): { source: SourceDefinition; stream: StreamDefinition } {
  const stream: StreamDefinition = {
    id: "invented.students",
    description: "an INVENTED 2024 student count for the Métropole",
    schedule: "0 6 * * *",
    indicators: ["student_count"],
    datasetCode: "fr-esr-atlas_regional-effectifs-d-etudiants-inscrits",
    plan: () => [{ key: "students-2024", url: "invented://students-2024" }],
    download: async (resource) =>
      payloadOf(
        { url: resource.url, httpStatus: null, contentType: "text/plain", retrievedAt: new Date() },
        String(value),
      ),
    convert: wholeBody((payload) => {
      const series = {
        indicatorCode: "student_count",
        territoryCode: "EPCI-200054807",
        measure: "enrolled_students",
        breakdown: {},
      };
      return {
        series: [{ ...series, frequency: "A", unit: "students" }],
        observations: [
          { series, period: "2024", value: Number(new TextDecoder().decode(payload.body)), obsStatus: "A" },
        ],
        skipped: {},
      };
    }),
  };
  const source = {
    id: "invented",
    title: "Invented",
    partnerCode: "MESR",
    defaultBaseUrl: "invented://",
    streams: [stream],
  };
  return { source, stream };
}

interface Obs {
  period: string;
  periodStart: string;
  value: number | null;
  obsStatus: string;
}

describe("the dashboard", () => {
  let hub: RunningHub;
  let base: string;
  const api = async <T>(query: string, variables?: Record<string, unknown>): Promise<T> => {
    const res = await fetch(`${base}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data: T; errors?: { message: string }[] };
    if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join("; "));
    return body.data;
  };

  beforeAll(async () => {
    hub = await startHub();
    base = hub.base;
    const db = hub.database.db;
    const log = loggerFor("test");
    const report = await loadFixtureData(db);
    expect(report.allSucceeded).toBe(true);
    for (const value of [INVENTED_STUDENTS_FIRST, INVENTED_STUDENTS_REVISED]) {
      const run = await runStream({ db, ...inventedStudents(value), trigger: "test", log });
      expect(run.status).toBe("success");
    }
    // A source that cannot be reached: its stream's failure and why must show on the sources screen.
    const failed = await runStream({
      db,
      source: dgac,
      stream: airportTrafficStream,
      trigger: "test",
      log,
      http: createHttpClient({ log, retries: 0 }),
      env: { INGEST_DGAC_BASE_URL: "http://127.0.0.1:9/unreachable" },
    });
    expect(failed.status).toBe("failed");
  }, 120_000);
  afterAll(() => hub?.close());

  it("sends only queries the schema accepts", async () => {
    const schema = await buildHublotSchema();
    for (const [name, query] of Object.entries(dashboardQueries)) {
      expect(
        validate(schema, parse(query)).map((e) => e.message),
        name,
      ).toEqual([]);
    }
  });

  it("speaks French and English with the same words to say", () => {
    expect(Object.keys(dashboardMessages.EN).sort()).toEqual(Object.keys(dashboardMessages.FR).sort());
    for (const [key, text] of Object.entries(dashboardMessages.FR)) {
      const params = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(params(dashboardMessages.EN[key as keyof typeof dashboardMessages.EN]), key).toEqual(
        params(text),
      );
    }
  });

  it("serves a page at / whose every script and stylesheet is one of ours, cacheable for a year", async () => {
    const res = await fetch(`${base}/`, { headers: { accept: "text/html" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).not.toMatch(/(https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/i);
    const refs = [...html.matchAll(/(?:src|href)="([^"#][^"]*)"/g)]
      .map((m) => m[1])
      .filter((r) => r !== "graphql");
    expect(refs.filter((r) => !r.startsWith("data:"))).toHaveLength(5);
    for (const ref of refs.filter((r) => !r.startsWith("data:"))) {
      const asset = await fetch(new URL(ref, `${base}/`));
      expect(asset.status, ref).toBe(200);
      expect(asset.headers.get("cache-control"), ref).toBe("public, max-age=31536000, immutable");
      const again = await fetch(new URL(ref, `${base}/`), {
        headers: { "if-none-match": asset.headers.get("etag")! },
      });
      expect(again.status, ref).toBe(304);
    }
    expect((await fetch(`${base}/dashboard/0000/app.js`)).status).toBe(404);
    // The playground stays where it was.
    const playground = await fetch(`${base}/graphql`, { headers: { accept: "text/html" } });
    expect(await playground.text()).toContain("GraphQL playground");
  });

  describe("in a browser", () => {
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    const outside: string[] = [];
    const errors: string[] = [];

    beforeAll(async () => {
      if (!hasChromium && !inCi) return;
      if (!hasChromium) {
        throw new Error(
          `no Chromium at ${chromiumPath}: install Debian's chromium package (apt-get install chromium), ` +
            "as .ci/run does, or point CHROMIUM_PATH at one",
        );
      }
      browser = await chromium.launch({
        executablePath: chromiumPath,
        headless: true,
        args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
      });
      context = await browser.newContext({ viewport: { width: 1366, height: 768 }, acceptDownloads: true });
      await context.route("**/*", (route) => {
        const url = new URL(route.request().url());
        if (url.hostname === "127.0.0.1") return route.continue();
        outside.push(url.href);
        return route.abort("blockedbyclient");
      });
      page = await context.newPage();
      page.on("console", (m) => {
        if (m.type() === "error") errors.push(m.text());
      });
      page.on("pageerror", (e) => errors.push(e.message));
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
    });

    /** Opens a screen and waits until it has drawn what the API answered. */
    const open = async (hash: string) => {
      const before = await page.evaluate(() => document.body?.dataset.ready ?? "");
      const current = new URL(page.url() === "about:blank" ? `${base}/` : page.url());
      // The same hash again changes nothing: reload the screen instead.
      if (current.hash === hash) await page.reload();
      else if (page.url().startsWith(`${base}/`)) await page.evaluate((h) => (location.hash = h), hash);
      else await page.goto(`${base}/${hash}`);
      await page.waitForFunction(
        (prev) =>
          document.body.dataset.ready &&
          document.body.dataset.ready !== prev &&
          !document.querySelector("main[aria-busy]"),
        before,
        { timeout: 20_000 },
      );
    };
    const chartData = (id: string) =>
      page.evaluate((chartId) => {
        const charts = (
          window as unknown as { hublotDashboard: { charts: Map<string, { data: unknown[] }> } }
        ).hublotDashboard.charts;
        return charts.get(chartId)?.data ?? null;
      }, id);
    const seconds = (isoDate: string) => Date.parse(`${isoDate}T00:00:00Z`) / 1000;

    browserIt(
      "shows one card per agenda indicator, grouped by orientation, in French",
      {
        timeout: 60_000,
      },
      async () => {
        const { indicators } = await api<{
          indicators: {
            nodes: { code: string; number: number | null; label: string; latest: unknown; dep: unknown }[];
          };
        }>(
          `{ indicators(first: 100) { nodes { code number label(lang: FR)
              latest { period } dep: latest(territory: "DEP-13") { period } } } }`,
        );
        const agenda = indicators.nodes.filter((i) => i.number !== null);
        expect(agenda).toHaveLength(20);
        await open("#/");
        expect(await page.locator("html").getAttribute("lang")).toBe("fr");
        expect(await page.locator("h1").innerText()).toBe(dashboardMessages.FR.overviewTitle);
        const cards = await page
          .locator("article.card")
          .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.indicator));
        expect(cards.sort()).toEqual(agenda.map((i) => i.code).sort());
        // The hub's own indicators (ATMO index, legal population) are not the agenda's.
        expect(cards).not.toContain("air_quality_index");
        for (const i of agenda) {
          expect(await page.locator(`#card-${i.code} h3`).innerText()).toBe(i.label);
        }
        // At a glance: how many of the 20 have a value (at the Métropole, else the département).
        const withValue = agenda.filter((i) => i.latest || i.dep).length;
        expect((await page.locator(".glance li").first().innerText()).replace(/\s+/g, " ")).toBe(
          `${withValue}/20 ${dashboardMessages.FR.glanceWithValue}`,
        );
        expect(await page.locator("section.orientation h2").first().innerText()).toMatch(/^O1 — /);
        // Net job creation acts on O1 and O3: it sits under O1 and says it also belongs to O3.
        const jobs = page.locator("#card-net_job_creation");
        expect(await jobs.locator("xpath=ancestor::section").getAttribute("aria-labelledby")).toBe(
          "orientation-O1",
        );
        expect(await jobs.innerText()).toContain("O3");
      },
    );

    browserIt("plots a card's headline series point for point, with its numbers as a table", async () => {
      const { indicator } = await api<{
        indicator: { latest: { period: string; value: number; series: { id: number } } };
      }>(`{ indicator(code: "net_job_creation") { latest { period value series { id } } } }`);
      const { series } = await api<{ series: { observations: Obs[] } }>(
        `query($id: Int!) { series(id: $id) { observations { period periodStart value obsStatus } } }`,
        { id: indicator.latest.series.id },
      );
      const data = await chartData("card:net_job_creation");
      expect(data).toEqual([
        series.observations.map((o) => seconds(o.periodStart)),
        series.observations.map((o) => o.value),
      ]);
      const card = page.locator("#card-net_job_creation");
      expect(await card.locator(".latest-value").getAttribute("data-value")).toBe(
        String(indicator.latest.value),
      );
      expect(await card.locator(".latest .period").innerText()).toBe(indicator.latest.period);
      await card.locator("details summary").click();
      const rows = await card.locator("table.numbers tbody tr th").allInnerTexts();
      expect(rows).toEqual(series.observations.map((o) => o.period));
      // Indicator 1 has no Métropole series: its card falls back to the département, and says so.
      const unemployment = page.locator("#card-unemployment_rate");
      expect(await unemployment.locator(".latest").innerText()).toContain("Bouches-du-Rhône");
      expect((await chartData("card:unemployment_rate"))?.[1]).toEqual([
        8.4, 8.5, 8.4, 8.6, 8.7, 8.8, 9, 9.1,
      ]);
    });

    browserIt("draws each target's progress bar at its share achieved, with its status", async () => {
      const { indicator } = await api<{
        indicator: { progress: { targetCode: string; shareAchieved: number | null; status: string }[] };
      }>(`{ indicator(code: "student_count") { progress { targetCode shareAchieved status } } }`);
      const measured = indicator.progress.filter((p) => p.shareAchieved !== null);
      expect(measured.map((p) => p.targetCode)).toContain("T_STUDENTS_2030");
      for (const p of measured) {
        const bar = page.locator(
          `#card-student_count [role=progressbar][data-target-code="${p.targetCode}"]`,
        );
        expect(Number(await bar.getAttribute("data-share-achieved"))).toBe(p.shareAchieved);
        const share = Math.max(0, Math.min(1, p.shareAchieved!));
        expect(Number(await bar.getAttribute("aria-valuenow"))).toBe(Math.round(share * 100));
        const outer = (await bar.boundingBox())!;
        const fill = (await bar.locator(".bar-fill").boundingBox())!;
        expect(fill.width / (outer.width - 2)).toBeCloseTo(share, 2);
        const item = page.locator(`#card-student_count li[data-target-code="${p.targetCode}"] .status`);
        expect(await item.innerText()).toBe(dashboardMessages.FR[p.status as "ON_TRACK"]);
      }
      // The students target starts from the agenda's printed 2021 figure, and the card says so.
      const students = page.locator('#card-student_count li[data-target-code="T_STUDENTS_2030"]');
      // In French the card quotes the agenda's own sentence (001:L654), not the English paraphrase.
      expect(await students.locator(".target-label").innerText()).toContain(
        "L'objectif sera d'augmenter le nombre d'étudiants, notamment issus du territoire, de 20% à l'horizon 2030",
      );
      expect(await students.innerText()).toMatch(
        /Départ : chiffre de l'agenda que cite l'objectif \(document 001, ligne \d+\), non mesuré/,
      );
      // A card also names the agenda's baseline with its document and line.
      expect(await page.locator("#card-student_count .baselines").innerText()).toMatch(
        /document 001, ligne \d+/,
      );
    });

    browserIt("opens an indicator's page from its card with the keyboard", async () => {
      const link = page.locator("#card-student_count h3 a");
      await link.focus();
      const before = await page.evaluate(() => document.body.dataset.ready);
      await page.keyboard.press("Enter");
      await page.waitForFunction(
        (prev) => document.body.dataset.ready !== prev && !document.querySelector("main[aria-busy]"),
        before,
      );
      expect(page.url()).toContain("#/indicator/student_count");
      expect(await page.evaluate(() => document.activeElement?.tagName)).toBe("H1");
    });

    browserIt(
      "compares the territories as chart and table, marks revisions and gives each value's provenance",
      async () => {
        await open("#/indicator/student_count");
        const { seriesList } = await api<{
          seriesList: {
            nodes: {
              territoryCode: string;
              measure: string;
              observations: (Obs & { revisions: { value: number }[] })[];
            }[];
          };
        }>(
          `{ seriesList(filter: { indicator: "student_count", territories: ["EPCI-200054807", "CT-1", "CT-2", "CT-3", "CT-4", "CT-5", "CT-6", "DEP-13"], breakdown: [], measure: "enrolled_students" }) {
            nodes { territoryCode measure observations { period periodStart value obsStatus revisions { value } } } } }`,
        );
        const metropole = seriesList.nodes.find((s) => s.territoryCode === "EPCI-200054807")!;
        const data = (await chartData("indicator:student_count:enrolled_students")) as (number | null)[][];
        expect(data[0]).toEqual(metropole.observations.map((o) => seconds(o.periodStart)));
        expect(data[1]).toEqual(metropole.observations.map((o) => o.value));
        // The revised 2024 value is marked in the chart (a series of its own) and in the table.
        expect(data.at(-1)).toEqual(metropole.observations.map((o) => (o.revisions.length ? o.value : null)));
        const cell = page.locator('#series-table tr[data-period="2024"] td[data-territory="EPCI-200054807"]');
        expect(await cell.getAttribute("class")).toContain("revised");
        expect(await cell.getAttribute("data-value")).toBe(String(INVENTED_STUDENTS_REVISED));
        await cell.locator("button").click();
        const panel = page.locator("#provenance");
        expect(await panel.isVisible()).toBe(true);
        // French numbers group thousands with a narrow no-break space.
        const text = (await panel.innerText()).replace(/\s+/g, " ");
        expect(text).toContain(
          `${INVENTED_STUDENTS_FIRST.toLocaleString("fr-FR").replace(/\s+/g, " ")} (A), remplacée le`,
        );
        expect(text).toMatch(/Exécution d'ingestion\s+\d+/);
        expect(await page.evaluate(() => document.activeElement?.closest("#provenance") !== null)).toBe(true);
      },
    );

    browserIt("downloads as CSV exactly the numbers the table shows", async () => {
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.locator("#download-csv").click(),
      ]);
      const csv = readFileSync((await download.path())!, "utf8");
      const records = parseCsv(csv) as string[][];
      const table = await page.locator("#series-table").evaluate((t) => {
        const columns = [...t.querySelectorAll("thead th[data-territory]")].map(
          (th) => (th as HTMLElement).dataset.territory!,
        );
        const rows = [...t.querySelectorAll("tbody tr")].map((tr) => [
          (tr as HTMLElement).dataset.period!,
          ...[...tr.querySelectorAll("td")].flatMap((td) => [
            td.dataset.value ?? "",
            td.dataset.status ?? "",
          ]),
        ]);
        return { columns, rows };
      });
      expect(records.slice(1)).toEqual(table.rows);
      expect(records[0]).toHaveLength(1 + 2 * table.columns.length);
      table.columns.forEach((code, i) => {
        expect(records[0][1 + 2 * i]).toContain(`(${code})`);
      });
    });

    browserIt("shows jobs by filière over time, and each filière's sites and partners", async () => {
      await open("#/filieres");
      const { filieres } = await api<{
        filieres: {
          nodes: {
            code: string;
            sites: unknown[];
            partners: unknown[];
            series: { measure: string; observations: Obs[] }[];
          }[];
        };
      }>(
        `{ filieres(kind: FILIERE_EXCELLENCE) { nodes { code sites { code } partners { code }
            series(indicator: "net_job_creation", territory: "EPCI-200054807") { measure observations { period periodStart value obsStatus } } } } }`,
      );
      const withJobs = filieres.nodes
        .map((f) => ({ f, s: f.series.find((s) => s.measure === "private_salaried_jobs") }))
        .filter((x) => x.s);
      expect(withJobs.length).toBeGreaterThan(0);
      const data = (await chartData("filieres:jobs")) as (number | null)[][];
      withJobs.forEach(({ s }, i) => {
        expect(data[i + 1]).toEqual(s!.observations.map((o) => o.value));
      });
      for (const f of filieres.nodes) {
        const section = page.locator(`#filiere-${f.code}`);
        expect(await section.locator("summary").first().innerText()).toContain(`(${f.sites.length})`);
        expect(await section.locator("summary").nth(1).innerText()).toContain(`(${f.partners.length})`);
      }
    });

    browserIt(
      "lists every stream with its last success and its last failure, and why to those who may read it",
      async () => {
        await open("#/sources");
        const { ingestSources } = await api<{
          ingestSources: { streams: { id: string; lastError: string | null }[] }[];
        }>("{ ingestSources { streams { id lastError } } }");
        const streams = ingestSources.flatMap((s) => s.streams);
        const rows = await page
          .locator("tr[data-stream]")
          .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.stream));
        expect(rows).toEqual(streams.map((s) => s.id));
        // An anonymous page is told that the stream failed, not why: error texts quote URLs and paths.
        const airport = streams.find((s) => s.id === "dgac.airport-traffic")!;
        expect(airport.lastError).toBeNull();
        expect(await page.locator('tr[data-stream="dgac.airport-traffic"] td.why').innerText()).toBe("—");
      },
    );

    browserIt("switches to English with the API's English labels, and back", async () => {
      await open("#/");
      const { indicator } = await api<{ indicator: { label: string } }>(
        "{ indicator(number: 13) { label(lang: EN) } }",
      );
      const before = await page.evaluate(() => document.body.dataset.ready);
      await page.locator("#lang-switch").click();
      await page.waitForFunction(
        (prev) => document.body.dataset.ready !== prev && !document.querySelector("main[aria-busy]"),
        before,
      );
      expect(await page.locator("html").getAttribute("lang")).toBe("en");
      expect(await page.locator("h1").innerText()).toBe(dashboardMessages.EN.overviewTitle);
      expect(await page.locator("#card-student_count h3").innerText()).toBe(indicator.label);
      const again = await page.evaluate(() => document.body.dataset.ready);
      await page.locator("#lang-switch").click();
      await page.waitForFunction((prev) => document.body.dataset.ready !== prev, again);
      expect(await page.locator("html").getAttribute("lang")).toBe("fr");
    });

    browserIt("sends a partner's key as a bearer token", async () => {
      // A real key: the hub refuses an unknown one with 401 (test/http/caller.test.ts).
      const { token } = await createKey(hub.database.db, {
        name: "dashboard test",
        role: "partner",
        partnerCode: "ORG_AGAM",
      });
      const sent: (string | null)[] = [];
      page.on("request", (r) => {
        if (r.url().endsWith("/graphql")) sent.push(r.headers().authorization ?? null);
      });
      await page.locator(".api-key summary").click();
      await page.locator("#api-key").fill(token);
      const before = await page.evaluate(() => document.body.dataset.ready);
      await page.locator(".api-key button[type=submit]").click();
      await page.waitForFunction((prev) => document.body.dataset.ready !== prev, before);
      expect(sent.at(-1)).toBe(`Bearer ${token}`);
      await page.locator(".api-key summary").click();
      const again = await page.evaluate(() => document.body.dataset.ready);
      await page.locator(".api-key button[type=button]").click();
      await page.waitForFunction((prev) => document.body.dataset.ready !== prev, again);
      expect(sent.at(-1)).toBeNull();
    });

    browserIt("fits a phone's width without sideways scrolling", async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      for (const hash of ["#/", "#/indicator/student_count", "#/filieres", "#/sources"]) {
        await open(hash);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, hash).toBeLessThanOrEqual(0);
      }
      await page.setViewportSize({ width: 1366, height: 768 });
    });

    browserIt("asked nothing of anyone but the hub, and raised no error", () => {
      expect(outside).toEqual([]);
      expect(errors).toEqual([]);
    });
  });
});
