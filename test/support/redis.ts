import { Redis } from "ioredis";

/** The Redis the tests share limits and caches through: REDIS_URL, else the machine's own. */
export const TEST_REDIS_URL = process.env.REDIS_URL || "redis://127.0.0.1:6379";

/**
 * Whether that Redis answers. Outside CI a developer without one skips the Redis cases; CI provides
 * one (.ci/run starts it), so there its absence fails the test instead.
 */
export async function redisAnswers(): Promise<boolean> {
  const redis = new Redis(TEST_REDIS_URL, {
    lazyConnect: true,
    connectTimeout: 500,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === "PONG";
  } catch {
    if (process.env.CI) throw new Error(`no Redis at ${TEST_REDIS_URL}: .ci/run should have started one`);
    return false;
  } finally {
    redis.disconnect();
  }
}
