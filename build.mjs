// `npm start` runs this first (prestart): the hub bundled to dist/main.js, so a start loads compiled
// JavaScript instead of compiling TypeScript at run time (tsx took most of a 10 s start).
// Packages stay external (node_modules as installed). Files that find their data next to themselves
// (migrations, reference data, the dashboard's assets) read `import.meta.url`/`dirname`: each file keeps
// its own source location, as it has when run from source.

import { readFileSync, statSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { pathToFileURL } from "node:url";

const outfile = "dist/main.js";
const inputsFile = "dist/main.inputs.json";

/** True when dist/main.js is newer than every file the last build read (esbuild's own list of them). */
function upToDate() {
  try {
    const built = statSync(outfile).mtimeMs;
    const inputs = JSON.parse(readFileSync(inputsFile, "utf8"));
    return [...inputs, "build.mjs", "package-lock.json"].every((f) => statSync(f).mtimeMs < built);
  } catch {
    return false;
  }
}

// Loading esbuild and bundling cost about a second of every `npm start`: skipped when nothing changed.
if (upToDate()) process.exit(0);
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

const result = await build({
  entryPoints: ["src/main.ts"],
  outfile,
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
writeFileSync(inputsFile, JSON.stringify(Object.keys(result.metafile.inputs)));
