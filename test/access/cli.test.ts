/**
 * `npm run keys` on the embedded database: PGlite is one process's database, so while a hub holds the
 * directory the command refuses and says what to do, instead of opening it beside the hub; once no one
 * holds it, it runs and holds the directory itself until it is done.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HOLDER_FILE, readHolder } from "../../src/db/holder";

const root = join(import.meta.dirname, "../..");

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

const keys = (dir: string, ...args: string[]): Promise<Result> =>
  new Promise((done) => {
    execFile(
      process.execPath,
      ["--import", "tsx", join(root, "src/access/cli.ts"), ...args],
      { cwd: root, env: { ...process.env, PGLITE_DIR: dir, DATABASE_URL: "", LOG_LEVEL: "warn" } },
      (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });

describe("npm run keys on the embedded database", () => {
  let dir: string;
  let hub: ChildProcess | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "hublot-keys-"));
  });
  afterEach(async () => {
    const other = hub;
    hub = undefined;
    if (other && other.exitCode === null && other.signalCode === null) {
      other.kill("SIGKILL");
      await new Promise((r) => other.once("exit", r));
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses a directory a running hub holds, saying to stop it, and leaves the holder as it was", async () => {
    // A live process stands for the hub: what matters is that it is alive and is not the CLI.
    hub = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"]);
    const holder = {
      pid: hub.pid,
      kind: "hub",
      port: 1,
      token: "x".repeat(64),
      since: new Date().toISOString(),
    };
    writeFileSync(join(dir, HOLDER_FILE), JSON.stringify(holder));

    const run = await keys(dir, "list");
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/held by a running hub \(pid \d+\): stop it first/);
    expect(run.stderr).toContain("createApiKey");
    expect(readHolder(dir)).toEqual(holder);
  });

  it("runs on a directory no one holds, and lets go of it when done", { timeout: 120_000 }, async () => {
    const run = await keys(dir, "list");
    expect(run.code, run.stderr).toBe(0);
    expect(readHolder(dir)).toBeNull();
  });
});
