/**
 * What one GraphQL request may ask (docs/graphql.md, "Limits and errors"). The defaults leave every
 * documented example and the dashboard's questions far below each limit, and keep the queries that
 * exhausted the hub's memory (a territory's children and parents six deep, a thousand aliased pages)
 * far above them.
 */
export interface QueryLimits {
  /** Nesting of fields, fragments counted at their depth. */
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  /** Lexical tokens of the document: parsing stops at the first token above it. */
  maxTokens: number;
  /** Bytes of the document text, checked before it is parsed. */
  maxDocumentBytes: number;
  /** Estimated fields resolved, from the page sizes asked (src/graphql/limits/cost.ts). */
  maxCost: number;
  /** Characters of one string argument (a code, a search). */
  maxStringLength: number;
  /** Bytes of a request body to /graphql. */
  maxBodyBytes: number;
  /** Longest time one request may run before it is answered 504 TIMEOUT. */
  deadlineMs: number;
  /** Schema introspection (codegen, schema diff, the playground's docs). */
  introspection: boolean;
}

export const defaultQueryLimits: QueryLimits = Object.freeze({
  maxDepth: 12,
  maxAliases: 30,
  maxDirectives: 20,
  maxTokens: 15_000,
  maxDocumentBytes: 100_000,
  maxCost: 25_000_000,
  maxStringLength: 1_000,
  maxBodyBytes: 1_048_576,
  deadlineMs: 8_000,
  introspection: true,
});
