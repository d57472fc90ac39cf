/**
 * The one HTTP client every connector goes through: timeouts, retries with exponential backoff and
 * jitter on network errors, 429 and 5xx, `Retry-After` honoured, no retry on other 4xx, a per-source
 * rate limit, a clear User-Agent, and URLs logged with their secrets masked.
 */
import type { Readable } from "node:stream";
import got, { HTTPError, type Request, RequestError } from "got";
import pThrottle from "p-throttle";
import type { Logger } from "../../src/logger";
import type { BufferedPayload, HttpClient, Payload } from "./types";

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
  const failure = (error: unknown, url: string, safeUrl: string): HttpError => {
    if (error instanceof HTTPError) {
      const status = error.response.statusCode;
      return new HttpError(`GET ${safeUrl} answered HTTP ${status}`, url, status, { cause: error });
    }
    const code = error instanceof RequestError ? (error.code ?? error.name) : String(error);
    return new HttpError(`GET ${safeUrl} failed: ${code}`, url, null, { cause: error });
  };
  const request = async (
    url: string,
    headers: Record<string, string> = {},
    signal?: AbortSignal,
  ): Promise<BufferedPayload> => {
    const started = Date.now();
    const safeUrl = redactUrl(url);
    try {
      const response = await client.get(url, { headers, signal });
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
      throw failure(error, url, safeUrl);
    }
  };
  // got retries a stream itself until its response is in (same backoff, Retry-After and status codes as
  // above): on each retry it hands a fresh request to the `retry` listener, which we follow.
  const stream = (
    url: string,
    headers: Record<string, string> = {},
    signal?: AbortSignal,
  ): Promise<Payload> => {
    const started = Date.now();
    const safeUrl = redactUrl(url);
    return new Promise<Payload>((resolve, reject) => {
      const follow = (attempt: Request) => {
        const onError = (error: unknown) => reject(failure(error, url, safeUrl));
        attempt.once("error", onError);
        attempt.once("retry", (_count: number, _error: unknown, retry: () => Request) => {
          attempt.off("error", onError);
          follow(retry());
        });
        attempt.once("response", (response: { statusCode: number; headers: Record<string, unknown> }) => {
          attempt.off("error", onError);
          const contentType = response.headers["content-type"];
          const done = (bytes: number) =>
            log.info({ url: safeUrl, status: response.statusCode, bytes, ms: Date.now() - started }, "GET");
          resolve({
            body: bodyOf(attempt, url, safeUrl, done),
            url,
            httpStatus: response.statusCode,
            contentType: typeof contentType === "string" ? contentType : null,
            retrievedAt: new Date(),
          });
        });
      };
      follow(client.stream(url, { headers, signal }));
    });
  };
  /** The response stream, its errors (a connection cut mid-body) turned into HttpErrors. */
  async function* bodyOf(
    response: Readable,
    url: string,
    safeUrl: string,
    done: (bytes: number) => void,
  ): AsyncIterable<Uint8Array> {
    let bytes = 0;
    try {
      for await (const chunk of response) {
        bytes += (chunk as Uint8Array).byteLength;
        yield chunk as Uint8Array;
      }
      done(bytes);
    } catch (error) {
      throw failure(error, url, safeUrl);
    } finally {
      response.destroy();
    }
  }
  if (!options.rateLimit) {
    return {
      get: (url, o) => request(url, o?.headers, o?.signal),
      stream: (url, o) => stream(url, o?.headers, o?.signal),
    };
  }
  const throttle = pThrottle({ limit: options.rateLimit.requests, interval: options.rateLimit.intervalMs });
  const throttledGet = throttle(request);
  const throttledStream = throttle(stream);
  return {
    get: (url, o) => throttledGet(url, o?.headers, o?.signal),
    stream: (url, o) => throttledStream(url, o?.headers, o?.signal),
  };
}
