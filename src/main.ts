import type { AddressInfo } from "node:net";
import { describeTally, tallyRuns } from "../ingest/core/run-tally";
import type { RunSummary } from "../ingest/core/runner";
import { startScheduler } from "../ingest/core/scheduler";
import type { SourceDefinition } from "../ingest/core/types";
import { sources } from "../ingest/registry";
import { startSqlServer } from "./bi/sql-server";
import { DatabaseConnectionError, openDatabase } from "./db/client";
import { DirectoryHeldError, holdDirectory, liveHolder, newAdminToken } from "./db/holder";
import { EnvError, parseEnv } from "./env";
import { memoryResponseCache, redisResponseCache } from "./http/cache/response-cache";
import { buildHttpApp } from "./http/server";
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
  const database = await openDatabase({ url: env.DATABASE_URL, pgliteDir: env.PGLITE_DIR });
  const report = await prepareDatabase(database);
  const app = await buildHttpApp(database.db, {
    corsOrigins: env.CORS_ORIGINS,
    cache: env.REDIS_URL ? redisResponseCache(env.REDIS_URL) : memoryResponseCache(),
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
      reference: report,
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
  // Runs in progress end `interrupted` and release their leases before the database closes, so the
  // next start (this instance or another) runs them again at once.
  const stop = (signal: NodeJS.Signals) => {
    void app.close();
    void sqlServer?.stop();
    void scheduler
      .stop(`the hub received ${signal}`)
      .catch((error: unknown) => log.error({ err: error }, "ingest did not stop cleanly"))
      .finally(() => void database.close().finally(() => process.exit(0)));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
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
