/**
 * `POST /admin/ingest` runs ingest commands for the CLI on the hub that holds the embedded database.
 * It writes into the database, so each test plays someone who should not get in: no token, a wrong one,
 * a right one from another host (or claiming loopback in a header), a body that is not a command.
 */
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newAdminToken } from "../../src/db/holder";
import { ADMIN_TOKEN_HEADER } from "../../src/http/admin-ingest";
import { buildHttpApp } from "../../src/http/server";
import { createTestDatabase, type TestDatabase } from "../support/db";

let database: TestDatabase;
let app: FastifyInstance;
const token = newAdminToken();

beforeAll(async () => {
  database = await createTestDatabase();
  app = await buildHttpApp(database.db, {
    adminIngest: { token, leaseMs: 60_000, resourceDeadlineMs: 60_000 },
  });
});

afterAll(async () => {
  await app.close();
  await database.close();
});

const status = { status: true };
const post = (options: {
  token?: string;
  remoteAddress?: string;
  headers?: Record<string, string>;
  body?: unknown;
}) =>
  app.inject({
    method: "POST",
    url: "/admin/ingest",
    remoteAddress: options.remoteAddress ?? "127.0.0.1",
    headers: {
      ...(options.token !== undefined ? { [ADMIN_TOKEN_HEADER]: options.token } : {}),
      ...options.headers,
    },
    payload: (options.body ?? status) as object,
  });

describe("POST /admin/ingest", () => {
  it("runs a command from loopback with the holder's token, streaming NDJSON to its exit code", async () => {
    const response = await post({ token });
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toBe("application/x-ndjson");
    const events = response.body
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string; text?: string; exitCode?: number });
    expect(events.some((e) => e.type === "line" && /insee-bdm\.unemployment-rate/.test(e.text ?? ""))).toBe(
      true,
    );
    expect(events.at(-1)).toEqual({ type: "done", exitCode: 0 });
  });

  it("refuses a request without a token", async () => {
    const response = await post({});
    expect(response.statusCode).toBe(401);
    expect(response.body).not.toMatch(/"type"/);
  });

  it("refuses a wrong token, of the right length or not", async () => {
    for (const wrong of [newAdminToken(), `${token}0`, token.slice(1), "hub_not-an-admin-token"]) {
      const response = await post({ token: wrong });
      expect(response.statusCode, wrong).toBe(401);
    }
  });

  it("refuses the token sent as an API key, and an API key in its place", async () => {
    const asBearer = await post({ headers: { authorization: `Bearer ${token}` } });
    expect([401, 403]).toContain(asBearer.statusCode);
    expect(asBearer.body).not.toMatch(/"type":"done"/);
  });

  it("refuses the right token from another host, whatever a header claims", async () => {
    for (const remoteAddress of ["10.0.0.7", "192.168.1.20", "2001:db8::1"]) {
      const response = await post({
        token,
        remoteAddress,
        headers: { "x-forwarded-for": "127.0.0.1", "x-real-ip": "127.0.0.1" },
      });
      expect(response.statusCode, remoteAddress).toBe(403);
    }
  });

  it("refuses a body that is not an ingest command", async () => {
    for (const body of [{}, { selector: "" }, { status: "yes" }, { status: true, shell: "rm -rf /" }]) {
      const response = await post({ token, body });
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
    }
  });

  it("does not exist on a hub that holds no embedded database", async () => {
    const plain = await buildHttpApp(database.db);
    try {
      const response = await plain.inject({
        method: "POST",
        url: "/admin/ingest",
        remoteAddress: "127.0.0.1",
        headers: { [ADMIN_TOKEN_HEADER]: token },
        payload: status,
      });
      expect(response.statusCode).toBe(404);
    } finally {
      await plain.close();
    }
  });
});
