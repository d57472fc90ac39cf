// `npm start` runs this first (prestart): the hub bundled to dist/main.js, so a start loads compiled
// JavaScript instead of compiling TypeScript at run time (tsx took most of a 10 s start).
// `node build.mjs ingest` bundles the ingest CLI the same way (dist/ingest.js), `npm run ingest` runs
// it: tsx's compiled modules and its loader held about 50 MB of an ingest's resident memory, a sixth of
// its 300 MB goal. `node build.mjs urssaf-child` bundles the process `npm run bench:urssaf` measures.
// Packages stay external (node_modules as installed). Files that find their data next to themselves
// (migrations, reference data, the dashboard's assets) read `import.meta.url`/`dirname`: each file keeps
// its own source location, as it has when run from source.

import { readFileSync, statSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { pathToFileURL } from "node:url";

const ENTRIES = {
  main: "src/main.ts",
  ingest: "ingest/cli.ts",
  "urssaf-child": "bench/urssaf-child.ts",
};
const names = process.argv.slice(2);
for (const name of names) {
  if (!(name in ENTRIES)) {
    console.error(`build.mjs: unknown entry "${name}" (one of ${Object.keys(ENTRIES).join(", ")})`);
    process.exit(2);
  }
}

/** True when `outfile` is newer than every file its last build read (esbuild's own list of them). */
function upToDate(outfile, inputsFile) {
  try {
    const built = statSync(outfile).mtimeMs;
    const inputs = JSON.parse(readFileSync(inputsFile, "utf8"));
    return [...inputs, "build.mjs", "package-lock.json"].every((f) => statSync(f).mtimeMs < built);
  } catch {
    return false;
  }
}

// Loading esbuild and bundling cost about a second of every `npm start`: skipped when nothing changed.
const stale = (names.length > 0 ? names : ["main"]).filter(
  (name) => !upToDate(`dist/${name}.js`, `dist/${name}.inputs.json`),
);
if (stale.length === 0) process.exit(0);
const { build } = await import("esbuild");

const ownLocation = {
  name: "own-import-meta",
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      const source = await readFile(args.path, "utf8");
      const contents = source
        .replaceAll("import.meta.url", JSON.stringify(pathToFileURL(args.path).href))
        .replaceAll("import.meta.dirname", JSON.stringify(dirname(args.path)));
      return { contents, loader: "ts" };
    });
  },
};

for (const name of stale) {
  const result = await build({
    entryPoints: [ENTRIES[name]],
    outfile: `dist/${name}.js`,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    sourcemap: true,
    logLevel: "warning",
    plugins: [ownLocation],
    metafile: true,
  });
  writeFileSync(`dist/${name}.inputs.json`, JSON.stringify(Object.keys(result.metafile.inputs)));
}
