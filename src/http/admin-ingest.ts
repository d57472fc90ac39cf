/**
 * `POST /admin/ingest`: how `npm run ingest` runs on an embedded database the hub holds (one process
 * per PGlite directory, `src/db/holder.ts`). Only from the loopback interface, and only with the token
 * the hub wrote in its holder file (readable by the directory's owner): whoever may read the data
 * directory may ingest into it, nobody else. The body is an ingest command (`ingest/core/command.ts`);
 * the answer streams NDJSON events (each line of output, each run's progress, then the exit code) as
 * the run goes. The rows are written by the hub itself, so its API answers them as soon as they commit.
 */
import { timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import {
  type IngestCommandOptions,
  type IngestEvent,
  ingestCommandSchema,
  runIngestCommand,
} from "../../ingest/core/command";
import type { Db } from "../db/client";
import { loggerFor } from "../logger";

const log = loggerFor("http");

export interface AdminIngestOptions {
  /** The secret of the holder file; the route does not exist without it. */
  token: string;
  leaseMs: IngestCommandOptions["leaseMs"];
  resourceDeadlineMs: IngestCommandOptions["resourceDeadlineMs"];
}

const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

/**
 * Its own header, not `Authorization`: the admin token is no API key, and a Bearer value is checked
 * against the API keys (and refused) before any route sees it.
 */
export const ADMIN_TOKEN_HEADER = "hublot-admin-token";

function tokenMatches(request: FastifyRequest, token: string): boolean {
  const header = request.headers[ADMIN_TOKEN_HEADER];
  if (typeof header !== "string" || header === "") return false;
  const given = Buffer.from(header);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const refusal = (message: string, code: string) => ({ errors: [{ message, extensions: { code } }] });

export function registerAdminIngest(app: FastifyInstance, db: Db, options: AdminIngestOptions): void {
  app.post("/admin/ingest", async (request, reply) => {
    // The socket's own address: a forwarded-for header is the client's word, not a fact.
    if (!LOOPBACK.has(request.socket.remoteAddress ?? "")) {
      return reply.code(403).send(refusal("/admin/ingest answers the loopback interface only", "FORBIDDEN"));
    }
    if (!tokenMatches(request, options.token)) {
      return reply
        .code(401)
        .send(refusal("/admin/ingest needs the token of the hub's holder file", "UNAUTHENTICATED"));
    }
    const parsed = ingestCommandSchema.safeParse(request.body);
    if (!parsed.success) {
      return reply
        .code(400)
        .send(refusal(`not an ingest command: ${parsed.error.issues[0]?.message ?? ""}`, "BAD_REQUEST"));
    }
    // Written as it happens, past the compression and cache hooks that would hold it back.
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { "content-type": "application/x-ndjson", "cache-control": "no-store" });
    const hungUp = new AbortController();
    raw.on("close", () => {
      if (!raw.writableFinished) hungUp.abort(new Error("the ingest command's caller hung up"));
    });
    const emit = (event: IngestEvent) => {
      if (!raw.destroyed) raw.write(`${JSON.stringify(event)}\n`);
    };
    log.info({ command: parsed.data }, "ingest command from the CLI");
    let exitCode: number;
    try {
      exitCode = await runIngestCommand(db, parsed.data, {
        leaseMs: options.leaseMs,
        resourceDeadlineMs: options.resourceDeadlineMs,
        emit,
        signal: hungUp.signal,
      });
    } catch (error) {
      log.error({ err: error }, "ingest command failed");
      emit({
        type: "line",
        text: `hublot ingest: ${error instanceof Error ? error.message : String(error)}`,
        to: "stderr",
      });
      exitCode = 1;
    }
    emit({ type: "done", exitCode });
    raw.end();
  });
}
