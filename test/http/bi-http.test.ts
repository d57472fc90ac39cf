/**
 * BI tools over HTTP, tried as they call: curl with no header, a cross-site form, a browser on another
 * origin, a revalidating cache, a spreadsheet asking for CSV. Data: the connectors' fixtures (INVENTED
 * numbers but for INSEE's unemployment rates).
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bumpDataVersion } from "../../src/db/data-version";
import { loadFixtureData } from "../support/fixture-data";
import { type RunningHub, startHub } from "../support/http";

const run = promisify(execFile);
let hub: RunningHub;
let base: string;

beforeAll(async () => {
  hub = await startHub();
  base = hub.base;
  await loadFixtureData(hub.database.db);
}, 120_000);
afterAll(() => hub?.close());

const q = (query: string, extra = "") => `${base}/graphql?query=${encodeURIComponent(query)}${extra}`;
const LATEST =
  '{ indicator(code: "unemployment_rate") { series(territory: "DEP-13") { observations(last: 2) { period value } } } }';

describe("plain GET", () => {
  it("answers curl with no header at all, in JSON", async () => {
    const { stdout } = await run("curl", ["-sS", "-H", "Accept:", "-H", "User-Agent:", q(LATEST)]);
    const answer = JSON.parse(stdout) as { data: { indicator: { series: { observations: unknown[] }[] } } };
    expect(answer.data.indicator.series[0].observations).toHaveLength(2);
  });

  it("refuses a mutation, whatever the schema holds", async () => {
    const res = await fetch(q("mutation { anything }"));
    expect(res.status).toBe(405);
    expect(
      ((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code,
    ).toBe("METHOD_NOT_ALLOWED");
  });

  it("refuses a cross-site 'simple' POST (a form, text/plain) and takes a JSON one", async () => {
    for (const type of [
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
    ]) {
      const res = await fetch(`${base}/graphql`, {
        method: "POST",
        headers: { "content-type": type, origin: "https://elsewhere.example" },
        body: JSON.stringify({ query: "{ __typename }" }),
      });
      expect(res.status, type).toBe(415);
    }
    const json = await fetch(`${base}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    expect(await json.json()).toEqual({ data: { __typename: "Query" } });
  });

  it("answers HEAD, CORS from any origin without credentials, and compresses large answers", async () => {
    const head = await fetch(q(LATEST), { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    const cors = await fetch(q(LATEST), { headers: { origin: "https://dashboard.example" } });
    expect(cors.headers.get("access-control-allow-origin")).toBe("*");
    expect(cors.headers.get("access-control-allow-credentials")).toBeNull();
    const preflight = await fetch(`${base}/graphql`, {
      method: "OPTIONS",
      headers: {
        origin: "https://dashboard.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-headers")).toMatch(/authorization/i);
    const { stdout } = await run("curl", [
      "-sS",
      "-D",
      "-",
      "-o",
      "/dev/null",
      "-H",
      "Accept-Encoding: gzip",
      q("{ territories(first: 200) { nodes { code name level } } }"),
    ]);
    expect(stdout).toMatch(/content-encoding: gzip/i);
  });
});

describe("HTTP caching", () => {
  it("gives an ETag and public Cache-Control, and 304 without touching the observations", async () => {
    const first = await fetch(q(LATEST));
    const etag = first.headers.get("etag");
    expect(etag).toMatch(/^W\/".+"$/);
    expect(first.headers.get("cache-control")).toBe("public, max-age=0, must-revalidate");
    hub.database.resetQueryCount();
    const again = await fetch(q(LATEST), { headers: { "if-none-match": etag as string } });
    expect(again.status).toBe(304);
    expect(hub.database.queryCount()).toBe(1); // the data version, one primary-key read
    // The same query POSTed is the same answer: same ETag.
    const post = await fetch(`${base}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", "if-none-match": etag as string },
      body: JSON.stringify({ query: LATEST }),
    });
    expect(post.status).toBe(304);
  });

  it("answers a repeated request from the response cache, until a load advances the data version", async () => {
    const url = q('{ territory(code: "DEP-13") { name population } }');
    const miss = await fetch(url);
    expect(miss.headers.get("x-cache")).toBe("MISS");
    const body = await miss.text();
    hub.database.resetQueryCount();
    const hit = await fetch(url);
    expect(hit.headers.get("x-cache")).toBe("HIT");
    expect(await hit.text()).toBe(body);
    expect(hub.database.queryCount()).toBe(1);
    const etag = hit.headers.get("etag") as string;

    await bumpDataVersion(hub.database.db); // what every load that writes rows does
    const after = await fetch(url, { headers: { "if-none-match": etag } });
    expect(after.status).toBe(200);
    expect(after.headers.get("x-cache")).toBe("MISS");
    expect(after.headers.get("etag")).not.toBe(etag);
  });

  it("never caches an answer with errors", async () => {
    const url = q('{ territory(code: "NOPE") { name } }');
    await fetch(url);
    expect((await fetch(url)).headers.get("x-cache")).toBe("MISS");
  });
});

describe("tabular answers", () => {
  it("gives CSV for Accept: text/csv or ?format=csv, TSV for ?format=tsv", async () => {
    const byAccept = await fetch(q(LATEST), { headers: { accept: "text/csv" } });
    expect(byAccept.headers.get("content-type")).toMatch(/^text\/csv/);
    const lines = (await byAccept.text()).trim().split("\r\n");
    expect(lines[0]).toBe("period,value");
    expect(lines).toHaveLength(3);
    const tsv = await (await fetch(q(LATEST, "&format=tsv"))).text();
    expect(tsv.split("\r\n")[0]).toBe("period\tvalue");
    // fetch's text() drops a BOM: read the bytes.
    const french = Buffer.from(
      await (await fetch(q(LATEST, "&format=csv&locale=fr"))).arrayBuffer(),
    ).toString();
    expect(french.startsWith("\ufeffperiod;value\r\n")).toBe(true);
    expect(french).toMatch(/;\d+,\d/);
  });

  it("refuses a query with several lists, naming them", async () => {
    const res = await fetch(q("{ indicators { nodes { code } } ingestSources { id } }", "&format=csv"));
    expect(res.status).toBe(400);
    const { errors } = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(errors[0].extensions.code).toBe("NOT_TABULAR");
    expect(errors[0].message).toMatch(/indicators\.nodes, ingestSources/);
  });
});

describe("the observations export over HTTP", () => {
  it("streams CSV with SDMX-CSV-like columns, French on request, and revalidates by ETag", async () => {
    const res = await fetch(`${base}/export/observations.csv?indicator=unemployment_rate&territory=DEP-13`, {
      headers: { "accept-encoding": "gzip" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    const text = await res.text();
    const [header, ...rows] = text.trim().split("\r\n");
    expect(header.split(",").slice(0, 6)).toEqual([
      "INDICATOR",
      "INDICATOR_NAME",
      "MEASURE",
      "BREAKDOWN",
      "FILIERE",
      "REF_AREA",
    ]);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.startsWith("unemployment_rate,"))).toBe(true);
    const etag = res.headers.get("etag") as string;
    const again = await fetch(
      `${base}/export/observations.csv?indicator=unemployment_rate&territory=DEP-13`,
      {
        headers: { "if-none-match": etag },
      },
    );
    expect(again.status).toBe(304);
    const fr = await fetch(`${base}/export/observations.csv?indicator=unemployment_rate&locale=fr`);
    expect(
      Buffer.from(await fr.arrayBuffer())
        .toString()
        .startsWith("\ufeffINDICATOR;INDICATOR_NAME;"),
    ).toBe(true);
    const head = await fetch(`${base}/export/observations.tsv`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-type")).toMatch(/^text\/tab-separated-values/);
  });

  it("refuses unknown codes and formats by name", async () => {
    const bad = await fetch(`${base}/export/observations.csv?indicator=nope`);
    expect(bad.status).toBe(404);
    expect(await bad.text()).toMatch(/no indicator with code \\?"nope\\?"/);
    expect((await fetch(`${base}/export/observations.xlsx`)).status).toBe(404);
  });
});
