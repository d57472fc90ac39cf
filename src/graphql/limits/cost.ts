import { getNullableType, isListType } from "graphql";
import type { ComplexityEstimator } from "graphql-query-complexity";
import { DEFAULT_PAGE_SIZE } from "../pagination";

/**
 * A field's cost is the fields it makes the hub resolve: 1 for itself plus, for a list, its length times
 * the cost of one element. A paged list's length is the page asked (`first`, `last`); an unpaged one's is
 * what it holds at most in the reference data, rounded up, so an estimate errs on the side of refusing.
 */
const LIST_SIZES: Readonly<Record<string, number>> = {
  // A département holds 119 communes, the Métropole 92; parents are a handful.
  "Territory.children": 150,
  "Territory.parents": 10,
  // A commune has a series per NAF code and measure; an indicator one per territory and breakdown.
  "Territory.series": 1_000,
  "Indicator.series": 1_000,
  "Filiere.series": 1_000,
  "Dataset.series": 1_000,
  // Without `last`, every period of a series: 40 years of months.
  "Series.observations": 500,
  "Query.aggregate": 1_000,
  "Query.apiKeys": 200,
};

const TERRITORY_SERIES = 50;

/** Unpaged lists not named above: the agenda's links (its nodes, filières, sites, refs) are short. */
export const DEFAULT_LIST_SIZE = 20;

/** The arguments that set a page's length: the page a field returns is at most this many rows. */
export const PAGE_ARGUMENTS = ["first", "last"] as const;

export interface PageRequest {
  field: string;
  argument: string;
  requested: number;
}

export interface CostOptions {
  maxPage: number;
  /** Called with every page argument above `maxPage`, so the refusal names them all. */
  onPageTooLarge: (page: PageRequest) => void;
  /** Called with every argument value (variables included, already coerced) the query passes. */
  onArguments: (field: string, args: Record<string, unknown>) => void;
}

export function costEstimator(options: CostOptions): ComplexityEstimator {
  return ({ type, field, args, childComplexity }) => {
    const name = `${type.name}.${field.name}`;
    if (Object.keys(args).length > 0) options.onArguments(name, args);
    let length: number | undefined;
    for (const argument of PAGE_ARGUMENTS) {
      const value = args[argument];
      if (typeof value !== "number") continue;
      if (value > options.maxPage) options.onPageTooLarge({ field: name, argument, requested: value });
      // `last` of a connection narrows each series, `first` pages the whole: the page is the smaller.
      length = Math.min(length ?? value, value);
    }
    const hasPageArgument = field.args.some((a) => a.name === "first");
    if (length === undefined && hasPageArgument) length = DEFAULT_PAGE_SIZE;
    if (length === undefined && isListType(getNullableType(field.type))) {
      // A connection's `edges` and `nodes` are the page its field already counted.
      length = type.name.endsWith("Connection")
        ? 1
        : // One territory's series of an indicator or filière are a few breakdowns, not a thousand.
          field.name === "series" && typeof args.territory === "string"
          ? TERRITORY_SERIES
          : (LIST_SIZES[name] ?? DEFAULT_LIST_SIZE);
    }
    return 1 + Math.max(length ?? 1, 0) * childComplexity;
  };
}
