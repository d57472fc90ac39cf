import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { recordAudit } from "../access/audit";
import { authenticate, KeyRefusedError } from "../access/keys";
import type { Db } from "../db/client";
import { anonymousCaller, type Caller } from "../graphql/context";
import { loggerFor } from "../logger";

declare module "fastify" {
  interface FastifyRequest {
    /** Who is asking, decided once per request before any route runs. */
    caller: Caller;
    /** Error codes of the answer, for the audit of keyed requests. */
    answerCodes?: string[];
  }
}

const log = loggerFor("http");

/** `?key=` and its value in a URL, so the value never reaches a log line. */
const KEY_PARAM = /([?&]key=)[^&#]*/g;

export function redactKey(url: string): string {
  return url.replace(KEY_PARAM, "$1[REDACTED]");
}

type Presented = { token: string; from: "header" | "query" } | { malformed: string } | null;

/** The key a request presents: `Authorization: Bearer <key>`, or `?key=` (read-only: GET only). */
function presentedKey(request: FastifyRequest): Presented {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return m
      ? { token: m[1], from: "header" }
      : { malformed: "the Authorization header must be: Bearer <key>" };
  }
  const query = (request.query ?? {}) as Record<string, unknown>;
  const key = query.key;
  if (key === undefined) return null;
  if (typeof key !== "string") return { malformed: "pass one key" };
  if (request.method !== "GET")
    return { malformed: "?key= is accepted on GET only; send the key as Authorization: Bearer <key>" };
  return { token: key, from: "query" };
}

function refuse(reply: FastifyReply, message: string, reason: string) {
  return reply
    .code(401)
    .header("www-authenticate", 'Bearer realm="hublot", error="invalid_token"')
    .header("cache-control", "no-store")
    .send({ errors: [{ message, extensions: { code: "UNAUTHENTICATED", reason } }] });
}

/** The operation a GraphQL request names, for the audit (the route for any other request). */
function operationOf(request: FastifyRequest): string {
  const body = request.body as { operationName?: unknown } | undefined;
  const query = request.query as { operationName?: unknown } | undefined;
  const name = body?.operationName ?? query?.operationName;
  const route = request.routeOptions.url ?? request.url.split("?")[0];
  return typeof name === "string" && name ? `${route} ${name}` : route;
}

/**
 * Decides who is calling, once, at the edge: every later hook (rate limits, access log) and the
 * GraphQL context read `request.caller`. A key that is bad, revoked or expired is refused with 401
 * and UNAUTHENTICATED, never treated as anonymous: a client with a broken key must learn it, not
 * quietly receive less. Keyed requests are audited when their answer is sent.
 */
export function registerCaller(app: FastifyInstance, db: Db): void {
  // Fastify wants null for an object decorator (a shared default object would leak between requests).
  app.decorateRequest("caller", null as unknown as Caller);
  app.addHook("onRequest", async (request, reply) => {
    request.caller = anonymousCaller;
    // Before anything can log the URL: the key of a `?key=` request is a secret like any other.
    if (request.raw.url?.includes("key=")) request.raw.url = redactKey(request.raw.url);
    const presented = presentedKey(request);
    if (presented === null) return;
    if ("malformed" in presented) return refuse(reply, presented.malformed, "malformed");
    try {
      request.caller = await authenticate(db, presented.token);
    } catch (error) {
      if (!(error instanceof KeyRefusedError)) throw error;
      await audit(db, request, { keyId: error.keyId, outcome: `UNAUTHENTICATED:${error.reason}` });
      return refuse(reply, error.message, error.reason);
    }
  });
  app.addHook("onSend", async (request, _reply, payload) => {
    if (request.caller?.keyId && typeof payload === "string" && payload.includes('"errors"')) {
      try {
        const body = JSON.parse(payload) as { errors?: { extensions?: { code?: string } }[] };
        request.answerCodes = (body.errors ?? []).map((e) => e.extensions?.code ?? "ERROR");
      } catch {
        // Not JSON (a page, a CSV): its status says enough.
      }
    }
    return payload;
  });
  app.addHook("onResponse", async (request, reply) => {
    const caller = request.caller;
    if (!caller?.keyId) return;
    const codes = [...new Set(request.answerCodes ?? [])];
    const outcome =
      reply.statusCode >= 400 ? `HTTP ${reply.statusCode}` : codes.length ? codes.join(",") : "ok";
    await audit(db, request, { keyId: caller.keyId, outcome, durationMs: Math.round(reply.elapsedTime) });
  });
}

async function audit(
  db: Db,
  request: FastifyRequest,
  e: { keyId: string | null; outcome: string; durationMs?: number },
): Promise<void> {
  try {
    await recordAudit(db, {
      kind: "request",
      keyId: e.keyId,
      role: request.caller?.role ?? "anonymous",
      partnerCode: request.caller?.partnerCode ?? null,
      operation: operationOf(request),
      durationMs: e.durationMs ?? null,
      outcome: e.outcome,
    });
  } catch (error) {
    // The answer is already decided; a failed audit write is the operator's to see, not the caller's.
    log.error({ err: error }, "audit write failed");
  }
}
