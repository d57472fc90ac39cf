import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  LogController,
} from "fastify";
import type { Db } from "../db/client";
import { readEachTime } from "../db/data-version";
import type { QueryLimits } from "../graphql/limits/config";
import { ReferenceCache } from "../graphql/reference-cache";
import { loggerFor } from "../logger";
import { type AdminIngestOptions, registerAdminIngest } from "./admin-ingest";
import { type HttpCacheOptions, registerHttpCache } from "./cache/http-cache";
import { memoryResponseCache } from "./cache/response-cache";
import { registerCaller } from "./caller";
import { registerCompression } from "./compress";
import { registerCors } from "./cors";
import { registerDashboard } from "./dashboard/route";
import { registerExports } from "./export/route";
import { registerGraphql } from "./graphql";
import { registerHealth } from "./health";
import { type ObserveOptions, registerObservability } from "./observe";
import { type RateLimitOptions, registerRateLimit } from "./rate-limit";
import { registerShedding, type SheddingOptions } from "./shedding";
import { registerSubmissions } from "./submissions";

export { expectedMigrationCount } from "./health";

const log = loggerFor("http");

/** A stable code for an HTTP-level refusal, in the same shape as GraphQL errors. */
function codeOf(status: number): string {
  if (status === 413) return "PAYLOAD_TOO_LARGE";
  if (status === 415) return "UNSUPPORTED_MEDIA_TYPE";
  if (status === 404) return "NOT_FOUND";
  if (status === 429) return "RATE_LIMITED";
  if (status >= 400 && status < 500) return "BAD_REQUEST";
  return "INTERNAL_SERVER_ERROR";
}

export interface HttpOptions {
  /** Origins allowed by CORS (CORS_ORIGINS); `*` by default. */
  corsOrigins?: string[] | "*";
  /** Where answers are cached: in memory by default, Redis when REDIS_URL is set (src/main.ts). */
  cache?: HttpCacheOptions["cache"];
  /**
   * Where the answer cache and the kept reference rows (src/graphql/reference-cache.ts) read the data version:
   * the table at every request by default.
   */
  dataVersion?: HttpCacheOptions["dataVersion"];
  /** What one GraphQL request may ask (src/graphql/limits/config.ts); its defaults otherwise. */
  queryLimits?: QueryLimits;
  /** Rate limits and load shedding (src/main.ts sets them from the environment); none when absent. */
  load?: { rateLimit: RateLimitOptions; shedding: SheddingOptions };
  accessLog?: ObserveOptions["accessLog"];
  /** `POST /admin/ingest` for the CLI, when the hub holds an embedded database (src/main.ts). */
  adminIngest?: AdminIngestOptions;
}

/**
 * The hub's HTTP layer: Fastify with one file per concern (who calls, CORS, caching, compression,
 * health, GraphQL and its playground, exports, the dashboard at /), registered here in the order
 * requests meet them.
 */
export async function buildHttpApp(db: Db, options: HttpOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    // One access-log line per request is written by our own hook, not Fastify's two default lines.
    logController: new LogController({ disableRequestLogging: true }),
    // Close keep-alive sockets on close() so a shutdown never waits for an idle client.
    forceCloseConnections: "idle",
  });

  // Refusals before GraphQL (a body that is not JSON, too large, of another type) answer in the
  // GraphQL error shape with a stable code and never a stack.
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, "request failed");
    const message = status >= 500 ? "internal error" : error.message;
    return reply.code(status).send({ errors: [{ message, extensions: { code: codeOf(status) } }] });
  });
  app.setNotFoundHandler((_request, reply) =>
    reply
      .code(404)
      .send({ errors: [{ message: "not found: try /graphql", extensions: { code: "NOT_FOUND" } }] }),
  );

  registerCaller(app, db);
  registerObservability(app, db, { accessLog: options.accessLog });
  if (options.load) {
    await registerRateLimit(app, options.load.rateLimit);
    await registerShedding(app, options.load.shedding);
  }
  await registerCors(app, options.corsOrigins ?? "*");
  // Before compression, so the cache keeps (and serves) answers uncompressed and compress encodes both.
  const dataVersion = options.dataVersion ?? readEachTime(db);
  registerHttpCache(app, db, { cache: options.cache ?? memoryResponseCache(), dataVersion });
  await registerCompression(app);
  registerHealth(app, db);
  await registerGraphql(app, db, options.queryLimits, new ReferenceCache(dataVersion));
  registerExports(app, db);
  await registerSubmissions(app, db);
  registerDashboard(app);
  if (options.adminIngest) registerAdminIngest(app, db, options.adminIngest);
  return app;
}
