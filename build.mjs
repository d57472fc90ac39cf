// `npm start` runs this first (prestart): the hub bundled to dist/main.js, so a start loads compiled
// JavaScript instead of compiling TypeScript at run time (tsx took most of a 10 s start).
// Packages stay external (node_modules as installed). Files that find their data next to themselves
// (migrations, reference data, the dashboard's assets) read `import.meta.url`/`dirname`: each file keeps
// its own source location, as it has when run from source.

import { readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";

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

await build({
  entryPoints: ["src/main.ts"],
  outfile: "dist/main.js",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  sourcemap: true,
  logLevel: "warning",
  plugins: [ownLocation],
});
