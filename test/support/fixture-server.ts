/**
 * A local HTTP server that replays recorded payloads, so connectors run against their real URL paths
 * with `INGEST_<SOURCE>_BASE_URL` pointing here. Each route answers its responses in turn (the last
 * one repeats), which is how a test scripts "503, then 200". A route keyed by path and query string
 * (`/x?year=2022`) answers that exact request before the route of its bare path does.
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

export interface ScriptedResponse {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Send only this many bytes of the body, then drop the connection mid-payload. */
  truncateAt?: number;
}

export interface FixtureServer {
  baseUrl: string;
  /** Requests received, by path with query string. */
  requests: { path: string; headers: IncomingMessage["headers"] }[];
  hits(pathPrefix: string): number;
  /** Replaces the script of one path (with or without its query string). */
  route(path: string, ...responses: ScriptedResponse[]): void;
  close(): Promise<void>;
}

export async function startFixtureServer(
  routes: Record<string, ScriptedResponse[]> = {},
): Promise<FixtureServer> {
  const scripts = new Map(Object.entries(routes).map(([path, responses]) => [path, [...responses]]));
  const requests: FixtureServer["requests"] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    requests.push({ path: `${url.pathname}${url.search}`, headers: req.headers });
    const script = scripts.get(`${url.pathname}${url.search}`) ?? scripts.get(url.pathname);
    const next = script && (script.length > 1 ? script.shift() : script[0]);
    if (!next) {
      res.writeHead(404, { "content-type": "text/plain" }).end("no fixture for this path");
      return;
    }
    const body = typeof next.body === "string" ? Buffer.from(next.body) : Buffer.from(next.body ?? "");
    res.writeHead(next.status ?? 200, { "content-length": String(body.length), ...next.headers });
    if (next.truncateAt !== undefined) {
      res.write(body.subarray(0, next.truncateAt));
      res.destroy();
      return;
    }
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    hits: (prefix) => requests.filter((r) => r.path.startsWith(prefix)).length,
    route: (path, ...responses) => scripts.set(path, responses),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
