/**
 * The tabular formats the hub answers in: CSV and TSV (RFC 4180 quoting, by csv-stringify), each in a
 * French-spreadsheet variant (`;` between CSV fields, decimal comma, UTF-8 BOM so Excel reads the
 * accents), chosen by `?format=` or by the Accept header.
 */
import { type Options, type Stringifier, stringify } from "csv-stringify";
import { stringify as stringifySync } from "csv-stringify/sync";

export interface TableFormat {
  kind: "csv" | "tsv";
  /** French-spreadsheet variant. */
  french: boolean;
  contentType: string;
  extension: string;
}

export class FormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FormatError";
  }
}

const MEDIA: Record<TableFormat["kind"], string> = {
  csv: "text/csv",
  tsv: "text/tab-separated-values",
};

function make(kind: TableFormat["kind"], french: boolean): TableFormat {
  return { kind, french, contentType: `${MEDIA[kind]}; charset=utf-8; header=present`, extension: kind };
}

/**
 * The table format a request asks for, or undefined when it wants JSON. `format` (csv, tsv) wins over
 * the Accept header; `locale=fr` picks the French variant. Anything else is refused by name.
 */
export function requestedTableFormat(query: {
  format?: string;
  locale?: string;
  accept?: string;
}): TableFormat | undefined {
  const locale = query.locale?.toLowerCase();
  if (locale !== undefined && locale !== "fr" && locale !== "en")
    throw new FormatError(`locale "${query.locale}" is not one of fr, en`);
  const french = locale === "fr";
  if (query.format !== undefined) {
    const f = query.format.toLowerCase();
    if (f === "csv" || f === "tsv") return make(f, french);
    if (f === "json") return undefined;
    throw new FormatError(`format "${query.format}" is not one of json, csv, tsv`);
  }
  // The first media type the client lists that we serve; JSON stays the default for */*.
  for (const part of (query.accept ?? "").split(",")) {
    const media = part.split(";")[0].trim().toLowerCase();
    if (media === MEDIA.csv) return make("csv", french);
    if (media === MEDIA.tsv) return make("tsv", french);
    if (media === "application/json" || media === "application/graphql-response+json") return undefined;
  }
  return french ? make("csv", true) : undefined;
}

function options(format: TableFormat, columns: string[], header = true): Options {
  const decimal = (n: number) => (format.french ? String(n).replace(".", ",") : String(n));
  return {
    header,
    columns,
    delimiter: format.kind === "tsv" ? "\t" : format.french ? ";" : ",",
    bom: format.french,
    record_delimiter: "windows", // RFC 4180; every spreadsheet reads it
    cast: {
      number: decimal,
      boolean: (b: boolean) => (b ? "true" : "false"),
      date: (d: Date) => d.toISOString(),
    },
  };
}

/**
 * A whole table as one string (for answers already in memory). Without its header (RFC 4180's
 * `header=absent`), a one-cell table is just the value: what a spreadsheet's WEBSERVICE() wants.
 */
export function formatTable(
  format: TableFormat,
  columns: string[],
  rows: unknown[][],
  { header = true }: { header?: boolean } = {},
): string {
  return stringifySync(rows, options(format, columns, header));
}

/** A stream that takes rows (arrays in `columns` order) and gives the formatted text, header first. */
export function tableStream(format: TableFormat, columns: string[]): Stringifier {
  return stringify(options(format, columns));
}
