/**
 * Crashes, for real: a child process (test/support/ingest-child.ts) runs a stream of INVENTED values
 * against a database on disk (or a PostgreSQL database) and is killed at a chosen point. The lease TTL is
 * one second here (a minute in production, `INGEST_LEASE_TTL_MS`), so "runs again within two minutes"
 * is checked as "runs again once the TTL has passed", in seconds.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunSummary } from "../../../ingest/core/runner";
import { type Database, selectRows } from "../../../src/db/client";
import { createSharedTestDatabase, type SharedTestDatabase } from "../../support/db";

const CHILD = join(import.meta.dirname, "../../support/ingest-child.ts");
const LEASE_MS = 1_000;
/** Enough quarters that the load's transaction lasts well past the kill (INVENTED values). */
const QUARTERS = 6_000;
/** Each test starts three processes that open the database: slow on a shared, loaded machine. */
const SLOW = 240_000;

let shared: SharedTestDatabase;
let payloadDir: string;
let children: ChildProcess[] = [];

beforeEach(async () => {
  shared = await createSharedTestDatabase();
  payloadDir = mkdtempSync(join(tmpdir(), "hublot-crash-"));
  const values = Array.from({ length: QUARTERS }, (_, i) => [
    `${1000 + Math.floor(i / 4)}-Q${(i % 4) + 1}`,
    i,
  ]);
  writeFileSync(join(payloadDir, "payload.json"), JSON.stringify({ values }));
});
afterEach(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await Promise.all(children.map(exited));
  children = [];
  await shared.dispose();
  rmSync(payloadDir, { recursive: true, force: true });
});

interface Child {
  process: ChildProcess;
  /** Resolves with the first stdout line that `match` accepts. */
  line(match: (line: string) => boolean): Promise<string>;
}

function start(mode: string): Child {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, mode], {
    env: {
      ...process.env,
      ...shared.childEnv,
      HUBLOT_CHILD_PAYLOAD: join(payloadDir, "payload.json"),
      HUBLOT_CHILD_LEASE_MS: String(LEASE_MS),
      LOG_LEVEL: "silent",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  const lines: string[] = [];
  const waiters: { match: (l: string) => boolean; resolve: (l: string) => void }[] = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (l) => {
    lines.push(l);
    for (const w of waiters.filter((x) => x.match(l))) w.resolve(l);
  });
  return {
    process: child,
    line: (match) =>
      new Promise((resolve, reject) => {
        const seen = lines.find(match);
        if (seen) return resolve(seen);
        waiters.push({ match, resolve });
        child.once("exit", (code, signal) =>
          setImmediate(() => reject(new Error(`child ${mode} exited (${code ?? signal}) without the line`))),
        );
      }),
  };
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

const summaryOf = (line: string) => JSON.parse(line) as RunSummary;
const isSummary = (line: string) => line.startsWith("{");

async function inspect<T>(fn: (database: Database) => Promise<T>): Promise<T> {
  const database = await shared.open();
  try {
    return await fn(database);
  } finally {
    await database.close();
  }
}

const counts = (database: Database) =>
  selectRows<{ loaded: number; derived: number }>(
    database.db,
    sql`select (select count(*)::int from observations o join series s on s.id = o.series_id
                 where s.measure = 'crash_invented') as loaded,
               (select count(*)::int from observations o join series s on s.id = o.series_id
                 where s.measure = 'crash_derived') as derived`,
  ).then((rows) => rows[0]);
const runs = (database: Database) =>
  selectRows<{ status: string; trigger: string }>(
    database.db,
    sql`select status, trigger from ingest_runs where stream_id = 'crash.fake' order by id`,
  );

describe("an ingest killed with SIGKILL", () => {
  it("mid-load leaves no row of the resource, and the stream runs again once its lease expires", {
    timeout: SLOW,
  }, async () => {
    const loading = start("load");
    await loading.line((l) => l === "converted");
    await new Promise((r) => setTimeout(r, 30));
    loading.process.kill("SIGKILL");
    await exited(loading.process);
    const killedAt = Date.now();
    expect(loading.process.signalCode).toBe("SIGKILL");
    await inspect(async (database) => {
      expect(await counts(database)).toEqual({ loaded: 0, derived: 0 });
      expect(await runs(database)).toEqual([{ status: "running", trigger: "test" }]);
    });

    const retrying = start("retry");
    const rerun = summaryOf(await retrying.line(isSummary));
    await exited(retrying.process);
    expect(rerun, String(rerun.error)).toMatchObject({ status: "success", rowsInserted: QUARTERS });
    // The hub's retry check picked it up as soon as the TTL allowed, not after a half-hour lease.
    expect(Date.now() - killedAt).toBeLessThan(120_000);
    await inspect(async (database) => {
      expect(await counts(database)).toEqual({ loaded: QUARTERS, derived: QUARTERS });
      expect(await runs(database)).toEqual([
        { status: "interrupted", trigger: "test" },
        { status: "success", trigger: "retry" },
      ]);
    });
  });

  it("mid-derive keeps the committed load, loses no derived series: the rerun derives them all", {
    timeout: SLOW,
  }, async () => {
    const deriving = start("derive");
    await deriving.line((l) => l === "deriving");
    deriving.process.kill("SIGKILL");
    await exited(deriving.process);
    await inspect(async (database) => {
      expect(await counts(database)).toEqual({ loaded: QUARTERS, derived: 0 });
    });

    const retrying = start("retry");
    const rerun = summaryOf(await retrying.line(isSummary));
    await exited(retrying.process);
    // The payload is the one already loaded, yet the derive it owes runs.
    expect(rerun.status).toBe("unchanged");
    await inspect(async (database) => {
      expect(await counts(database)).toEqual({ loaded: QUARTERS, derived: QUARTERS });
      const [state] = await selectRows<{ derive_pending: boolean }>(
        database.db,
        sql`select derive_pending from stream_state where stream_id = 'crash.fake'`,
      );
      expect(state?.derive_pending).toBe(false);
    });
  });
});

describe("the hub stopped with SIGTERM during a run", () => {
  it("releases the lease, records the run interrupted, and the next start runs it", {
    timeout: SLOW,
  }, async () => {
    const hub = start("hub");
    await hub.line((l) => l === "downloading");
    hub.process.kill("SIGTERM");
    await exited(hub.process);
    expect(hub.process.exitCode).toBe(0);
    await inspect(async (database) => {
      const [state] = await selectRows<{ lease_owner: string | null; next_attempt_at: Date | null }>(
        database.db,
        sql`select lease_owner, next_attempt_at from stream_state where stream_id = 'crash.fake'`,
      );
      expect(state?.lease_owner).toBeNull();
      expect(state?.next_attempt_at).not.toBeNull();
      const [run] = await selectRows<{ status: string; error: string }>(
        database.db,
        sql`select status, error from ingest_runs where stream_id = 'crash.fake'`,
      );
      expect(run).toEqual({ status: "interrupted", error: "interrupted: the hub received SIGTERM" });
    });

    // The stream's cron is a year away: the next start runs it because the last run was interrupted.
    const next = start("start");
    const rerun = summaryOf(await next.line(isSummary));
    await exited(next.process);
    expect(rerun, String(rerun.error)).toMatchObject({ status: "success", rowsInserted: QUARTERS });
  });
});
