import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { fastifyApolloHandler } from "@as-integrations/fastify";
import type { FastifyInstance } from "fastify";
import type { Db } from "../db/client";
import { buildHublotSchema } from "../graphql/build-schema";
import { createContext, type GraphQLContext } from "../graphql/context";
import { createPlayground, wantsPlayground } from "./playground";

/**
 * `/graphql`: GraphQL over GET and POST through Apollo, and the offline playground for a browser that
 * opens the URL; the playground's assets sit under `/playground/`.
 */
export async function registerGraphql(app: FastifyInstance, db: Db): Promise<void> {
  const playground = createPlayground();
  const apollo = new ApolloServer<GraphQLContext>({
    schema: await buildHublotSchema(),
    includeStacktraceInErrorResponses: false,
    // Apollo's own landing page loads from a CDN; browsers get the offline playground instead.
    plugins: [ApolloServerPluginLandingPageDisabled()],
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
  const execute = fastifyApolloHandler(apollo, {
    context: async (request) => createContext(db, request.caller),
  });
  // Apollo's handler answers a string body (its Reply type).
  app.route<{ Reply: string }>({
    method: ["GET", "POST"],
    url: "/graphql",
    handler: async (request, reply) => {
      if (wantsPlayground(request)) {
        playground.servePage(request, reply);
        return;
      }
      return execute.call(app, request, reply);
    },
  });
}
