/** The audit trail: what keyed callers did and what administrators changed (schema/access.ts). */
import { type auditKinds, auditLog } from "../../schema/access";
import type { Db } from "../db/client";

export type AuditRow = typeof auditLog.$inferSelect;

export interface AuditEntry {
  kind: (typeof auditKinds)[number];
  keyId?: string | null;
  role: string;
  partnerCode?: string | null;
  operation?: string | null;
  durationMs?: number | null;
  outcome: string;
  detail?: Record<string, unknown>;
}

export async function recordAudit(db: Db, e: AuditEntry): Promise<void> {
  await db.insert(auditLog).values({
    kind: e.kind,
    keyId: e.keyId ?? null,
    role: e.role,
    partnerCode: e.partnerCode ?? null,
    operation: e.operation ?? null,
    durationMs: e.durationMs ?? null,
    outcome: e.outcome,
    detail: e.detail ?? {},
  });
}
