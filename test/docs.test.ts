/**
 * The docs are true: every GraphQL query in README.md and docs/*.md runs without errors on a hub holding
 * the connectors' fixtures, and every shell command either runs here, offline, as written (the files it
 * names replaced by fixtures), or is listed below with the place that proves it. A command added to the
 * docs that is in neither fails this test.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "./support/db";
import { loadFixtureData } from "./support/fixture-data";
import { graphqlOn } from "./support/graphql";

const root = join(import.meta.dirname, "..");
const docs = [
  "README.md",
  ...readdirSync(join(root, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];
const run = promisify(execFile);

interface Block {
  file: string;
  lang: string;
  text: string;
}

function blocks(file: string): Block[] {
  const text = readFileSync(join(root, file), "utf8");
  return [...text.matchAll(/^```(\w*)\n([\s\S]*?)^```/gm)].map((m) => ({ file, lang: m[1], text: m[2] }));
}

/** A block of several operations (`{ … }` after a `#` comment) split at the top level. */
function operations(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = "";
  for (const line of text.split("\n")) {
    const code = line.replace(/#.*$/, "");
    if (depth === 0 && code.trim() === "") continue;
    current += `${line}\n`;
    for (const ch of code) depth += ch === "{" ? 1 : ch === "}" ? -1 : 0;
    if (depth === 0 && current.trim()) {
      out.push(current.trim());
      current = "";
    }
  }
  return out;
}

/** Shell commands: lines of sh blocks, and `npm run …` written inline in the prose. */
function commands(file: string): string[] {
  const fenced = blocks(file)
    .filter((b) => b.lang === "sh" || b.lang === "bash")
    .flatMap((b) => b.text.replace(/\\\n\s*/g, " ").split("\n"))
    .map((l) => l.replace(/\s+#.*$/, "").trim())
    .filter((l) => l && !l.startsWith("#"));
  const prose = readFileSync(join(root, file), "utf8")
    .replace(/^```[\s\S]*?^```/gm, "")
    .replace(/\n/g, " ");
  const inline = [...prose.matchAll(/`(npm (?:run|test|start|install)[^`]*)`/g)].map((m) =>
    m[1].replace(/\s+/g, " ").trim(),
  );
  return [...fenced, ...inline];
}

/**
 * Commands this test does not run, and where each is proven instead: CI runs the suite, the start-up
 * test starts the hub, the benches are benches.
 */
const PROVEN_ELSEWHERE: Record<string, string> = {
  "npm install && npm start": ".ci/run installs; test/startup.test.ts prepares and starts on PGlite",
  "npm test": ".ci/run runs it on PGlite",
  "npm start": "test/startup.test.ts prepares the database as npm start does; test/http starts the server",
  "npm run schema:emit": "test/graphql/schema.test.ts fails when the emitted schema and the code disagree",
  "DATABASE_URL=postgres://user:password@host:5432/hublot npm start":
    "the same start on postgres.js, test/db/client.test.ts",
  "DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm test": ".ci/run runs it on the PostgreSQL server",
  "npm run bench": "a benchmark, run by hand (its figures go in closing notes)",
  "npm run ingest -- all": "reaches the real sources: the runner tests replay each one (test/ingest/sources)",
  "npm run ingest -- urssaf --force": "reaches URSSAF: test/ingest/sources/urssaf replays it with force",
  "npm run ingest -- partner-csv": "loads the manifest's files: test/ingest/sources/partner-csv",
  "npm run ingest -- insee-bdm --accept-held":
    "reaches INSEE: test/ingest/core/runner.test.ts accepts a held payload",
  "npm run ingest -- <stream> --accept-held": "test/ingest/core/runner.test.ts accepts a held payload",
  "npm run db:generate -- --name <what>": "writes a migration: run by hand when a table changes",
};

describe("the docs", () => {
  let database: TestDatabase;
  let query: Awaited<ReturnType<typeof graphqlOn>>;
  beforeAll(async () => {
    database = await createTestDatabase();
    await loadFixtureData(database.db);
    query = await graphqlOn(database);
  });
  afterAll(() => database.close());

  const queries = docs.flatMap((file) =>
    blocks(file)
      .filter((b) => b.lang === "graphql")
      .flatMap((b) => operations(b.text).map((q) => ({ file, q }))),
  );

  it("hold GraphQL queries, and each runs without errors", async () => {
    expect(queries.length).toBeGreaterThanOrEqual(5);
    // Mutations change a partner's datasets and need its key: the access tests run them with one.
    for (const { file, q } of queries.filter((x) => !x.q.startsWith("mutation"))) {
      const answer = await query(q);
      expect(
        answer.errors?.map((e) => e.message),
        `${file}: ${q}`,
      ).toBeUndefined();
    }
  });

  it("list no command that this test neither runs nor knows to be proven elsewhere", () => {
    const unknown = docs.flatMap((file) =>
      commands(file)
        .filter(
          (c) =>
            !(c in PROVEN_ELSEWHERE) &&
            ![...RUN_HERE, ...PROVEN_BY_BI_TESTS, ...PROVEN_BY_ACCESS_TESTS].some((r) => r.test(c)),
        )
        .map((c) => `${file}: ${c}`),
    );
    expect(unknown).toEqual([]);
  });

  it("name no file outside the repository", () => {
    for (const file of docs) {
      const text = readFileSync(join(root, file), "utf8");
      expect(text, file).not.toMatch(
        /\.\.\/shared|shared\/sources|shared notes|closing notes? of issues?|issues? \d+/i,
      );
    }
  });
});

/** Commands of docs/bi.md, each proven by the BI tests against a hub of their own. */
const PROVEN_BY_BI_TESTS = [
  /^curl 'http:\/\/localhost:4000\/graphql\?/, // test/http/bi-http.test.ts: GET and CSV answers
  /npm run bi:role -- /, // test/bi/sql-access.test.ts: roles created, listed, dropped
  /^psql /, // test/bi/sql-access.test.ts: what a role and the embedded socket may read
  /^SQL_PORT=\d+ npm start$/, // test/bi/sql-access.test.ts: the embedded database over the protocol
];

/** Commands of docs/partners.md: they need a key, and the access tests prove them with one. */
const PROVEN_BY_ACCESS_TESTS = [
  /^npm run keys -- /, // src/access/cli.ts, exercised by the key tests
  /^curl -H "Authorization: Bearer /, // test/http/caller.test.ts, test/http/submissions.test.ts
];

/** The commands this test runs, as the docs write them. */
const RUN_HERE = [
  /^npm run ingest -- --status$/,
  /^npm run ingest -- [\w.-]+ --from-file \S+( --resource \S+)?$/,
];

describe("the documented ingest commands, offline", () => {
  const dir = mkdtempSync(join(tmpdir(), "hublot-docs-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const env = {
    ...process.env,
    PGLITE_DIR: join(dir, "pglite"),
    DATABASE_URL: "",
    LOG_LEVEL: "warn",
    LOG_FORMAT: "json",
  };
  /** The files the docs' commands name, as fixtures of the same format. */
  const files: Record<string, string> = {
    "saved.xml": join(root, "test/fixtures/insee-bdm/taux-chomage-r93-d13.xml"),
    "path/to/file.csv": join(root, "docs/partner-csv-example.csv"),
  };
  const documented = docs.flatMap(commands).filter((c) => RUN_HERE.some((r) => r.test(c)));

  it("runs each as written", { timeout: 240_000 }, async () => {
    expect(documented.length).toBeGreaterThanOrEqual(3);
    // A partner-file command replaces one file of a manifest: give it one, listing the key it names.
    writeFileSync(
      join(dir, "manifest.json"),
      JSON.stringify({ files: [{ key: "example", partner: "AMP", location: files["path/to/file.csv"] }] }),
    );
    for (const command of documented) {
      const args = command
        .replace(/^npm run ingest -- /, "")
        .split(" ")
        .map((a) => files[a] ?? (a === "<key>" ? "example" : a));
      const { stdout } = await run("npx", ["tsx", "ingest/cli.ts", ...args], {
        cwd: root,
        env: { ...env, INGEST_PARTNER_CSV_BASE_URL: `file://${dir}` },
      });
      if (args.includes("--status")) expect(stdout).toMatch(/insee-bdm\.unemployment-rate/);
      else expect(stdout, command).toMatch(/: (success|unchanged) in \d+ ms/);
    }
  });
});
