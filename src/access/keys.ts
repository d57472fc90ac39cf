/**
 * API keys: `hub_<id>_<secret>`, the id public (it finds the row and names the key in logs and the
 * audit), the secret 256 random bits shown once at creation. Only the SHA-256 of the whole token is
 * stored: with that much entropy a slow password hash would protect nothing more.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { and, asc, eq, isNull, lt, or, sql } from "drizzle-orm";
import { apiKeys, type KeyRole, keyRoles } from "../../schema/access";
import { partners } from "../../schema/partner";
import type { Db } from "../db/client";
import type { Caller } from "../graphql/context";

export type ApiKeyRow = typeof apiKeys.$inferSelect;

const TOKEN = /^hub_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

/** How often `last_used_at` is rewritten for a key in steady use: a write per minute, not per request. */
const LAST_USED_RESOLUTION = "1 minute";

/** Why a key was refused. The message is the caller's; it never says whether the id exists. */
export class KeyRefusedError extends Error {
  constructor(
    readonly reason: "malformed" | "unknown" | "revoked" | "expired",
    readonly keyId: string | null,
  ) {
    super(
      reason === "expired"
        ? "this API key has expired: ask the hub's operator for a new one"
        : reason === "revoked"
          ? "this API key has been revoked: ask the hub's operator for a new one"
          : "this API key is not valid: check that it was copied whole (hub_<id>_<secret>)",
    );
    this.name = "KeyRefusedError";
  }
}

/** A bad key request (unknown role or partner): its message says what to fix. */
export class KeyRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KeyRequestError";
  }
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

function newToken(): { id: string; token: string } {
  // 12 characters of [a-z0-9] from 8 random bytes: ids need to be unique, not secret.
  const id = BigInt(`0x${randomBytes(8).toString("hex")}`)
    .toString(36)
    .padStart(13, "0")
    .slice(-12);
  return { id, token: `hub_${id}_${randomBytes(32).toString("base64url")}` };
}

export interface NewKey {
  name: string;
  role: KeyRole;
  partnerCode?: string | null;
  expiresAt?: Date | null;
}

/** Checks a key request against the roles and the partners of the hub. */
async function checkRequest(db: Db, k: NewKey): Promise<void> {
  if (!k.name.trim()) throw new KeyRequestError("a key needs a name (who or what uses it)");
  if (!(keyRoles as readonly string[]).includes(k.role))
    throw new KeyRequestError(`role "${k.role}" is not one of ${keyRoles.join(", ")}`);
  if (k.role === "partner" && !k.partnerCode)
    throw new KeyRequestError("a partner key needs the partner it speaks for (--partner CODE)");
  if (k.role !== "partner" && k.partnerCode)
    throw new KeyRequestError(`a ${k.role} key speaks for no partner: drop the partner`);
  if (k.partnerCode) {
    const [found] = await db
      .select({ code: partners.code })
      .from(partners)
      .where(eq(partners.code, k.partnerCode));
    if (!found)
      throw new KeyRequestError(
        `no partner with code "${k.partnerCode}" (see { partners { nodes { code } } })`,
      );
  }
  if (k.expiresAt && k.expiresAt.getTime() <= Date.now())
    throw new KeyRequestError(`the expiry ${k.expiresAt.toISOString()} is already past`);
}

/** Creates a key; the token is in the answer and nowhere else, ever. */
export async function createKey(
  db: Db,
  k: NewKey,
  replacesId: string | null = null,
): Promise<{ key: ApiKeyRow; token: string }> {
  await checkRequest(db, k);
  const { id, token } = newToken();
  const [key] = await db
    .insert(apiKeys)
    .values({
      id,
      tokenSha256: sha256(token),
      name: k.name.trim(),
      role: k.role,
      partnerCode: k.partnerCode ?? null,
      expiresAt: k.expiresAt ?? null,
      replacesId,
    })
    .returning();
  if (!key) throw new Error("api key insert returned no row");
  return { key, token };
}

export function listKeys(db: Db): Promise<ApiKeyRow[]> {
  return db.select().from(apiKeys).orderBy(asc(apiKeys.createdAt), asc(apiKeys.id));
}

/** Revokes a key at once; revoking a revoked key changes nothing. Null when there is no such key. */
export async function revokeKey(db: Db, id: string): Promise<ApiKeyRow | null> {
  await db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)));
  const [key] = await db.select().from(apiKeys).where(eq(apiKeys.id, id));
  return key ?? null;
}

/**
 * Replaces a key by a new one with the same name, role, partner and expiry, and revokes the old one
 * in the same transaction: a leaked key stops working the moment its successor exists.
 */
export async function rotateKey(db: Db, id: string): Promise<{ key: ApiKeyRow; token: string } | null> {
  return db.transaction(async (tx) => {
    const t = tx as unknown as Db;
    const [old] = await t.select().from(apiKeys).where(eq(apiKeys.id, id));
    if (!old) return null;
    if (old.revokedAt) throw new KeyRequestError(`key ${id} is revoked: create a new one instead`);
    await t.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.id, id));
    return createKey(
      t,
      {
        name: old.name,
        role: old.role,
        partnerCode: old.partnerCode,
        expiresAt: old.expiresAt && old.expiresAt.getTime() > Date.now() ? old.expiresAt : null,
      },
      id,
    );
  });
}

/**
 * The caller a token stands for, or KeyRefusedError. The hash comparison is constant-time, so timing
 * does not tell how much of a guessed secret was right.
 */
export async function authenticate(db: Db, token: string): Promise<Caller> {
  const m = TOKEN.exec(token.trim());
  if (!m) throw new KeyRefusedError("malformed", null);
  const id = m[1];
  const [key] = await db.select().from(apiKeys).where(eq(apiKeys.id, id));
  const expected = Buffer.from(key?.tokenSha256 ?? sha256(""), "hex");
  const given = Buffer.from(sha256(token.trim()), "hex");
  if (!key || !timingSafeEqual(expected, given)) throw new KeyRefusedError("unknown", key ? id : null);
  if (key.revokedAt) throw new KeyRefusedError("revoked", id);
  if (key.expiresAt && key.expiresAt.getTime() <= Date.now()) throw new KeyRefusedError("expired", id);
  await db
    .update(apiKeys)
    .set({ lastUsedAt: new Date() })
    .where(
      and(
        eq(apiKeys.id, id),
        or(
          isNull(apiKeys.lastUsedAt),
          lt(apiKeys.lastUsedAt, sql`now() - ${LAST_USED_RESOLUTION}::interval`),
        ),
      ),
    );
  return {
    role: key.role,
    ...(key.partnerCode ? { partnerCode: key.partnerCode } : {}),
    keyId: key.id,
    keyName: key.name,
    keyExpiresAt: key.expiresAt,
  };
}
