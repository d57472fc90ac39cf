import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Db } from "../db/client";
import { type Logger, loggerFor } from "../logger";
import { createHttpMetrics } from "../metrics";

declare module "fastify" {
  interface FastifyRequest {
    /** The socket's bytes written when the request arrived: the answer's size is the difference. */
    bytesBefore?: number;
    /** Counted in the in-flight gauge and not yet taken out. */
    inFlight?: boolean;
  }
}

const NAMED_OPERATION = /^\s*(?:query|mutation|subscription)\s+([A-Za-z_][A-Za-z0-9_]*)/;

/**
 * The GraphQL operation a request names: `operationName`, else the name of the document's first
 * operation (what the playground and most clients send). Null for anything else. Read from what is
 * already parsed: the body of a POST, the query string of a GET.
 */
export function operationNameOf(request: FastifyRequest): string | null {
  const body = request.body as { operationName?: unknown; query?: unknown } | undefined;
  const query = request.query as { operationName?: unknown; query?: unknown } | undefined;
  for (const source of [body, query]) {
    if (!source || typeof source !== "object") continue;
    if (typeof source.operationName === "string" && source.operationName) return source.operationName;
    if (typeof source.query === "string") return NAMED_OPERATION.exec(source.query)?.[1] ?? null;
  }
  return null;
}

/** The GraphQL error codes of an answer that carries errors; none for anything else. */
function errorCodesOf(payload: unknown): string[] {
  if (typeof payload !== "string" || !payload.includes('"errors"')) return [];
  try {
    const body = JSON.parse(payload) as { errors?: { extensions?: { code?: unknown } }[] };
    return (body.errors ?? []).map((e) =>
      typeof e.extensions?.code === "string" ? e.extensions.code : "UNKNOWN",
    );
  } catch {
    return [];
  }
}

export interface ObserveOptions {
  /** Where the access log goes (tests read it); the `access` category of the hub's logger by default. */
  accessLog?: Logger;
}

/**
 * `GET /metrics` (Prometheus) and one access-log line per request: who (the key's id, never the key),
 * what (method, path without its query string, GraphQL operation name), how it went (status, duration,
 * bytes). Never a query string, a body or variables: they can hold a key or a partner's data.
 */
export function registerObservability(app: FastifyInstance, db: Db, options: ObserveOptions = {}): void {
  const metrics = createHttpMetrics(db);
  const access = options.accessLog ?? loggerFor("access");

  app.get("/metrics", async (_request, reply) => {
    const { contentType, body } = await metrics.scrape();
    return reply.header("cache-control", "no-store").type(contentType).send(body);
  });
  app.addHook("onRequest", async (request) => {
    request.bytesBefore = request.raw.socket?.bytesWritten ?? 0;
    if (request.routeOptions.url === "/metrics") return;
    metrics.requestStarted();
    request.inFlight = true;
  });
  // A client that goes away before its answer gets no onResponse: its request leaves the gauge here.
  app.addHook("onRequestAbort", async (request) => ended(request));
  const ended = (request: FastifyRequest) => {
    if (!request.inFlight) return;
    request.inFlight = false;
    metrics.requestEnded();
  };
  app.addHook("onSend", async (_request, _reply, payload) => {
    for (const code of errorCodesOf(payload)) metrics.observeGraphqlError(code);
    return payload;
  });
  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? "(unmatched)";
    const operation = route === "/graphql" ? operationNameOf(request) : null;
    const ms = reply.elapsedTime;
    // Out of the gauge as it is counted answered, so a scrape never sees a request twice or not at all.
    ended(request);
    metrics.observeRequest(route, operation, reply.statusCode, ms / 1000);
    if (route === "/metrics") return;
    const written = request.raw.socket?.bytesWritten;
    access.info(
      {
        method: request.method,
        path: (request.raw.url ?? "/").split("?")[0],
        operation,
        status: reply.statusCode,
        ms: Math.round(ms * 10) / 10,
        bytes: written === undefined ? null : written - (request.bytesBefore ?? 0),
        keyId: request.caller?.keyId ?? null,
        ip: request.ip,
      },
      "request",
    );
  });
}
