import type { ApolloServerPlugin } from "@apollo/server";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { GraphQLSchema } from "graphql";
import type { QueryLimits } from "../graphql/limits/config";
import { Deadline } from "../graphql/limits/deadline";
import { createQueryGate, type GraphQLRequestText } from "../graphql/limits/gate";

/** The query text, variables and operation of a /graphql request, wherever it carries them. */
function requestText(request: FastifyRequest): GraphQLRequestText | undefined {
  const source = (request.method === "POST" ? request.body : request.query) as Record<string, unknown> | null;
  if (!source || typeof source !== "object" || typeof source.query !== "string") return undefined;
  let variables: unknown = source.variables;
  if (typeof variables === "string") {
    try {
      variables = JSON.parse(variables);
    } catch {
      return undefined; // Apollo says the variables are not JSON
    }
  }
  return {
    query: source.query,
    variables:
      variables && typeof variables === "object" ? (variables as Record<string, unknown>) : undefined,
    operationName: typeof source.operationName === "string" ? source.operationName : undefined,
  };
}

/**
 * The route hook that refuses what a request may not ask (src/graphql/limits/gate.ts) with HTTP 400 and
 * a stable code, before Apollo, the cache of answers or the database see it.
 */
export function queryLimitsHook(schema: GraphQLSchema, limits: QueryLimits) {
  const gate = createQueryGate(schema, limits);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const text = requestText(request);
    if (!text) return;
    const refusal = gate(text);
    if (!refusal) return;
    request.log.info({ code: refusal.code, ...refusal.extensions }, "query refused");
    await reply
      .code(400)
      .type("application/json")
      .send(
        JSON.stringify({
          errors: [{ message: refusal.message, extensions: { ...refusal.extensions, code: refusal.code } }],
        }),
      );
  };
}

/** A context field: the request's deadline, which every resolver checks (src/errors.ts). */
export function deadlineOf(limits: QueryLimits): { deadline: Deadline } {
  return { deadline: new Deadline(limits.deadlineMs) };
}

/** Answers a request that ran out of time 504, and stops its deadline's timer once it is answered. */
export function deadlinePlugin(): ApolloServerPlugin<{ deadline?: Deadline }> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          contextValue.deadline?.cancel();
          const body = response.body;
          const errors = body.kind === "single" ? body.singleResult.errors : undefined;
          if (errors?.some((e) => e.extensions?.code === "TIMEOUT")) response.http.status = 504;
        },
      };
    },
  };
}
