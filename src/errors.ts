import { GraphQLError, type GraphQLFieldResolver, type GraphQLSchema, isObjectType } from "graphql";
import type { Deadline } from "./graphql/limits/deadline";
import { loggerFor } from "./logger";

const log = loggerFor("graphql");

/**
 * The codes a client may see in `extensions.code`. They are part of the API contract: renaming one
 * breaks callers that branch on it, so add codes, never change them.
 */
export type HublotErrorCode =
  | "NOT_FOUND"
  | "INVALID_PERIOD"
  | "INVALID_DATE"
  | "INVALID_RANGE"
  | "INVALID_CURSOR"
  | "PAGE_TOO_LARGE"
  | "AGGREGATION_NOT_ALLOWED"
  | "BAD_USER_INPUT"
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "TIMEOUT"
  | "INTERNAL_SERVER_ERROR";

/** An error whose message is written for the caller: it says what was wrong and how to fix it. */
export class HublotError extends GraphQLError {
  constructor(
    readonly code: HublotErrorCode,
    message: string,
    extensions: Record<string, unknown> = {},
  ) {
    super(message, { extensions: { ...extensions, code } });
    this.name = "HublotError";
  }
}

export class NotFoundError extends HublotError {
  constructor(what: string, code: string | number, hint?: string) {
    super("NOT_FOUND", `no ${what} with code "${code}"${hint ? `: ${hint}` : ""}`, { what, value: code });
  }
}

export class InvalidPeriodError extends HublotError {
  constructor(input: string, argument: string) {
    super(
      "INVALID_PERIOD",
      `${argument}: "${input}" is not a period; use SDMX form, e.g. 2024 (year), 2024-S1 (half), 2024-Q3 (quarter), 2024-07 (month), 2024-07-14 (day) or 2017/2021 (span)`,
      { argument, value: input },
    );
  }
}

export class InvalidDateError extends HublotError {
  constructor(input: string, argument: string) {
    super(
      "INVALID_DATE",
      `${argument}: "${input}" is not a date; use ISO 8601, e.g. 2024-05-31 or 2024-05-31T12:00:00Z`,
      { argument, value: input },
    );
  }
}

export class InvalidRangeError extends HublotError {
  constructor(from: string, to: string) {
    super("INVALID_RANGE", `the range starts after it ends (from "${from}" > to "${to}"); swap them`, {
      from,
      to,
    });
  }
}

export class InvalidCursorError extends HublotError {
  constructor(cursor: string) {
    super("INVALID_CURSOR", `"${cursor}" is not a cursor of this list; pass an endCursor it returned`, {
      value: cursor,
    });
  }
}

export const MAX_PAGE_SIZE = 1000;

export class PageTooLargeError extends HublotError {
  constructor(requested: number, argument = "first") {
    super(
      "PAGE_TOO_LARGE",
      `${argument}: ${requested} is more than the ${MAX_PAGE_SIZE} rows a page may hold; ask for at most ${MAX_PAGE_SIZE} and follow pageInfo.endCursor`,
      { argument, requested, max: MAX_PAGE_SIZE },
    );
  }
}

export class AggregationNotAllowedError extends HublotError {
  constructor(message: string, extensions: Record<string, unknown> = {}) {
    super("AGGREGATION_NOT_ALLOWED", message, extensions);
  }
}

export class BadUserInputError extends HublotError {
  constructor(message: string, extensions: Record<string, unknown> = {}) {
    super("BAD_USER_INPUT", message, extensions);
  }
}

/** The caller may not do this (an admin's operation, another partner's dataset): its key is fine. */
export class ForbiddenError extends HublotError {
  constructor(message: string, extensions: Record<string, unknown> = {}) {
    super("FORBIDDEN", message, extensions);
  }
}

/**
 * What a client sees instead of an error we did not write for it (a failed SQL statement, a bug):
 * its message could quote SQL, table names or values, so only the logs get it.
 */
export function toClientError(error: unknown, path?: readonly (string | number)[]): GraphQLError {
  if (error instanceof HublotError) return error;
  log.error({ err: error, path }, "resolver failed");
  return new GraphQLError("internal error: the request could not be answered; it has been logged", {
    extensions: { code: "INTERNAL_SERVER_ERROR" },
  });
}

/**
 * The one interceptor: wraps every resolver of the schema so that any error it raises reaches the
 * client as a HublotError or as a bare INTERNAL_SERVER_ERROR. It lives on the schema rather than in a
 * server's formatError so every server that serves this schema gets it.
 */
export function guardResolvers(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith("__")) continue;
    for (const field of Object.values(type.getFields())) {
      const resolve = field.resolve;
      if (!resolve) continue;
      const guarded: GraphQLFieldResolver<unknown, unknown> = (source, args, context, info) => {
        // Past the request's deadline no resolver starts, and none waits on a statement longer than it.
        const deadline = (context as { deadline?: Deadline } | undefined)?.deadline;
        try {
          if (deadline?.expired) throw deadline.error();
          const result = resolve(source, args, context, info);
          return result instanceof Promise
            ? (deadline ? deadline.race(result) : result).catch((error: unknown) => {
                throw toClientError(error, pathOf(info.path));
              })
            : result;
        } catch (error) {
          throw toClientError(error, pathOf(info.path));
        }
      };
      field.resolve = guarded;
    }
  }
  return schema;
}

function pathOf(path: { prev: unknown; key: string | number } | undefined): (string | number)[] {
  const keys: (string | number)[] = [];
  let p = path as { prev?: unknown; key: string | number } | undefined;
  while (p) {
    keys.unshift(p.key);
    p = p.prev as typeof p;
  }
  return keys;
}
