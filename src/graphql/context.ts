import DataLoader from "dataloader";
import type { Db } from "../db/client";
import type { Deadline } from "./limits/deadline";
import type { ReferenceReads } from "./reference-cache";

/** The kinds of caller the hub tells apart. */
export type Role = "anonymous" | "partner" | "analyst" | "admin";

/**
 * Who is asking, decided once at the edge (src/http/caller.ts) from the request's API key; resolvers
 * never read headers. The repositories read it (see scope.ts) so one row filter per caller lives in
 * one place.
 */
export interface Caller {
  role: Role;
  /** The partner a `partner` caller is bound to. */
  partnerCode?: string;
  /** The API key's id (never its secret), for logs, rate limits and audit. */
  keyId?: string;
  /** The key's name and expiry, for `viewer`. */
  keyName?: string;
  keyExpiresAt?: Date | null;
}

export const anonymousCaller: Caller = Object.freeze({ role: "anonymous" });

/** What every resolver receives. */
export interface GraphQLContext {
  db: Db;
  caller?: Caller;
  /** Created on first use in a request, so a server that builds `{ db }` still gets per-request loaders. */
  loaders?: LoaderCache;
  /** When the request must be answered by; absent outside HTTP (tests, scripts). */
  deadline?: Deadline;
  /** Reference rows kept between requests (src/graphql/reference-cache.ts); absent, every read goes to SQL. */
  reference?: ReferenceReads;
}

export function createContext(
  db: Db,
  caller: Caller = anonymousCaller,
  reference?: ReferenceReads,
): GraphQLContext {
  return { db, caller, loaders: new LoaderCache(), reference };
}

export function callerOf(ctx: GraphQLContext): Caller {
  ctx.caller ??= anonymousCaller;
  return ctx.caller;
}

/**
 * The request's DataLoaders, by name. A loader lives as long as its context (one request), so its
 * cache never serves one caller's rows to another nor stale rows to a later request.
 */
export class LoaderCache {
  private readonly loaders = new Map<string, unknown>();

  get<K, V, C = K>(name: string, make: () => DataLoader<K, V, C>): DataLoader<K, V, C> {
    let loader = this.loaders.get(name) as DataLoader<K, V, C> | undefined;
    if (!loader) {
      loader = make();
      this.loaders.set(name, loader);
    }
    return loader;
  }
}

export function loadersOf(ctx: GraphQLContext): LoaderCache {
  ctx.loaders ??= new LoaderCache();
  return ctx.loaders;
}

/** A loader returning the rows whose `keyOf` is the key, each key's rows in the order `fetch` gave. */
export function manyLoader<K extends string | number, R>(
  ctx: GraphQLContext,
  name: string,
  fetch: (keys: K[]) => Promise<R[]>,
  keyOf: (row: R) => K,
): DataLoader<K, R[]> {
  return loadersOf(ctx).get(
    name,
    () =>
      new DataLoader<K, R[]>(async (keys) => {
        const rows = await fetch([...keys]);
        const byKey = new Map<K, R[]>();
        for (const row of rows) {
          const k = keyOf(row);
          const list = byKey.get(k);
          if (list) list.push(row);
          else byKey.set(k, [row]);
        }
        return keys.map((k) => byKey.get(k) ?? []);
      }),
  );
}

/** A loader returning the one row whose `keyOf` is the key, or null. */
export function oneLoader<K extends string | number, R>(
  ctx: GraphQLContext,
  name: string,
  fetch: (keys: K[]) => Promise<R[]>,
  keyOf: (row: R) => K,
): DataLoader<K, R | null> {
  return loadersOf(ctx).get(
    name,
    () =>
      new DataLoader<K, R | null>(async (keys) => {
        const rows = await fetch([...keys]);
        const byKey = new Map(rows.map((r) => [keyOf(r), r]));
        return keys.map((k) => byKey.get(k) ?? null);
      }),
  );
}

/**
 * A loader for keys that carry arguments (a series id plus a period range): keys are grouped by their
 * arguments so each distinct argument set costs one statement, whatever the number of parents.
 */
export function groupedLoader<K, V>(
  ctx: GraphQLContext,
  name: string,
  argsOf: (key: K) => string,
  fetch: (keys: K[]) => Promise<V[]>,
  cacheKey: (key: K) => string,
): DataLoader<K, V, string> {
  return loadersOf(ctx).get(
    name,
    () =>
      new DataLoader<K, V, string>(
        async (keys) => {
          const groups = new Map<string, { index: number; key: K }[]>();
          keys.forEach((key, index) => {
            const g = argsOf(key);
            const list = groups.get(g);
            if (list) list.push({ index, key });
            else groups.set(g, [{ index, key }]);
          });
          const out: V[] = new Array(keys.length);
          await Promise.all(
            [...groups.values()].map(async (group) => {
              const values = await fetch(group.map((g) => g.key));
              group.forEach((g, i) => {
                out[g.index] = values[i];
              });
            }),
          );
          return out;
        },
        { cacheKeyFn: cacheKey },
      ),
  );
}
