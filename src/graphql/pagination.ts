import type { ClassType } from "type-graphql";
import { ArgsType, Field, Int, ObjectType, registerEnumType } from "type-graphql";
import { InvalidCursorError, MAX_PAGE_SIZE, PageTooLargeError } from "../errors";

export const DEFAULT_PAGE_SIZE = 100;

@ArgsType()
export class PageArgs {
  @Field(() => Int, {
    nullable: true,
    description: `How many rows (default ${DEFAULT_PAGE_SIZE}, at most ${MAX_PAGE_SIZE}).`,
  })
  first?: number;
  @Field(() => String, {
    nullable: true,
    description: "Start after this cursor (a previous pageInfo.endCursor).",
  })
  after?: string;
}

@ObjectType({ description: "Where a page sits in its list (Relay cursor connections)." })
export class PageInfo {
  @Field(() => Boolean, { description: "True when rows follow this page." })
  hasNextPage!: boolean;
  @Field(() => Boolean, { description: "True when rows precede this page." })
  hasPreviousPage!: boolean;
  @Field(() => String, { nullable: true, description: "Cursor of the first row of the page." })
  startCursor!: string | null;
  @Field(() => String, { nullable: true, description: "Cursor of the last row: pass it as `after`." })
  endCursor!: string | null;
}

export interface Page<T> {
  edges: { cursor: string; node: T }[];
  nodes: T[];
  pageInfo: PageInfo;
  totalCount: number;
}

/** Builds the `XConnection` and `XEdge` types of one node type. */
export function Connection<T extends object>(node: ClassType<T>, name: string, description: string) {
  @ObjectType(`${name}Edge`, { description: `A ${name} with its cursor.` })
  class Edge {
    @Field(() => String, { description: "Opaque position of this row in the list." })
    cursor!: string;
    @Field(() => node, { description: `The ${name}.` })
    node!: T;
  }

  @ObjectType(`${name}Connection`, { description })
  abstract class ConnectionType implements Page<T> {
    @Field(() => [Edge], { description: "Rows of this page with their cursors." })
    edges!: Edge[];
    @Field(() => [node], { description: "Rows of this page, without cursors." })
    nodes!: T[];
    @Field(() => PageInfo, { description: "Position of the page in the list." })
    pageInfo!: PageInfo;
    @Field(() => Int, { description: "Rows in the whole list, all pages together." })
    totalCount!: number;
  }
  return ConnectionType;
}

// Offsets rather than keys: every list has a total order (its sort plus the primary key), and a cursor
// must stay opaque so it can become a key later without breaking callers.
const encode = (offset: number) => Buffer.from(`o:${offset}`).toString("base64url");

function decode(cursor: string): number {
  const m = /^o:(\d+)$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  if (!m) throw new InvalidCursorError(cursor);
  return Number(m[1]);
}

export interface Window {
  limit: number;
  offset: number;
}

export function windowOf(args: PageArgs): Window {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (first > MAX_PAGE_SIZE) throw new PageTooLargeError(first);
  if (first < 0) throw new PageTooLargeError(first);
  return { limit: first, offset: args.after ? decode(args.after) + 1 : 0 };
}

/**
 * One page from a query that returns its rows with the list's total (`count(*) over ()`), so a page costs
 * one statement; `count` runs only when the page is empty and the total could not ride along.
 */
export async function paginate<T>(
  args: PageArgs,
  fetch: (w: Window) => Promise<{ rows: T[]; total: number | null }>,
  count: () => Promise<number>,
): Promise<Page<T>> {
  const w = windowOf(args);
  const { rows, total } = await fetch(w);
  const totalCount = total ?? (w.offset === 0 && w.limit > 0 ? 0 : await count());
  const edges = rows.map((node, i) => ({ cursor: encode(w.offset + i), node }));
  return {
    edges,
    nodes: rows,
    totalCount,
    pageInfo: {
      hasNextPage: w.offset + rows.length < totalCount,
      hasPreviousPage: w.offset > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

export enum SortDirection {
  ASC = "asc",
  DESC = "desc",
}
registerEnumType(SortDirection, { name: "SortDirection", description: "Ascending or descending order." });

/** Rows of one page that carry the list's total as `total` (`count(*) over ()`), split apart. */
export function splitTotal<T>(rows: (T & { total: number | string })[]): { rows: T[]; total: number | null } {
  if (rows.length === 0) return { rows: [], total: null };
  return {
    rows: rows.map(({ total: _total, ...row }) => row as unknown as T),
    total: Number(rows[0].total),
  };
}

/** A page of a short list already in memory (the 20 indicators, the 38 targets), same contract as SQL pages. */
export function pageOfList<T>(args: PageArgs, rows: T[]): Promise<Page<T>> {
  return paginate(
    args,
    async ({ limit, offset }) => ({ rows: rows.slice(offset, offset + limit), total: rows.length }),
    async () => rows.length,
  );
}
