import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKey } from "../../src/access/keys";
import type { HttpOptions } from "../../src/http/server";
import { buildHttpApp } from "../../src/http/server";
import { createTestDatabase } from "../support/db";
import { type RunningHub, startHub } from "../support/http";
import { redisAnswers, TEST_REDIS_URL } from "../support/redis";

const VIEWER = "query Viewer { viewer { role } }";

type Load = NonNullable<HttpOptions["load"]>;
const roomy: Load["shedding"] = {
  maxConcurrent: 100,
  maxQueued: 100,
  maxQueueWaitMs: 2_000,
  maxEventLoopDelayMs: 0,
  maxHeapUsedBytes: 0,
};

const post = (base: string, query: string, headers: Record<string, string> = {}) =>
  fetch(`${base}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query }),
  });

describe("rate limits per caller", () => {
  let hub: RunningHub;
  let token: string;
  beforeAll(async () => {
    hub = await startHub({
      load: { rateLimit: { anonymousPerMinute: 3, keyedPerMinute: 5 }, shedding: roomy },
    });
    token = (await createKey(hub.database.db, { name: "limits", role: "analyst" })).token;
  });
  afterAll(() => hub.close());

  it("answers 429 RATE_LIMITED with Retry-After past the anonymous limit, in the GraphQL error shape", async () => {
    for (let i = 0; i < 3; i++) expect((await post(hub.base, VIEWER)).status).toBe(200);
    const refused = await post(hub.base, VIEWER);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    const body = await refused.json();
    expect(body.errors[0].extensions.code).toBe("RATE_LIMITED");
    expect(body.errors[0].message).toMatch(/3 requests per minute .*API key/);
  });

  it("counts a keyed caller apart from its address, against its own higher limit", async () => {
    const auth = { authorization: `Bearer ${token}` };
    for (let i = 0; i < 5; i++) expect((await post(hub.base, VIEWER, auth)).status).toBe(200);
    const refused = await post(hub.base, VIEWER, auth);
    expect(refused.status).toBe(429);
    expect((await refused.json()).errors[0].message).toMatch(/for this API key/);
  });

  it("never limits the health checks and the metrics scrape", async () => {
    for (let i = 0; i < 10; i++) {
      expect((await fetch(`${hub.base}/healthz`)).status).toBe(200);
      expect((await fetch(`${hub.base}/metrics`)).status).toBe(200);
    }
    expect((await fetch(`${hub.base}/readyz`)).status).toBe(200);
  });
});

describe("rate limits shared through Redis", async () => {
  const up = await redisAnswers();
  it.runIf(up)("counts the requests of two instances together", async () => {
    const rateLimit = { anonymousPerMinute: 4, keyedPerMinute: 4, redisUrl: TEST_REDIS_URL };
    const redisPrefix = `hublot-test:${randomUUID()}:`;
    const a = await startHub({ load: { rateLimit: { ...rateLimit, redisPrefix }, shedding: roomy } });
    const b = await startHub({ load: { rateLimit: { ...rateLimit, redisPrefix }, shedding: roomy } });
    try {
      for (const base of [a.base, b.base, a.base, b.base])
        expect((await post(base, VIEWER)).status).toBe(200);
      expect((await post(a.base, VIEWER)).status).toBe(429);
      expect((await post(b.base, VIEWER)).status).toBe(429);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

/**
 * A hub whose /export/slow-test answers after `ms`: a request that holds its turn for a known time, so
 * the queue fills deterministically (real queries on an in-process PGlite finish before the next
 * request is even read). It sits under /export/, which the queue bounds like /graphql.
 */
async function slowHub(shedding: Load["shedding"], ms: number) {
  const database = await createTestDatabase();
  const app = await buildHttpApp(database.db, {
    load: { rateLimit: { anonymousPerMinute: 100_000, keyedPerMinute: 100_000 }, shedding },
  });
  app.get("/export/slow-test", async () => {
    await new Promise((r) => setTimeout(r, ms));
    return "done";
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  return {
    base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    close: async () => {
      await app.close();
      await database.close();
    },
  };
}

describe("load shedding", () => {
  let hub: Awaited<ReturnType<typeof slowHub>>;
  beforeAll(async () => {
    hub = await slowHub({ ...roomy, maxConcurrent: 1, maxQueued: 2, maxQueueWaitMs: 60_000 }, 300);
  });
  afterAll(() => hub.close());

  it("refuses at once with 503 SERVICE_OVERLOADED and Retry-After when the queue is full", async () => {
    const slow = Array.from({ length: 3 }, () => fetch(`${hub.base}/export/slow-test`));
    await new Promise((r) => setTimeout(r, 100));
    // One at work, two queued: GraphQL finds the queue full, and so does a fourth export.
    const refused = await post(hub.base, VIEWER);
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect((await refused.json()).errors[0].extensions.code).toBe("SERVICE_OVERLOADED");
    expect((await fetch(`${hub.base}/export/slow-test`)).status).toBe(503);
    // The health checks are never queued behind that work.
    expect((await fetch(`${hub.base}/healthz`)).status).toBe(200);
    expect((await Promise.all(slow)).map((r) => r.status)).toEqual([200, 200, 200]);
    // The queue empties: the next request is served.
    expect((await post(hub.base, VIEWER)).status).toBe(200);
  });
});

describe("load shedding: the longest wait", () => {
  let hub: Awaited<ReturnType<typeof slowHub>>;
  beforeAll(async () => {
    hub = await slowHub({ ...roomy, maxConcurrent: 1, maxQueued: 100, maxQueueWaitMs: 200 }, 1_000);
  });
  afterAll(() => hub.close());

  it("answers 503 to a request that waited longer than SHED_MAX_QUEUE_WAIT_MS for its turn", async () => {
    const first = fetch(`${hub.base}/export/slow-test`);
    await new Promise((r) => setTimeout(r, 100));
    const waited = await post(hub.base, VIEWER);
    expect(waited.status).toBe(503);
    expect((await waited.json()).errors[0].message).toMatch(/no turn within 200 ms/);
    expect((await first).status).toBe(200);
    expect((await post(hub.base, VIEWER)).status).toBe(200);
  });
});
