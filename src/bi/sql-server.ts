/**
 * The embedded database over the PostgreSQL wire protocol (`SQL_PORT`), for a BI tool on the same
 * machine: @electric-sql/pglite-socket in front of the hub's own PGlite instance, on 127.0.0.1 only.
 *
 * What it cannot protect, and docs/bi.md says so: pglite-socket has no authentication and PGlite has one
 * session, shared with the hub, so a client is the database's owner (it can write, or open a
 * transaction that holds the hub's queries until it ends); the `bi` views' row filter sees every
 * client as that owner. Loopback only is the whole protection: use it on a single-user machine, and a
 * PostgreSQL server with the hublot_bi role for anything shared.
 */
import type { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import type { Database } from "../db/client";

export interface SqlServer {
  port: number;
  stop(): Promise<void>;
}

export class SqlServerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SqlServerError";
  }
}

/** Serves `database` on 127.0.0.1:`port` (0 picks a free one). Only the embedded driver has a socket to give. */
export async function startSqlServer(database: Database, port: number): Promise<SqlServer> {
  if (database.driver !== "pglite")
    throw new SqlServerError(
      "SQL_PORT serves the embedded database; with DATABASE_URL, point BI tools at that PostgreSQL server (docs/bi.md)",
    );
  const client = (database.db as unknown as { $client: PGlite }).$client;
  // BI tools open a few connections (a pool); pglite-socket queues their queries onto the one session.
  const server = new PGLiteSocketServer({ db: client, port, host: "127.0.0.1", maxConnections: 4 });
  await server.start();
  return { port: Number(server.getServerConn().split(":").pop()), stop: () => server.stop() };
}
