import { sql } from "drizzle-orm";
import {
  loadReferenceData,
  type ReferenceFiles,
  type ReferenceLoadReport,
  readReferenceFiles,
  referenceFingerprint,
} from "../ingest/reference/load";
import { type Database, type Db, selectRows } from "./db/client";

export interface PreparedDatabase {
  /** False when the reference data was already loaded from the same files and code (its rows untouched). */
  referenceReloaded: boolean;
  /** Rows per reference table, when reloaded. */
  reference: ReferenceLoadReport;
}

/**
 * What every start does before serving: apply pending migrations, then reload the reference data unless
 * the database already holds it from the same files and code (its fingerprint in reference_state).
 * Under a transaction-scoped advisory lock: two instances started at once on a new database both
 * reloaded, their upserts locking the same rows, and under load one of them failed to start; now the
 * second waits for the first's load, then finds its fingerprint.
 */
export async function prepareDatabase(
  database: Database,
  data: ReferenceFiles = readReferenceFiles(),
): Promise<PreparedDatabase> {
  await database.migrate();
  const fingerprint = referenceFingerprint(data);
  return database.db.transaction(async (tx) => {
    const db = tx as unknown as Db;
    await db.execute(sql`select pg_advisory_xact_lock(hashtext('hublot.reference-data'))`);
    const [stored] = await selectRows<{ fingerprint: string }>(
      db,
      sql`select fingerprint from reference_state where id = 1`,
    );
    if (stored?.fingerprint === fingerprint) return { referenceReloaded: false, reference: {} };
    const reference = await loadReferenceData(db, data);
    await db.execute(
      sql`insert into reference_state (id, fingerprint) values (1, ${fingerprint})
          on conflict (id) do update set fingerprint = excluded.fingerprint, loaded_at = now()`,
    );
    return { referenceReloaded: true, reference };
  });
}
