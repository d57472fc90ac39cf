/**
 * HTTP caching of answers to queries (`/graphql`) and exports (`/export/…`). An answer's ETag is a hash
 * of the data version (advanced by every load that writes rows, src/db/data-version.ts), the build
 * (schema and reference data), the request and what the caller may see, so:
 * - `If-None-Match` with the current ETag gets 304 without touching the observations (the version is
 *   kept in memory while the database notifies its changes, read by primary key otherwise);
 * - the same hash keys the server-side response cache: a repeated dashboard request is answered from
 *   memory (or Redis) until a load changes the data, and never to a caller who may see less.
 * `Cache-Control` is public for anonymous reads, private for keyed ones; both revalidate every time,
 * which costs a 304. Mutations and requests that are not valid queries are never cached.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Kind, type OperationDefinitionNode, parse } from "graphql";
import { LRUCache } from "lru-cache";
import type { Db } from "../../db/client";
import { type DataVersionSource, readEachTime } from "../../db/data-version";
import { visibilityKeyOf } from "../../graphql/scope";
import { wantsPlayground } from "../playground";
import { type CachedAnswer, MAX_CACHED_BYTES, type ResponseCache } from "./response-cache";

declare module "fastify" {
  interface FastifyRequest {
    /** Set when the answer is cacheable: its key and the Cache-Control it carries. */
    answerCache: { key: string; cacheControl: string; store: boolean } | null;
  }
}

/**
 * The build's part of every ETag: the emitted schema and the reference data files. A deploy that
 * changes either changes every ETag, though no load ran.
 */
export function buildFingerprint(): string {
  const hash = createHash("sha256");
  hash.update(readFileSync(new URL("../../../schema/schema.graphql", import.meta.url)));
  const data = new URL("../../../ingest/reference/data/", import.meta.url);
  for (const name of readdirSync(data).sort()) hash.update(name).update(readFileSync(new URL(name, data)));
  return hash.digest("hex").slice(0, 16);
}

/** Query parameters that say who asks, not what: they reach the key through the caller's visibility. */
const NOT_PART_OF_THE_REQUEST = new Set(["key"]);

/**
 * Whether a query text (and operation) may be cached, by text: a dashboard or a BI tool sends the same
 * few documents again and again, and parsing the dashboard's query cost more than reading its answer
 * from the cache. Bounded by the characters it holds.
 */
const cacheableByText = new LRUCache<string, boolean>({
  maxSize: 8_000_000,
  sizeCalculation: (_value, key) => key.length + 1,
});

function isMutationOrInvalid(query: unknown, operationName: unknown): boolean {
  if (typeof query !== "string") return true;
  const key = `${typeof operationName === "string" ? operationName : ""}\u0000${query}`;
  let cacheable = cacheableByText.get(key);
  if (cacheable === undefined) {
    cacheable = !parsesAsMutationOrInvalid(query, operationName);
    cacheableByText.set(key, cacheable);
  }
  return !cacheable;
}

function parsesAsMutationOrInvalid(query: string, operationName: unknown): boolean {
  try {
    const operations = parse(query).definitions.filter(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    );
    const operation =
      operations.find((o) => o.name?.value === operationName) ??
      (operations.length === 1 ? operations[0] : undefined);
    return operation?.operation !== "query";
  } catch {
    return true;
  }
}

/**
 * What the request asks, independent of how it is sent, or undefined when it must not be cached.
 * GraphQL GET and POST of the same query share an entry.
 */
function requestIdentity(request: FastifyRequest, graphql: boolean): unknown[] | undefined {
  const url = new URL(request.url, "http://hub");
  const params = [...url.searchParams].filter(([k]) => !NOT_PART_OF_THE_REQUEST.has(k));
  const accept = request.headers.accept ?? "";
  if (!graphql) return [url.pathname, params.sort(), accept];
  let operation: Record<string, unknown>;
  if (request.method === "POST") {
    if (!request.body || typeof request.body !== "object" || Array.isArray(request.body)) return undefined;
    operation = request.body as Record<string, unknown>;
  } else {
    operation = Object.fromEntries(params);
    if (typeof operation.variables === "string") {
      try {
        operation.variables = JSON.parse(operation.variables);
      } catch {
        return undefined;
      }
    }
  }
  if (isMutationOrInvalid(operation.query, operation.operationName)) return undefined;
  const { query, variables, operationName, extensions, ...rest } = operation;
  const format = Object.entries(rest).filter(([k]) => !NOT_PART_OF_THE_REQUEST.has(k));
  return [
    "/graphql",
    query,
    variables ?? null,
    operationName ?? null,
    extensions ?? null,
    format.sort(),
    accept,
  ];
}

/** `If-None-Match` holds this ETag (weak comparison, lists and `*` understood). */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const bare = (t: string) => t.trim().replace(/^W\//, "");
  return ifNoneMatch.split(",").some((t) => t.trim() === "*" || bare(t) === bare(etag));
}

export interface HttpCacheOptions {
  cache: ResponseCache;
  fingerprint?: string;
  /** Read from the table at every request unless given (src/main.ts gives the watched one). */
  dataVersion?: DataVersionSource;
}

export function registerHttpCache(app: FastifyInstance, db: Db, options: HttpCacheOptions): void {
  const fingerprint = options.fingerprint ?? buildFingerprint();
  const dataVersion = options.dataVersion ?? readEachTime(db);
  app.decorateRequest("answerCache", null);
  app.addHook("onClose", () => options.cache.close());

  app.addHook("preHandler", async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.method !== "GET" && request.method !== "HEAD" && request.method !== "POST") return;
    const route = request.routeOptions.url ?? "";
    const graphql = route === "/graphql";
    if (!graphql && !route.startsWith("/export/")) return;
    if (graphql && wantsPlayground(request)) return;
    const identity = requestIdentity(request, graphql);
    if (!identity) return;
    const version = await dataVersion.current();
    // What the caller may see is scope.ts's rule, so the cache varies exactly as the rows do.
    const visibility = visibilityKeyOf(request.caller);
    const key = createHash("sha256")
      .update(JSON.stringify([fingerprint, version, visibility, identity]))
      .digest("base64url");
    const cacheControl = `${visibility === "anonymous" ? "public" : "private"}, max-age=0, must-revalidate`;
    const etag = `W/"${key.slice(0, 27)}"`;
    reply.header("etag", etag).header("cache-control", cacheControl).header("vary", "Accept, Authorization");
    request.answerCache = { key, cacheControl, store: graphql };
    if (matches(request.headers["if-none-match"], etag)) return reply.code(304).send();
    if (!graphql) return;
    const hit = await options.cache.get(key);
    if (hit) {
      request.answerCache.store = false;
      return reply.code(hit.status).header("x-cache", "HIT").type(hit.contentType).send(hit.body);
    }
    reply.header("x-cache", "MISS");
  });

  app.addHook("onSend", async (request, reply, payload) => {
    const entry = request.answerCache;
    if (!entry) return payload;
    // Apollo marks every answer no-store; ours revalidate by ETag instead.
    reply.header("cache-control", entry.cacheControl);
    if (
      entry.store &&
      reply.statusCode === 200 &&
      typeof payload === "string" &&
      payload.length <= MAX_CACHED_BYTES &&
      !payload.includes('"errors":[')
    ) {
      const answer: CachedAnswer = {
        status: 200,
        contentType: String(reply.getHeader("content-type") ?? "application/json"),
        body: payload,
      };
      await options.cache.set(entry.key, answer);
    }
    return payload;
  });
}
