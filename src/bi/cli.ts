/**
 * `npm run bi:role -- create <partner> [--role name]` | `list` | `drop <role>`: per-partner SQL login
 * roles on the PostgreSQL server of DATABASE_URL (docs/bi.md).
 */
import { parseArgs } from "node:util";
import { openDatabase } from "../db/client";
import { parseEnv } from "../env";
import { BiRoleError, createPartnerRole, dropPartnerRole, listPartnerRoles } from "./roles";

const USAGE = "usage: npm run bi:role -- create <partner code> [--role <name>] | list | drop <role>";

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { role: { type: "string" } },
  });
  const [command, arg] = positionals;
  const env = parseEnv();
  if (!env.DATABASE_URL) {
    console.error(
      "bi:role: SQL login roles need a PostgreSQL server: set DATABASE_URL (the embedded database has no logins, see docs/bi.md)",
    );
    return 2;
  }
  const database = await openDatabase({ url: env.DATABASE_URL, maxConnections: 1 });
  try {
    if (command === "create" && arg) {
      const created = await createPartnerRole(database.db, { partner: arg, role: values.role });
      console.log(
        `role ${created.role} created for partner ${created.partner}; its password (shown once):\n${created.password}`,
      );
    } else if (command === "list") {
      for (const r of await listPartnerRoles(database.db))
        console.log(`${r.role}\t${r.partner}\t${r.createdAt.toISOString()}`);
    } else if (command === "drop" && arg) {
      await dropPartnerRole(database.db, arg);
      console.log(`role ${arg} dropped`);
    } else {
      console.error(USAGE);
      return 2;
    }
    return 0;
  } catch (error) {
    if (error instanceof BiRoleError) {
      console.error(`bi:role: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await database.close();
  }
}

main().then((code) => process.exit(code));
