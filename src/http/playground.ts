import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import type { FastifyReply, FastifyRequest } from "fastify";
import { type PlaygroundExample, playgroundExamples } from "../graphql/examples";

/**
 * The offline playground: GraphiQL 3 served from the project's own node_modules (its UMD bundle and
 * React 18's), so it works on a machine with no internet. The page loads nothing from elsewhere and
 * its Content-Security-Policy forbids it to, so a stray CDN URL would fail loudly in any browser.
 */

/** Where the assets live, relative to the page (served at …/graphql), so a path prefix in front still works. */
const ASSET_DIR = "playground";

/** A file served from memory with its validator; `gzip` is filled on first demand. */
export interface Asset {
  body: Buffer;
  gzip?: Buffer;
  contentType: string;
  etag: string;
}

/** A package's own file. Read through package.json: graphiql and react do not export their bundles. */
function packageFile(require: NodeRequire, pkg: string, file: string): string {
  return join(dirname(require.resolve(`${pkg}/package.json`)), file);
}

function etagOf(body: Buffer | string): string {
  return `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`;
}

export function makeAsset(body: Buffer, contentType: string): Asset {
  return { body, contentType, etag: etagOf(body) };
}

/** The browser code: our own, small, plain ES2020 (no build step), read by GraphiQL's UMD globals. */
const BOOT_JS = `(() => {
  "use strict";
  const config = JSON.parse(document.getElementById("hublot-playground-config").textContent);
  const PREFIX = "hublot-playground:";
  const TABS = "graphiql:tabState";
  // Tabs are kept per version of the example list: a new list opens fresh, instead of being shadowed
  // by tabs saved from the previous one. History, favourites and theme live beside it, unversioned.
  const tabsKey = PREFIX + config.examplesVersion + ":" + TABS;
  const keyOf = (key) => (key === TABS ? tabsKey : PREFIX + key);
  const memory = new Map();
  const backend = (() => {
    try {
      const probe = PREFIX + "probe";
      window.localStorage.setItem(probe, "1");
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch {
      return {
        getItem: (k) => (memory.has(k) ? memory.get(k) : null),
        setItem: (k, v) => void memory.set(k, String(v)),
        removeItem: (k) => void memory.delete(k),
        key: (i) => [...memory.keys()][i] ?? null,
        get length() { return memory.size; },
      };
    }
  })();
  const ownKeys = () => {
    const keys = [];
    for (let i = 0; i < backend.length; i++) {
      const k = backend.key(i);
      if (k !== null && k.startsWith(PREFIX)) keys.push(k);
    }
    return keys;
  };
  for (const k of ownKeys()) if (k.endsWith(":" + TABS) && k !== tabsKey) backend.removeItem(k);
  const storage = {
    getItem: (key) => backend.getItem(keyOf(key)),
    setItem: (key, value) => backend.setItem(keyOf(key), value),
    removeItem: (key) => backend.removeItem(keyOf(key)),
    clear: () => { for (const k of ownKeys()) backend.removeItem(k); },
    get length() { return ownKeys().length; },
  };
  const root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: GraphiQL.createFetcher({ url: window.location.pathname }),
      defaultTabs: config.tabs,
      defaultEditorToolsVisibility: config.editorTools,
      shouldPersistHeaders: false,
      storage,
    }),
  );
})();
`;

export interface GraphiQLTab {
  query: string;
  variables?: string;
  headers?: string;
}

/** The examples as GraphiQL tabs: the question as comments above the query, variables as JSON. */
export function examplesAsTabs(examples: PlaygroundExample[]): GraphiQLTab[] {
  return examples.map((e) => {
    const query = e.query.trim();
    const operation = /^\s*(?:query|mutation|subscription)\s+(\w+)/m.exec(query)?.[1];
    // The tab is titled with the operation's name; the label is only repeated when it says more.
    const label = operation?.toLowerCase() === e.name.replace(/\W/g, "").toLowerCase() ? [] : [e.name];
    const comments = [...label, ...wrap(e.question, 56)].map((line) => `# ${line}`);
    return {
      query: `${comments.join("\n")}\n${query}\n`,
      ...(e.variables ? { variables: JSON.stringify(e.variables, null, 2) } : {}),
      ...(e.headers ? { headers: JSON.stringify(e.headers, null, 2) } : {}),
    };
  });
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** JSON that is safe inside a <script> element: no `</script>`, no `<!--`. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  // GraphiQL sets style attributes; its fonts are data: URLs inside its CSS.
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const IMMUTABLE = "public, max-age=31536000, immutable";

export interface Playground {
  /** Serves an asset of the page if `pathname` is one; false otherwise. */
  serveAsset(request: FastifyRequest, reply: FastifyReply, pathname: string): boolean;
  servePage(request: FastifyRequest, reply: FastifyReply): FastifyReply;
  /** The asset URLs, relative to the page (tests and logs). */
  readonly assetPaths: readonly string[];
}

/** True for a browser opening /graphql: a GET that accepts HTML and carries no operation. */
export function wantsPlayground(request: FastifyRequest): boolean {
  if (request.method !== "GET" && request.method !== "HEAD") return false;
  const query = request.query as Record<string, unknown> | undefined;
  if (query && "query" in query) return false;
  return (request.headers.accept ?? "").toLowerCase().includes("text/html");
}

/**
 * Reads GraphiQL's and React's bundles from node_modules once (about 1.5 MB) and serves them under a
 * content-hashed directory, so they can be cached for a year and a new version is a new URL.
 */
export function createPlayground(examples: PlaygroundExample[] = playgroundExamples): Playground {
  const require = createRequire(import.meta.url);
  const files = {
    "react.production.min.js": packageFile(require, "react", "umd/react.production.min.js"),
    "react-dom.production.min.js": packageFile(require, "react-dom", "umd/react-dom.production.min.js"),
    "graphiql.min.js": packageFile(require, "graphiql", "graphiql.min.js"),
    "graphiql.min.css": packageFile(require, "graphiql", "graphiql.min.css"),
  };
  const assetsByName = new Map<string, Asset>();
  for (const [name, path] of Object.entries(files)) {
    const body = readFileSync(path);
    // The bundle points at its source map; it is only useful to a developer, so it is not shipped.
    const cleaned = name.endsWith(".js") ? stripSourceMapComment(body) : body;
    assetsByName.set(name, makeAsset(cleaned, contentTypeOf(name)));
  }
  assetsByName.set("boot.js", makeAsset(Buffer.from(BOOT_JS), contentTypeOf("boot.js")));

  const version = createHash("sha256");
  for (const [name, asset] of assetsByName) version.update(name).update(asset.etag);
  const dir = `${ASSET_DIR}/${version.digest("hex").slice(0, 12)}`;
  const assets = new Map([...assetsByName].map(([name, asset]) => [`/${dir}/${name}`, asset]));
  const url = (name: string) => `${dir}/${name}`;

  const tabs = examplesAsTabs(examples);
  const config = {
    examplesVersion: createHash("sha256").update(JSON.stringify(tabs)).digest("hex").slice(0, 12),
    tabs,
    editorTools: examples.some((e) => e.variables) ? "variables" : false,
  };
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Hublot — GraphQL playground</title>
<link rel="stylesheet" href="${url("graphiql.min.css")}">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql"><noscript>The playground needs JavaScript. POST GraphQL to this URL instead.</noscript></div>
<script id="hublot-playground-config" type="application/json">${jsonForScript(config)}</script>
<script src="${url("react.production.min.js")}"></script>
<script src="${url("react-dom.production.min.js")}"></script>
<script src="${url("graphiql.min.js")}"></script>
<script src="${url("boot.js")}"></script>
</body>
</html>
`;
  const page = makeAsset(Buffer.from(html), "text/html; charset=utf-8");

  return {
    assetPaths: [...assets.keys()].map((p) => p.slice(1)),
    serveAsset(request, reply, pathname) {
      const asset = assets.get(pathname);
      if (!asset) return false;
      send(request, reply, asset, { "cache-control": IMMUTABLE });
      return true;
    },
    servePage(request, reply) {
      // Revalidated on every visit: the page is small and names the current asset directory.
      return send(request, reply, page, {
        "cache-control": "no-cache",
        "content-security-policy": PAGE_CSP,
        "referrer-policy": "no-referrer",
        vary: "accept, accept-encoding",
      });
    },
  };
}

function contentTypeOf(name: string): string {
  if (name.endsWith(".js")) return "text/javascript; charset=utf-8";
  if (name.endsWith(".css")) return "text/css; charset=utf-8";
  return "application/octet-stream";
}

function stripSourceMapComment(body: Buffer): Buffer {
  const text = body.toString("utf8");
  const stripped = text.replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, "\n");
  return stripped === text ? body : Buffer.from(stripped);
}

/** Answers an asset with its ETag (304 when the client has it), gzipped when the client accepts it. */
export function send(
  request: FastifyRequest,
  reply: FastifyReply,
  asset: Asset,
  headers: Record<string, string>,
): FastifyReply {
  const gzip = /\bgzip\b/.test(String(request.headers["accept-encoding"] ?? "")) && asset.body.length > 1024;
  // Each encoding is its own representation, so it gets its own validator.
  const etag = gzip ? `${asset.etag.slice(0, -1)}-gz"` : asset.etag;
  reply.header("etag", etag);
  reply.header("x-content-type-options", "nosniff");
  if (!("vary" in headers)) reply.header("vary", "accept-encoding");
  for (const [k, v] of Object.entries(headers)) reply.header(k, v);
  const match = request.headers["if-none-match"];
  if (match?.split(",").some((t) => t.trim().replace(/^W\//, "") === etag)) return reply.code(304).send();
  let body = asset.body;
  if (gzip) {
    // Compressed on first demand and kept: GraphiQL's bundle goes from about 1 MB to about 300 kB.
    asset.gzip ??= gzipSync(asset.body);
    body = asset.gzip;
    reply.header("content-encoding", "gzip");
  }
  reply.code(200).header("content-type", asset.contentType).header("content-length", body.length);
  // Fastify answers HEAD through this GET route and drops the body itself.
  return reply.send(body);
}
