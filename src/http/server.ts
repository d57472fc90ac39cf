import { createServer, type IncomingMessage, type Server } from "node:http";
import { ApolloServer, HeaderMap } from "@apollo/server";
import { sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { buildHublotSchema } from "../graphql/build-schema";
import type { GraphQLContext } from "../graphql/context";

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** node:http in front of Apollo: /graphql, /healthz and /readyz share one port without a framework. */
export async function createHttpServer(db: Db): Promise<Server> {
  const apollo = new ApolloServer<GraphQLContext>({
    schema: await buildHublotSchema(),
    includeStacktraceInErrorResponses: false,
  });
  await apollo.start();
  return createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    try {
      if (url.pathname === "/healthz") {
        res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
        return;
      }
      if (url.pathname === "/readyz") {
        await db.execute(sql`select 1 from territories limit 1`);
        res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ready"}');
        return;
      }
      if (url.pathname !== "/graphql") {
        res.writeHead(404, { "content-type": "text/plain" }).end("not found: try /graphql");
        return;
      }
      const headers = new HeaderMap();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
      const body = req.method === "POST" ? await readBody(req) : "";
      const result = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: {
          method: req.method ?? "GET",
          headers,
          search: url.search,
          body: body ? JSON.parse(body) : undefined,
        },
        context: async () => ({ db }),
      });
      for (const [k, v] of result.headers) res.setHeader(k, v);
      res.statusCode = result.status ?? 200;
      if (result.body.kind === "complete") res.end(result.body.string);
      else {
        for await (const chunk of result.body.asyncIterator) res.write(chunk);
        res.end();
      }
    } catch (error) {
      const status = error instanceof SyntaxError ? 400 : 503;
      res
        .writeHead(status, { "content-type": "text/plain" })
        .end(status === 400 ? "malformed JSON body" : "not ready");
    }
  });
}
