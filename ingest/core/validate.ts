/**
 * What a conversion must pass before it is loaded: the payload was received whole (as many records as
 * the source says it holds), it was understood (not every cell skipped), and every code it carries is in
 * its codelist (SDMX observation status, URSSAF grand secteur, NAF sous-classe, filière). A code outside
 * its list fails the resource, naming the code, instead of opening a new series or status silently.
 */
import { sql } from "drizzle-orm";
import { type Db, selectRows } from "../../src/db/client";
import { type ConvertBatch, ConvertError } from "./types";

/**
 * SDMX CL_OBS_STATUS (A normal, B break, D definition differs, E estimated, F forecast, G experimental,
 * H holiday, I imputed, K included in another category, L not collected, M missing, N not significant,
 * O missing, P provisional, Q suppressed, S strike, U low reliability, V unvalidated, W includes another
 * category), with INSEE's SD (semi-definitive) and R (revised) and the hub's C (confidential).
 */
export const OBS_STATUSES = new Set([
  "A",
  "B",
  "C",
  "D",
  "E",
  "F",
  "G",
  "H",
  "I",
  "K",
  "L",
  "M",
  "N",
  "O",
  "P",
  "Q",
  "R",
  "S",
  "SD",
  "U",
  "V",
  "W",
]);

/** URSSAF's five grands secteurs d'activité (GS1 Industrie … GS5 Autres services marchands hors intérim). */
export const GRAND_SECTEURS = new Set(["GS1", "GS2", "GS3", "GS4", "GS5"]);

/** Breakdown keys whose values come from a table of the reference data. */
const BREAKDOWN_TABLES: Record<string, { table: string; column: string }> = {
  naf: { table: "naf_codes", column: "code" },
  filiere: { table: "filieres", column: "code" },
};

const list = (codes: Iterable<string>) =>
  [...codes]
    .slice(0, 5)
    .map((c) => `"${c}"`)
    .join(", ");

/**
 * Passes a conversion's batches through to the loader, checking each one's codes, and at the end that
 * the payload was understood (not every cell skipped) and whole (as many records as the source counts).
 * A rule broken throws ConvertError inside the resource's transaction: every batch loaded rolls back.
 */
export async function* checkedBatches(
  db: Db,
  batches: AsyncIterable<ConvertBatch>,
  expectedRows: number | undefined,
): AsyncGenerator<ConvertBatch> {
  let observations = 0;
  let recordsRead: number | undefined;
  const skipped: Record<string, number> = {};
  const known = new Map<string, Set<string>>();
  for await (const batch of batches) {
    observations += batch.observations?.length ?? 0;
    for (const [reason, n] of Object.entries(batch.skipped ?? {}))
      skipped[reason] = (skipped[reason] ?? 0) + n;
    if (batch.recordsRead !== undefined) recordsRead = (recordsRead ?? 0) + batch.recordsRead;
    await checkCodes(db, batch, known);
    yield batch;
  }
  if (expectedRows !== undefined && recordsRead !== undefined && recordsRead !== expectedRows) {
    throw new ConvertError(
      `the payload holds ${recordsRead} records where the source counts ${expectedRows}: it was cut (or changed during the download); nothing loaded`,
    );
  }
  const reasons = Object.entries(skipped).filter(([, n]) => n > 0);
  if (observations === 0 && reasons.length > 0) {
    throw new ConvertError(
      `every cell was skipped (${reasons.map(([reason, n]) => `${reason}: ${n}`).join(", ")}): the payload was not understood (a renamed field?); nothing loaded`,
    );
  }
}

/** One batch's codes against their codelists; `known` keeps the values already found, per key. */
async function checkCodes(db: Db, batch: ConvertBatch, known: Map<string, Set<string>>): Promise<void> {
  const badStatuses = new Set(
    (batch.observations ?? []).map((o) => o.obsStatus).filter((s) => !OBS_STATUSES.has(s)),
  );
  if (badStatuses.size > 0) {
    throw new ConvertError(`observation status(es) outside the SDMX codelist: ${list(badStatuses)}`);
  }
  const byKey = new Map<string, Set<string>>();
  for (const s of batch.series ?? []) {
    for (const [k, v] of Object.entries(s.breakdown)) {
      if (known.get(k)?.has(v)) continue;
      const values = byKey.get(k) ?? new Set<string>();
      values.add(v);
      byKey.set(k, values);
    }
  }
  const grandSecteurs = [...(byKey.get("grand_secteur") ?? [])].filter((v) => !GRAND_SECTEURS.has(v));
  if (grandSecteurs.length > 0) {
    throw new ConvertError(`grand secteur(s) outside URSSAF's codelist (GS1-GS5): ${list(grandSecteurs)}`);
  }
  for (const [key, { table, column }] of Object.entries(BREAKDOWN_TABLES)) {
    const values = [...(byKey.get(key) ?? [])];
    if (values.length === 0) continue;
    const found = await selectRows<{ code: string }>(
      db,
      sql`select ${sql.identifier(column)} as code from ${sql.identifier(table)}
          where ${sql.identifier(column)} in (${sql.join(
            values.map((v) => sql`${v}`),
            sql`, `,
          )})`,
    );
    const present = new Set(found.map((r) => r.code));
    const unknown = values.filter((v) => !present.has(v));
    if (unknown.length > 0) throw new ConvertError(`${key} code(s) outside the codelist: ${list(unknown)}`);
    const kept = known.get(key) ?? new Set<string>();
    for (const v of values) kept.add(v);
    known.set(key, kept);
  }
}
