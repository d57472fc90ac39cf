import { existsSync } from "node:fs";
import { parse } from "graphql";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { playgroundExamples } from "../../src/graphql/examples";
import { type RunningHub, startHub } from "../support/http";

const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const hasChromium = existsSync(chromiumPath);
const inCi = Boolean(process.env.CI);
const browserTitle = hasChromium
  ? "loads in headless Chromium with nothing from outside, runs the first example and shows data"
  : `loads in headless Chromium (none at ${chromiumPath}: apt-get install chromium, or set CHROMIUM_PATH)`;
if (!hasChromium && !inCi) console.warn(`playground browser test skipped: no Chromium at ${chromiumPath}`);

describe("the offline playground", () => {
  let hub: RunningHub;
  let base: string;
  beforeAll(async () => {
    hub = await startHub();
    base = hub.base;
  });
  afterAll(() => hub?.close());

  const openPage = () => fetch(`${base}/graphql`, { headers: { accept: "text/html" } });

  it("serves a page whose every script and stylesheet is one of ours, cacheable for a year", async () => {
    const res = await openPage();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    const html = await res.text();
    expect(html).not.toMatch(/(https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/i);
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(refs).toHaveLength(5);
    for (const ref of refs) {
      const asset = await fetch(new URL(ref, `${base}/graphql`), { headers: { "accept-encoding": "gzip" } });
      expect(asset.status, ref).toBe(200);
      expect(asset.headers.get("content-type"), ref).toMatch(
        ref.endsWith(".css") ? /^text\/css/ : /^text\/javascript/,
      );
      expect(asset.headers.get("cache-control"), ref).toBe("public, max-age=31536000, immutable");
      expect((await asset.arrayBuffer()).byteLength, ref).toBeGreaterThan(0);
      const again = await fetch(new URL(ref, `${base}/graphql`), {
        headers: { "accept-encoding": "gzip", "if-none-match": asset.headers.get("etag")! },
      });
      expect(again.status, ref).toBe(304);
    }
    expect((await fetch(`${base}/playground/nothing.js`)).status).toBe(404);
  });

  it("offers every example as a tab, each a named query that runs without errors", async () => {
    const html = await (await openPage()).text();
    const config = JSON.parse(html.match(/type="application\/json">([^<]*)</)![1]) as {
      tabs: { query: string; variables?: string; headers?: string }[];
    };
    expect(config.tabs).toHaveLength(playgroundExamples.length);
    for (const [i, example] of playgroundExamples.entries()) {
      expect(config.tabs[i].query).toContain(example.query.trim());
      if (example.variables) expect(JSON.parse(config.tabs[i].variables!)).toEqual(example.variables);
      if (example.headers) expect(JSON.parse(config.tabs[i].headers!)).toEqual(example.headers);
      const named = parse(example.query).definitions.every((d) => d.kind !== "OperationDefinition" || d.name);
      expect(named, `${example.name}: GraphiQL titles the tab with the operation's name`).toBe(true);
      const res = await fetch(`${base}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: example.query, variables: example.variables }),
      });
      const body = (await res.json()) as { data?: Record<string, unknown>; errors?: { message: string }[] };
      expect(
        body.errors?.map((e) => e.message),
        example.name,
      ).toBeUndefined();
      expect(
        Object.values(body.data ?? {}).every((v) => v !== null),
        example.name,
      ).toBe(true);
    }
  });

  describe("in a browser", () => {
    let browser: Browser | undefined;
    afterAll(async () => {
      await browser?.close();
    });

    it.skipIf(!hasChromium && !inCi)(browserTitle, { timeout: 30_000 }, async () => {
      if (!hasChromium) {
        throw new Error(
          `no Chromium at ${chromiumPath}: install Debian's chromium package (apt-get install chromium), ` +
            "as .ci/run does, or point CHROMIUM_PATH at one",
        );
      }
      browser = await chromium.launch({
        executablePath: chromiumPath,
        headless: true,
        args: [
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
        ],
      });
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      const outside: string[] = [];
      await context.route("**/*", (route) => {
        const url = new URL(route.request().url());
        if (url.hostname === "127.0.0.1") return route.continue();
        outside.push(url.href);
        return route.abort("blockedbyclient");
      });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error") errors.push(m.text());
      });
      page.on("pageerror", (e) => errors.push(e.message));
      // Tabs saved by an older list of examples must not hide the current ones.
      await page.addInitScript(() => {
        const stale = { activeTabIndex: 0, tabs: [{ id: "s", title: "Stale", query: "query Stale { x }" }] };
        localStorage.setItem("hublot-playground:0ld:graphiql:tabState", JSON.stringify(stale));
      });

      await page.goto(`${base}/graphql`);
      await page.locator(".graphiql-query-editor .CodeMirror").waitFor({ timeout: 10_000 });
      const tabs = page.locator(".graphiql-tab");
      await expect.poll(() => tabs.count()).toBe(playgroundExamples.length);
      expect(await page.locator(".graphiql-tab-active").innerText()).toContain("Indicators");

      await page.locator("button.graphiql-execute-button").click();
      const response = () =>
        page.evaluate(() => {
          const cm = document.querySelector(".result-window .CodeMirror") as
            | (Element & { CodeMirror?: { getValue(): string } })
            | null;
          return cm?.CodeMirror?.getValue() ?? "";
        });
      await expect.poll(response, { timeout: 10_000 }).toContain('"code": "unemployment_rate"');
      const { data } = JSON.parse(await response()) as { data: { indicators: { nodes: unknown[] } } };
      expect(data.indicators.nodes).toHaveLength(22);
      expect(await page.locator(".result-window").innerText()).toContain("unemployment_rate");

      // The second example carries variables: its tab runs with them.
      await tabs.nth(1).click();
      // GraphiQL re-reads the operation's name 100 ms after the editor changes; running sooner would
      // send the previous tab's name with this tab's query.
      await page.waitForFunction(() => {
        const cm = document.querySelector(".graphiql-query-editor .CodeMirror") as
          | (Element & { CodeMirror?: { operationName?: string } })
          | null;
        return cm?.CodeMirror?.operationName === "Communes";
      });
      await page.locator("button.graphiql-execute-button").click();
      await expect.poll(response, { timeout: 10_000 }).toContain('"code": "COM-13055"');
      expect(
        (JSON.parse(await response()) as { data: { territories: { nodes: unknown[] } } }).data.territories
          .nodes,
      ).toHaveLength(92);
      await tabs.nth(0).click();
      await expect.poll(response).toContain('"code": "unemployment_rate"');

      // Styles applied: GraphiQL's stylesheet lays the editor out as a flex container.
      expect(await page.locator(".graphiql-container").evaluate((e) => getComputedStyle(e).display)).toBe(
        "flex",
      );
      expect(
        await page.evaluate(() =>
          Object.keys(localStorage).filter((k) => k.startsWith("hublot-playground:0ld:")),
        ),
      ).toEqual([]);
      if (process.env.PLAYGROUND_SCREENSHOT)
        await page.screenshot({ path: process.env.PLAYGROUND_SCREENSHOT });

      expect(outside).toEqual([]);
      expect(errors).toEqual([]);
    });
  });
});
