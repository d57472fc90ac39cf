import { z } from "zod";
import type { QueryLimits } from "./graphql/limits/config";

/**
 * Configuration is read from the environment once, at the edge, and every problem is reported at once
 * (a list, not the first error) so an operator fixes the whole file in one go.
 */
const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().default("0.0.0.0"),
  DATABASE_URL: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === "" ? undefined : v))
    .refine((v) => v === undefined || /^postgres(ql)?:\/\/[^\s]+$/.test(v), {
      message: "must look like postgres://user:password@host:5432/database",
    })
    .refine((v) => v === undefined || URL.canParse(v), { message: "is not a valid URL" }),
  PGLITE_DIR: z.string().default("./data/pglite"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Read by src/logger.ts when it starts; validated here so a typo is reported with the rest. */
  LOG_FORMAT: z.enum(["auto", "pretty", "json"]).default("auto"),
  INGEST_SCHEDULE: z.enum(["on", "off"]).default("on"),
  INGEST_ON_START: z.enum(["on", "off"]).default("on"),
  /** How long a crashed process may block a stream; a heartbeat renews it while a run lives. */
  INGEST_LEASE_TTL_MS: z.coerce.number().int().min(1_000).default(60_000),
  /** Longest download of one resource, retries included. */
  INGEST_RESOURCE_DEADLINE_MS: z.coerce.number().int().min(1_000).default(60_000),
  /** Sources ingesting at once. */
  INGEST_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(3),
  /** `*` or a comma-separated list of origins allowed to call the hub from a browser. */
  CORS_ORIGINS: z
    .string()
    .trim()
    .default("*")
    .transform((v): string[] | "*" => (v === "*" || v === "" ? "*" : v.split(",").map((o) => o.trim())))
    .refine((v) => v === "*" || v.every((o) => /^https?:\/\/[^/\s]+$/.test(o)), {
      message: "must be * or origins like https://dashboard.example.org, comma-separated",
    }),
  /** Redis for the response cache shared by several instances; without it, each keeps its own in memory. */
  REDIS_URL: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === "" ? undefined : v))
    .refine((v) => v === undefined || /^rediss?:\/\/\S+$/.test(v), {
      message: "must look like redis://host:6379",
    }),
  /** Serve the embedded database over the PostgreSQL protocol on 127.0.0.1:SQL_PORT (docs/bi.md). */
  SQL_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  // Query limits (issue 11): what one GraphQL request may ask (docs/graphql.md, "Limits and errors").
  GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(2).default(12),
  GRAPHQL_MAX_ALIASES: z.coerce.number().int().min(0).default(30),
  GRAPHQL_MAX_DIRECTIVES: z.coerce.number().int().min(0).default(20),
  GRAPHQL_MAX_TOKENS: z.coerce.number().int().min(100).default(15_000),
  GRAPHQL_MAX_DOCUMENT_BYTES: z.coerce.number().int().min(1_000).default(100_000),
  GRAPHQL_MAX_COST: z.coerce.number().int().min(1).default(25_000_000),
  GRAPHQL_MAX_STRING_LENGTH: z.coerce.number().int().min(16).default(1_000),
  /** Bytes of a request body to /graphql; partner files have their own limit (docs/partners.md). */
  GRAPHQL_MAX_BODY_BYTES: z.coerce.number().int().min(1_024).default(1_048_576),
  GRAPHQL_DEADLINE_MS: z.coerce.number().int().min(100).default(8_000),
  GRAPHQL_INTROSPECTION: z.enum(["on", "off"]).default("on"),
  /** PostgreSQL's statement_timeout on the hub's connections; PGlite has only the request deadline. */
  PG_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(30_000),

  // Load and operation (issue 11)
  /** Requests per minute one IP may make without a key (per instance, or shared through REDIS_URL). */
  RATE_LIMIT_ANONYMOUS_PER_MIN: z.coerce.number().int().min(1).default(600),
  /** Requests per minute one API key may make. */
  RATE_LIMIT_KEYED_PER_MIN: z.coerce.number().int().min(1).default(6_000),
  /** GraphQL requests and exports worked on at once; default 4 on PGlite (one thread), 16 on PostgreSQL. */
  SHED_MAX_CONCURRENT: z.coerce.number().int().min(1).max(1_000).optional(),
  /**
   * Requests waiting for a turn beyond that; one more is answered 503 at once. The wait bound is what
   * sheds; this only caps the sockets held: 64 refused four in five of 200 clients PostgreSQL could serve.
   */
  SHED_MAX_QUEUED: z.coerce.number().int().min(0).max(100_000).default(1_000),
  /** Longest wait for a turn before a 503: an answer always comes long before a client gives up. */
  SHED_MAX_QUEUE_WAIT_MS: z.coerce.number().int().min(1).default(2_000),
  /**
   * Event-loop delay beyond which every request but the health checks is answered 503 (0: off). A backstop
   * behind the queue: at 1 s, a hub starting on a busy 2-core machine refused its first requests.
   */
  PRESSURE_MAX_EVENT_LOOP_DELAY_MS: z.coerce.number().int().min(0).default(3_000),
  /** Heap in use beyond which requests are answered 503 (0: off). */
  PRESSURE_MAX_HEAP_MB: z.coerce.number().int().min(0).default(1_536),
  /** How long in-flight requests may take to finish after SIGTERM before the hub closes anyway. */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(9_000).default(7_000),
});

/** The query limits an environment sets, in the shape the HTTP layer takes. */
export function queryLimitsOf(env: Env): QueryLimits {
  return {
    maxDepth: env.GRAPHQL_MAX_DEPTH,
    maxAliases: env.GRAPHQL_MAX_ALIASES,
    maxDirectives: env.GRAPHQL_MAX_DIRECTIVES,
    maxTokens: env.GRAPHQL_MAX_TOKENS,
    maxDocumentBytes: env.GRAPHQL_MAX_DOCUMENT_BYTES,
    maxCost: env.GRAPHQL_MAX_COST,
    maxStringLength: env.GRAPHQL_MAX_STRING_LENGTH,
    maxBodyBytes: env.GRAPHQL_MAX_BODY_BYTES,
    deadlineMs: env.GRAPHQL_DEADLINE_MS,
    introspection: env.GRAPHQL_INTROSPECTION === "on",
  };
}

export type Env = z.infer<typeof envSchema>;

export class EnvError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid environment: ${issues.join("; ")}`);
    this.name = "EnvError";
  }
}

export function parseEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    throw new EnvError(result.error.issues.map((i) => `${i.path.join(".") || "env"} ${i.message}`));
  }
  return result.data;
}
