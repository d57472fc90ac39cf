/**
 * The Hublot partner CSV template, version 1 (documented in docs/partner-csv.md): one observation a
 * row, for partners who hand over a file instead of offering an API. The reader is strict on purpose:
 * a file that is almost right (semicolons, a decimal comma, a quarter 5, a duplicate row) is refused
 * with every problem located by line and column, so the partner can fix the file in one pass and
 * nothing half-understood reaches the tables.
 */
import { parse as parseCsv } from "csv-parse/sync";
import type { Frequency } from "../../schema/indicator";
import { PeriodError, parsePeriod } from "../../src/period";
import { ConvertError } from "../core/types";

export const PARTNER_CSV_TEMPLATE_VERSION = "1";

/** Columns every file must have, in this order in the documentation (any order is accepted). */
export const PARTNER_CSV_REQUIRED_COLUMNS = [
  "template_version",
  "indicator_code",
  "territory_code",
  "measure",
  "breakdown",
  "period",
  "value",
  "unit",
] as const;

/** Columns a file may add; a column outside both lists is refused (a typo would silently drop data). */
export const PARTNER_CSV_OPTIONAL_COLUMNS = [
  "obs_status",
  "reference_date",
  "source_url",
  "comment",
] as const;

type Column = (typeof PARTNER_CSV_REQUIRED_COLUMNS)[number] | (typeof PARTNER_CSV_OPTIONAL_COLUMNS)[number];

/** SDMX OBS_STATUS codes a partner may use; `M` and `C` are the only ones allowed with an empty value. */
export const PARTNER_CSV_STATUSES: Record<string, string> = {
  A: "normal",
  P: "provisional",
  E: "estimated",
  SD: "semi-definitive",
  F: "forecast",
  B: "break in series",
  M: "missing",
  C: "confidential",
};
const EMPTY_VALUE_STATUSES = new Set(["M", "C"]);

/**
 * Values are counts, areas, amounts: never negative, unless the measure says in its name that it is a
 * difference (`net_…`, `…_change`, `…_balance`), so a stray minus sign is caught.
 */
export function isSignedMeasure(measure: string): boolean {
  return /^net_|_(change|balance|net)$/.test(measure);
}

export interface PartnerCsvRow {
  /** 1-based line of the row in the file, for messages. */
  line: number;
  indicatorCode: string;
  territoryCode: string;
  measure: string;
  breakdown: Record<string, string>;
  /** Normalised SDMX period (`2024-T3` becomes `2024-Q3`). */
  period: string;
  frequency: Frequency;
  value: number | null;
  unit: string;
  obsStatus: string;
  referenceDate: string | null;
  sourceUrl: string | null;
  comment: string | null;
}

export interface PartnerCsvIssue {
  line: number;
  /** 1-based column position and header name; null when the problem is the whole line. */
  column: number | null;
  columnName: string | null;
  message: string;
}

/** A file that does not follow the template: every problem found, each with its line and column. */
export class PartnerCsvError extends ConvertError {
  constructor(readonly issues: PartnerCsvIssue[]) {
    super(formatIssues(issues));
    this.name = "PartnerCsvError";
  }
}

const SHOWN_ISSUES = 50;

export function formatIssue(issue: PartnerCsvIssue): string {
  const where =
    issue.column === null
      ? `line ${issue.line}`
      : `line ${issue.line}, column ${issue.column}${issue.columnName ? ` (${issue.columnName})` : ""}`;
  return `${where}: ${issue.message}`;
}

function formatIssues(issues: PartnerCsvIssue[]): string {
  const shown = issues.slice(0, SHOWN_ISSUES).map((i) => `  - ${formatIssue(i)}`);
  const more = issues.length > SHOWN_ISSUES ? [`  - … and ${issues.length - SHOWN_ISSUES} more`] : [];
  return [
    `partner CSV (template v${PARTNER_CSV_TEMPLATE_VERSION}): ${issues.length} problem(s), nothing loaded:`,
    ...shown,
    ...more,
  ].join("\n");
}

/** What a stream accepts beyond the template itself (the port stream takes only its own measures). */
export interface PartnerCsvRules {
  /** Indicator codes the hub holds; others are refused by line. */
  knownIndicators?: Iterable<string>;
  /** Territory codes the hub holds (`COM-13055`, `EPCI-200054807`…). */
  knownTerritories?: Iterable<string>;
  /** Restricts the file to these indicators. */
  indicators?: readonly string[];
  /** Restricts the file to these measures. */
  measures?: readonly string[];
  /** Restricts breakdown keys, and for a key with a list, its values. */
  breakdowns?: Record<string, readonly string[] | null>;
  /**
   * Indicator → measure → the stream that owns those series: a row for such a pair is refused, so a
   * file cannot take a series over from the stream that loads it.
   */
  reserved?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

const CODE = /^[a-z][a-z0-9_]*$/;
const TERRITORY = /^[A-Z][A-Z0-9]*-[0-9A-Z]+$/;
const NUMBER = /^-?(\d+(\.\d+)?|\.\d+)([eE][-+]?\d+)?$/;
const DECIMAL_COMMA = /^-?\d+,\d+$/;
const THOUSANDS = /^-?\d{1,3}([ \u00a0\u202f'.]\d{3})+(,\d+)?$/;

const fatalUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Finds the line and column of the first byte that is not UTF-8, for a message a partner can act on. */
function locateBadEncoding(bytes: Uint8Array): PartnerCsvIssue {
  let start = 0;
  for (let line = 1; start <= bytes.length; line++) {
    let end = bytes.indexOf(0x0a, start);
    if (end === -1) end = bytes.length;
    const slice = bytes.subarray(start, end);
    try {
      fatalUtf8.decode(slice);
    } catch {
      let bad = 0;
      while (bad < slice.length && slice[bad] < 0x80) bad++;
      const column = slice.subarray(0, bad).filter((b) => b === 0x2c).length + 1;
      return {
        line,
        column,
        columnName: null,
        message: `byte 0x${slice[bad]?.toString(16) ?? "??"} is not UTF-8 (a Windows-1252 "é"?): save the file as "CSV UTF-8"`,
      };
    }
    start = end + 1;
  }
  return { line: 1, column: null, columnName: null, message: "the file is not UTF-8" };
}

/** Bytes to text: a UTF-8 BOM (Excel's "CSV UTF-8") is dropped; UTF-16 and non-UTF-8 bytes are refused. */
function decode(body: Uint8Array | string): string {
  if (typeof body === "string") return body.replace(/^\uFEFF/, "");
  if ((body[0] === 0xff && body[1] === 0xfe) || (body[0] === 0xfe && body[1] === 0xff)) {
    throw new PartnerCsvError([
      {
        line: 1,
        column: null,
        columnName: null,
        message:
          'the file starts with a UTF-16 byte order mark (Excel "Unicode text"): save it as "CSV UTF-8 (comma delimited)"',
      },
    ]);
  }
  const bytes = body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? body.subarray(3) : body;
  try {
    return fatalUtf8.decode(bytes);
  } catch {
    throw new PartnerCsvError([locateBadEncoding(bytes)]);
  }
}

interface RawRecord {
  record: string[];
  info: { lines: number };
}

function parseBreakdown(text: string): Record<string, string> | string {
  if (text === "") return {};
  const breakdown: Record<string, string> = {};
  for (const part of text.split(";")) {
    const eq = part.indexOf("=");
    if (eq === -1) return `"${part}" is not key=value (write e.g. basin=est;call_type=cruise)`;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (!CODE.test(key)) return `breakdown key "${key}" must be lower_snake_case`;
    if (value === "" || value.includes("=")) return `breakdown ${key} has no usable value ("${value}")`;
    if (key in breakdown) return `breakdown key "${key}" appears twice`;
    breakdown[key] = value;
  }
  return breakdown;
}

const canonicalBreakdown = (b: Record<string, string>) =>
  Object.keys(b)
    .sort()
    .map((k) => `${k}=${b[k]}`)
    .join(";");

/** A list of what is allowed, short enough for a message. */
const listed = (values: Iterable<string>) => {
  const all = [...values].sort();
  return all.length > 12 ? `${all.slice(0, 12).join(", ")}, …` : all.join(", ");
};

/** `# rows: 42`: the note a partner may add (anywhere) so that a file cut at a line boundary is refused. */
const ROWS_NOTE = /^#\s*rows\s*:\s*(\d+)\s*$/im;

/**
 * A file cut in transit or by a full disk must not load as a shorter one. A CSV written by a spreadsheet
 * ends with a line break, so one that does not was cut inside its last row (a number cut short still
 * parses); a `# rows: N` note, when the file carries one, must match the data rows.
 */
function checkWhole(text: string, dataRows: number, lastLine: number): void {
  if (!/[\r\n]$/.test(text)) {
    throw new PartnerCsvError([
      {
        line: lastLine,
        column: null,
        columnName: null,
        message:
          "the file does not end with a line break, so its last row may have been cut: end the file with a newline (every spreadsheet's CSV export does)",
      },
    ]);
  }
  const note = ROWS_NOTE.exec(text);
  if (note && Number(note[1]) !== dataRows) {
    throw new PartnerCsvError([
      {
        line: lastLine,
        column: null,
        columnName: null,
        message: `the file says "# rows: ${note[1]}" but holds ${dataRows} data row(s): it was cut or edited after the count`,
      },
    ]);
  }
}

/**
 * Reads a file in the partner CSV template v1. Returns its rows, or throws PartnerCsvError with every
 * problem found (by line and column). Pure: the caller passes the codes the hub knows.
 */
export function parsePartnerCsv(body: Uint8Array | string, rules: PartnerCsvRules = {}): PartnerCsvRow[] {
  const text = decode(body);
  const issues: PartnerCsvIssue[] = [];
  const fail = (line: number, message: string): never => {
    throw new PartnerCsvError([{ line, column: null, columnName: null, message }]);
  };
  if (text.trim() === "") {
    fail(
      1,
      `the file is empty: the first line must be the header (${PARTNER_CSV_REQUIRED_COLUMNS.join(",")})`,
    );
  }

  let records: RawRecord[];
  try {
    records = parseCsv(text, {
      delimiter: ",",
      bom: false,
      // A line starting with # is a note for humans (who filled the file, from which report).
      comment: "#",
      comment_no_infix: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: false,
    }) as unknown as RawRecord[];
  } catch (error) {
    const { lines, index } = error as { lines?: number; index?: number };
    throw new PartnerCsvError([
      {
        line: lines ?? 1,
        column: typeof index === "number" ? index + 1 : null,
        columnName: null,
        message: `the CSV cannot be read: ${error instanceof Error ? error.message : String(error)}`,
      },
    ]);
  }

  const headerRecord = records[0];
  if (!headerRecord) return fail(1, "the file has no header line");
  const header = headerRecord.record.map((h) => h.trim());
  const headerLine = headerRecord.info.lines;
  if (header.length === 1) {
    const other = [";", "\t", "|"].find((s) => header[0].includes(s));
    if (other) {
      fail(
        headerLine,
        `columns are separated by ${other === "\t" ? "tabs" : `"${other}"`}: template v1 uses commas (",") and a decimal point`,
      );
    }
  }
  const known = new Set<string>([...PARTNER_CSV_REQUIRED_COLUMNS, ...PARTNER_CSV_OPTIONAL_COLUMNS]);
  const index = new Map<Column, number>();
  header.forEach((name, i) => {
    const issue = (message: string) =>
      issues.push({ line: headerLine, column: i + 1, columnName: name || null, message });
    if (!known.has(name)) {
      issue(`"${name}" is not a column of template v1 (columns: ${[...known].join(", ")})`);
    } else if (index.has(name as Column)) {
      issue(`column "${name}" appears twice`);
    } else {
      index.set(name as Column, i);
    }
  });
  const missing = PARTNER_CSV_REQUIRED_COLUMNS.filter((c) => !index.has(c));
  if (missing.length > 0) {
    issues.push({
      line: headerLine,
      column: null,
      columnName: null,
      message: `required column(s) missing: ${missing.join(", ")}`,
    });
  }
  if (issues.length > 0) throw new PartnerCsvError(issues);
  if (records.length === 1) fail(headerLine, "the file has a header and no data row");
  checkWhole(text, records.length - 1, records[records.length - 1]?.info.lines ?? headerLine);

  const knownIndicators = rules.knownIndicators ? new Set(rules.knownIndicators) : null;
  const knownTerritories = rules.knownTerritories ? new Set(rules.knownTerritories) : null;
  const rows: PartnerCsvRow[] = [];
  const firstLineOfKey = new Map<string, number>();
  const seriesShape = new Map<string, { unit: string; frequency: Frequency; line: number }>();

  for (const { record, info } of records.slice(1)) {
    const line = info.lines;
    if (record.length !== header.length) {
      const vi = index.get("value") ?? -1;
      const split =
        record.length === header.length + 1 &&
        /^-?\d+$/.test(record[vi] ?? "") &&
        /^\d+$/.test(record[vi + 1] ?? "");
      issues.push(
        split
          ? {
              line,
              column: vi + 1,
              columnName: "value",
              message: `"${record[vi]},${record[vi + 1]}" looks like a decimal comma, which splits the row: write ${record[vi]}.${record[vi + 1]}`,
            }
          : {
              line,
              column: null,
              columnName: null,
              message: `${record.length} cells where the header has ${header.length} (a separator inside an unquoted cell?)`,
            },
      );
      continue;
    }
    const before = issues.length;
    const cell = (c: Column) => {
      const i = index.get(c);
      return i === undefined ? "" : record[i].trim();
    };
    const issue = (c: Column, message: string) => {
      const i = index.get(c) ?? -1;
      issues.push({ line, column: i + 1, columnName: c, message });
    };

    const version = cell("template_version");
    if (version !== PARTNER_CSV_TEMPLATE_VERSION) {
      issue(
        "template_version",
        `"${version}": this reader knows template version ${PARTNER_CSV_TEMPLATE_VERSION}`,
      );
    }
    const indicatorCode = cell("indicator_code");
    if (!CODE.test(indicatorCode)) issue("indicator_code", `"${indicatorCode}" is not an indicator code`);
    else if (knownIndicators && !knownIndicators.has(indicatorCode)) {
      issue("indicator_code", `unknown indicator "${indicatorCode}" (known: ${listed(knownIndicators)})`);
    } else if (rules.indicators && !rules.indicators.includes(indicatorCode)) {
      issue("indicator_code", `this file takes only ${rules.indicators.join(", ")}, not "${indicatorCode}"`);
    }
    const territoryCode = cell("territory_code");
    if (!TERRITORY.test(territoryCode)) {
      const hint = /^\d[\dAB]\d{3}$/.test(territoryCode)
        ? ` (a commune is written COM-${territoryCode})`
        : "";
      issue("territory_code", `"${territoryCode}" is not a territory code${hint}`);
    } else if (knownTerritories && !knownTerritories.has(territoryCode)) {
      issue("territory_code", `unknown territory "${territoryCode}"`);
    }
    const measure = cell("measure");
    if (!CODE.test(measure)) issue("measure", `"${measure}" must be lower_snake_case`);
    else if (rules.measures && !rules.measures.includes(measure)) {
      issue("measure", `"${measure}" is not one of ${rules.measures.join(", ")}`);
    } else if (rules.reserved && Object.hasOwn(rules.reserved, indicatorCode)) {
      const owner = rules.reserved[indicatorCode];
      if (Object.hasOwn(owner, measure)) {
        issue(
          "measure",
          `${indicatorCode} ${measure} is loaded by the stream ${owner[measure]}: a partner file cannot write those series (send the figures to that stream's source, or use another measure name)`,
        );
      }
    }
    const parsedBreakdown = parseBreakdown(cell("breakdown"));
    let breakdown: Record<string, string> = {};
    if (typeof parsedBreakdown === "string") issue("breakdown", parsedBreakdown);
    else {
      breakdown = parsedBreakdown;
      if (rules.breakdowns) {
        for (const [key, value] of Object.entries(breakdown)) {
          const allowed = rules.breakdowns[key];
          if (allowed === undefined) {
            issue(
              "breakdown",
              `breakdown key "${key}" is not one of ${Object.keys(rules.breakdowns).join(", ")}`,
            );
          } else if (allowed && !allowed.includes(value)) {
            issue("breakdown", `${key}="${value}" is not one of ${allowed.join(", ")}`);
          }
        }
      }
    }
    let period: { period: string; frequency: Frequency; start: string; end: string } | null = null;
    try {
      period = parsePeriod(cell("period"));
    } catch (error) {
      if (!(error instanceof PeriodError)) throw error;
      issue("period", error.message);
    }
    const status = cell("obs_status") || "A";
    if (!(status in PARTNER_CSV_STATUSES)) {
      issue("obs_status", `"${status}" is not a status (${Object.keys(PARTNER_CSV_STATUSES).join(", ")})`);
    }
    const rawValue = cell("value");
    let value: number | null = null;
    if (rawValue === "") {
      if (!EMPTY_VALUE_STATUSES.has(status)) {
        issue("value", "empty value: give a number, or obs_status M (missing) or C (confidential)");
      }
    } else if (DECIMAL_COMMA.test(rawValue)) {
      issue("value", `"${rawValue}" has a decimal comma: write ${rawValue.replace(",", ".")}`);
    } else if (THOUSANDS.test(rawValue)) {
      issue(
        "value",
        `"${rawValue}" has a thousands separator: write ${rawValue.replace(/[ \u00a0\u202f'.]/g, "").replace(",", ".")}`,
      );
    } else if (!NUMBER.test(rawValue)) {
      issue("value", `"${rawValue}" is not a number (digits and a decimal point, e.g. 1234.5)`);
    } else {
      value = Number(rawValue);
      if (EMPTY_VALUE_STATUSES.has(status)) {
        issue("value", `obs_status ${status} is for a cell without a value, yet the value is ${rawValue}`);
      }
      if (value < 0 && CODE.test(measure) && !isSignedMeasure(measure)) {
        issue(
          "value",
          `${rawValue} is negative: "${measure}" is a count or amount (a difference is named net_…, …_change or …_balance)`,
        );
      }
    }
    const unit = cell("unit");
    if (unit === "") issue("unit", "the unit is required (e.g. calls, t, TEU, m2, ha, EUR)");
    const referenceDate = cell("reference_date") || null;
    if (referenceDate !== null) {
      let date: { start: string } | null = null;
      try {
        const parsed = parsePeriod(referenceDate);
        if (parsed.frequency === "D") date = parsed;
      } catch {
        date = null;
      }
      if (!date) issue("reference_date", `"${referenceDate}" is not a date (YYYY-MM-DD)`);
      else if (period && (date.start < period.start || date.start > period.end)) {
        issue(
          "reference_date",
          `${referenceDate} is outside period ${period.period} (${period.start} to ${period.end})`,
        );
      }
    }
    const sourceUrl = cell("source_url") || null;
    if (sourceUrl !== null && !(URL.canParse(sourceUrl) && /^https?:\/\//.test(sourceUrl))) {
      issue("source_url", `"${sourceUrl}" is not an http(s) URL`);
    }
    const comment = cell("comment") || null;
    if (issues.length > before || !period) continue;

    const seriesKey = `${indicatorCode}|${territoryCode}|${measure}|${canonicalBreakdown(breakdown)}`;
    const key = `${seriesKey}|${period.period}`;
    const first = firstLineOfKey.get(key);
    if (first !== undefined) {
      issues.push({
        line,
        column: null,
        columnName: null,
        message: `duplicate of line ${first} (same indicator, territory, measure, breakdown and period ${period.period})`,
      });
      continue;
    }
    firstLineOfKey.set(key, line);
    const shape = seriesShape.get(seriesKey);
    if (!shape) seriesShape.set(seriesKey, { unit, frequency: period.frequency, line });
    else if (shape.unit !== unit) {
      issue("unit", `"${unit}" differs from "${shape.unit}" on line ${shape.line} for the same series`);
      continue;
    } else if (shape.frequency !== period.frequency) {
      issue("period", `${period.period} mixes frequencies with line ${shape.line} in the same series`);
      continue;
    }
    rows.push({
      line,
      indicatorCode,
      territoryCode,
      measure,
      breakdown,
      period: period.period,
      frequency: period.frequency,
      value,
      unit,
      obsStatus: status,
      referenceDate,
      sourceUrl,
      comment,
    });
  }
  if (issues.length > 0) throw new PartnerCsvError(issues);
  return rows;
}
