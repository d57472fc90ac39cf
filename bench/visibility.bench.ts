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
      const run = async (who: Who) => {
        statements = 0;
        const t0 = performance.now();
        const result = await graphql({
          schema,
          source: example.query,
          variableValues: example.variables,
          contextValue: createContext(database.db, callers[who]),
        });
        const ms = performance.now() - t0;
        if (result.errors?.length && who === "admin")
          throw new Error(`${example.name}: ${result.errors[0]?.message}`);
        return { ms, count: statements };
      };
      for (const who of WHO) await run(who); // warm-up: plans, caches
      const times = new Map<Who, number[]>(WHO.map((w) => [w, []]));
      const counts = new Map<Who, number>();
      // Callers take turns run after run, so a burst of load on the shared machine hits them all alike.
      for (let i = 0; i < RUNS; i++)
        for (const who of WHO) {
          const { ms, count } = await run(who);
          times.get(who)?.push(ms);
          counts.set(who, count);
        }
      const median = (who: Who) => {
        const list = [...(times.get(who) ?? [])].sort((a, b) => a - b);
        return list[Math.floor(list.length / 2)] ?? 0;
      };
      const floor = median("admin");
      const cells = WHO.map((who) =>
        `${counts.get(who)} / ${median(who).toFixed(1)} (${(median(who) / floor).toFixed(2)})`.padStart(30),
      );
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
