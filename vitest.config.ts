import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineConfig } from "vitest/config";

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql ships an ESM and a CJS build; type-graphql loads the CJS one, so tests must too, or the
    // schema's types come from "another module or realm" (Node itself picks the CJS build, as here).
    alias: [{ find: /^graphql$/, replacement: require.resolve("graphql") }],
  },
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Every run archives its payloads in a directory of its own, removed by the global teardown.
    env: {
      NODE_ENV: "test",
      LOG_LEVEL: "silent",
      RAW_ARCHIVE_DIR: join(tmpdir(), `hublot-test-raw-${process.pid}`),
    },
  },
});
