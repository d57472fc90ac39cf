/**
 * The reference tables' rows kept in this process between requests: indicators, partners, filières,
 * sites, territories, the agenda, targets and baselines, and the links between them. Most statements of
 * the README's questions read them (an indicator, its provider, a filière's sites), and they are the
 * same rows for every caller (visibility rules apply to series and datasets only, src/graphql/scope.ts).
 *
 * They change only when a load writes them, and every such load advances the data version
 * (src/db/data-version.ts: the reference load, ingest runs, submissions), which `npm start` learns
 * without a statement (a LISTEN on its channel). So an entry is filed under the version it was read at,
 * and a request reads under the version it saw first: an entry is never served once the version moved,
 * and the reference rows of one answer all come from one version. Rows are frozen: requests share them.
 */
import { getTableName } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import { LRUCache } from "lru-cache";
import type { DataVersionSource } from "../db/data-version";
import type { GraphQLContext } from "./context";

/** The tables the reference load alone writes (ingest/reference/load.ts); `datasets` is not one of them. */
const REFERENCE_TABLES = new Set([
  "agenda_nodes",
  "agenda_node_indicators",
  "agenda_node_filieres",
  "agenda_node_sites",
  "agenda_node_tags",
  "baselines",
  "baseline_agenda_nodes",
  "baseline_filieres",
  "baseline_indicators",
  "baseline_sites",
  "document_conflicts",
  "filieres",
  "filiere_naf_codes",
  "filiere_partners",
  "indicators",
  "naf_codes",
  "partners",
  "sites",
  "site_filieres",
  "site_partners",
  "target_baselines",
  "target_filieres",
  "target_indicators",
  "target_sites",
  "targets",
  "territories",
  "territory_links",
]);

/** Whether every table a read touches is a reference table: only then may its rows be kept. */
export function isReference(...tables: PgTable[]): boolean {
  return tables.every((t) => REFERENCE_TABLES.has(getTableName(t)));
}

/** The process's store of reference reads, shared by all requests (one per HTTP server). */
export class ReferenceCache {
  readonly entries: LRUCache<string, object>;

  private newest = Number.NEGATIVE_INFINITY;

  /** `maxRows` bounds the memory: the whole reference data is about 4 000 rows, lists and pages of it more. */
  constructor(
    readonly version: DataVersionSource,
    maxRows = 50_000,
  ) {
    this.entries = new LRUCache<string, object>({
      maxSize: maxRows,
      sizeCalculation: (value) => (Array.isArray(value) ? value.length + 1 : 1),
    });
  }

  /** The reads of one request: it asks the version once, at its first reference read. */
  forRequest(): ReferenceReads {
    return new ReferenceReads(this);
  }

  /** A request saw `version`: entries of older versions will not be asked again, once it is the newest. */
  saw(version: number): void {
    if (version <= this.newest) return;
    this.newest = version;
    this.entries.clear();
  }
}

export class ReferenceReads {
  private shelf: Promise<Shelf> | undefined;

  constructor(private readonly cache: ReferenceCache) {}

  /** The entries of the version this request saw first. */
  of(): Promise<Shelf> {
    this.shelf ??= this.cache.version.current().then((version) => {
      this.cache.saw(version);
      const entries = this.cache.entries;
      return {
        get: (key) => entries.get(`${version}\0${key}`),
        set: (key, value) => {
          entries.set(`${version}\0${key}`, deepFreeze(value));
        },
      };
    });
    return this.shelf;
  }
}

interface Shelf {
  get(key: string): object | undefined;
  set(key: string, value: object): void;
}

/** A reference read that is the same for every request of a version (a list, a page), under `key`. */
export async function readReference<V extends object>(
  ctx: GraphQLContext,
  key: string,
  read: () => Promise<V>,
): Promise<V> {
  if (!ctx.reference) return read();
  const shelf = await ctx.reference.of();
  const known = shelf.get(key);
  if (known !== undefined) return known as V;
  const value = await read();
  shelf.set(key, value);
  return value;
}

/**
 * What a loader of `tables`' rows by key fetches with: `read` through the kept rows when every table is
 * a reference table, `read` itself otherwise.
 */
export function keptByKey<K extends string | number, R extends object>(
  ctx: GraphQLContext,
  name: string,
  tables: PgTable[],
  read: (keys: K[]) => Promise<R[]>,
  keyOf: (row: R) => K,
): (keys: K[]) => Promise<R[]> {
  return isReference(...tables) ? (keys) => readReferenceByKeys(ctx, name, keys, read, keyOf) : read;
}

/**
 * A loader's batch of keys, each key's rows kept on its own, so a later request asking any subset of
 * them reads none however its batch is made. Rows come back grouped by key, in `read`'s order within one.
 */
async function readReferenceByKeys<K extends string | number, R extends object>(
  ctx: GraphQLContext,
  name: string,
  keys: readonly K[],
  read: (keys: K[]) => Promise<R[]>,
  keyOf: (row: R) => K,
): Promise<R[]> {
  if (!ctx.reference) return read([...keys]);
  const shelf = await ctx.reference.of();
  const byKey = new Map<K, R[]>();
  const missing: K[] = [];
  for (const key of keys) {
    const known = shelf.get(`${name}\0${key}`) as R[] | undefined;
    if (known) byKey.set(key, known);
    else missing.push(key);
  }
  if (missing.length > 0) {
    const fresh = new Map<K, R[]>(missing.map((k) => [k, []]));
    for (const row of await read(missing)) fresh.get(keyOf(row))?.push(row);
    for (const [key, rows] of fresh) {
      shelf.set(`${name}\0${key}`, rows);
      byKey.set(key, rows);
    }
  }
  return keys.flatMap((k) => byKey.get(k) ?? []);
}

function deepFreeze<V>(value: V): V {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
