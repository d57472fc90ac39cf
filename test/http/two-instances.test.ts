import { sql } from "drizzle-orm";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { selectRows } from "../../src/db/client";
import { createSharedTestDatabase, type SharedTestDatabase } from "../support/db";
import { serveFixtureSources } from "../support/fixture-data";
import { type HubProcess, startHubProcess } from "../support/hub-process";
import { redisAnswers, TEST_REDIS_URL } from "../support/redis";

const VIEWER = JSON.stringify({ query: "{ __typename }" });

async function post(base: string): Promise<Response> {
  return fetch(`${base}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: VIEWER,
  });
}

/** Waits until the hub logged its start-up catch-up (every stream it found due ran or was skipped). */
async function caughtUp(hub: HubProcess): Promise<void> {
  const deadline = Date.now() + 240_000;
  while (!hub.output().includes("start-up catch-up")) {
    if (Date.now() > deadline) throw new Error(`no catch-up in time:\n${hub.output()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Two hubs as an operator runs them behind a load balancer: separate processes, one PostgreSQL
 * database, one Redis. PGlite is one process's database, so this holds for PostgreSQL only.
 */
describe.runIf(process.env.DATABASE_URL)("two hubs on one PostgreSQL database", async () => {
  const up = await redisAnswers();
  let shared: SharedTestDatabase | undefined;
  let fixtures: Awaited<ReturnType<typeof serveFixtureSources>> | undefined;
  const hubs: HubProcess[] = [];
  afterEach(async () => {
    await Promise.all(hubs.splice(0).map((h) => h.kill()));
    await fixtures?.close();
    await shared?.dispose();
  });

  it.runIf(up)("both serve, run each stream due at start once, and share rate limits", async () => {
    shared = await createSharedTestDatabase();
    fixtures = await serveFixtureSources();
    // The hubs count anonymous callers under their default Redis prefix: start from no count for this address.
    const redis = new Redis(TEST_REDIS_URL);
    try {
      const keys = await redis.keys("hublot:rate:*127.0.0.1*");
      if (keys.length > 0) await redis.del(...keys);
    } finally {
      redis.disconnect();
    }
    const env = {
      DATABASE_URL: shared.childEnv.HUBLOT_CHILD_DATABASE_URL as string,
      ...fixtures.env,
      INGEST_ON_START: "on",
      REDIS_URL: TEST_REDIS_URL,
      RATE_LIMIT_ANONYMOUS_PER_MIN: "6",
      LOG_LEVEL: "info",
      LOG_FORMAT: "json",
    };
    // Started together, so both catch up at once and race for every stream's lease.
    const [a, b] = await Promise.all([startHubProcess({ env }), startHubProcess({ env })]);
    hubs.push(a, b);
    await Promise.all([caughtUp(a), caughtUp(b)]);

    const database = await shared.open();
    try {
      // Every stream due at start ran exactly once, on one hub or the other, and never on both at once.
      const runs = await selectRows<{ stream_id: string; n: number }>(
        database.db,
        sql`select stream_id, count(*)::int as n from ingest_runs where trigger = 'catch_up' group by stream_id`,
      );
      expect(runs.length, a.output() + b.output()).toBeGreaterThan(0);
      expect(
        runs.filter((r) => r.n !== 1),
        a.output() + b.output(),
      ).toEqual([]);
      const overlapping = await selectRows<{ stream_id: string; a: string; b: string }>(
        database.db,
        sql`select x.stream_id, x.instance as a, y.instance as b
            from ingest_runs x join ingest_runs y on x.stream_id = y.stream_id and x.id < y.id
            where y.started_at < coalesce(x.finished_at, now())`,
      );
      expect(overlapping).toEqual([]);
    } finally {
      await database.close();
    }

    // Six requests a minute for one address, counted in Redis across both: the seventh is refused on either.
    for (const base of [a.base, b.base, a.base, b.base, a.base, b.base]) {
      const answer = await post(base);
      expect(answer.status, await answer.text()).toBe(200);
    }
    for (const base of [a.base, b.base]) {
      const refused = await post(base);
      expect(refused.status).toBe(429);
      expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
      expect(await refused.text()).toContain("RATE_LIMITED");
    }
  });
});
