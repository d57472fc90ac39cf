/** The raw archive: every downloaded payload kept byte for byte with its hash, so any run can be replayed. */
import { createHash } from "node:crypto";
import { eq } from "drizzle-orm";
import { rawPayloads } from "../../schema/ingest";
import type { Db } from "../../src/db/client";
import type { Payload } from "./types";

export function sha256(body: Uint8Array): string {
  return createHash("sha256").update(body).digest("hex");
}

export async function archivePayload(
  db: Db,
  where: { sourceId: string; streamId: string; resourceKey: string },
  payload: Payload,
  hash: string,
): Promise<number> {
  const [row] = await db
    .insert(rawPayloads)
    .values({
      ...where,
      url: payload.url,
      httpStatus: payload.httpStatus,
      contentType: payload.contentType,
      sha256: hash,
      sizeBytes: payload.body.byteLength,
      retrievedAt: payload.retrievedAt,
      body: payload.body,
    })
    .returning({ id: rawPayloads.id });
  if (!row) throw new Error("raw payload insert returned no id");
  return row.id;
}

/** An archived payload as it was received, for `--from-raw` replays and bug reports. */
export async function readArchivedPayload(db: Db, id: number): Promise<Payload | null> {
  const [row] = await db.select().from(rawPayloads).where(eq(rawPayloads.id, id));
  if (!row) return null;
  return {
    body: new Uint8Array(row.body),
    url: row.url,
    httpStatus: row.httpStatus,
    contentType: row.contentType,
    retrievedAt: row.retrievedAt,
  };
}
