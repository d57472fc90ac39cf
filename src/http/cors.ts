/**
 * CORS by @fastify/cors, so a dashboard on another origin can call the hub. `CORS_ORIGINS` is `*`
 * (the default: anonymous public reads from anywhere) or a comma-separated list of origins. Never
 * with credentials: the hub identifies callers by a header or `?key=`, never by a cookie, so a
 * browser has nothing to attach on another site's behalf.
 */
import cors from "@fastify/cors";
import type { FastifyInstance } from "fastify";

export async function registerCors(app: FastifyInstance, origins: string[] | "*"): Promise<void> {
  await app.register(cors, {
    origin: origins === "*" ? "*" : origins,
    credentials: false,
    methods: ["GET", "HEAD", "POST"],
    allowedHeaders: ["Authorization", "Content-Type", "If-None-Match", "Accept"],
    exposedHeaders: ["ETag", "X-Cache", "Content-Disposition"],
    maxAge: 600,
    // A plain OPTIONS (no Origin) is not a broken preflight: LibreOffice's web loader sends one before
    // opening a URL, and gives up on a 400.
    strictPreflight: false,
  });
}
