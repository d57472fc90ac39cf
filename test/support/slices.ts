/**
 * A data set where every kind of caller holds something the others must not see: datasets of two
 * partners (ORG_AGAM as partner A, ORG_CCIAMP as partner B) at each visibility, each with series of
 * `office_space_produced` at the Métropole and at COM-13001 (filière F1), so that every link of the
 * schema that reaches series (indicator, territory, filière, target, agenda node, dataset, partner)
 * reaches them. Every value and every measure name is INVENTED and unique, so an answer leaks a slice
 * exactly when one of its tokens appears in it.
 */
import { eq, sql } from "drizzle-orm";
import { loadBatches } from "../../ingest/core/loader";
import type { ConvertResult } from "../../ingest/core/types";
import type { Visibility } from "../../schema/common";
import { series } from "../../schema/indicator";
import { ingestRuns } from "../../schema/ingest";
import { datasets } from "../../schema/partner";
import { type Db, selectRows } from "../../src/db/client";
import type { Caller, Role } from "../../src/graphql/context";

export const PARTNER_A = "ORG_AGAM";
export const PARTNER_B = "ORG_CCIAMP";
export const INDICATOR = "office_space_produced";

/** The error text of the slices' run, and of the last failure of a public stream (see `failPublicStream`). */
export const RUN_ERROR = "SENTINEL_ERROR_TEXT https://internal.example.org/secret-path";

export type Who = "anonymous" | "partnerA" | "partnerB" | "analyst" | "admin";
export const everyone: Who[] = ["anonymous", "partnerA", "partnerB", "analyst", "admin"];

export const callers: Record<Who, Caller> = {
  anonymous: { role: "anonymous" },
  partnerA: { role: "partner", partnerCode: PARTNER_A, keyId: "testa" },
  partnerB: { role: "partner", partnerCode: PARTNER_B, keyId: "testb" },
  analyst: { role: "analyst", keyId: "testan" },
  admin: { role: "admin", keyId: "testad" },
};

export interface Slice {
  /** Measure of its series, unique to it; sorts before the public measures so `latest` would pick it. */
  measure: string;
  dataset: string;
  owner: string;
  /** The visibility of the dataset, or of the series when `seriesOverride`. */
  visibility: Visibility;
  sharedWith?: string[];
  embargoUntil?: Date;
  seriesOverride?: boolean;
  value: number;
  /** Who must see it; every other caller must not. */
  seenBy: Who[];
}

const FUTURE = new Date("2099-01-01T00:00:00Z");
const PAST = new Date("2020-01-01T00:00:00Z");

export const slices: Slice[] = [
  {
    measure: "a_public",
    dataset: "ZZ-A-PUBLIC",
    owner: PARTNER_A,
    visibility: "public",
    value: 700001.5,
    seenBy: everyone,
  },
  {
    measure: "a_override_private",
    dataset: "ZZ-A-PUBLIC",
    owner: PARTNER_A,
    visibility: "private",
    seriesOverride: true,
    value: 700002.5,
    seenBy: ["partnerA", "admin"],
  },
  {
    measure: "a_restricted",
    dataset: "ZZ-A-RESTRICTED",
    owner: PARTNER_A,
    visibility: "restricted",
    value: 700003.5,
    seenBy: ["partnerA", "analyst", "admin"],
  },
  {
    measure: "a_private",
    dataset: "ZZ-A-PRIVATE",
    owner: PARTNER_A,
    visibility: "private",
    value: 700004.5,
    seenBy: ["partnerA", "admin"],
  },
  {
    measure: "a_embargoed",
    dataset: "ZZ-A-EMBARGOED",
    owner: PARTNER_A,
    visibility: "public",
    embargoUntil: FUTURE,
    value: 700005.5,
    seenBy: ["partnerA", "admin"],
  },
  {
    measure: "a_shared_with_b",
    dataset: "ZZ-A-SHARED-B",
    owner: PARTNER_A,
    visibility: "restricted",
    sharedWith: [PARTNER_B],
    value: 700006.5,
    seenBy: ["partnerA", "partnerB", "analyst", "admin"],
  },
  {
    measure: "b_restricted",
    dataset: "ZZ-B-RESTRICTED",
    owner: PARTNER_B,
    visibility: "restricted",
    value: 700007.5,
    seenBy: ["partnerB", "analyst", "admin"],
  },
  {
    measure: "b_embargo_passed",
    dataset: "ZZ-B-EMBARGO-PASSED",
    owner: PARTNER_B,
    visibility: "public",
    embargoUntil: PAST,
    value: 700008.5,
    seenBy: everyone,
  },
];

/** The strings of a slice that may appear in an answer only if its caller sees it. */
export function tokensOf(slice: Slice): string[] {
  return [slice.measure, String(slice.value), String(slice.value + 0.25)];
}

/** Datasets whose mere code must stay hidden from the callers who see none of their series. */
export function datasetSeenBy(code: string): Who[] {
  return [...new Set(slices.filter((s) => s.dataset === code && !s.seriesOverride).flatMap((s) => s.seenBy))];
}

export const roleOf = (who: Who): Role => callers[who].role;

async function* oneBatch(converted: ConvertResult) {
  yield converted;
}

/** Writes the slices' datasets and series through the loader, as a run would. Returns series ids by measure. */
export async function loadSlices(db: Db): Promise<Map<string, number>> {
  // The run that wrote them: of no registered stream, with an error text only analysts and admins read.
  const [run] = await db
    .insert(ingestRuns)
    .values({
      sourceId: "test",
      streamId: "test.slices",
      trigger: "test",
      status: "partial",
      error: RUN_ERROR,
    })
    .returning({ id: ingestRuns.id });
  const codes = [...new Set(slices.map((s) => s.dataset))];
  for (const code of codes) {
    const owner =
      slices.find((s) => s.dataset === code && !s.seriesOverride) ?? slices.find((s) => s.dataset === code);
    if (!owner) continue;
    await db.insert(datasets).values({
      code,
      partnerCode: owner.owner,
      name: `Test slice ${code} (invented)`,
      licence: "test",
      url: "https://example.org/invented",
      visibility: owner.seriesOverride ? "public" : owner.visibility,
      sharedWith: owner.seriesOverride ? [] : (owner.sharedWith ?? []),
      embargoUntil: owner.seriesOverride ? null : (owner.embargoUntil ?? null),
    });
  }
  for (const s of slices) {
    const epci = {
      indicatorCode: INDICATOR,
      territoryCode: "EPCI-200054807",
      measure: s.measure,
      breakdown: {},
    };
    const commune = {
      indicatorCode: INDICATOR,
      territoryCode: "COM-13001",
      measure: s.measure,
      breakdown: { filiere: "F1" },
    };
    const converted: ConvertResult = {
      series: [epci, commune].map((k) => ({
        ...k,
        frequency: "A" as const,
        unit: "m2",
        datasetCode: s.dataset,
      })),
      observations: [
        { series: epci, period: "2024", value: s.value, obsStatus: "A" },
        { series: commune, period: "2024", value: s.value + 0.25, obsStatus: "A" },
      ],
      skipped: {},
    };
    await loadBatches(db, oneBatch(converted), {
      runId: run.id,
      rawPayloadId: null,
      sourceUrl: "https://example.org/invented",
      retrievedAt: new Date(),
      datasetCode: s.dataset,
    });
    if (s.seriesOverride)
      await db
        .update(series)
        .set({
          visibility: s.visibility,
          sharedWith: s.sharedWith ?? [],
          embargoUntil: s.embargoUntil ?? null,
        })
        .where(eq(series.measure, s.measure));
  }
  await db.execute(sql`update stream_state set last_error = ${RUN_ERROR}, last_failure_at = now()
    where stream_id = 'insee-bdm.unemployment-rate'`);
  const rows = await selectRows<{ id: number; measure: string; territory_code: string }>(
    db,
    sql`select id, measure, territory_code from series where dataset_code like 'ZZ-%'`,
  );
  return new Map(
    rows.filter((r) => r.territory_code === "EPCI-200054807").map((r) => [r.measure, Number(r.id)]),
  );
}
