/**
 * `npm run ingest` while a hub runs on the same database, as an operator does it: the hub (`src/main.ts`)
 * and the CLI (`ingest/cli.ts`) are two processes. On PGlite (one process per directory) the CLI hands
 * the command to the hub that holds the directory and prints what it streams back; on PostgreSQL both
 * write, the leases keep them apart. Either way the hub answers the new rows at once, without a restart,
 * and the database is whole afterwards. The payload is the invented URSSAF export fixture.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { selectRows } from "../../src/db/client";
import { HOLDER_FILE, readHolder } from "../../src/db/holder";
import { createSharedTestDatabase, type SharedTestDatabase } from "../support/db";

const root = join(import.meta.dirname, "../..");
/** Every number in it is INVENTED; only its columns and format are URSSAF's. */
const EXPORT = join(root, "test/fixtures/urssaf/commune-ape-export-invented-values.csv");
const COUNT_QUERY = '{ seriesList(filter: { territory: "COM-13001" }) { totalCount } }';

const freePort = () =>
  new Promise<number>((resolvePort) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolvePort(port));
    });
  });

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

let shared: SharedTestDatabase;
let scratch: string;
let env: NodeJS.ProcessEnv;
let hub: ChildProcess | undefined;
let hubExit: Promise<number | null> | undefined;
const pgliteDir = () => shared.childEnv.HUBLOT_CHILD_PGLITE_DIR;

beforeEach(async () => {
  shared = await createSharedTestDatabase();
  scratch = mkdtempSync(join(tmpdir(), "hublot-cli-"));
  env = {
    ...process.env,
    PGLITE_DIR: pgliteDir() ?? join(scratch, "unused-pglite"),
    DATABASE_URL: shared.childEnv.HUBLOT_CHILD_DATABASE_URL ?? "",
    RAW_ARCHIVE_DIR: join(scratch, "raw"),
    HOST: "127.0.0.1",
    INGEST_ON_START: "off",
    INGEST_SCHEDULE: "off",
    LOG_LEVEL: "warn",
    LOG_FORMAT: "json",
  };
});

afterEach(async () => {
  if (hub && hub.exitCode === null) {
    hub.kill("SIGTERM");
    await hubExit;
  }
  hub = undefined;
  await shared.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

const cli = (...args: string[]): Promise<Result> =>
  new Promise((done) => {
    execFile(
      process.execPath,
      ["--import", "tsx", join(root, "ingest/cli.ts"), ...args],
      { cwd: root, env, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });

/** `npm start` in a child, resolved once it answers /healthz. */
async function startHub(): Promise<string> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", join(root, "src/main.ts")], {
    cwd: root,
    env: { ...env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => {
    output += d;
  });
  child.stderr?.on("data", (d: Buffer) => {
    output += d;
  });
  hub = child;
  hubExit = new Promise((done) => child.once("exit", (code) => done(code)));
  const base = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 600; attempt++) {
    if (child.exitCode !== null) throw new Error(`the hub exited ${child.exitCode}: ${output}`);
    const ok = await fetch(`${base}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    // Listening is not yet holding: the holder file gets its port right after.
    if (ok && (!pgliteDir() || readHolder(pgliteDir() ?? "")?.port === port)) return base;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the hub did not start: ${output}`);
}

const seriesCount = async (base: string) => {
  const response = await fetch(`${base}/graphql?query=${encodeURIComponent(COUNT_QUERY)}`);
  const body = (await response.json()) as { data: { seriesList: { totalCount: number } } };
  return body.data.seriesList.totalCount;
};

describe("npm run ingest while the hub runs on the same database", () => {
  it("loads through the hub's single writer, which answers the new rows at once", {
    timeout: 180_000,
  }, async () => {
    const base = await startHub();
    const before = await seriesCount(base);

    const run = await cli("urssaf.commune-ape", "--from-file", EXPORT);

    expect(run.code, run.stdout + run.stderr).toBe(0);
    const inserted = Number(/urssaf\.commune-ape: success in \d+ ms — (\d+) inserted/.exec(run.stdout)?.[1]);
    expect(inserted).toBeGreaterThan(0);
    if (pgliteDir()) expect(run.stderr).toMatch(/the hub \(pid \d+\) holds .*; it runs the command/);
    // Without a restart: the same hub process answers the rows the CLI asked for.
    expect(await seriesCount(base)).toBeGreaterThan(before);

    hub?.kill("SIGTERM");
    expect(await hubExit).toBe(0);
    if (pgliteDir()) expect(readHolder(pgliteDir() ?? "")).toBeNull();
    // The directory opens and holds exactly what the run reported.
    const database = await shared.open();
    try {
      const [row] = await selectRows<{ n: string }>(
        database.db,
        sql`select count(*)::text as n from observations o join ingest_runs r on r.id = o.run_id
            where r.stream_id = 'urssaf.commune-ape'`,
      );
      expect(Number(row?.n)).toBeGreaterThanOrEqual(inserted);
      const [check] = await selectRows<{ ok: boolean }>(
        database.db,
        sql`select count(*) > 0 as ok from series`,
      );
      expect(check?.ok).toBe(true);
    } finally {
      await database.close();
    }
  });

  it("refuses a directory another live ingest holds, saying what to do", async () => {
    const dir = pgliteDir();
    if (!dir) return; // PostgreSQL has many writers: nothing to refuse
    // This test's own process stands for the other ingest: alive, and not the CLI.
    writeFileSync(
      join(dir, HOLDER_FILE),
      JSON.stringify({
        pid: process.pid,
        kind: "ingest",
        port: null,
        token: null,
        since: new Date().toISOString(),
      }),
    );
    const run = await cli("urssaf.commune-ape", "--from-file", EXPORT);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/held by `npm run ingest` \(pid \d+\): wait for it to finish/);
  });

  it("takes over a holder whose process is dead", { timeout: 120_000 }, async () => {
    const dir = pgliteDir();
    if (!dir) return;
    const dead = spawn(process.execPath, ["-e", ""]);
    await new Promise((r) => dead.once("exit", r));
    writeFileSync(
      join(dir, HOLDER_FILE),
      JSON.stringify({
        pid: dead.pid,
        kind: "hub",
        port: 1,
        token: "x".repeat(64),
        since: new Date().toISOString(),
      }),
    );
    const run = await cli("urssaf.commune-ape", "--from-file", EXPORT);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/urssaf\.commune-ape: success/);
    expect(readHolder(dir)).toBeNull();
  });
});
