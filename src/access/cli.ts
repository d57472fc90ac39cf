/**
 * `npm run keys -- create --name NAME --role partner|analyst|admin [--partner CODE] [--expires DATE]`,
 * `list`, `revoke ID`, `rotate ID`: the operator's key management. A created or rotated key's token is
 * printed once, here, and never again. With the embedded database, stop the hub first (one process
 * per PGlite directory) or use the admin GraphQL mutations of a running hub.
 */
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { type KeyRole, keyRoles } from "../../schema/access";
import { DatabaseConnectionError, type Db, openDatabase } from "../db/client";
import { DirectoryHeldError, holdDirectory, refuseIfHeld } from "../db/holder";
import { EnvError, parseEnv } from "../env";
import { prepareDatabase } from "../startup";
import { recordAudit } from "./audit";
import { type ApiKeyRow, createKey, KeyRequestError, listKeys, revokeKey, rotateKey } from "./keys";

export const usage = `usage: npm run keys -- create --name NAME --role ${keyRoles.join("|")} [--partner CODE] [--expires YYYY-MM-DD]
       npm run keys -- list
       npm run keys -- revoke ID
       npm run keys -- rotate ID`;

function describe(k: ApiKeyRow): string {
  const state = k.revokedAt
    ? `revoked ${k.revokedAt.toISOString()}`
    : k.expiresAt && k.expiresAt.getTime() <= Date.now()
      ? `expired ${k.expiresAt.toISOString()}`
      : "active";
  return [
    k.id,
    k.role.padEnd(7),
    (k.partnerCode ?? "-").padEnd(12),
    state,
    k.expiresAt ? `expires ${k.expiresAt.toISOString()}` : "no expiry",
    k.lastUsedAt ? `last used ${k.lastUsedAt.toISOString()}` : "never used",
    JSON.stringify(k.name),
  ].join("  ");
}

function expiryOf(text: string | undefined): Date | null {
  if (!text) return null;
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) throw new KeyRequestError(`--expires "${text}" is not a date (YYYY-MM-DD)`);
  return d;
}

/** Runs one keys command; returns the exit code. `print` gets what a terminal would. */
export async function keysCommand(db: Db, argv: string[], print: (line: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: "string" },
      role: { type: "string" },
      partner: { type: "string" },
      expires: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const [command, id] = positionals;
  const audit = (operation: string, detail: Record<string, unknown>) =>
    recordAudit(db, { kind: "admin", role: "admin", operation: `cli:${operation}`, outcome: "ok", detail });
  try {
    switch (command) {
      case "create": {
        const { key, token } = await createKey(db, {
          name: values.name ?? "",
          role: (values.role ?? "") as KeyRole,
          partnerCode: values.partner ?? null,
          expiresAt: expiryOf(values.expires),
        });
        await audit("create", { keyId: key.id, role: key.role, partner: key.partnerCode });
        print(describe(key));
        print(`token (shown once, store it now): ${token}`);
        return 0;
      }
      case "list":
        for (const k of await listKeys(db)) print(describe(k));
        return 0;
      case "revoke": {
        const key = id ? await revokeKey(db, id) : null;
        if (!key) {
          print(`no key with id "${id ?? ""}" (see npm run keys -- list)`);
          return 1;
        }
        await audit("revoke", { keyId: key.id });
        print(describe(key));
        return 0;
      }
      case "rotate": {
        const rotated = id ? await rotateKey(db, id) : null;
        if (!rotated) {
          print(`no key with id "${id ?? ""}" (see npm run keys -- list)`);
          return 1;
        }
        await audit("rotate", { keyId: rotated.key.id, replaces: id });
        print(`${id} revoked, replaced by:`);
        print(describe(rotated.key));
        print(`token (shown once, store it now): ${rotated.token}`);
        return 0;
      }
      default:
        print(usage);
        return values.help ? 0 : 2;
    }
  } catch (error) {
    if (error instanceof KeyRequestError) {
      print(`hublot keys: ${error.message}`);
      return 2;
    }
    throw error;
  }
}

async function main(): Promise<number> {
  const env = parseEnv();
  // On the embedded database, a running hub holds the directory: keys are made while it is stopped.
  if (!env.DATABASE_URL) refuseIfHeld(env.PGLITE_DIR);
  const release = env.DATABASE_URL
    ? () => {}
    : holdDirectory(env.PGLITE_DIR, { kind: "keys", port: null, token: null });
  try {
    const database = await openDatabase({ url: env.DATABASE_URL, pgliteDir: env.PGLITE_DIR });
    try {
      await prepareDatabase(database);
      return await keysCommand(database.db, process.argv.slice(2), (line) => console.log(line));
    } finally {
      await database.close();
    }
  } finally {
    release();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href)
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof EnvError) for (const issue of error.issues) console.error(`hublot: ${issue}`);
      else if (error instanceof DirectoryHeldError)
        console.error(
          `hublot: ${error.message}; or ask the running hub with an admin key (createApiKey, rotateApiKey, revokeApiKey: docs/partners.md)`,
        );
      else if (error instanceof DatabaseConnectionError) console.error(`hublot: ${error.message}`);
      else console.error(`hublot keys: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
