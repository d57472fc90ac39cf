import { createRequire } from "node:module";
import { ApolloArmor } from "@escape.tech/graphql-armor";
import {
  type DocumentNode,
  GraphQLError,
  type GraphQLSchema,
  parse,
  type ValidationContext,
  validate,
} from "graphql";
import type * as QueryComplexity from "graphql-query-complexity";
import { LRUCache } from "lru-cache";
import { MAX_PAGE_SIZE } from "../../errors";
import type { QueryLimits } from "./config";
import { costEstimator, type PageRequest } from "./cost";
import { findStringProblem } from "./strings";

export type RefusalCode =
  | "DOCUMENT_TOO_LARGE"
  | "TOO_MANY_TOKENS"
  | "QUERY_TOO_DEEP"
  | "TOO_MANY_ALIASES"
  | "TOO_MANY_DIRECTIVES"
  | "QUERY_TOO_COSTLY"
  | "PAGE_TOO_LARGE"
  | "BAD_USER_INPUT";

export interface Refusal {
  code: RefusalCode;
  message: string;
  extensions: Record<string, unknown>;
}

export interface GraphQLRequestText {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

// Its ES build imports graphql's ES build, another copy of graphql than the one type-graphql builds the
// schema with under a bundler's resolution (vitest): the CommonJS build shares the schema's copy.
const { getComplexity } = createRequire(import.meta.url)(
  "graphql-query-complexity",
) as typeof QueryComplexity;

/** Nodes the cost walk visits at most: a fragment spread a thousand ways stops here, not in memory. */
const MAX_COST_NODES = 20_000;

/**
 * Decides, before Apollo parses or validates anything, whether a request asks more than the limits allow.
 * It runs first because graphql-js's own validation of a hostile document (fields overlapping a thousand
 * ways, fragments fanned out) already costs seconds; each check here is linear in the document.
 * Undefined means "let Apollo answer", including every syntax or validation error that is not a limit.
 */
export function createQueryGate(schema: GraphQLSchema, limits: QueryLimits) {
  const rules = limitRules(limits);
  // The size, token and shape checks depend on the text alone: a dashboard or BI tool sends the same few
  // queries again and again, so each text is parsed and checked once (the cost walk needs the variables).
  const checked = new LRUCache<string, DocumentNode | Refusal | "not-ours">({
    maxSize: 32_000_000,
    // A parsed document weighs about ten times its text.
    sizeCalculation: (_value, query) => query.length * 10 + 1,
  });
  const checkText = (query: string): DocumentNode | Refusal | "not-ours" => {
    const known = checked.get(query);
    if (known !== undefined) return known;
    const verdict = checkDocument(query);
    checked.set(query, verdict);
    return verdict;
  };
  const checkDocument = (query: string): DocumentNode | Refusal | "not-ours" => {
    const bytes = Buffer.byteLength(query, "utf8");
    if (bytes > limits.maxDocumentBytes)
      return {
        code: "DOCUMENT_TOO_LARGE",
        message: `the query is ${bytes} bytes, more than the ${limits.maxDocumentBytes} a document may hold; send a smaller query (fewer fields, fragments instead of repeats)`,
        extensions: { limit: limits.maxDocumentBytes, found: bytes },
      };
    let document: DocumentNode;
    try {
      document = parse(query, { maxTokens: limits.maxTokens, noLocation: false });
    } catch (error) {
      if (error instanceof GraphQLError && error.message.includes("tokens"))
        return {
          code: "TOO_MANY_TOKENS",
          message: `the query has more than ${limits.maxTokens} tokens (names, punctuation, values); send a smaller query or split it`,
          extensions: { limit: limits.maxTokens },
        };
      return "not-ours";
    }
    const [limitError] = validate(schema, document, rules);
    if (limitError) return limitError.extensions.refusal as Refusal;
    return document;
  };
  return (request: GraphQLRequestText): Refusal | undefined => {
    const verdict = checkText(request.query);
    if (verdict === "not-ours") return undefined;
    if (!("kind" in verdict)) return verdict;
    const document = verdict;

    const pages: PageRequest[] = [];
    let badInput: string | undefined;
    let cost: number;
    try {
      cost = getComplexity({
        schema,
        query: document,
        variables: request.variables,
        operationName: request.operationName,
        maxQueryNodes: MAX_COST_NODES,
        estimators: [
          costEstimator({
            maxPage: MAX_PAGE_SIZE,
            onPageTooLarge: (page) => pages.push(page),
            onArguments: (field, args) => {
              if (badInput) return;
              for (const [name, value] of Object.entries(args)) {
                const problem = findStringProblem(value, `${field}(${name})`, limits.maxStringLength);
                if (problem) {
                  badInput = problem.message;
                  return;
                }
              }
            },
          }),
        ],
      });
    } catch (error) {
      if (error instanceof GraphQLError && error.message.includes("maximum allowed number of nodes"))
        return {
          code: "QUERY_TOO_COSTLY",
          message: `the query expands to more than ${MAX_COST_NODES} fields once its fragments are spread; spread fewer fragments, or each fewer times`,
          extensions: { limit: MAX_COST_NODES },
        };
      // Unknown operation, bad variables, an invalid document: Apollo's errors say it best.
      return undefined;
    }
    if (badInput) return { code: "BAD_USER_INPUT", message: badInput, extensions: {} };
    const [page] = pages;
    if (page)
      return {
        code: "PAGE_TOO_LARGE",
        message: `${page.field}: ${page.argument}: ${page.requested} is more than the ${MAX_PAGE_SIZE} rows a page may hold; ask for at most ${MAX_PAGE_SIZE} and follow pageInfo.endCursor (or narrow the period)`,
        extensions: {
          field: page.field,
          argument: page.argument,
          requested: page.requested,
          max: MAX_PAGE_SIZE,
        },
      };
    if (cost > limits.maxCost)
      return {
        code: "QUERY_TOO_COSTLY",
        message: `the query would cost ${cost}, more than the ${limits.maxCost} a request may; ask for smaller pages (first, last), fewer nested lists or fewer aliases, or split it into several requests`,
        extensions: { cost, limit: limits.maxCost },
      };
    return undefined;
  };
}

/** graphql-armor's depth, alias and directive rules, each reporting its refusal with its own code. */
function limitRules(limits: QueryLimits) {
  const reject =
    (code: RefusalCode, limit: number, advice: string) =>
    (context: ValidationContext | null, error: GraphQLError) => {
      const found = /found (\d+)/.exec(error.message)?.[1];
      const refusal: Refusal = {
        code,
        message: `${error.message.replace(/^Syntax Error: /, "")} ${advice}`,
        extensions: { limit, ...(found ? { found: Number(found) } : {}) },
      };
      context?.reportError(new GraphQLError(refusal.message, { extensions: { refusal } }));
    };
  const callbacks = (code: RefusalCode, limit: number, advice: string) => ({
    propagateOnRejection: false,
    onReject: [reject(code, limit, advice)],
  });
  return new ApolloArmor({
    blockFieldSuggestion: { enabled: false },
    costLimit: { enabled: false },
    maxTokens: { enabled: false },
    maxDepth: {
      n: limits.maxDepth,
      ...callbacks(
        "QUERY_TOO_DEEP",
        limits.maxDepth,
        "Ask for fewer nested levels, or follow a level in a second request.",
      ),
    },
    maxAliases: {
      n: limits.maxAliases,
      ...callbacks(
        "TOO_MANY_ALIASES",
        limits.maxAliases,
        "Use fewer aliases: one list field with a filter instead of one alias per item, or several requests.",
      ),
    },
    maxDirectives: {
      n: limits.maxDirectives,
      ...callbacks(
        "TOO_MANY_DIRECTIVES",
        limits.maxDirectives,
        "Use fewer @include/@skip directives, or several requests.",
      ),
    },
  }).protect().validationRules;
}
