import rateLimit from "@fastify/rate-limit";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { Redis } from "ioredis";
import { loggerFor } from "../logger";

const log = loggerFor("http");

export interface RateLimitOptions {
  anonymousPerMinute: number;
  keyedPerMinute: number;
  /** Shared counters for several instances; each counts on its own without it. */
  redisUrl?: string;
  /** Prefix of the Redis keys: instances sharing limits share it (tests give each run its own). */
  redisPrefix?: string;
}

/** What an orchestrator and a scraper call: never limited, or a busy hub would look dead. */
export const UNLIMITED_PATHS = new Set(["/healthz", "/readyz", "/metrics"]);

const pathOf = (request: FastifyRequest) => (request.raw.url ?? "/").split("?")[0];

/**
 * Requests per minute per caller: an API key counts for itself (wherever it calls from), a request
 * without a key for its IP. Registered after the caller hook, whose `request.caller` it reads. A Redis
 * that is down never refuses a request (`skipOnError`): the limit is a fairness rule, not a lock.
 */
export async function registerRateLimit(app: FastifyInstance, options: RateLimitOptions): Promise<void> {
  const redis = options.redisUrl
    ? new Redis(options.redisUrl, { connectTimeout: 500, maxRetriesPerRequest: 1 })
    : undefined;
  redis?.on("error", (error) => log.warn({ err: error }, "redis unreachable: rate limits are not shared"));
  if (redis) app.addHook("onClose", async () => void redis.disconnect());
  await app.register(rateLimit, {
    global: true,
    timeWindow: 60_000,
    redis,
    nameSpace: options.redisPrefix ?? "hublot:rate:",
    skipOnError: true,
    keyGenerator: (request) => (request.caller?.keyId ? `key:${request.caller.keyId}` : `ip:${request.ip}`),
    max: (request) => (request.caller?.keyId ? options.keyedPerMinute : options.anonymousPerMinute),
    allowList: (request) => UNLIMITED_PATHS.has(pathOf(request)),
    // Thrown to the app's error handler, which answers it in the GraphQL error shape (RATE_LIMITED).
    errorResponseBuilder: (request, context) => ({
      statusCode: 429,
      code: "RATE_LIMITED",
      message: `rate limit reached: ${context.max} requests per minute ${
        request.caller?.keyId ? "for this API key" : "without an API key from one address"
      }; retry in ${context.after}${request.caller?.keyId ? "" : ", or ask for an API key (higher limit)"}`,
    }),
  });
}
