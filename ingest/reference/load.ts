import type { Db } from "../../src/db/client";

/** Placeholder replaced by the reference-data loader (issue 2). */
export async function loadReferenceData(_db: Db): Promise<void> {}
