import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectedMigrationCount } from "../../src/http/health";
import type { TestDatabase } from "../support/db";
import { type RunningHub, startHub } from "../support/http";

describe("the HTTP server", () => {
  let hub: RunningHub;
  let database: TestDatabase;
  let base: string;
  beforeAll(async () => {
    hub = await startHub();
    ({ database, base } = hub);
  });
  afterAll(() => hub?.close());

  const graphql = async (query: string) => {
    const res = await fetch(`${base}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query }),
    });
    return (await res.json()) as { data?: Record<string, unknown>; errors?: { message: string }[] };
  };

  it("answers health and readiness, counting the applied migrations against the journal", async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    const expected = expectedMigrationCount();
    expect(expected).toBeGreaterThan(0);
    expect(await ready.json()).toEqual({ status: "ready", migrations: { applied: expected, expected } });
  });

  it("serves the playground to a browser and GraphQL to everyone else on /graphql", async () => {
    const page = await fetch(`${base}/graphql`, { headers: { accept: "text/html,application/xhtml+xml" } });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await page.text()).toContain('id="graphiql"');

    const get = await fetch(
      `${base}/graphql?query=${encodeURIComponent("{ indicators { nodes { code } } }")}`,
      {
        headers: { accept: "text/html,application/xhtml+xml,*/*;q=0.8", "apollo-require-preflight": "true" },
      },
    );
    expect(get.headers.get("content-type")).toMatch(/json/);
    expect(
      ((await get.json()) as { data: { indicators: { nodes: unknown[] } } }).data.indicators.nodes,
    ).toHaveLength(22);

    const curl = await fetch(`${base}/graphql`, { headers: { accept: "*/*" } });
    expect(curl.headers.get("content-type")).not.toMatch(/html/);
  });

  it("answers a POSTed query over HTTP", async () => {
    const { data } = await graphql('{ territory(code: "COM-13055") { name population } }');
    expect(data?.territory).toMatchObject({ name: "Marseille" });
  });

  it("marks an answer it does not cache no-store, and a cacheable one for revalidation", async () => {
    const post = (query: string) =>
      fetch(`${base}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query }),
      });
    // A document that does not parse is outside the answer cache: nothing may keep it.
    const invalid = await post("{ territory(");
    expect(invalid.headers.get("cache-control")).toBe("no-store");
    const cacheable = await post('{ territory(code: "COM-13055") { name } }');
    expect(cacheable.status).toBe(200);
    expect(cacheable.headers.get("cache-control")).toBe("public, max-age=0, must-revalidate");
  });

  it("answers a bad argument with its stable code and a message that says what to fix, no stack", async () => {
    const res = await fetch(`${base}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: '{ territory(code: "COM-99999") { name } }' }),
    });
    const body = (await res.json()) as { errors: { message: string; extensions: Record<string, unknown> }[] };
    expect(body.errors[0].extensions.code).toBe("NOT_FOUND");
    expect(body.errors[0].message).toMatch(/no territory with code "COM-99999"/);
    expect(JSON.stringify(body)).not.toMatch(/stacktrace|at .*\.ts/);
  });

  it("rejects a malformed body with a 400 and no stack trace", async () => {
    const res = await fetch(`${base}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{",
    });
    expect(res.status).toBe(400);
    expect(await res.text()).not.toMatch(/at .*\.ts/);
  });

  // Last in this file: it hides and restores the migrator's journal of this test's own database.
  it("answers 503 with a reason when migrations are missing or the journal is behind", async () => {
    const reason = async () => {
      const res = await fetch(`${base}/readyz`);
      return { status: res.status, body: await res.json() };
    };
    const expected = expectedMigrationCount();
    await database.db.execute(sql`alter schema drizzle rename to drizzle_hidden`);
    try {
      expect(await reason()).toEqual({
        status: 503,
        body: { status: "not ready", reason: `migrations not applied: 0 of ${expected}` },
      });
    } finally {
      await database.db.execute(sql`alter schema drizzle_hidden rename to drizzle`);
    }
    await database.db.execute(sql`alter table drizzle.__drizzle_migrations rename to __applied`);
    await database.db.execute(
      sql`create table drizzle.__drizzle_migrations as select * from drizzle.__applied limit ${sql.raw(String(expected - 1))}`,
    );
    try {
      expect(await reason()).toEqual({
        status: 503,
        body: { status: "not ready", reason: `migrations not applied: ${expected - 1} of ${expected}` },
      });
    } finally {
      await database.db.execute(sql`drop table drizzle.__drizzle_migrations`);
      await database.db.execute(sql`alter table drizzle.__applied rename to __drizzle_migrations`);
    }
    expect((await reason()).status).toBe(200);
  });
});
