/**
 * The one HTTP client every connector goes through: timeouts, retries with exponential backoff and
 * jitter on network errors, 429 and 5xx, `Retry-After` honoured, no retry on other 4xx, a per-source
 * rate limit, a clear User-Agent, and URLs logged with their secrets masked.
 */
import got, { HTTPError, RequestError } from "got";
import pThrottle from "p-throttle";
import type { Logger } from "../../src/logger";
import type { HttpClient, Payload } from "./types";

export const USER_AGENT = "Hublot/0.1 (data hub of Aix-Marseille-Provence; +https://github.com/hublot-amp)";

/**
 * Errors that mean "no route to the server" rather than a hiccup: retried once, so a hub with no
 * network fails its runs in about a second instead of waiting through the whole backoff.
 */
const UNREACHABLE = new Set(["ENOTFOUND", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH", "ECONNREFUSED"]);

/** Query parameters and headers whose values are never logged. */
const SECRET = /token|key|secret|password|authorization|signature/i;

export interface HttpClientOptions {
  log: Logger;
  /** At most `requests` calls per `intervalMs`, shared by every request of this client. */
  rateLimit?: { requests: number; intervalMs: number };
  /** Whole-request timeout, retries excluded. */
  timeoutMs?: number;
  /** Retries after the first attempt. */
  retries?: number;
  /** First backoff step; each retry doubles it, plus up to the same again of random jitter. */
  retryBaseMs?: number;
  /** Longest `Retry-After` we are willing to wait; a longer one fails the request at once. */
  maxRetryAfterMs?: number;
}

/** A request that failed for good: after its retries, or at once on a 4xx other than 408/429. */
export class HttpError extends Error {
  constructor(
    message: string,
    readonly url: string,
    readonly status: number | null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "HttpError";
  }
}

/** The URL as it may be logged: secret-looking query parameters masked, credentials dropped. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    for (const key of [...u.searchParams.keys()]) if (SECRET.test(key)) u.searchParams.set(key, "***");
    return u.toString();
  } catch {
    return "<invalid url>";
  }
}

/** Why a request's signal was aborted: its reason's message (the resource deadline, an interruption). */
export function describeAbort(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason.message : String(reason ?? "aborted");
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const { log, timeoutMs = 60_000, retries = 4, retryBaseMs = 1_000, maxRetryAfterMs = 120_000 } = options;
  const client = got.extend({
    headers: { "user-agent": USER_AGENT },
    timeout: { request: timeoutMs },
    responseType: "buffer",
    decompress: true,
    retry: {
      limit: retries,
      methods: ["GET"],
      statusCodes: [408, 429, 500, 502, 503, 504, 521, 522, 524],
      maxRetryAfter: maxRetryAfterMs,
      // got computes 0 when a retry is not allowed, and the Retry-After wait when the server sent one.
      calculateDelay: ({ attemptCount, computedValue, retryAfter, error }) => {
        if (computedValue === 0) return 0;
        if (UNREACHABLE.has(error.code) && attemptCount > 1) return 0;
        if (retryAfter !== undefined) return computedValue;
        const step = retryBaseMs * 2 ** (attemptCount - 1);
        return Math.min(step, 60_000) + Math.random() * retryBaseMs;
      },
    },
    hooks: {
      beforeRetry: [
        (error, retryCount) => {
          log.warn(
            {
              url: redactUrl(error.options.url?.toString() ?? ""),
              status: error.response?.statusCode,
              retryCount,
            },
            `retrying after ${error.code ?? error.message}`,
          );
        },
      ],
    },
  });
  const request = async (
    url: string,
    headers: Record<string, string> = {},
    signal?: AbortSignal,
  ): Promise<Payload> => {
    const started = Date.now();
    const safeUrl = redactUrl(url);
    try {
      const response = await client.get(url, { headers, signal });
      // A body shorter than its Content-Length was cut in transit; compared on an unencoded body only,
      // since the header counts the encoded bytes.
      const declared = Number(response.headers["content-length"]);
      if (
        !response.headers["content-encoding"] &&
        Number.isFinite(declared) &&
        response.headers["content-length"] !== undefined &&
        response.rawBody.length !== declared
      ) {
        throw new HttpError(
          `GET ${safeUrl} received ${response.rawBody.length} bytes of the ${declared} its Content-Length announced`,
          url,
          response.statusCode,
        );
      }
      log.info(
        {
          url: safeUrl,
          status: response.statusCode,
          bytes: response.rawBody.length,
          ms: Date.now() - started,
        },
        "GET",
      );
      return {
        body: new Uint8Array(response.rawBody),
        url,
        httpStatus: response.statusCode,
        contentType: response.headers["content-type"] ?? null,
        retrievedAt: new Date(),
      };
    } catch (error) {
      if (error instanceof HttpError) throw error;
      if (signal?.aborted) {
        throw new HttpError(`GET ${safeUrl} abandoned: ${describeAbort(signal)}`, url, null, {
          cause: error,
        });
      }
      if (error instanceof HTTPError) {
        const status = error.response.statusCode;
        throw new HttpError(`GET ${safeUrl} answered HTTP ${status}`, url, status, { cause: error });
      }
      const code = error instanceof RequestError ? (error.code ?? error.name) : String(error);
      throw new HttpError(`GET ${safeUrl} failed: ${code}`, url, null, { cause: error });
    }
  };
  if (!options.rateLimit) return { get: (url, o) => request(url, o?.headers, o?.signal) };
  const throttled = pThrottle({ limit: options.rateLimit.requests, interval: options.rateLimit.intervalMs })(
    request,
  );
  return { get: (url, o) => throttled(url, o?.headers, o?.signal) };
}
