/**
 * Where answers are kept between requests: in this process (lru-cache, bounded by bytes) or, when
 * REDIS_URL is set, in Redis so every hub instance shares them. Keys already hold the data version,
 * so an entry is never invalidated: a load makes new keys, and old entries age out (LRU or TTL).
 */
import { Redis } from "ioredis";
import { LRUCache } from "lru-cache";
import { loggerFor } from "../../logger";

const log = loggerFor("http.cache");

export interface CachedAnswer {
  status: number;
  contentType: string;
  body: string;
}

export interface ResponseCache {
  get(key: string): Promise<CachedAnswer | undefined>;
  set(key: string, answer: CachedAnswer): Promise<void>;
  close(): Promise<void>;
}

/** Answers larger than this are not kept: they are exports, better streamed again than held. */
export const MAX_CACHED_BYTES = 1_000_000;
const TTL_MS = 60 * 60 * 1000;

export function memoryResponseCache(maxBytes = 64 * 1024 * 1024): ResponseCache {
  const lru = new LRUCache<string, CachedAnswer>({
    maxSize: maxBytes,
    sizeCalculation: (a) => a.body.length * 2 + 64,
    ttl: TTL_MS,
  });
  return {
    get: async (key) => lru.get(key),
    set: async (key, answer) => {
      lru.set(key, answer);
    },
    close: async () => lru.clear(),
  };
}

/**
 * Redis as the shared cache. A Redis that is down never fails a request: a read is a miss and a write
 * is skipped (both logged once per outage), and the database answers.
 */
export function redisResponseCache(url: string, prefix = "hublot:answer:"): ResponseCache {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false });
  let down = false;
  redis.on("error", (error) => {
    if (!down) log.warn({ err: error }, "redis unreachable: answering without the shared cache");
    down = true;
  });
  redis.on("ready", () => {
    down = false;
  });
  return {
    get: async (key) => {
      try {
        const raw = await redis.get(prefix + key);
        return raw ? (JSON.parse(raw) as CachedAnswer) : undefined;
      } catch {
        return undefined;
      }
    },
    set: async (key, answer) => {
      try {
        await redis.set(prefix + key, JSON.stringify(answer), "PX", TTL_MS);
      } catch {
        // a miss next time: the database answers
      }
    },
    close: async () => {
      redis.disconnect();
    },
  };
}
