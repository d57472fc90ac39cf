/**
 * `npm run bench:visibility` (a benchmark, not a test): what the visibility rule costs. Every example
 * query of the playground runs on the connectors' fixtures plus the partner slices of the visibility test
 * (INVENTED values), as an admin (no condition: what every query cost before the rule, the floor) and as
 * anonymous, partner A and an analyst (the rule in every series statement). It prints, per query, the
 * statements sent and the median latency of each caller, and the ratio to the admin floor measured in the
 * same run. The machine may be shared: read ratios, not milliseconds.
 *
 *   npm run bench:visibility
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:visibility   # a database of its own
 */
import "reflect-metadata";
import { graphql } from "graphql";
import postgres from "postgres";
import { loadReferenceData } from "../ingest/reference/load";
import { openDatabase } from "../src/db/client";
import { buildHublotSchema } from "../src/graphql/build-schema";
import { createContext } from "../src/graphql/context";
import { playgroundExamples } from "../src/graphql/examples";
import { loadFixtureData } from "../test/support/fixture-data";
import { callers, loadSlices, type Who } from "../test/support/slices";

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const WHO: Who[] = ["admin", "anonymous", "partnerA", "analyst"];

async function main() {
  process.env.RAW_ARCHIVE_DIR ??= `/tmp/hublot-bench-raw-${process.pid}`;
  const url = process.env.DATABASE_URL;
  const name = `hublot_bench_vis_${process.pid}`;
  let dbUrl: string | undefined;
  if (url) {
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database "${name}"`);
    await admin.end();
    const u = new URL(url);
    u.pathname = `/${name}`;
    dbUrl = u.toString();
  }
  let statements = 0;
  const database = await openDatabase({
    url: dbUrl,
    pgliteDir: "memory://",
    onQuery: () => {
      statements += 1;
    },
  });
  try {
    await database.migrate();
    await loadReferenceData(database.db);
    await loadFixtureData(database.db);
    await loadSlices(database.db);
    const schema = await buildHublotSchema();
    console.log(`visibility rule cost, ${database.driver}, ${RUNS} runs per query and caller, median ms`);
    console.log(["query".padEnd(22), ...WHO.map((w) => `${w} stmts/ms (×admin)`.padStart(30))].join(""));
    for (const example of playgroundExamples) {
      const cells: string[] = [];
      let floor = 0;
      for (const who of WHO) {
        const times: number[] = [];
        let count = 0;
        for (let i = 0; i < RUNS; i++) {
          statements = 0;
          const t0 = performance.now();
          const result = await graphql({
            schema,
            source: example.query,
            variableValues: example.variables,
            contextValue: createContext(database.db, callers[who]),
          });
          times.push(performance.now() - t0);
          count = statements;
          if (result.errors?.length && who === "admin")
            throw new Error(`${example.name}: ${result.errors[0]?.message}`);
        }
        times.sort((a, b) => a - b);
        const median = times[Math.floor(times.length / 2)] ?? 0;
        if (who === "admin") floor = median;
        cells.push(`${count} / ${median.toFixed(1)} (${(median / floor).toFixed(2)})`.padStart(30));
      }
      console.log([example.name.slice(0, 21).padEnd(22), ...cells].join(""));
    }
  } finally {
    await database.close();
    if (url) {
      const admin = postgres(url, { max: 1, onnotice: () => {} });
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    }
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
