import { sql } from "drizzle-orm";
import { bigint, check, index, integer, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { partners } from "./partner";

/** Who a key speaks for. Anonymous callers hold no key, so the role is not stored for them. */
export const keyRoles = ["partner", "analyst", "admin"] as const;
export type KeyRole = (typeof keyRoles)[number];

/**
 * An API key: `hub_<id>_<secret>`. Only the SHA-256 of the whole token is kept (the secret is 256
 * random bits, so a slow hash would add nothing), and the id, being public, finds the row without a
 * scan and names the key in logs and the audit.
 */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    tokenSha256: text("token_sha256").notNull(),
    name: text("name").notNull(),
    role: text("role", { enum: keyRoles }).notNull(),
    partnerCode: text("partner_code").references(() => partners.code),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    /** The key this one replaced (`keys rotate`), for the audit trail. */
    replacesId: text("replaces_id"),
  },
  (t) => [
    check("api_keys_partner_role", sql`(${t.role} = 'partner') = (${t.partnerCode} is not null)`),
    index("api_keys_partner_idx").on(t.partnerCode),
  ],
);

export const auditKinds = ["request", "write", "admin"] as const;

/**
 * What keyed callers did: every keyed request (operation, duration, outcome), every write (the file's
 * hash, rows inserted and revised) and every administrative change (keys, visibility).
 */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    kind: text("kind", { enum: auditKinds }).notNull(),
    keyId: text("key_id"),
    role: text("role").notNull(),
    partnerCode: text("partner_code"),
    /** The GraphQL operation name, or the HTTP route for other requests. */
    operation: text("operation"),
    durationMs: integer("duration_ms"),
    /** `ok`, or the error code the caller received (UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT…). */
    outcome: text("outcome").notNull(),
    detail: jsonb("detail").$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index("audit_log_at_idx").on(t.at), index("audit_log_key_idx").on(t.keyId, t.at)],
);
