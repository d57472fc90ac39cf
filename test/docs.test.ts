/**
 * The docs are true: every GraphQL query in README.md and docs/*.md runs without errors on a hub holding
 * the connectors' fixtures, and every shell command runs here, offline, as written (the files, keys and
 * hosts it names replaced by the test's own, the sources by a local server of their recordings), but the
 * few listed with the place that proves them. A command added to the docs that is in neither fails.
 */
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "./support/db";
import { loadFixtureData, serveFixtureSources } from "./support/fixture-data";
import { graphqlOn } from "./support/graphql";

const root = join(import.meta.dirname, "..");
const docs = [
  "README.md",
  ...readdirSync(join(root, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];

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

/** Shell commands: lines of sh blocks, and `npm run …` (with its variables) written inline in the prose. */
function commands(file: string): string[] {
  const fenced = blocks(file)
    .filter((b) => b.lang === "sh" || b.lang === "bash")
    .flatMap((b) => b.text.replace(/\\\n\s*/g, " ").split("\n"))
    .map((l) => l.replace(/\s+#.*$/, "").trim())
    .filter((l) => l && !l.startsWith("#"));
  const prose = readFileSync(join(root, file), "utf8")
    .replace(/^```[\s\S]*?^```/gm, "")
    .replace(/\n/g, " ");
  const inline = [...prose.matchAll(/`((?:[A-Z_]+=\S+ )*npm (?:run|test|start|install)[^`]*)`/g)].map((m) =>
    m[1].replace(/\s+/g, " ").trim(),
  );
  return [...fenced, ...inline];
}

/**
 * Commands this test does not run, and where each is proven instead: CI installs and runs the suite, the
 * benches are benches, generating a migration or the schema is a developer's step that tests check.
 */
const PROVEN_ELSEWHERE: Record<string, string> = {
  "npm install && npm start": ".ci/run installs from scratch; this test runs npm start",
  "npm test": ".ci/run runs it on PGlite",
  "DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm test": ".ci/run runs it on the PostgreSQL server",
  "npm run schema:emit": "test/graphql/schema.test.ts fails when the emitted schema and the code disagree",
  "npm run bench": "a benchmark, run by hand (its figures go in closing notes)",
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
        .filter((c) => !(c in PROVEN_ELSEWHERE) && !STEPS.some((step) => step.matches.test(c)))
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

/** What a documented command printed, and how it exited. */
interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** What one command leaves for the next: the key it created, the role's password. */
interface State {
  token?: string;
  keyId?: string;
  rolePassword?: string;
}

/**
 * When a command runs: `cli` on the data directory with no hub open on it (PGlite has one writer),
 * `hub` while the documented `npm start` serves it, `after` once it stopped, `sql` while
 * `SQL_PORT=… npm start` serves the embedded database over the wire, `postgres` on a PostgreSQL
 * database of the test's own (only in the run on PostgreSQL: what these commands need).
 */
type Phase = "cli" | "hub" | "after" | "sql" | "postgres";
const PHASES: Phase[] = ["cli", "hub", "after", "sql", "postgres"];

interface Step {
  /** The documented commands this step runs: every command of the docs that it matches. */
  matches: RegExp;
  phase: Phase;
  /** The command starts the hub that the phase's other commands talk to. */
  serves?: true;
  check?(result: Result, state: State): void;
}

/** The id opening the key line printed just before the line that starts with `marker` (npm prints a banner first). */
const keyIdBefore = (stdout: string, marker: string): string | undefined => {
  const lines = stdout.split("\n");
  const at = lines.findIndex((l) => l.startsWith(marker));
  return at > 0 ? lines[at - 1].trim().split(/\s+/)[0] : undefined;
};

const json = (r: Result) => {
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};

/** Every documented shell command but PROVEN_ELSEWHERE's, in the order a user would run them. */
const STEPS: Step[] = [
  {
    matches: /^npm run ingest -- --status$/,
    phase: "cli",
    check: (r) => expect(r.stdout, r.stderr).toMatch(/insee-bdm\.unemployment-rate/),
  },
  {
    matches: /^npm run ingest -- all$/,
    phase: "cli",
    check: (r) => {
      // Some fixtures are recordings of another territory or of nothing to load: `all` says so and exits 1.
      expect([0, 1]).toContain(r.code);
      expect(r.stdout).toMatch(/insee-bdm\.unemployment-rate: success in \d+ ms/);
      expect(r.stdout).toMatch(/^\d+ streams: /m);
    },
  },
  {
    matches: /^npm run ingest -- urssaf --force$/,
    phase: "cli",
    // Forced: the unchanged export of `all` is converted and loaded again, not skipped by its hash.
    check: (r) =>
      expect(r.stdout).toMatch(
        /urssaf\.commune-ape: success in \d+ ms — 0 inserted, 0 updated, \d+ unchanged/,
      ),
  },
  {
    matches: /^npm run ingest -- [\w.-]+ --from-file \S+( --resource \S+)?$/,
    phase: "cli",
    check: (r) => {
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/: (success|unchanged) in \d+ ms/);
    },
  },
  {
    matches: /^npm run ingest -- partner-csv$/,
    phase: "cli",
    check: (r) => expect(r.stdout).toMatch(/partner-csv\.files: (success|unchanged) in \d+ ms/),
  },
  {
    matches: /^npm run ingest -- \S+ --accept-held$/,
    phase: "cli",
    // Nothing is held here: the stream runs as usual and says so.
    check: (r) => {
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/insee-bdm\.unemployment-rate: (success|unchanged) in \d+ ms/);
    },
  },
  {
    matches: /^npm run keys -- create /,
    phase: "cli",
    check: (r, state) => {
      expect(r.code, r.stdout + r.stderr).toBe(0);
      state.token = /token \(shown once, store it now\): (\S+)/.exec(r.stdout)?.[1];
      state.keyId = keyIdBefore(r.stdout, "token (shown once");
      expect(state.token).toMatch(/^hub_/);
      expect(state.keyId).toMatch(/\w{6,}/);
    },
  },
  {
    matches: /^npm run keys -- list$/,
    phase: "cli",
    check: (r, state) => expect(r.stdout).toContain(state.keyId),
  },
  { matches: /^npm start$/, phase: "hub", serves: true },
  {
    matches: /^curl 'http:\/\/localhost:4000\/graphql\?query=/,
    phase: "hub",
    check: (r) =>
      expect(json(r).data?.indicator?.latest, r.stdout).toMatchObject({ value: expect.any(Number) }),
  },
  {
    matches: /^curl 'http:\/\/localhost:4000\/graphql\?format=csv/,
    phase: "hub",
    check: (r) => {
      const lines = r.stdout.trim().split(/\r?\n/);
      expect(lines.length).toBe(93); // a header and the 92 communes
      expect(r.stdout).toMatch(/COM-13055,Marseille,\d+/);
    },
  },
  {
    matches: /^curl -H "Authorization: Bearer hub_/,
    phase: "hub",
    check: (r) =>
      expect(json(r).data.viewer).toMatchObject({ role: "PARTNER", partner: { code: "ORG_AGAM" } }),
  },
  {
    matches: /^curl -H "Authorization: Bearer \$KEY" .*dryRun=true"$/,
    phase: "hub",
    check: (r) => expect(json(r).data).toMatchObject({ dryRun: true, observations: 2 }),
  },
  {
    matches: /^curl -H "Authorization: Bearer \$KEY" .*\?name=/,
    phase: "hub",
    check: (r) =>
      expect(json(r).data).toMatchObject({ dryRun: false, run: { status: "success", rowsInserted: 2 } }),
  },
  {
    matches: /^npm run keys -- rotate <id>$/,
    phase: "after",
    check: (r, state) => {
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const replaced = state.keyId;
      state.keyId = keyIdBefore(r.stdout, "token (shown once");
      expect(r.stdout).toContain(`${replaced} revoked, replaced by:`);
      expect(state.keyId).not.toBe(replaced);
    },
  },
  {
    matches: /^npm run keys -- revoke <id>$/,
    phase: "after",
    check: (r, state) => expect(r.stdout).toMatch(new RegExp(`^${state.keyId} .* revoked `, "m")),
  },
  { matches: /^SQL_PORT=\d+ npm start$/, phase: "sql", serves: true },
  {
    matches: /^psql -h 127\.0\.0\.1 -p \d+ -U postgres /,
    phase: "sql",
    check: (r) => {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/unemployment_rate/);
    },
  },
  {
    matches: /^DATABASE_URL=postgres:\/\/user:password@host:5432\/hublot npm start$/,
    phase: "postgres",
    serves: true,
  },
  {
    matches: /bi:role -- create ORG_AGAM$/,
    phase: "postgres",
    check: (r, state) => {
      expect(r.code, r.stderr).toBe(0);
      state.rolePassword = /its password \(shown once\):\n(\S+)/.exec(r.stdout)?.[1];
      expect(state.rolePassword).toBeTruthy();
    },
  },
  {
    matches: /^npm run bi:role -- list$/,
    phase: "postgres",
    check: (r) => expect(r.stdout).toMatch(/^bi_org_agam\t/m),
  },
  {
    matches: /^psql 'postgres:\/\/bi_org_agam@/,
    phase: "postgres",
    check: (r) => {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^\s*\d+\s*$/m);
    },
  },
  {
    matches: /^npm run bi:role -- drop bi_org_agam$/,
    phase: "postgres",
    check: (r) => expect(r.stdout).toContain("role bi_org_agam dropped"),
  },
];

const freePort = () =>
  new Promise<number>((resolvePort) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolvePort(port));
    });
  });

/** Runs a command line as a shell would, from the repository's root. */
const shell = (command: string, env: NodeJS.ProcessEnv): Promise<Result> =>
  new Promise((resolveRun) => {
    execFile(
      "sh",
      ["-c", command],
      { cwd: root, env, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => resolveRun({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });

/** Starts a documented `npm start` and waits until the hub is ready; `stop()` sends what a supervisor sends. */
async function serve(command: string, env: NodeJS.ProcessEnv, base: string) {
  const child = spawn("sh", ["-c", command], {
    cwd: root,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const collect = (d: Buffer) => {
    output += d;
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  let exited = false;
  const exit = new Promise<void>((done) =>
    child.once("exit", () => {
      exited = true;
      done();
    }),
  );
  const group = (signal: NodeJS.Signals) => {
    try {
      process.kill(-(child.pid ?? 0), signal);
    } catch {
      // already gone
    }
  };
  const alive = () => {
    try {
      process.kill(-(child.pid ?? 0), 0);
      return true;
    } catch {
      return false;
    }
  };
  // Until every process of the group is gone: the shell exits first, and the next command may open
  // the same embedded database only once the hub has closed it.
  const stop = async () => {
    group("SIGTERM");
    const kill = setTimeout(() => group("SIGKILL"), 15_000);
    await exit;
    while (alive()) await new Promise((r) => setTimeout(r, 100));
    clearTimeout(kill);
  };
  for (const deadline = Date.now() + 120_000; ; ) {
    if (exited) throw new Error(`${command} exited before it was ready:\n${output}`);
    const ready = await fetch(`${base}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${command} was not ready after 120 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe("the documented commands, run as written", () => {
  const dir = mkdtempSync(join(tmpdir(), "hublot-docs-"));
  const onPostgres = Boolean(process.env.DATABASE_URL);
  let fixtures: Awaited<ReturnType<typeof serveFixtureSources>>;
  let postgresDb: TestDatabase | undefined;
  beforeAll(async () => {
    fixtures = await serveFixtureSources();
    if (onPostgres) {
      postgresDb = await createTestDatabase();
      // Roles belong to the server, not to a database: one left by an interrupted run would refuse the create.
      await postgresDb.db.execute(sql.raw("drop role if exists bi_org_agam")).catch(() => undefined);
    }
    // A partner's file, as docs/partners.md sends it (INVENTED values, in the measures of its own name).
    writeFileSync(
      join(dir, "bureaux.csv"),
      [
        "# INVENTED values: the docs test's example of a partner submission",
        "template_version,indicator_code,territory_code,measure,breakdown,period,value,unit,obs_status,reference_date,source_url,comment",
        "1,office_space_produced,EPCI-200054807,agam_office_space_delivered,,2024,1000,m2,P,,,invented",
        "1,office_space_produced,COM-13001,agam_office_space_delivered,,2024,200,m2,P,,,invented",
        "",
      ].join("\n"),
    );
  });
  afterAll(async () => {
    await fixtures?.close();
    await postgresDb?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The files and placeholders the docs' commands name, replaced by what this test has. */
  const files: Record<string, string> = {
    "saved.xml": join(root, "test/fixtures/insee-bdm/taux-chomage-r93-d13.xml"),
    "path/to/file.csv": join(root, "docs/partner-csv-example.csv"),
  };
  const documented = [...new Set(docs.flatMap(commands))].filter((c) => !(c in PROVEN_ELSEWHERE));

  it("runs every one, each answering what the docs say", { timeout: 600_000 }, async () => {
    const state: State = {};
    const ran = new Set<string>();
    const hubPort = await freePort();
    const sqlPort = await freePort();
    const base = `http://127.0.0.1:${hubPort}`;
    const postgresUrl = postgresDb?.url ?? "";
    const env = (phase: Phase): NodeJS.ProcessEnv => ({
      ...process.env,
      ...fixtures.env,
      PGLITE_DIR: join(dir, "pglite"),
      DATABASE_URL: phase === "postgres" ? postgresUrl : "",
      PORT: String(hubPort),
      HOST: "127.0.0.1",
      INGEST_ON_START: "off",
      INGEST_SCHEDULE: "off",
      LOG_LEVEL: "warn",
      LOG_FORMAT: "json",
      KEY: state.token ?? "",
      PGPASSWORD: state.rolePassword ?? "",
    });
    const substitute = (command: string) =>
      command
        .replaceAll("http://localhost:4000", base)
        .replace(/hub_k3x9…_…/, state.token ?? "")
        .replaceAll("<id>", state.keyId ?? "")
        .replaceAll("<stream>", "insee-bdm.unemployment-rate")
        .replaceAll("<key>", "partner-csv-example")
        .replace("--name …", '--name "docs test"')
        .replace(/postgres:\/\/(admin@db|user:password@host):5432\/hublot/, postgresUrl)
        .replace(
          /postgres:\/\/bi_org_agam@db:5432\/hublot/,
          postgresUrl.replace(/\/\/[^/]*@/, "//bi_org_agam@"),
        )
        .replace(/SQL_PORT=\d+/, `SQL_PORT=${sqlPort}`)
        .replace(/ -p \d+ /, ` -p ${sqlPort} `)
        .replace("@bureaux.csv", `@${join(dir, "bureaux.csv")}`)
        .split(" ")
        .map((word) => files[word] ?? word)
        .join(" ");

    for (const phase of PHASES) {
      if (phase === "postgres" && !onPostgres) continue;
      let hub: Awaited<ReturnType<typeof serve>> | undefined;
      try {
        for (const step of STEPS.filter((s) => s.phase === phase)) {
          for (const command of documented.filter((c) => step.matches.test(c))) {
            ran.add(command);
            if (step.serves) hub = await serve(substitute(command), env(phase), base);
            else step.check?.(await shell(substitute(command), env(phase)), state);
          }
        }
      } finally {
        await hub?.stop();
      }
    }
    // Each documented command ran, but those only PostgreSQL can run, in the run on PGlite.
    const postgresOnly = (c: string) => STEPS.some((s) => s.phase === "postgres" && s.matches.test(c));
    expect(documented.filter((c) => !ran.has(c) && (onPostgres || !postgresOnly(c)))).toEqual([]);
    expect(ran.size).toBeGreaterThanOrEqual(20);
  });
});
