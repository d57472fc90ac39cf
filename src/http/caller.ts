import type { FastifyInstance } from "fastify";
import { anonymousCaller, type Caller } from "../graphql/context";

declare module "fastify" {
  interface FastifyRequest {
    /** Who is asking, decided once per request before any route runs. */
    caller: Caller;
  }
}

/**
 * Decides who is calling, once, at the edge: every later hook (rate limits, access log) and the
 * GraphQL context read `request.caller`. Every request is anonymous until API keys are read here.
 */
export function registerCaller(app: FastifyInstance): void {
  // Fastify wants null for an object decorator (a shared default object would leak between requests).
  app.decorateRequest("caller", null as unknown as Caller);
  app.addHook("onRequest", async (request) => {
    request.caller = anonymousCaller;
  });
}
