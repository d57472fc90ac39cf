/**
 * The raw archive: every downloaded payload kept byte for byte, gzip-compressed, so any run can be
 * replayed and any observation traced to the bytes it came from.
 *
 * Where it lives: files under `RAW_ARCHIVE_DIR` (default `./data/raw`, beside the embedded database),
 * one per payload at `<stream>/<resource>/<sha256>.gz`, and one `raw_payloads` row per payload in the
 * database (hash, sizes, URL, status, the file's path relative to the directory), which observations
 * point at. Not in the database itself: neither driver can stream a `bytea` parameter (postgres.js and
 * PGlite both build it whole, PGlite then copies it into a WebAssembly heap that never shrinks), so a
 * 130 MB export would cost its size several times over in memory; a file is written as the bytes arrive
 * (hashed and compressed on the way, in constant memory), and is one `zcat` away from `ingest
 * --from-file`. A hub whose PostgreSQL serves several hosts keeps each host's downloads on that host.
 *
 * An unchanged payload is told by its hash, computed while it downloads, against the hash the resource
 * last loaded: its bytes are then dropped without being read again. Old payloads are pruned past the
 * newest `RAW_ARCHIVE_KEEP` of a resource, never the one its last successful load came from.
 */
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";
import { and, desc, eq, inArray, notInArray, sql } from "drizzle-orm";
import { rawPayloads, resourceState } from "../../schema/ingest";
import { type Db, selectRows } from "../../src/db/client";
import type { Payload, PayloadInfo } from "./types";

export function sha256(body: Uint8Array): string {
  return createHash("sha256").update(body).digest("hex");
}

export interface RawArchive {
  /** Absolute directory the payload files live under. */
  dir: string;
  /** Payloads kept per resource (at least 1); the last successfully loaded one is kept regardless. */
  keep: number;
}

/** The archive as the environment configures it: `RAW_ARCHIVE_DIR`, `RAW_ARCHIVE_KEEP`. */
export function rawArchiveFrom(env: NodeJS.ProcessEnv = process.env): RawArchive {
  const keep = Number(env.RAW_ARCHIVE_KEEP ?? 5);
  if (!Number.isInteger(keep) || keep < 1) {
    throw new Error(
      `RAW_ARCHIVE_KEEP must be a whole number of payloads, at least 1 (got "${env.RAW_ARCHIVE_KEEP}")`,
    );
  }
  return { dir: resolve(env.RAW_ARCHIVE_DIR || "./data/raw"), keep };
}

/** A payload fully received into the archive's scratch space, not yet filed. */
export interface ReceivedPayload {
  info: PayloadInfo;
  sha256: string;
  sizeBytes: number;
  storedBytes: number;
  tempPath: string;
}

/** File-name-safe: stream ids and resource keys are ASCII but may hold `/` or `:`. */
const safe = (part: string) => part.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 120);

/**
 * Streams a payload's body to a compressed scratch file, hashing and counting the bytes on the way:
 * nothing but a chunk is ever in memory. A body that fails half-way leaves no file behind.
 */
export async function receivePayload(archive: RawArchive, payload: Payload): Promise<ReceivedPayload> {
  const scratch = join(archive.dir, ".incoming");
  await mkdir(scratch, { recursive: true });
  const tempPath = join(scratch, `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.gz`);
  const hash = createHash("sha256");
  let sizeBytes = 0;
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      sizeBytes += chunk.byteLength;
      done(null, chunk);
    },
  });
  try {
    await pipeline(payload.body, measure, createGzip({ level: 6 }), createWriteStream(tempPath));
  } catch (error) {
    await rm(tempPath, { force: true });
    throw error;
  }
  const { size } = await stat(tempPath);
  const { body: _body, ...info } = payload;
  return { info, sha256: hash.digest("hex"), sizeBytes, storedBytes: size, tempPath };
}

/** Drops a received payload that will not be kept (its hash is the one already loaded). */
export async function discardReceived(received: ReceivedPayload): Promise<void> {
  await rm(received.tempPath, { force: true });
}

/** Files a received payload under its resource and records it in `raw_payloads`. */
export async function archivePayload(
  db: Db,
  archive: RawArchive,
  where: { sourceId: string; streamId: string; resourceKey: string },
  received: ReceivedPayload,
): Promise<{ id: number; storagePath: string }> {
  const storagePath = join(safe(where.streamId), safe(where.resourceKey), `${received.sha256}.gz`);
  const target = join(archive.dir, storagePath);
  await mkdir(dirname(target), { recursive: true });
  await rename(received.tempPath, target);
  const [row] = await db
    .insert(rawPayloads)
    .values({
      ...where,
      url: received.info.url,
      httpStatus: received.info.httpStatus,
      contentType: received.info.contentType,
      sha256: received.sha256,
      sizeBytes: received.sizeBytes,
      storedBytes: received.storedBytes,
      storagePath,
      retrievedAt: received.info.retrievedAt,
    })
    .returning({ id: rawPayloads.id });
  if (!row) throw new Error("raw payload insert returned no id");
  return { id: row.id, storagePath };
}

/** The bytes of an archived file as they were received, decompressed as they are read. */
export function archivedBody(archive: RawArchive, storagePath: string): AsyncIterable<Uint8Array> {
  return createReadStream(join(archive.dir, storagePath), { highWaterMark: 256 * 1024 }).pipe(createGunzip());
}

/** An archived payload as it was received, for replays and bug reports. */
export async function readArchivedPayload(db: Db, archive: RawArchive, id: number): Promise<Payload | null> {
  const [row] = await db.select().from(rawPayloads).where(eq(rawPayloads.id, id));
  if (!row) return null;
  const info = {
    url: row.url,
    httpStatus: row.httpStatus,
    contentType: row.contentType,
    retrievedAt: row.retrievedAt,
  };
  if (row.storagePath) return { ...info, body: archivedBody(archive, row.storagePath) };
  // Archived before payloads moved to files: the bytes are in the row.
  const legacy = row.body ?? new Uint8Array();
  return {
    ...info,
    body: (async function* () {
      yield new Uint8Array(legacy);
    })(),
  };
}

/**
 * Deletes a resource's payloads past the newest `keep`, except the one its last successful load came
 * from, and their files once no kept row names them (two payloads with one hash share a file).
 */
export async function pruneArchive(
  db: Db,
  archive: RawArchive,
  streamId: string,
  resourceKey: string,
): Promise<number> {
  const [state] = await db
    .select({ id: resourceState.lastRawPayloadId })
    .from(resourceState)
    .where(and(eq(resourceState.streamId, streamId), eq(resourceState.resourceKey, resourceKey)));
  const newest = await db
    .select({ id: rawPayloads.id })
    .from(rawPayloads)
    .where(and(eq(rawPayloads.streamId, streamId), eq(rawPayloads.resourceKey, resourceKey)))
    .orderBy(desc(rawPayloads.id))
    .limit(archive.keep);
  const kept = [...newest.map((r) => r.id), ...(state?.id ? [state.id] : [])];
  const doomed = await db
    .delete(rawPayloads)
    .where(
      and(
        eq(rawPayloads.streamId, streamId),
        eq(rawPayloads.resourceKey, resourceKey),
        notInArray(rawPayloads.id, kept),
      ),
    )
    .returning({ storagePath: rawPayloads.storagePath });
  const paths = [...new Set(doomed.flatMap((r) => (r.storagePath ? [r.storagePath] : [])))];
  if (paths.length === 0) return doomed.length;
  const stillNamed = await db
    .select({ storagePath: rawPayloads.storagePath })
    .from(rawPayloads)
    .where(inArray(rawPayloads.storagePath, paths));
  const named = new Set(stillNamed.map((r) => r.storagePath));
  for (const path of paths) if (!named.has(path)) await rm(join(archive.dir, path), { force: true });
  return doomed.length;
}

/** Bytes the archive holds, as the database records them (for the status and the benchmark). */
export async function archiveSize(db: Db): Promise<{ payloads: number; storedBytes: number }> {
  const [row] = await selectRows<{ payloads: string; stored: string | null }>(
    db,
    sql`select count(*)::text as payloads, sum(coalesce(stored_bytes, octet_length(body)))::text as stored from raw_payloads`,
  );
  return { payloads: Number(row?.payloads ?? 0), storedBytes: Number(row?.stored ?? 0) };
}
