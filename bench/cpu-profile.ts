/**
 * `tsx bench/cpu-profile.ts <file.cpuprofile>…`: where a hub's CPU went, by self time, in the categories
 * issue 15 asks about (SQL driver, graphql, type-graphql, Fastify/Apollo, the query gate, logging and
 * metrics…), then the top functions. The hub runs bundled (dist/main.js), so its own frames are mapped
 * back to their source files through the bundle's source map, or all of src/ would be one line.
 * Idle is time the process waited: for the database, or for the next request. Samples before the first
 * GraphQL execution are left out: they are the hub's start (loading modules), not its answers.
 */
import { readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const maps = new Map<string, SourceMap | null>();
function sourceMapOf(url: string): SourceMap | null {
  if (!maps.has(url)) {
    let map: SourceMap | null = null;
    try {
      const file = fileURLToPath(url);
      const payload = JSON.parse(readFileSync(`${file}.map`, "utf8")) as ConstructorParameters<
        typeof SourceMap
      >[0];
      map = new SourceMap(payload);
      maps.set(`${url}#dir`, null);
      (map as SourceMap & { dir?: string }).dir = dirname(file);
    } catch {}
    maps.set(url, map);
  }
  return maps.get(url) ?? null;
}

/** The source file of a frame: the original one for the bundle's frames. */
function locate(frame: Node["callFrame"]): { file: string; line: number } {
  const own = { file: frame.url, line: frame.lineNumber + 1 };
  if (!frame.url.endsWith("dist/main.js")) return own;
  const map = sourceMapOf(frame.url) as (SourceMap & { dir?: string }) | null;
  const entry = map?.findEntry(frame.lineNumber, frame.columnNumber) as
    | { originalSource?: string; originalLine?: number }
    | undefined;
  if (!entry?.originalSource) return own;
  const source = entry.originalSource;
  const file = source.startsWith("file:") ? fileURLToPath(source) : resolve(map?.dir ?? ".", source);
  return { file, line: (entry.originalLine ?? 0) + 1 };
}
const fileOf = (frame: Node["callFrame"]) => locate(frame).file;

const CATEGORIES: [string, (fn: string, file: string) => boolean][] = [
  ["idle (waiting: SQL, network)", (fn) => fn === "(idle)"],
  ["garbage collection", (fn) => fn === "(garbage collector)"],
  ["postgres.js driver (protocol, parsing rows)", (_, f) => f.includes("node_modules/postgres/")],
  [
    "PGlite (embedded PostgreSQL, WebAssembly)",
    (_, f) => f.includes("@electric-sql/") || f.startsWith("wasm"),
  ],
  ["drizzle (SQL building, sessions)", (_, f) => f.includes("node_modules/drizzle-orm/")],
  ["graphql validation", (_, f) => f.includes("node_modules/graphql/validation/")],
  ["graphql parse/print", (_, f) => f.includes("node_modules/graphql/language/")],
  ["graphql execution", (_, f) => f.includes("node_modules/graphql/")],
  ["type-graphql resolver plumbing", (_, f) => f.includes("node_modules/type-graphql/")],
  ["dataloader", (_, f) => f.includes("node_modules/dataloader/")],
  ["Apollo server", (_, f) => f.includes("node_modules/@apollo/") || f.includes("@as-integrations")],
  [
    "graphql-armor, query complexity",
    (_, f) => f.includes("graphql-armor") || f.includes("graphql-query-complexity"),
  ],
  ["the query gate (src/graphql/limits)", (_, f) => f.includes("/src/graphql/limits/")],
  [
    "Fastify and plugins",
    (_, f) =>
      /node_modules\/(fastify|@fastify|find-my-way|avvio|light-my-request|fast-json-stringify|secure-json-parse)/.test(
        f,
      ),
  ],
  [
    "logging, metrics",
    (_, f) =>
      /node_modules\/(pino|prom-client|thread-stream|sonic-boom)/.test(f) ||
      /\/src\/(logger|metrics)\.ts$/.test(f),
  ],
  ["hub resolvers and loaders (src/graphql)", (_, f) => f.includes("/src/graphql/")],
  ["hub HTTP layer (src/http)", (_, f) => f.includes("/src/http/")],
  ["hub other (src/)", (_, f) => f.includes("/src/")],
  [
    "JSON (stringify/parse, native)",
    (fn, f) => f === "" && /^(stringify|parse|JSONStringify|JSONParse)$/.test(fn),
  ],
  [
    "socket writes (native writeBuffer, writev)",
    (fn, f) => f === "" && /^(writeBuffer|writev|writeUtf8String)$/.test(fn),
  ],
  ["promise jobs (runMicrotasks)", (fn, f) => f === "" && fn === "runMicrotasks"],
  ["Node internals (net, streams, timers)", (_, f) => f.startsWith("node:")],
  ["(program): native, compiler", (fn) => fn === "(program)"],
  ["other", () => true],
];

function summarise(path: string) {
  const profile = JSON.parse(readFileSync(path, "utf8")) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const executes = (id: number) =>
    fileOf(byId.get(id)?.callFrame ?? { functionName: "", url: "", lineNumber: 0, columnNumber: 0 }).includes(
      "node_modules/graphql/execution/",
    );
  const first = Math.max(0, profile.samples.findIndex(executes));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    if (i >= first) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byCategory = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const others = new Map<string, number>();
  for (const [id, us] of self) {
    const node = byId.get(id);
    if (!node) continue;
    const fn = node.callFrame.functionName || "(anonymous)";
    const { file, line } = locate(node.callFrame);
    const [category] = CATEGORIES.find(([, test]) => test(fn, file)) ?? ["other"];
    byCategory.set(category, (byCategory.get(category) ?? 0) + us);
    const short = file.replace(/^.*node_modules\//, "").replace(/^.*\/(src|ingest)\//, "$1/");
    const key = `${fn} ${short}${short ? `:${line}` : ""}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    if (category === "other") others.set(key, (others.get(key) ?? 0) + us);
  }
  const busy = total - (byCategory.get(CATEGORIES[0][0]) ?? 0);
  const pct = (us: number, of: number) => `${((100 * us) / of).toFixed(1)} %`;
  console.log(`${path}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy`);
  console.log("category | ms | share of all | share of busy");
  for (const [c, us] of [...byCategory].sort((a, b) => b[1] - a[1]))
    console.log(
      `${c} | ${(us / 1000).toFixed(0)} | ${pct(us, total)} | ${c.startsWith("idle") ? "-" : pct(us, busy)}`,
    );
  console.log("\ntop functions by self time (busy share)");
  for (const [f, us] of [...byFunction]
    .sort((a, b) => b[1] - a[1])
    .filter(([f]) => !f.startsWith("(idle)"))
    .slice(0, 25))
    console.log(`${pct(us, busy).padStart(7)}  ${f}`);
  console.log("\ntop of 'other'");
  for (const [f, us] of [...others].sort((a, b) => b[1] - a[1]).slice(0, 12))
    console.log(`${pct(us, busy).padStart(7)}  ${f}`);
}

for (const path of process.argv.slice(2)) summarise(path);
