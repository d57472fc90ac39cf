import type { ApolloServerPlugin } from "@apollo/server";
import { ApolloServer } from "@apollo/server";
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from "@apollo/server/plugin/disabled";
import { fastifyApolloHandler } from "@as-integrations/fastify";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Kind, type OperationDefinitionNode, parse } from "graphql";
import type { Db } from "../db/client";
import { buildHublotSchema } from "../graphql/build-schema";
import { createContext, type GraphQLContext } from "../graphql/context";
import { defaultQueryLimits, type QueryLimits } from "../graphql/limits/config";
import type { ReferenceCache } from "../graphql/reference-cache";
import { deadlineOf, deadlinePlugin, queryLimitsHook } from "./limits";
import { createPlayground, wantsPlayground } from "./playground";
import { answerAsTable, executeOnApollo } from "./tabular/answer";
import { FormatError, requestedTableFormat } from "./tabular/format";

/**
 * `/graphql`: GraphQL over GET and POST through Apollo, and the offline playground for a browser that
 * opens the URL; the playground's assets sit under `/playground/`.
 */
/** What Apollo's cache-control plugin answered with no hint in the schema: never store. */
const noStore: ApolloServerPlugin<GraphQLContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        response.http.headers.set("cache-control", "no-store");
      },
    };
  },
};

export async function registerGraphql(
  app: FastifyInstance,
  db: Db,
  limits: QueryLimits = defaultQueryLimits,
  reference?: ReferenceCache,
): Promise<void> {
  const playground = createPlayground();
  const schema = await buildHublotSchema();
  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    includeStacktraceInErrorResponses: false,
    // Apollo's CSRF rule refuses a GET without a custom header: what spreadsheets and address bars
    // send. Ours (guardRequest below, docs/bi.md): a GET never runs a mutation (Apollo refuses it),
    // a POST must be JSON, which no cross-site form can send, and no cookie ever identifies a caller.
    csrfPrevention: false,
    // Apollo's own landing page loads from a CDN; browsers get the offline playground instead.
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      // Apollo's cache-control plugin wraps every field's resolver to read hints no type declares, so
      // each answer came out no-store whatever it held; that header is set once below instead (the
      // answer cache, src/http/cache, replaces it on what it may store).
      ApolloServerPluginCacheControlDisabled(),
      noStore,
      deadlinePlugin(),
    ],
    // Apollo turns it off when NODE_ENV=production, which breaks users' codegen: the operator decides.
    introspection: limits.introspection,
    // A hash-only request would run a stored document with new variables the limits never saw.
    persistedQueries: false,
    // Shutdown is the process's to order (src/main.ts), not Apollo's own signal handlers'.
    stopOnTerminationSignals: false,
  });
  await apollo.start();
  // Fastify's close() drains the HTTP side first; Apollo is stopped after it.
  app.addHook("onClose", () => apollo.stop());

  for (const path of playground.assetPaths) {
    app.get(`/${path}`, (request, reply) => {
      playground.serveAsset(request, reply, `/${path}`);
      return reply;
    });
  }
  const contextOf = (request: FastifyRequest) => async () => ({
    ...createContext(db, request.caller, reference?.forRequest()),
    ...deadlineOf(limits),
  });
  const execute = fastifyApolloHandler(apollo, {
    context: async (request) => contextOf(request)(),
  });
  // Apollo's handler answers a string body (its Reply type).
  app.route<{ Reply: string }>({
    method: ["GET", "POST"],
    url: "/graphql",
    bodyLimit: limits.maxBodyBytes,
    preValidation: guardRequest,
    preHandler: queryLimitsHook(schema, limits),
    handler: async (request, reply) => {
      if (wantsPlayground(request)) {
        playground.servePage(request, reply);
        return;
      }
      const query = request.query as { format?: string; locale?: string };
      let format: ReturnType<typeof requestedTableFormat>;
      try {
        format = requestedTableFormat({ ...query, accept: request.headers.accept });
      } catch (error) {
        if (!(error instanceof FormatError)) throw error;
        return reply
          .code(406)
          .type("application/json")
          .send(
            JSON.stringify({ errors: [{ message: error.message, extensions: { code: "NOT_ACCEPTABLE" } }] }),
          );
      }
      if (format) return answerAsTable(apollo, schema, request, reply, format, contextOf(request));
      if (request.method === "HEAD") {
        const { status, headers, text } = await executeOnApollo(apollo, request, contextOf(request));
        for (const [k, v] of headers) reply.header(k, v);
        return reply.code(status).send(text);
      }
      return execute.call(app, request, reply);
    },
  });
}

const refusal = (message: string, code: string) =>
  JSON.stringify({ errors: [{ message, extensions: { code } }] });

/**
 * What makes GraphQL over HTTP safe without Apollo's CSRF headers (docs/bi.md): a GET only ever runs a
 * query, and a POST must say it is JSON. A browser sends a cross-site request without asking the server
 * first only as a GET or as a text/plain, form or multipart POST: so no other site can make a visitor's
 * browser run a mutation here, and since no cookie ever identifies a caller, what it can read cross-site
 * is what anyone can read.
 */
async function guardRequest(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (request.method === "POST") {
    const type = (request.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
    if (type === "application/json" || type === "application/graphql-response+json") return;
    await reply
      .code(415)
      .type("application/json")
      .send(
        refusal(
          "POST /graphql takes a JSON body: send Content-Type: application/json (or use GET for a query)",
          "UNSUPPORTED_MEDIA_TYPE",
        ),
      );
    return;
  }
  const { query, operationName } = (request.query ?? {}) as { query?: unknown; operationName?: unknown };
  if (typeof query !== "string") return;
  let kinds: string[];
  try {
    const operations = parse(query).definitions.filter(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    );
    const named = operations.filter((o) => operationName === undefined || o.name?.value === operationName);
    kinds = named.map((o) => o.operation);
  } catch {
    return; // Apollo reports the syntax error
  }
  if (kinds.some((k) => k !== "query"))
    await reply
      .code(405)
      .header("allow", "POST")
      .type("application/json")
      .send(
        refusal("a GET runs queries only: send a mutation as a POST with a JSON body", "METHOD_NOT_ALLOWED"),
      );
}
