import { existsSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { describeTally, tallyRuns } from "../ingest/core/run-tally";
import type { RunSummary } from "../ingest/core/runner";
import { startScheduler } from "../ingest/core/scheduler";
import type { SourceDefinition } from "../ingest/core/types";
import { sources } from "../ingest/registry";
import { startSqlServer } from "./bi/sql-server";
import { DatabaseConnectionError, type Driver, openDatabase } from "./db/client";
import { watchDataVersion } from "./db/data-version";
import { DirectoryHeldError, holdDirectory, liveHolder, newAdminToken } from "./db/holder";
import { seedOfInstall } from "./db/seed";
import { type Env, EnvError, parseEnv, queryLimitsOf } from "./env";
import { memoryResponseCache, redisResponseCache } from "./http/cache/response-cache";
import { buildHttpApp, type HttpOptions } from "./http/server";
import { loggerFor } from "./logger";
import { prepareDatabase } from "./startup";

const log = loggerFor("main");

async function main(): Promise<void> {
  const started = performance.now();
  const env = parseEnv();
  // One process per embedded directory: held before it is opened, released when the process exits.
  const embedded = !env.DATABASE_URL && !env.PGLITE_DIR.startsWith("memory://");
  const adminToken = embedded ? newAdminToken() : undefined;
  if (embedded) {
    const holder = liveHolder(env.PGLITE_DIR);
    if (holder) throw new DirectoryHeldError(env.PGLITE_DIR, holder.kind, holder.pid);
  }
  let release = embedded ? holdDirectory(env.PGLITE_DIR, { kind: "hub", port: null, token: null }) : () => {};
  process.once("exit", () => release());
  // A new embedded directory starts from the install's seed (src/db/seed.ts), not from PGlite's initdb.
  const fresh = embedded && !existsSync(join(env.PGLITE_DIR, "PG_VERSION"));
  const database = await openDatabase({
    url: env.DATABASE_URL,
    pgliteDir: env.PGLITE_DIR,
    statementTimeoutMs: env.PG_STATEMENT_TIMEOUT_MS,
    pgliteSnapshot: fresh
      ? await seedOfInstall((message, error) => log.warn({ err: error }, message))
      : undefined,
  });
  const report = await prepareDatabase(database);
  const dataVersion = await watchDataVersion(database);
  const app = await buildHttpApp(database.db, {
    corsOrigins: env.CORS_ORIGINS,
    dataVersion,
    cache: env.REDIS_URL ? redisResponseCache(env.REDIS_URL) : memoryResponseCache(),
    queryLimits: queryLimitsOf(env),
    load: loadOptions(env, database.driver),
    adminIngest: adminToken
      ? {
          token: adminToken,
          leaseMs: env.INGEST_LEASE_TTL_MS,
          resourceDeadlineMs: env.INGEST_RESOURCE_DEADLINE_MS,
        }
      : undefined,
  });
  const sqlServer = env.SQL_PORT ? await startSqlServer(database, env.SQL_PORT) : undefined;
  if (sqlServer) log.info(`the embedded database answers SQL on 127.0.0.1:${sqlServer.port} (docs/bi.md)`);
  try {
    await app.listen({ port: env.PORT, host: env.HOST });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    console.error(`hublot: cannot listen on ${env.HOST}:${env.PORT}: ${code ?? String(error)}`);
    process.exit(1);
  }
  if (adminToken) {
    const port = (app.server.address() as AddressInfo).port;
    release = holdDirectory(env.PGLITE_DIR, { kind: "hub", port, token: adminToken });
  }
  log.info(
    {
      driver: database.driver,
      location: database.location,
      reference: report.referenceReloaded ? report.reference : "unchanged",
      ms: Math.round(performance.now() - started),
    },
    `Hublot serves http://localhost:${env.PORT}/ (dashboard) and http://localhost:${env.PORT}/graphql`,
  );
  // Ingestion runs beside the server: a source that is down fails its own run, the API keeps serving.
  const scheduler = startScheduler({
    db: database.db,
    sources,
    log: loggerFor("ingest"),
    schedule: env.INGEST_SCHEDULE === "on",
    catchUp: env.INGEST_ON_START === "on",
    concurrency: env.INGEST_CONCURRENCY,
    run: { leaseMs: env.INGEST_LEASE_TTL_MS, resourceDeadlineMs: env.INGEST_RESOURCE_DEADLINE_MS },
  });
  if (env.INGEST_ON_START === "on") void scheduler.caughtUp.then((runs) => logCatchUp(runs, sources));
  // On SIGTERM/SIGINT: stop accepting, let in-flight requests finish (SHUTDOWN_GRACE_MS at most, then
  // their connections are cut), end the runs in progress `interrupted` with their leases released (the
  // next start, here or on another instance, runs them at once), then close the database. A hard exit
  // stays under the 10 s a container runtime usually waits before its SIGKILL.
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, graceMs: env.SHUTDOWN_GRACE_MS }, "stopping: draining requests and ingestion");
    setTimeout(() => {
      log.error("shutdown took too long: exiting now");
      process.exit(1);
    }, HARD_EXIT_MS).unref();
    const cut = setTimeout(() => app.server.closeAllConnections(), env.SHUTDOWN_GRACE_MS);
    cut.unref();
    void Promise.allSettled([
      app.close(),
      sqlServer?.stop(),
      scheduler
        .stop(`the hub received ${signal}`)
        .catch((error: unknown) => log.error({ err: error }, "ingest did not stop cleanly")),
    ])
      .then(() => {
        clearTimeout(cut);
        return dataVersion.close().finally(() => database.close());
      })
      .catch((error: unknown) => log.error({ err: error }, "the database did not close cleanly"))
      .finally(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

/** Past this, the process exits whatever is still running: under the usual 10 s before a SIGKILL. */
const HARD_EXIT_MS = 9_500;

/** Rate limits and load shedding from the environment; the queue's default bound depends on the driver. */
function loadOptions(env: Env, driver: Driver): NonNullable<HttpOptions["load"]> {
  return {
    rateLimit: {
      anonymousPerMinute: env.RATE_LIMIT_ANONYMOUS_PER_MIN,
      keyedPerMinute: env.RATE_LIMIT_KEYED_PER_MIN,
      redisUrl: env.REDIS_URL,
    },
    shedding: {
      // PGlite runs every query on the event loop: a few at once keep each answer prompt.
      maxConcurrent: env.SHED_MAX_CONCURRENT ?? (driver === "pglite" ? 4 : 16),
      maxQueued: env.SHED_MAX_QUEUED,
      maxQueueWaitMs: env.SHED_MAX_QUEUE_WAIT_MS,
      maxEventLoopDelayMs: env.PRESSURE_MAX_EVENT_LOOP_DELAY_MS,
      maxHeapUsedBytes: env.PRESSURE_MAX_HEAP_MB * 1024 * 1024,
    },
  };
}

/** One event after the start-up catch-up: what loaded, what could not, and what to run next. */
function logCatchUp(runs: RunSummary[], all: SourceDefinition[]): void {
  const streams = all.reduce((n, s) => n + s.streams.length, 0);
  const tally = tallyRuns(runs);
  const lines = describeTally(tally, streams - runs.length);
  const failing = tally.unreachable.length + tally.failed.length;
  const fields = {
    loaded: tally.loaded,
    unreachable: tally.unreachable.map((u) => u.streamId),
    notConfigured: tally.notConfigured,
    failed: tally.failed,
  };
  const message = `start-up catch-up: ${lines.join("\n  ")}`;
  if (failing > 0) log.warn(fields, message);
  else log.info(fields, message);
}

main().catch((error: unknown) => {
  // Configuration and connection problems are the operator's to fix: one line, no stack trace.
  if (error instanceof EnvError) for (const issue of error.issues) console.error(`hublot: ${issue}`);
  else if (error instanceof DatabaseConnectionError || error instanceof DirectoryHeldError)
    console.error(`hublot: ${error.message}`);
  else console.error(`hublot: start-up failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
