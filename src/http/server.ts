import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { join } from "node:path";
import { ApolloServer, HeaderMap } from "@apollo/server";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { sql } from "drizzle-orm";
import { type Db, migrationsFolder, selectRows } from "../db/client";
import { buildHublotSchema } from "../graphql/build-schema";
import { createContext, type GraphQLContext } from "../graphql/context";
import { loggerFor } from "../logger";
import { createDashboard } from "./dashboard/page";
import { createPlayground, send, wantsPlayground } from "./playground";

const log = loggerFor("http");

/** How long /readyz waits for the database before answering 503. */
const READY_TIMEOUT_MS = 3_000;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

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

/**
 * node:http in front of Apollo: /graphql (GraphQL, or the playground for a browser), its assets under
 * /playground/, /healthz and /readyz share one port without a framework.
 */
export async function createHttpServer(db: Db): Promise<Server> {
  const expectedMigrations = expectedMigrationCount();
  const playground = createPlayground();
  const dashboard = createDashboard();
  const apollo = new ApolloServer<GraphQLContext>({
    schema: await buildHublotSchema(),
    includeStacktraceInErrorResponses: false,
    // Apollo's own landing page loads from a CDN; browsers get the offline playground instead.
    plugins: [ApolloServerPluginLandingPageDisabled()],
  });
  await apollo.start();
  return createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    try {
      if (url.pathname === "/healthz") {
        sendJson(res, 200, { status: "ok" });
        return;
      }
      if (url.pathname === "/readyz") {
        const readiness = await checkReadiness(db, expectedMigrations);
        if (readiness.ready) {
          const { applied, expected } = readiness;
          sendJson(res, 200, { status: "ready", migrations: { applied, expected } });
        } else sendJson(res, 503, { status: "not ready", reason: readiness.reason });
        return;
      }
      if (playground.serveAsset(req, res, url.pathname)) return;
      if (url.pathname === "/" && (req.method === "GET" || req.method === "HEAD")) {
        send(req, res, dashboard.page, {
          "cache-control": "no-cache",
          "content-security-policy": dashboard.csp,
          "referrer-policy": "no-referrer",
        });
        return;
      }
      const dashboardAsset = dashboard.assets.get(url.pathname.slice(1));
      if (dashboardAsset) {
        send(req, res, dashboardAsset, { "cache-control": "public, max-age=31536000, immutable" });
        return;
      }
      if (url.pathname === "/favicon.ico") {
        res.writeHead(204).end();
        return;
      }
      if (url.pathname !== "/graphql") {
        res.writeHead(404, { "content-type": "text/plain" }).end("not found: try /graphql");
        return;
      }
      if (wantsPlayground(req, url)) {
        playground.servePage(req, res);
        return;
      }
      const headers = new HeaderMap();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
      const body = req.method === "POST" ? await readBody(req) : "";
      const result = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: {
          method: req.method ?? "GET",
          headers,
          search: url.search,
          body: body ? JSON.parse(body) : undefined,
        },
        context: async () => createContext(db),
      });
      for (const [k, v] of result.headers) res.setHeader(k, v);
      res.statusCode = result.status ?? 200;
      if (result.body.kind === "complete") res.end(result.body.string);
      else {
        for await (const chunk of result.body.asyncIterator) res.write(chunk);
        res.end();
      }
    } catch (error) {
      const status = error instanceof SyntaxError ? 400 : 503;
      res
        .writeHead(status, { "content-type": "text/plain" })
        .end(status === 400 ? "malformed JSON body" : "not ready");
    }
  });
}
