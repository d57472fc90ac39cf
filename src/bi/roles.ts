/**
 * Per-partner SQL login roles on PostgreSQL: each is a member of hublot_bi (SELECT on the `bi` views,
 * nothing else), read-only by default, and recorded in bi_login_roles so the views' row filter
 * (bi.visible_series) gives it exactly its partner's slice. Roles belong to the whole PostgreSQL
 * cluster; the mapping to a partner belongs to the hub database that created it.
 */
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { type Db, selectRows } from "../db/client";

export class BiRoleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BiRoleError";
  }
}

const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export interface CreatedRole {
  role: string;
  partner: string;
  /** Shown once: only PostgreSQL keeps it (hashed). */
  password: string;
}

export async function createPartnerRole(
  db: Db,
  options: { partner: string; role?: string; password?: string },
): Promise<CreatedRole> {
  const [partner] = await selectRows<{ code: string }>(
    db,
    sql`select code from partners where code = ${options.partner}`,
  );
  if (!partner)
    throw new BiRoleError(`no partner with code "${options.partner}": list them with { partners { code } }`);
  const role = options.role ?? `bi_${options.partner.toLowerCase().replace(/[^a-z0-9_]/g, "_")}`;
  if (!ROLE_NAME.test(role))
    throw new BiRoleError(
      `role "${role}": use lower-case letters, digits and _ (at most 63), starting with a letter`,
    );
  const password = options.password ?? randomBytes(18).toString("base64url");
  const [exists] = await selectRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from pg_roles where rolname = ${role}`,
  );
  if (exists.n > 0)
    throw new BiRoleError(`role "${role}" already exists on this server: drop it or pick another name`);
  await db.transaction(async (tx) => {
    const t = tx as unknown as Db;
    // Identifiers and the password are quoted by PostgreSQL itself (format %I / %L): no SQL is spliced.
    await t.execute(
      sql`select 1 from (select set_config('hublot.bi_role', ${role}, true), set_config('hublot.bi_password', ${password}, true)) x`,
    );
    await t.execute(
      sql.raw(`do $$ begin
      execute format('create role %I login password %L in role hublot_bi', current_setting('hublot.bi_role'), current_setting('hublot.bi_password'));
      execute format('alter role %I set default_transaction_read_only = on', current_setting('hublot.bi_role'));
    end $$`),
    );
    await t.execute(
      sql`insert into bi_login_roles (role_name, partner_code) values (${role}, ${partner.code})`,
    );
  });
  return { role, partner: partner.code, password };
}

export async function listPartnerRoles(
  db: Db,
): Promise<{ role: string; partner: string; createdAt: Date }[]> {
  const rows = await selectRows<{ role_name: string; partner_code: string; created_at: string | Date }>(
    db,
    sql`select role_name, partner_code, created_at from bi_login_roles order by role_name`,
  );
  return rows.map((r) => ({ role: r.role_name, partner: r.partner_code, createdAt: new Date(r.created_at) }));
}

/** Drops a role this hub database created; refuses any other role (never drop what we did not make). */
export async function dropPartnerRole(db: Db, role: string): Promise<void> {
  const [known] = await selectRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from bi_login_roles where role_name = ${role}`,
  );
  if (known.n === 0)
    throw new BiRoleError(`role "${role}" was not created by npm run bi:role on this database`);
  await db.transaction(async (tx) => {
    const t = tx as unknown as Db;
    await t.execute(sql`delete from bi_login_roles where role_name = ${role}`);
    await t.execute(sql`select set_config('hublot.bi_role', ${role}, true)`);
    await t.execute(
      sql.raw(`do $$ begin
      execute format('drop role if exists %I', current_setting('hublot.bi_role'));
    end $$`),
    );
  });
}
