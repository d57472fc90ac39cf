import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import type { FastifyInstance } from "fastify";
import { type Db, migrationsFolder, selectRows } from "../db/client";
import { loggerFor } from "../logger";

const log = loggerFor("http");

/** How long /readyz waits for the database before answering 503. */
const READY_TIMEOUT_MS = 3_000;

/** How many migrations this build ships: the entries of drizzle's journal, read once. */
export function expectedMigrationCount(): number {
  const journal = JSON.parse(readFileSync(join(migrationsFolder, "meta", "_journal.json"), "utf8")) as {
    entries: unknown[];
  };
  return journal.entries.length;
}

/** The PostgreSQL error code of an error or of one of its causes (drizzle wraps driver errors). */
function pgCode(error: unknown): string | undefined {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

type Readiness = { ready: true; applied: number; expected: number } | { ready: false; reason: string };

/**
 * Ready when the database answers and holds every migration of this build: drizzle's migrator records
 * one row per applied migration in drizzle.__drizzle_migrations (the same table for PGlite and
 * postgres.js). More rows than the journal means a newer build migrated it; this one can still serve.
 */
async function checkReadiness(db: Db, expected: number): Promise<Readiness> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("timeout")), READY_TIMEOUT_MS);
  });
  try {
    const rows = await Promise.race([
      selectRows<{ applied: number | string }>(
        db,
        sql`select count(*)::int as applied from drizzle.__drizzle_migrations`,
      ),
      timeout,
    ]);
    const applied = Number(rows[0]?.applied ?? 0);
    if (applied < expected) {
      return { ready: false, reason: `migrations not applied: ${applied} of ${expected}` };
    }
    return { ready: true, applied, expected };
  } catch (error) {
    // 42P01: no such table, 3F000: no such schema — the migrator never ran on this database.
    const code = pgCode(error);
    if (code === "42P01" || code === "3F000") {
      return { ready: false, reason: `migrations not applied: 0 of ${expected}` };
    }
    log.warn({ err: error }, "readiness check failed");
    return {
      ready: false,
      reason:
        error instanceof Error && error.message === "timeout"
          ? `database did not answer within ${READY_TIMEOUT_MS} ms`
          : "database unreachable",
    };
  } finally {
    clearTimeout(timer);
  }
}

/** `/healthz`: the process is up. `/readyz`: the database answers and holds every migration. */
export function registerHealth(app: FastifyInstance, db: Db): void {
  const expected = expectedMigrationCount();
  app.get("/healthz", async (_request, reply) =>
    reply.header("cache-control", "no-store").send({ status: "ok" }),
  );
  app.get("/readyz", async (_request, reply) => {
    const readiness = await checkReadiness(db, expected);
    reply.header("cache-control", "no-store");
    if (readiness.ready) {
      const { applied } = readiness;
      return reply.send({ status: "ready", migrations: { applied, expected } });
    }
    return reply.code(503).send({ status: "not ready", reason: readiness.reason });
  });
}
