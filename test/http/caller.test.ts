/**
 * API keys at the edge, tried as an attacker would: no key, a bad, revoked or expired one, a key in
 * the query string of a POST, and what the audit keeps (never the secret).
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { keysCommand } from "../../src/access/cli";
import { createKey, revokeKey } from "../../src/access/keys";
import { selectRows } from "../../src/db/client";
import { redactKey } from "../../src/http/caller";
import { type RunningHub, startHub } from "../support/http";

const VIEWER = "{ viewer { role partner { code name } key { name expiresAt } } }";

describe("who calls: API keys", () => {
  let hub: RunningHub;
  let partnerToken: string;
  let partnerKeyId: string;
  beforeAll(async () => {
    hub = await startHub();
    const created = await createKey(hub.database.db, {
      name: "AGAM import",
      role: "partner",
      partnerCode: "ORG_AGAM",
    });
    partnerToken = created.token;
    partnerKeyId = created.key.id;
  });
  afterAll(() => hub.close());

  const post = (body: unknown, headers: Record<string, string> = {}, path = "/graphql") =>
    fetch(`${hub.base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });

  it("tells a keyed caller who it is, and an anonymous one that it is anonymous", async () => {
    const keyed = await post({ query: VIEWER }, { authorization: `Bearer ${partnerToken}` });
    expect(keyed.status).toBe(200);
    expect((await keyed.json()).data.viewer).toEqual({
      role: "PARTNER",
      partner: { code: "ORG_AGAM", name: expect.any(String) },
      key: { name: "AGAM import", expiresAt: null },
    });
    const anonymous = await post({ query: VIEWER });
    expect((await anonymous.json()).data.viewer).toEqual({ role: "ANONYMOUS", partner: null, key: null });
  });

  it("refuses a bad, revoked or expired key with 401 UNAUTHENTICATED, never as anonymous", async () => {
    const db = hub.database.db;
    const revoked = await createKey(db, { name: "old", role: "analyst" });
    await revokeKey(db, revoked.key.id);
    const expiring = await createKey(db, {
      name: "short",
      role: "analyst",
      expiresAt: new Date(Date.now() + 60_000),
    });
    await db.execute(
      sql`update api_keys set expires_at = now() - interval '1 second' where id = ${expiring.key.id}`,
    );
    const tampered = `${partnerToken.slice(0, -4)}AAAA`;
    const cases: [string, string, string][] = [
      ["hub_notakey", "malformed", "not valid"],
      [tampered, "unknown", "not valid"],
      [revoked.token, "revoked", "revoked"],
      [expiring.token, "expired", "expired"],
    ];
    for (const [token, reason, says] of cases) {
      const res = await post(
        { query: "{ indicators { totalCount } }" },
        { authorization: `Bearer ${token}` },
      );
      expect(res.status, reason).toBe(401);
      expect(res.headers.get("www-authenticate")).toContain("Bearer");
      const body = await res.json();
      expect(body.data).toBeUndefined();
      expect(body.errors[0].extensions).toEqual({ code: "UNAUTHENTICATED", reason });
      expect(body.errors[0].message).toContain(says);
    }
    const basic = await post(
      { query: "{ indicators { totalCount } }" },
      { authorization: "Basic dXNlcjpwdw==" },
    );
    expect(basic.status).toBe(401);
  });

  it("reads ?key= on GET only, and never writes it anywhere", async () => {
    const get = await fetch(`${hub.base}/graphql?query=${encodeURIComponent(VIEWER)}&key=${partnerToken}`, {
      headers: { "apollo-require-preflight": "true" },
    });
    expect(get.status).toBe(200);
    expect((await get.json()).data.viewer.role).toBe("PARTNER");
    const postWithQueryKey = await post({ query: VIEWER }, {}, `/graphql?key=${partnerToken}`);
    expect(postWithQueryKey.status).toBe(401);
    expect((await postWithQueryKey.json()).errors[0].message).toContain("GET only");
    expect(redactKey(`/graphql?query=x&key=${partnerToken}&a=1`)).toBe("/graphql?query=x&key=[REDACTED]&a=1");
    const stored = await selectRows<{ row: string }>(
      hub.database.db,
      sql`select row_to_json(a)::text as row from audit_log a`,
    );
    const secret = partnerToken.slice(`hub_${partnerKeyId}_`.length);
    expect(stored.length).toBeGreaterThan(0);
    for (const r of stored) expect(r.row).not.toContain(secret);
  });

  it("audits every keyed request with its key, role, operation, duration and outcome", async () => {
    await post(
      { query: "query Mine { viewer { role } }", operationName: "Mine" },
      { authorization: `Bearer ${partnerToken}` },
    );
    await post({ query: '{ dataset(code: "NOPE") { code } }' }, { authorization: `Bearer ${partnerToken}` });
    // The audit row is written once the answer has gone out, so it may land a moment after the response.
    const audited = () =>
      selectRows<{
        operation: string;
        outcome: string;
        role: string;
        partner_code: string;
        duration_ms: number;
      }>(
        hub.database.db,
        sql`select operation, outcome, role, partner_code, duration_ms from audit_log where key_id = ${partnerKeyId} order by id`,
      );
    const rows = await vi.waitFor(async () => {
      const found = await audited();
      if (!found.some((r) => r.outcome === "NOT_FOUND"))
        throw new Error("the NOT_FOUND request is not audited yet");
      return found;
    });
    expect(rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          operation: "/graphql Mine",
          outcome: "ok",
          role: "partner",
          partner_code: "ORG_AGAM",
        }),
        expect.objectContaining({ operation: "/graphql", outcome: "NOT_FOUND" }),
      ]),
    );
    // A refused key (the tampered one above) is audited too, before any route ran: it has no duration.
    expect(
      rows.filter((r) => !r.outcome.startsWith("UNAUTHENTICATED")).every((r) => r.duration_ms !== null),
    ).toBe(true);
    expect(rows.map((r) => r.outcome)).toContain("UNAUTHENTICATED:unknown");
  });

  it("manages keys from the command line: create shows the token once, list never does, rotate revokes", async () => {
    const db = hub.database.db;
    const out: string[] = [];
    const print = (l: string) => out.push(l);
    expect(
      await keysCommand(
        db,
        ["create", "--name", "CCI feed", "--role", "partner", "--partner", "ORG_CCIAMP"],
        print,
      ),
    ).toBe(0);
    const token = /hub_[a-z0-9]{12}_[A-Za-z0-9_-]{43}/.exec(out.join("\n"))?.[0];
    expect(token).toBeDefined();
    const id = token?.split("_")[1] ?? "";
    out.length = 0;
    expect(await keysCommand(db, ["list"], print)).toBe(0);
    expect(out.join("\n")).toContain(id);
    expect(out.join("\n")).not.toContain(token);
    out.length = 0;
    expect(await keysCommand(db, ["rotate", id], print)).toBe(0);
    const successor = /hub_[a-z0-9]{12}_[A-Za-z0-9_-]{43}/.exec(out.join("\n"))?.[0];
    const old = await post({ query: VIEWER }, { authorization: `Bearer ${token}` });
    expect(old.status).toBe(401);
    const fresh = await post({ query: VIEWER }, { authorization: `Bearer ${successor}` });
    expect((await fresh.json()).data.viewer.partner.code).toBe("ORG_CCIAMP");
    out.length = 0;
    expect(await keysCommand(db, ["create", "--name", "x", "--role", "partner"], print)).toBe(2);
    expect(out[0]).toContain("needs the partner");
    expect(
      await keysCommand(db, ["create", "--name", "x", "--role", "partner", "--partner", "NOPE"], print),
    ).toBe(2);
    expect(await keysCommand(db, ["revoke", "nosuchkey"], print)).toBe(1);
  });
});
