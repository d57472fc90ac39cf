/**
 * Who may change a dataset's reach, and the change itself: its owner (the partner it belongs to) and
 * admins. Shared by the GraphQL mutations and the partner submission route.
 */
import { eq } from "drizzle-orm";
import type { Visibility } from "../../schema/common";
import { datasets } from "../../schema/partner";
import type { Db } from "../db/client";
import { bumpDataVersion } from "../db/data-version";
import { ForbiddenError, NotFoundError } from "../errors";
import type { Caller } from "../graphql/context";
import { recordAudit } from "./audit";

export type DatasetRow = typeof datasets.$inferSelect;

export interface Reach {
  visibility: Visibility;
  sharedWith?: string[];
  embargoUntil?: Date | null;
}

/**
 * The dataset if the caller owns it or is an admin. Anyone else gets NOT_FOUND when it may not even
 * see the dataset (no existence oracle), FORBIDDEN when it may see but not change it.
 */
export async function datasetToChange(
  db: Db,
  caller: Caller,
  code: string,
  visible: boolean,
): Promise<DatasetRow> {
  const [row] = await db.select().from(datasets).where(eq(datasets.code, code));
  if (!row || (!visible && caller.role !== "admin")) throw new NotFoundError("dataset", code);
  if (caller.role === "admin" || (caller.role === "partner" && caller.partnerCode === row.partnerCode))
    return row;
  throw new ForbiddenError(
    `dataset "${code}" belongs to ${row.partnerCode}: only its owner or an admin may change it`,
    {
      dataset: code,
    },
  );
}

export async function setReach(db: Db, caller: Caller, row: DatasetRow, reach: Reach): Promise<DatasetRow> {
  const [updated] = await db
    .update(datasets)
    .set({
      visibility: reach.visibility,
      sharedWith: reach.sharedWith ?? row.sharedWith,
      embargoUntil: reach.embargoUntil === undefined ? row.embargoUntil : reach.embargoUntil,
    })
    .where(eq(datasets.code, row.code))
    .returning();
  // Who sees what changed: cached answers (keyed on the data version) must not outlive it.
  await bumpDataVersion(db);
  await recordAudit(db, {
    kind: "admin",
    keyId: caller.keyId,
    role: caller.role,
    partnerCode: caller.partnerCode,
    operation: "dataset visibility",
    outcome: "ok",
    detail: {
      dataset: row.code,
      from: { visibility: row.visibility, sharedWith: row.sharedWith, embargoUntil: row.embargoUntil },
      to: {
        visibility: updated?.visibility,
        sharedWith: updated?.sharedWith,
        embargoUntil: updated?.embargoUntil,
      },
    },
  });
  return updated ?? row;
}
