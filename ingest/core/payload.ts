/**
 * Helpers around the payload contract (`types.ts`): read a bounded body whole, wrap a converter of
 * whole bodies into a streaming one, cut rows into batches, gather batches back into one result.
 */
import { createReadStream } from "node:fs";
import type {
  BufferedPayload,
  ConvertBatch,
  ConvertContext,
  ConvertResult,
  Payload,
  PayloadInfo,
  Resource,
} from "./types";

/** Observations per batch a streaming converter yields: a few MB of objects at most. */
export const CONVERT_BATCH = 10_000;

/** Reads a body to its end. Only for bounded answers: a large export must be read as it streams. */
export async function readWhole(body: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    length += chunk.byteLength;
  }
  if (chunks.length === 1 && chunks[0]) return chunks[0];
  const whole = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    whole.set(chunk, at);
    at += chunk.byteLength;
  }
  return whole;
}

/** A body of bytes already in memory, as the contract's stream. */
export async function* bytesOf(body: Uint8Array | string): AsyncIterable<Uint8Array> {
  yield typeof body === "string" ? new TextEncoder().encode(body) : body;
}

/** A payload whose body is already in memory (a recorded fixture, pages a download merged). */
export function payloadOf(info: PayloadInfo, body: Uint8Array | string): Payload {
  return { ...info, body: bytesOf(body) };
}

/** A file on disk as a payload, read as it streams (`ingest --from-file`, `file:` URLs). */
export function filePayload(path: string): Payload {
  // Opened when first read, so a missing file fails the reader (the resource), not the process.
  async function* body(): AsyncIterable<Uint8Array> {
    yield* createReadStream(path, { highWaterMark: 256 * 1024 });
  }
  return {
    body: body(),
    url: `file://${path}`,
    httpStatus: null,
    contentType: null,
    retrievedAt: new Date(),
  };
}

/**
 * A streaming `convert` from a pure converter of whole bodies, for the APIs that bound their answers
 * (an SDMX query of a few series, a Melodi or Opendatasoft JSON page): their payload is read whole, and
 * converted in one batch.
 */
export function wholeBody(
  convert: (payload: BufferedPayload, resource: Resource) => ConvertResult,
): (payload: Payload, ctx: ConvertContext) => AsyncIterable<ConvertBatch> {
  return async function* (payload, ctx) {
    const body = await readWhole(payload.body);
    yield convert({ ...payload, body }, ctx.resource);
  };
}

/** Gathers every batch of a conversion into one result (tests, and callers of bounded payloads). */
export async function collectBatches(batches: AsyncIterable<ConvertBatch>): Promise<ConvertResult> {
  const result: ConvertResult = { series: [], observations: [], skipped: {} };
  for await (const batch of batches) {
    for (const s of batch.series ?? []) result.series.push(s);
    for (const o of batch.observations ?? []) result.observations.push(o);
    for (const [reason, n] of Object.entries(batch.skipped ?? {})) {
      result.skipped[reason] = (result.skipped[reason] ?? 0) + n;
    }
    if (batch.cursor) result.cursor = { ...result.cursor, ...batch.cursor };
  }
  return result;
}
