/**
 * A partner sends a file in the partner CSV template straight to the hub. It goes through the same
 * reader (`convertPartnerFile`, with the same reserved measures) and the same runner as the
 * `partner-csv` stream: archived with its hash, loaded whole or not at all in one transaction,
 * revisions kept, logged as a run. A partner writes only datasets it owns; a dataset it names for the
 * first time is created as its own, restricted to it and analysts until it publishes it.
 */

import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import { breakdownKey } from "../../ingest/core/loader";
import { payloadOf, wholeBody } from "../../ingest/core/payload";
import { type RunSummary, runStream } from "../../ingest/core/runner";
import type { ConvertResult, Resource, StreamDefinition } from "../../ingest/core/types";
import { PartnerCsvError, type PartnerCsvIssue } from "../../ingest/protocols/partner-csv.parse";
import { convertPartnerFile, hubCodes, type PartnerFileMeta } from "../../ingest/sources/partner-csv/convert";
import { reservedMeasures } from "../../ingest/sources/partner-csv/dedicated";
import { partnerCsv } from "../../ingest/sources/partner-csv/partner-csv.source";
import { datasets } from "../../schema/partner";
import { type Db, selectRows } from "../db/client";
import type { Caller } from "../graphql/context";
import { recordAudit } from "./audit";

const RESERVED = reservedMeasures();
const DATASET_CODE = /^[A-Z0-9][A-Z0-9_-]{1,63}$/;

export type RefusalCode = "UNAUTHENTICATED" | "FORBIDDEN" | "NOT_FOUND" | "BAD_USER_INPUT";

/** Why a submission was refused, with the HTTP status and the stable code the answer carries. */
export class SubmissionRefusedError extends Error {
  constructor(
    readonly code: RefusalCode,
    message: string,
    readonly issues: PartnerCsvIssue[] = [],
  ) {
    super(message);
    this.name = "SubmissionRefusedError";
  }
  get status(): number {
    return { UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, BAD_USER_INPUT: 422 }[this.code];
  }
}

export interface Submission {
  datasetCode: string;
  body: Uint8Array;
  dryRun: boolean;
  /** Name of a dataset created by this submission (its code otherwise). */
  datasetName?: string;
}

export interface SubmissionReport {
  dataset: string;
  dryRun: boolean;
  /** Whether this submission created the dataset (never on a dry run). */
  created: boolean;
  series: number;
  observations: number;
  /** The run that loaded it (absent on a dry run). */
  run: Pick<RunSummary, "runId" | "status" | "rowsInserted" | "rowsUpdated" | "rowsUnchanged"> | null;
}

interface DatasetAccess {
  code: string;
  partner_code: string;
  visible: boolean;
}

/** The dataset and who may write it: its owner (a partner key) or an admin on the owner's behalf. */
async function writableDataset(db: Db, caller: Caller, code: string): Promise<DatasetAccess | null> {
  if (caller.role === "anonymous")
    throw new SubmissionRefusedError(
      "UNAUTHENTICATED",
      "submitting a file needs a partner key: Authorization: Bearer <key>",
    );
  if (caller.role === "analyst")
    throw new SubmissionRefusedError(
      "FORBIDDEN",
      "analyst keys read; only a partner key (or an admin's) submits files",
    );
  if (!DATASET_CODE.test(code))
    throw new SubmissionRefusedError(
      "BAD_USER_INPUT",
      `"${code}" is not a dataset code: capitals, digits, - and _, 2 to 64 characters (ORG_AGAM-BUREAUX)`,
    );
  const [row] = await selectRows<DatasetAccess>(
    db,
    sql`select d.code, d.partner_code, d.code in (select v from datasets_visible_to(${caller.role}::text,
          ${caller.partnerCode ?? null}::text) v) as visible
        from datasets d where d.code = ${code}`,
  );
  if (!row) {
    if (caller.role === "admin")
      throw new SubmissionRefusedError(
        "NOT_FOUND",
        `no dataset with code "${code}": a partner creates it by submitting`,
      );
    return null;
  }
  if (caller.role === "admin" || row.partner_code === caller.partnerCode) return row;
  // Another partner's dataset it cannot see does not exist for it; one it can see, it cannot write.
  if (!row.visible) throw new SubmissionRefusedError("NOT_FOUND", `no dataset with code "${code}"`);
  throw new SubmissionRefusedError(
    "FORBIDDEN",
    `dataset "${code}" belongs to ${row.partner_code}: a partner writes only its own datasets`,
  );
}

/** Refuses a file that would take over series of a dataset the partner does not own. */
async function assertSeriesOwned(db: Db, converted: ConvertResult, partnerCode: string, datasetCode: string) {
  if (converted.series.length === 0) return;
  const keys = converted.series.map(
    (s) =>
      sql`(${s.indicatorCode}::text, ${s.territoryCode}::text, ${s.measure}::text, ${breakdownKey(s.breakdown)}::text)`,
  );
  const taken = await selectRows<{ key: string }>(
    db,
    sql`select s.indicator_code || ' ' || s.territory_code || ' ' || s.measure ||
          case when s.breakdown_key = '' then '' else ' ' || s.breakdown_key end as key
        from series s left join datasets d on d.code = s.dataset_code
        where (s.indicator_code, s.territory_code, s.measure, s.breakdown_key) in (${sql.join(keys, sql`, `)})
          and s.dataset_code is distinct from ${datasetCode} and (d.partner_code is distinct from ${partnerCode})`,
  );
  if (taken.length)
    throw new SubmissionRefusedError(
      "FORBIDDEN",
      `the file writes ${taken.length} series another source already writes (${taken
        .slice(0, 5)
        .map((t) => t.key)
        .join("; ")}): name your measures so they are your own`,
    );
}

function submissionStream(code: string, resource: Resource, body: Uint8Array): StreamDefinition {
  return {
    id: `partner-csv.submission.${code}`,
    description: `Files partners submit over HTTP to dataset ${code}`,
    // Never scheduled: a submission runs when it arrives.
    schedule: "0 0 1 1 *",
    indicators: [],
    datasetCode: code,
    plan: () => [resource],
    download: async () =>
      payloadOf(
        { url: resource.url, httpStatus: null, contentType: "text/csv", retrievedAt: new Date() },
        body,
      ),
    convert: wholeBody((payload, r) => convertPartnerFile(payload, r, { reserved: RESERVED })),
  };
}

export async function submitPartnerFile(db: Db, caller: Caller, s: Submission): Promise<SubmissionReport> {
  const started = Date.now();
  const sha256 = createHash("sha256").update(s.body).digest("hex");
  const audit = (outcome: string, detail: Record<string, unknown>) =>
    recordAudit(db, {
      kind: "write",
      keyId: caller.keyId,
      role: caller.role,
      partnerCode: caller.partnerCode,
      operation: `submit ${s.datasetCode}${s.dryRun ? " (dry run)" : ""}`,
      durationMs: Date.now() - started,
      outcome,
      detail: { dataset: s.datasetCode, sha256, bytes: s.body.byteLength, ...detail },
    });
  try {
    const existing = await writableDataset(db, caller, s.datasetCode);
    const partnerCode = existing?.partner_code ?? caller.partnerCode ?? "";
    const meta: PartnerFileMeta = { partnerCode, datasetCode: s.datasetCode, ...(await hubCodes({ db })) };
    const resource: Resource = {
      key: "submission",
      url: `hublot:submission/${s.datasetCode}/${sha256}`,
      meta,
    };
    let converted: ConvertResult;
    try {
      converted = convertPartnerFile(
        {
          url: resource.url,
          httpStatus: null,
          contentType: "text/csv",
          retrievedAt: new Date(),
          body: s.body,
        },
        resource,
        { reserved: RESERVED },
      );
    } catch (error) {
      if (error instanceof PartnerCsvError)
        throw new SubmissionRefusedError("BAD_USER_INPUT", error.message, error.issues);
      throw error;
    }
    await assertSeriesOwned(db, converted, partnerCode, s.datasetCode);
    const counts = { series: converted.series.length, observations: converted.observations.length };
    if (s.dryRun) {
      await audit("ok", counts);
      return { dataset: s.datasetCode, dryRun: true, created: false, ...counts, run: null };
    }
    if (!existing)
      await db.insert(datasets).values({
        code: s.datasetCode,
        partnerCode,
        name: s.datasetName?.trim() || s.datasetCode,
        licence: "not published",
        url: `hublot:datasets/${s.datasetCode}`,
        sourceId: partnerCsv.id,
        visibility: "restricted",
      });
    const run = await runStream({
      db,
      source: partnerCsv,
      stream: submissionStream(s.datasetCode, resource, s.body),
      trigger: "api",
    });
    if (run.status === "failed" || run.status === "partial" || run.status === "skipped") {
      await audit(`run ${run.status}`, { runId: run.runId });
      throw new Error(`submission run ${run.runId} ${run.status}: ${run.error}`);
    }
    const report: SubmissionReport = {
      dataset: s.datasetCode,
      dryRun: false,
      created: !existing,
      ...counts,
      run: {
        runId: run.runId,
        status: run.status,
        rowsInserted: run.rowsInserted,
        rowsUpdated: run.rowsUpdated,
        rowsUnchanged: run.rowsUnchanged,
      },
    };
    await audit("ok", {
      ...counts,
      runId: run.runId,
      rowsInserted: run.rowsInserted,
      rowsRevised: run.rowsUpdated,
    });
    return report;
  } catch (error) {
    if (error instanceof SubmissionRefusedError) await audit(error.code, { issues: error.issues.length });
    throw error;
  }
}
