/**
 * Partner CSV rows to series and observations. Shared by the `partner-csv` source and by streams whose
 * partner publishes no machine-readable series (the port), so every partner file gets the same checks.
 */
import { inArray, like, or } from "drizzle-orm";
import { indicators } from "../../../schema/indicator";
import { datasets, partners } from "../../../schema/partner";
import { territories } from "../../../schema/territory";
import {
  type BufferedPayload,
  ConvertError,
  type ConvertResult,
  type ObservationInput,
  type PlanContext,
  type Resource,
  type SeriesInput,
  type SeriesKey,
} from "../../core/types";
import { type PartnerCsvRow, type PartnerCsvRules, parsePartnerCsv } from "../../protocols/partner-csv.parse";

/** What `convert` needs to know about a partner file, carried in the resource by `plan`. */
export interface PartnerFileMeta {
  [key: string]: unknown;
  /** The partner the rows are attributed to (a `partners.code`). */
  partnerCode: string;
  /** The dataset the series belong to, when not the stream's own. */
  datasetCode: string | null;
  knownIndicators: string[];
  knownTerritories: string[];
}

/** The indicator and territory codes a file may use, read at plan time so `convert` stays pure. */
export async function hubCodes(
  ctx: Pick<PlanContext, "db">,
  options: { territoryPrefixes?: readonly string[] } = {},
): Promise<{ knownIndicators: string[]; knownTerritories: string[] }> {
  const indicatorRows = await ctx.db.select({ code: indicators.code }).from(indicators);
  const prefixes = options.territoryPrefixes ?? [];
  const territoryRows = await ctx.db
    .select({ code: territories.code })
    .from(territories)
    .where(prefixes.length ? or(...prefixes.map((p) => like(territories.code, `${p}-%`))) : undefined);
  return {
    knownIndicators: indicatorRows.map((r) => r.code).sort(),
    knownTerritories: territoryRows.map((r) => r.code).sort(),
  };
}

/** Refuses a plan naming codes the hub does not have, before anything is downloaded. */
export async function assertCodesExist(
  ctx: Pick<PlanContext, "db">,
  table: "partners" | "datasets",
  codes: readonly string[],
): Promise<void> {
  if (codes.length === 0) return;
  const t = table === "partners" ? partners : datasets;
  const found = new Set(
    (
      await ctx.db
        .select({ code: t.code })
        .from(t)
        .where(inArray(t.code, [...new Set(codes)]))
    ).map((r) => r.code),
  );
  const missing = [...new Set(codes)].filter((c) => !found.has(c));
  if (missing.length > 0) throw new Error(`unknown ${table.slice(0, -1)} code(s): ${missing.join(", ")}`);
}

const keyOf = (s: SeriesKey) =>
  `${s.indicatorCode}|${s.territoryCode}|${s.measure}|${Object.keys(s.breakdown)
    .sort()
    .map((k) => `${k}=${s.breakdown[k]}`)
    .join(";")}`;

/** Turns checked rows into a ConvertResult; the partner is named on every series and observation. */
export function partnerRowsToResult(
  rows: readonly PartnerCsvRow[],
  options: { partnerCode: string; datasetCode?: string | null; sourceKey: string },
): ConvertResult {
  const series = new Map<string, SeriesInput>();
  const observations: ObservationInput[] = [];
  for (const row of rows) {
    const key: SeriesKey = {
      indicatorCode: row.indicatorCode,
      territoryCode: row.territoryCode,
      measure: row.measure,
      breakdown: row.breakdown,
    };
    const k = keyOf(key);
    if (!series.has(k)) {
      series.set(k, {
        ...key,
        frequency: row.frequency,
        unit: row.unit,
        datasetCode: options.datasetCode ?? null,
        sourceKey: options.sourceKey,
        metadata: { partnerCode: options.partnerCode, template: "partner-csv v1" },
      });
    }
    const attributes: Record<string, string> = { partner: options.partnerCode };
    if (row.sourceUrl) attributes.source_url = row.sourceUrl;
    if (row.referenceDate) attributes.reference_date = row.referenceDate;
    if (row.comment) attributes.comment = row.comment;
    observations.push({
      series: key,
      period: row.period,
      value: row.value,
      obsStatus: row.obsStatus,
      attributes,
    });
  }
  return { series: [...series.values()], observations, skipped: {} };
}

export function partnerFileMeta(resource: Resource): PartnerFileMeta {
  const meta = resource.meta as Partial<PartnerFileMeta> | undefined;
  if (
    !meta ||
    typeof meta.partnerCode !== "string" ||
    !Array.isArray(meta.knownIndicators) ||
    !Array.isArray(meta.knownTerritories)
  ) {
    throw new ConvertError(
      `resource ${resource.key} has no partner file metadata (partnerCode, known codes)`,
    );
  }
  return {
    partnerCode: meta.partnerCode,
    datasetCode: typeof meta.datasetCode === "string" ? meta.datasetCode : null,
    knownIndicators: meta.knownIndicators,
    knownTerritories: meta.knownTerritories,
  };
}

/** Reads one partner file with the hub's codes and the stream's own restrictions. */
export function convertPartnerFile(
  payload: BufferedPayload,
  resource: Resource,
  restrictions: Omit<PartnerCsvRules, "knownIndicators" | "knownTerritories"> = {},
): ConvertResult {
  const meta = partnerFileMeta(resource);
  const rows = parsePartnerCsv(payload.body, {
    ...restrictions,
    knownIndicators: meta.knownIndicators,
    knownTerritories: meta.knownTerritories,
  });
  return partnerRowsToResult(rows, {
    partnerCode: meta.partnerCode,
    datasetCode: meta.datasetCode,
    sourceKey: resource.key,
  });
}
