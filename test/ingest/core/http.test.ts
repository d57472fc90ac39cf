import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createHttpClient, HttpError, redactUrl, USER_AGENT } from "../../../ingest/core/http";
import { readWhole } from "../../../ingest/core/payload";
import { type FixtureServer, startFixtureServer } from "../../support/fixture-server";

let server: FixtureServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A logger that keeps its lines, to check what would reach an operator's log. */
function capturingLogger() {
  const lines: string[] = [];
  return { lines, log: pino({ level: "info" }, { write: (line: string) => lines.push(line) }) };
}

describe("createHttpClient", () => {
  it("sends Hublot's User-Agent and logs the URL with its secrets masked", async () => {
    server = await startFixtureServer({ "/data": [{ body: "ok" }] });
    const { lines, log } = capturingLogger();
    const http = createHttpClient({ log });
    const payload = await http.get(`${server.baseUrl}/data?apikey=s3cr3t&GEO=COM-13055`);
    expect(new TextDecoder().decode(payload.body)).toBe("ok");
    expect(payload.httpStatus).toBe(200);
    expect(server.requests[0]?.headers["user-agent"]).toBe(USER_AGENT);
    expect(lines.join("\n")).toContain("apikey=***");
    expect(lines.join("\n")).not.toContain("s3cr3t");
  });

  it("gives up after its retries on a server that stays down, naming the status", async () => {
    server = await startFixtureServer({ "/down": [{ status: 502, body: "bad gateway" }] });
    const http = createHttpClient({ log: capturingLogger().log, retries: 2, retryBaseMs: 10 });
    const failure = http.get(`${server.baseUrl}/down`);
    await expect(failure).rejects.toBeInstanceOf(HttpError);
    await expect(failure).rejects.toMatchObject({ status: 502 });
    expect(server.hits("/down")).toBe(3);
  });

  it("retries a connection cut in the middle of the body", async () => {
    server = await startFixtureServer({
      "/cut": [{ body: "0123456789", truncateAt: 4 }, { body: "0123456789" }],
    });
    const http = createHttpClient({ log: capturingLogger().log, retries: 2, retryBaseMs: 10 });
    const payload = await http.get(`${server.baseUrl}/cut`);
    expect(new TextDecoder().decode(payload.body)).toBe("0123456789");
    expect(server.hits("/cut")).toBe(2);
  });

  it("gives up on an unreachable host after one retry, not the whole backoff", async () => {
    // A port nothing listens on: ECONNREFUSED, as ENOTFOUND would be on a machine without DNS.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const { port } = closed.address() as AddressInfo;
    await new Promise((r) => closed.close(r));
    const { lines, log } = capturingLogger();
    const http = createHttpClient({ log, retries: 4, retryBaseMs: 50 });
    const started = Date.now();
    const failure = http.get(`http://127.0.0.1:${port}/data`);
    await expect(failure).rejects.toBeInstanceOf(HttpError);
    await expect(failure).rejects.toThrow(/ECONNREFUSED/);
    expect(lines.filter((l) => l.includes("retrying after ECONNREFUSED"))).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("streams a body after retrying a 503, and fails a 404 at once", async () => {
    server = await startFixtureServer({
      "/export": [{ status: 503, body: "busy" }, { body: "a;b\n1;2\n" }],
      "/gone": [{ status: 404, body: "no" }],
    });
    const http = createHttpClient({ log: capturingLogger().log, retries: 2, retryBaseMs: 10 });
    const payload = await http.stream(`${server.baseUrl}/export`);
    expect(payload.httpStatus).toBe(200);
    expect(new TextDecoder().decode(await readWhole(payload.body))).toBe("a;b\n1;2\n");
    expect(server.hits("/export")).toBe(2);
    await expect(http.stream(`${server.baseUrl}/gone`)).rejects.toMatchObject({ status: 404 });
    expect(server.hits("/gone")).toBe(1);
  });

  it("errors a streamed body cut short with an HttpError", async () => {
    server = await startFixtureServer({ "/cut": [{ body: "0123456789", truncateAt: 4 }] });
    const http = createHttpClient({ log: capturingLogger().log, retries: 0 });
    const read = async () => readWhole((await http.stream(`${server?.baseUrl}/cut`)).body);
    await expect(read()).rejects.toBeInstanceOf(HttpError);
  });

  it("spaces requests to respect the source's rate limit", async () => {
    server = await startFixtureServer({ "/limited": [{ body: "ok" }] });
    const http = createHttpClient({
      log: capturingLogger().log,
      rateLimit: { requests: 2, intervalMs: 400 },
    });
    const started = Date.now();
    await Promise.all([1, 2, 3].map(() => http.get(`${server?.baseUrl}/limited`)));
    // The third request had to wait for the next window.
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
  });
});

describe("redactUrl", () => {
  it("masks tokens and drops credentials", () => {
    expect(redactUrl("https://user:pw@api.example.org/x?token=abc&q=1")).toBe(
      "https://api.example.org/x?token=***&q=1",
    );
  });
});
