import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pathToFileURL } from "node:url";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runStream } from "../../ingest/core/runner";
import { createKey } from "../../src/access/keys";
import { type RunningHub, startHub } from "../support/http";
import { inventedPayload, inventedStream, quarters, sourceOf } from "../support/invented-stream";

/** The access log as JSON objects, written to memory. */
function memoryLog() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: "info" }, stream), lines };
}

/** The value of one sample of a Prometheus text exposition, 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`)) continue;
    const body = line.slice(name.length + 1, line.indexOf("}"));
    if (Object.entries(labels).every(([k, v]) => body.includes(`${k}="${v}"`)))
      return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return 0;
}

const post = (base: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });

describe("GET /metrics and the access log", () => {
  let hub: RunningHub;
  const log = memoryLog();
  let token: string;
  let keyId: string;
  beforeAll(async () => {
    hub = await startHub({ accessLog: log.logger });
    const created = await createKey(hub.database.db, { name: "observe", role: "analyst" });
    token = created.token;
    keyId = created.key.id;
  });
  afterAll(() => hub.close());
  const scrape = async () => {
    const res = await fetch(`${hub.base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    return res.text();
  };

  it("counts requests by operation and status, their duration, and GraphQL errors by code", async () => {
    const before = await scrape();
    const ok = { route: "/graphql", operation: "Viewer", status: "200" };
    const n0 = sample(before, "hublot_http_requests_total", ok);
    const e0 = sample(before, "hublot_graphql_errors_total", { code: "GRAPHQL_VALIDATION_FAILED" });
    await post(hub.base, { query: "query Viewer { viewer { role } }" });
    await post(hub.base, { query: "query Viewer { viewer { role } }" });
    await post(hub.base, { query: "query Broken { nothingHere }" });
    const after = await scrape();
    expect(sample(after, "hublot_http_requests_total", ok)).toBe(n0 + 2);
    expect(
      sample(after, "hublot_http_request_duration_seconds_count", { route: "/graphql", operation: "Viewer" }),
    ).toBeGreaterThanOrEqual(2);
    expect(sample(after, "hublot_graphql_errors_total", { code: "GRAPHQL_VALIDATION_FAILED" })).toBe(e0 + 1);
    // The statements those requests sent, timed.
    expect(after).toMatch(
      /hublot_db_statement_duration_seconds_count\{driver="(pglite|postgres)",outcome="ok"\} [1-9]/,
    );
    expect(after).toMatch(/hublot_process_resident_memory_bytes \d/);
  });

  it("does not let a client grow the metrics without bound with invented operation names", async () => {
    await Promise.all(
      Array.from({ length: 260 }, (_, i) => post(hub.base, { query: `query Op${i} { viewer { role } }` })),
    );
    await post(hub.base, { query: "query Viewer { viewer { role } }", operationName: "x y\nz" });
    const text = await scrape();
    const names = new Set(
      [...text.matchAll(/hublot_http_requests_total\{[^}]*operation="([^"]*)"/g)].map((m) => m[1]),
    );
    expect(names.size).toBeLessThanOrEqual(201 + 2);
    expect(names.has("other")).toBe(true);
  });

  it("counts ingest runs by stream and outcome with their rows, and each stream's data age", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "hublot-observe-")), "invented.json");
    writeFileSync(file, inventedPayload(quarters(4, (i) => 5 + i)));
    const stream = inventedStream("observe.invented", "observe_invented", {
      plan: () => [{ key: "only", url: pathToFileURL(file).href }],
    });
    const summary = await runStream({
      db: hub.database.db,
      source: sourceOf("observe", stream, "file:///"),
      stream,
      trigger: "test",
    });
    expect(summary.status).toBe("success");
    const text = await scrape();
    expect(sample(text, "hublot_ingest_runs_total", { stream: "observe.invented", outcome: "success" })).toBe(
      1,
    );
    expect(sample(text, "hublot_ingest_rows_total", { stream: "observe.invented", kind: "inserted" })).toBe(
      4,
    );
    expect(text).toMatch(
      /hublot_ingest_run_duration_seconds_count\{stream="observe.invented",outcome="success"\} 1/,
    );
    // Read from stream_state on the scrape: seconds since that success, a small number now.
    const age = sample(text, "hublot_ingest_data_age_seconds", { stream: "observe.invented" });
    expect(text).toContain('hublot_ingest_data_age_seconds{stream="observe.invented"}');
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThan(3600);
  });

  it("writes one access-log line per request: key id, operation, status, duration, bytes, no secret nor variable", async () => {
    log.lines.length = 0;
    const res = await post(
      hub.base,
      {
        query: "query Viewer($secret: String) { viewer { role } }",
        variables: { secret: "s3cr3t-variable" },
      },
      { authorization: `Bearer ${token}` },
    );
    await res.text();
    // Each answer read to its end, so each line is written before the next request: the order is known.
    await (
      await fetch(`${hub.base}/graphql?query=${encodeURIComponent("{ viewer { role } }")}&key=${token}`)
    ).text();
    await (await fetch(`${hub.base}/no-such-page`)).text();
    await new Promise((r) => setTimeout(r, 50));
    const requests = log.lines.filter((l) => l.msg === "request");
    expect(requests).toHaveLength(3);
    expect(requests[0]).toMatchObject({
      method: "POST",
      path: "/graphql",
      operation: "Viewer",
      // 400: the unused variable fails validation, which is still one line, with its status.
      status: 400,
      keyId,
    });
    expect(requests[0].ms).toEqual(expect.any(Number));
    expect(requests[0].bytes).toBeGreaterThan(0);
    // Each line is written once its answer is sent: the last two may come in either order.
    expect(requests.slice(1)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ method: "GET", path: "/graphql", keyId }),
        expect.objectContaining({ path: "/no-such-page", status: 404, keyId: null }),
      ]),
    );
    const text = JSON.stringify(log.lines);
    expect(text).not.toContain(token);
    expect(text).not.toContain(token.split("_").pop() as string);
    expect(text).not.toContain("s3cr3t-variable");
  });
});
