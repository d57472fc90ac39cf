/**
 * gzip and brotli by @fastify/compress for answers above 1 kB, streamed exports included. Brotli runs
 * at quality 4: at the default 11 it costs more CPU than a CSV export's network time saves.
 */
import { constants } from "node:zlib";
import compress from "@fastify/compress";
import type { FastifyInstance } from "fastify";

export async function registerCompression(app: FastifyInstance): Promise<void> {
  await app.register(compress, {
    threshold: 1024,
    encodings: ["br", "gzip", "deflate"],
    brotliOptions: { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } },
  });
}
