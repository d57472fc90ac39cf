/**
 * A GraphQL request answered as CSV or TSV (`Accept: text/csv`, `?format=csv|tsv`): Apollo executes it
 * exactly as for JSON (same limits, same refusals, same context), then its list becomes the table.
 */
import { type ApolloServer, type BaseContext, HeaderMap } from "@apollo/server";
import type { FastifyReply, FastifyRequest } from "fastify";
import { type GraphQLSchema, parse } from "graphql";
import { TabularError, tableOf } from "./flatten";
import { formatTable, type TableFormat } from "./format";

interface GraphQLBody {
  query?: unknown;
  operationName?: unknown;
}

function refuse(reply: FastifyReply, status: number, message: string, code: string) {
  return reply
    .code(status)
    .type("application/json")
    .send({ errors: [{ message, extensions: { code } }] });
}

/** Runs the request through Apollo (limits, refusals and context as for any request) and reads its JSON. */
export async function executeOnApollo<C extends BaseContext>(
  apollo: ApolloServer<C>,
  request: FastifyRequest,
  context: () => Promise<C>,
): Promise<{ status: number; headers: [string, string][]; text: string }> {
  const headers = new HeaderMap();
  for (const [k, v] of Object.entries(request.headers)) if (typeof v === "string") headers.set(k, v);
  headers.set("accept", "application/json");
  const url = new URL(request.url, "http://hub");
  const result = await apollo.executeHTTPGraphQLRequest({
    // HEAD is a GET whose body Fastify drops; Apollo knows only GET and POST.
    httpGraphQLRequest: {
      method: request.method === "HEAD" ? "GET" : request.method,
      headers,
      search: url.search,
      body: request.body,
    },
    context,
  });
  const text =
    result.body.kind === "complete" ? result.body.string : await collect(result.body.asyncIterator);
  return { status: result.status ?? 200, headers: [...result.headers], text };
}

export async function answerAsTable<C extends BaseContext>(
  apollo: ApolloServer<C>,
  schema: GraphQLSchema,
  request: FastifyRequest,
  reply: FastifyReply,
  format: TableFormat,
  context: () => Promise<C>,
): Promise<FastifyReply> {
  const { status, headers, text } = await executeOnApollo(apollo, request, context);
  const answer = JSON.parse(text) as { data?: Record<string, unknown> | null; errors?: unknown[] };
  // A table with holes would pass for a complete one: any error answers as JSON, with its status.
  if (status !== 200 || answer.errors?.length || !answer.data) {
    for (const [k, v] of headers) reply.header(k, v);
    return reply
      .code(status === 200 ? 400 : status)
      .type("application/json")
      .send(text);
  }
  const body = (request.method === "POST" ? request.body : request.query) as GraphQLBody;
  const params = request.query as { list?: string; header?: string };
  try {
    const table = tableOf(schema, parse(String(body.query)), answer.data, {
      operationName: typeof body.operationName === "string" ? body.operationName : undefined,
      pick: params.list,
    });
    const withHeader = params.header !== "absent";
    return reply
      .type(withHeader ? format.contentType : format.contentType.replace("header=present", "header=absent"))
      .send(formatTable(format, table.columns, table.rows, { header: withHeader }));
  } catch (error) {
    if (error instanceof TabularError) return refuse(reply, 400, error.message, "NOT_TABULAR");
    throw error;
  }
}

async function collect(chunks: AsyncIterableIterator<string>): Promise<string> {
  let text = "";
  for await (const chunk of chunks) text += chunk;
  return text;
}
