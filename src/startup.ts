import { loadReferenceData, type ReferenceLoadReport } from "../ingest/reference/load";
import type { Database } from "./db/client";

/** What every start does before serving: apply pending migrations, then (re)load the reference data. */
export async function prepareDatabase(database: Database): Promise<ReferenceLoadReport> {
  await database.migrate();
  return loadReferenceData(database.db);
}
