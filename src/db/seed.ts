/**
 * The seed of the embedded database: a dump of a database just migrated and loaded with the reference
 * data, kept beside the install (data/seed/). A new directory starts from it in well under a second,
 * where PGlite's own initdb took 3.8 s of a 5.5 s first start. The first fresh start of an install
 * makes it, in memory (a dump of the hub's own directory would carry its holder file into the next
 * one); a start on a directory that already exists never reads it.
 *
 * Its key holds what makes a dump usable: PGlite's version (the dump's format), every migration, and
 * the reference data. A seed of an older key is left unread, so a stale seed can only cost the time it
 * would have saved; the start still migrates and checks the reference data's fingerprint after it.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readReferenceFiles, referenceFingerprint } from "../../ingest/reference/load";
import { prepareDatabase } from "../startup";
import { migrationsFolder, openDatabase } from "./client";

export const seedFolder = fileURLToPath(new URL("../../data/seed", import.meta.url));

function pgliteVersion(): string {
  let dir = dirname(createRequire(import.meta.url).resolve("@electric-sql/pglite"));
  for (;;) {
    const file = join(dir, "package.json");
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === "@electric-sql/pglite" && pkg.version) return pkg.version;
    }
    const parent = dirname(dir);
    if (parent === dir) return "unknown";
    dir = parent;
  }
}

/** What a seed must have been made from to be used: PGlite's version, the migrations, the reference data. */
export function seedKey(): string {
  const hash = createHash("sha256").update(`pglite ${pgliteVersion()}\n`);
  for (const file of readdirSync(migrationsFolder, { recursive: true }).map(String).sort())
    if (file.endsWith(".sql") || file.endsWith(".json"))
      hash.update(`${file}\n`).update(readFileSync(join(migrationsFolder, file)));
  hash.update(referenceFingerprint(readReferenceFiles()));
  return hash.digest("hex").slice(0, 24);
}

const seedFile = (key: string, folder: string) => join(folder, `pglite-${key}.tar`);

/** The seed of this key, or undefined when none was written yet. */
export function readSeed(key: string, folder = seedFolder): Blob | undefined {
  const file = seedFile(key, folder);
  return existsSync(file) ? new Blob([readFileSync(file)]) : undefined;
}

/** Writes the seed of this key whole or not at all (a start that reads it never sees half a file). */
export async function writeSeed(key: string, dump: Blob, folder = seedFolder): Promise<void> {
  mkdirSync(folder, { recursive: true });
  const file = seedFile(key, folder);
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
  renameSync(partial, file);
  // Seeds of other keys are of an older install: nothing will read them again.
  for (const other of readdirSync(folder))
    if (other.startsWith("pglite-") && other !== `pglite-${key}.tar` && !other.endsWith(".partial"))
      rmSync(join(folder, other), { force: true });
}

/**
 * The seed to start a new embedded directory from: this install's, made now in memory when there is
 * none yet. Undefined when it cannot be made: the directory is then created by PGlite as before.
 */
export async function seedOfInstall(
  warn: (message: string, error: unknown) => void,
  folder = seedFolder,
): Promise<Blob | undefined> {
  try {
    const key = seedKey();
    const stored = readSeed(key, folder);
    if (stored) return stored;
    const database = await openDatabase({ pgliteDir: "memory://" });
    try {
      await prepareDatabase(database);
      const dump = await database.dump?.();
      if (dump) await writeSeed(key, dump, folder);
      return dump;
    } finally {
      await database.close();
    }
  } catch (error) {
    warn("could not make the embedded database's seed: creating the directory without it", error);
    return undefined;
  }
}
