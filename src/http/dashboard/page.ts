import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { type Asset, jsonForScript, makeAsset } from "../playground";
import { dashboardMessages } from "./messages";
import { COMPARED_TERRITORIES, dashboardQueries, FALLBACK_TERRITORY, METROPOLE } from "./queries";

/**
 * The dashboard at `/`: the agenda's indicators against their targets, as charts and tables, for
 * people who do not write GraphQL. Like the playground it is served from the project's own files and
 * node_modules (uPlot draws the charts, csv-stringify writes the CSV downloads), so it works on a
 * machine with no internet, and its Content-Security-Policy forbids it to load anything from elsewhere.
 */

/** Where the assets live, relative to the page (served at …/), so a path prefix in front still works. */
const ASSET_DIR = "dashboard";

/** The measure of the jobs-by-filière chart: URSSAF's private salaried jobs, per filière at the Métropole. */
const JOBS_MEASURE = "private_salaried_jobs";

export interface Dashboard {
  page: Asset;
  /** Asset path relative to the root (`dashboard/<hash>/app.js`) → asset. */
  assets: ReadonlyMap<string, Asset>;
  /** The page's Content-Security-Policy. */
  csp: string;
}

const here = import.meta.dirname;

/**
 * A package's folder, found from its entry point: csv-stringify's `exports` do not list its
 * package.json, nor the browser bundle the page needs.
 */
function packageRoot(require: NodeRequire, name: string): string {
  for (let dir = dirname(require.resolve(name)); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === name
    ) {
      return dir;
    }
  }
  throw new Error(`cannot find the folder of package ${name}`);
}

export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * Reads the page's files once (about 120 kB) and names their directory after their content, so they
 * can be cached for a year and a new version is a new URL.
 */
export function createDashboard(options: { graphqlPath?: string } = {}): Dashboard {
  const require = createRequire(import.meta.url);
  const pkg = (name: string, file: string) => join(packageRoot(require, name), file);
  const files: Record<string, { path: string; type: string }> = {
    "uPlot.min.css": { path: pkg("uplot", "dist/uPlot.min.css"), type: "text/css; charset=utf-8" },
    "dashboard.css": { path: join(here, "dashboard.css"), type: "text/css; charset=utf-8" },
    "uPlot.iife.min.js": {
      path: pkg("uplot", "dist/uPlot.iife.min.js"),
      type: "text/javascript; charset=utf-8",
    },
    "csv-stringify.js": {
      path: pkg("csv-stringify", "dist/iife/sync.js"),
      type: "text/javascript; charset=utf-8",
    },
    "app.js": { path: join(here, "app.js"), type: "text/javascript; charset=utf-8" },
  };
  const byName = new Map<string, Asset>();
  for (const [name, { path, type }] of Object.entries(files))
    byName.set(name, makeAsset(readFileSync(path), type));
  const version = createHash("sha256");
  for (const [name, a] of byName) version.update(name).update(a.etag);
  const dir = `${ASSET_DIR}/${version.digest("hex").slice(0, 12)}`;
  const url = (name: string) => `${dir}/${name}`;

  const config = {
    graphqlUrl: options.graphqlPath ?? "graphql",
    queries: dashboardQueries,
    messages: dashboardMessages,
    comparedTerritories: COMPARED_TERRITORIES,
    fallbackTerritory: FALLBACK_TERRITORY,
    metropole: METROPOLE,
    jobsMeasure: JOBS_MEASURE,
  };
  const fr = dashboardMessages.FR;
  const html = `<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${fr.title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${url("uPlot.min.css")}">
<link rel="stylesheet" href="${url("dashboard.css")}">
</head>
<body>
<a class="skip" id="skip" href="#main">${fr.skip}</a>
<header class="top">
<p class="brand"><a href="#/">${fr.brand}</a></p>
<nav id="nav" aria-label="Hublot"></nav>
<div class="tools" id="tools"></div>
</header>
<main id="main" tabindex="-1"><noscript>Ce tableau de bord a besoin de JavaScript ; l'API GraphQL est à <a href="graphql">graphql</a>.</noscript></main>
<footer id="footer"></footer>
<script id="hublot-dashboard-config" type="application/json">${jsonForScript(config)}</script>
<script src="${url("uPlot.iife.min.js")}"></script>
<script src="${url("csv-stringify.js")}"></script>
<script src="${url("app.js")}"></script>
</body>
</html>
`;
  return {
    page: makeAsset(Buffer.from(html), "text/html; charset=utf-8"),
    assets: new Map([...byName].map(([name, a]) => [url(name), a])),
    csp: DASHBOARD_CSP,
  };
}
