import underPressure from "@fastify/under-pressure";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import pLimit from "p-limit";
import { UNLIMITED_PATHS } from "./rate-limit";

export interface SheddingOptions {
  /** Requests worked on at once. */
  maxConcurrent: number;
  /** Requests waiting for a turn; one more is refused at once. */
  maxQueued: number;
  /** Longest wait for a turn before a refusal. */
  maxQueueWaitMs: number;
  /** The backstop: event-loop delay and heap beyond which every request is refused (0: off). */
  maxEventLoopDelayMs: number;
  maxHeapUsedBytes: number;
}

/** Seconds a refused client is told to wait: long enough for the queue to move, short enough to matter. */
const RETRY_AFTER_S = 1;

/** The work the queue bounds: what runs queries (GraphQL, exports), not pages, assets or health. */
const BOUNDED = /^\/(graphql|export)(\/|$|\?)/;

/** Sets the status and headers of a 503 and returns its body, in the GraphQL error shape. */
function overload(reply: FastifyReply, message: string): string {
  reply
    .code(503)
    .header("retry-after", String(RETRY_AFTER_S))
    .header("cache-control", "no-store")
    .type("application/json");
  return JSON.stringify({ errors: [{ message, extensions: { code: "SERVICE_OVERLOADED" } }] });
}

const overloaded = (reply: FastifyReply, message: string) => reply.send(overload(reply, message));

/**
 * Load shedding: answer 503 with Retry-After early rather than let latency run away until clients time
 * out. A bounded queue holds the GraphQL and export requests beyond `maxConcurrent`; a request that
 * finds it full, or waits in it longer than `maxQueueWaitMs`, is refused. On PGlite a query runs on the
 * event loop itself, so the bound there must be low (a few at once) for every answer to come in time.
 * `@fastify/under-pressure` is the backstop for what the queue does not see (a blocked event loop, a
 * heap filling up).
 */
export async function registerShedding(app: FastifyInstance, options: SheddingOptions): Promise<void> {
  await app.register(underPressure, {
    maxEventLoopDelay: options.maxEventLoopDelayMs,
    maxHeapUsedBytes: options.maxHeapUsedBytes,
    retryAfter: RETRY_AFTER_S,
    exposeStatusRoute: false,
    pressureHandler: (request, reply, type, value) => {
      if (UNLIMITED_PATHS.has((request.raw.url ?? "/").split("?")[0])) return;
      // Sent here, as under-pressure's README does: returning nothing after a send ends the request.
      void overloaded(reply, `the hub is overloaded (${type} at ${Math.round(Number(value))}): retry later`);
    },
  });

  const limit = pLimit(options.maxConcurrent);
  // preParsing: after the caller is known and the rate limit counted (onRequest), before the body is read.
  app.addHook("preParsing", async (request: FastifyRequest, reply: FastifyReply, payload) => {
    if (!BOUNDED.test(request.raw.url ?? "")) return payload;
    if (limit.activeCount >= options.maxConcurrent && limit.pendingCount >= options.maxQueued)
      return overloaded(reply, "the hub is at capacity: retry in a second");
    const turn = await new Promise<boolean>((resolve) => {
      let waiting = true;
      const timer = setTimeout(() => {
        waiting = false;
        resolve(false);
      }, options.maxQueueWaitMs);
      // The slot is held until the answer is sent or the client goes away, whichever comes first.
      void limit(() => {
        clearTimeout(timer);
        if (!waiting) return undefined;
        waiting = false;
        // A client that left while it waited needs no turn.
        if (reply.raw.destroyed || reply.raw.writableFinished) {
          resolve(false);
          return undefined;
        }
        resolve(true);
        return new Promise<void>((release) => reply.raw.once("close", release));
      });
    });
    if (!turn)
      return overloaded(reply, `the hub is busy: no turn within ${options.maxQueueWaitMs} ms, retry`);
    return payload;
  });
}
