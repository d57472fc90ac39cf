/**
 * Who holds an embedded database directory. PGlite is one process's database: a second process opening
 * the same directory can corrupt it, and would not see the first one's writes. So the process that opens
 * it (the hub, or `npm run ingest` or `npm run keys` on its own) writes `hublot-holder.json` in the directory (pid, and for
 * the hub its port and an admin token, readable by the directory's owner only) and removes it on exit;
 * another process reads it first: a live hub is asked to do the work (`POST /admin/ingest`), a live
 * ingest is waited for, and a holder whose process is dead (a crash, a kill -9) is taken over.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { z } from "zod";

export const HOLDER_FILE = "hublot-holder.json";

const holderSchema = z.object({
  pid: z.number().int().positive(),
  /** What holds it: the hub answers on `port` with `token`; a command-line tool answers nothing. */
  kind: z.enum(["hub", "ingest", "keys"]),
  port: z.number().int().min(1).max(65535).nullable(),
  token: z.string().min(32).nullable(),
  since: z.string(),
});

export type Holder = z.infer<typeof holderSchema>;

export const holderPath = (dir: string) => join(resolve(dir), HOLDER_FILE);

/** A fresh admin token: 256 bits, hex. */
export const newAdminToken = () => randomBytes(32).toString("hex");

/** True while a process with this pid exists (EPERM: it exists, under another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The holder the directory names, or null when none (no file, an unreadable one, or our own pid). */
export function readHolder(dir: string): Holder | null {
  let text: string;
  try {
    text = readFileSync(holderPath(dir), "utf8");
  } catch {
    return null;
  }
  try {
    const parsed = holderSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** A holder whose process still runs, other than this one: the directory is not ours to open. */
export function liveHolder(dir: string): Holder | null {
  const holder = readHolder(dir);
  if (!holder || holder.pid === process.pid || !processAlive(holder.pid)) return null;
  return holder;
}

/**
 * Records this process as the directory's holder (written whole then renamed, so a reader never sees
 * half of it; mode 0600: the token is a secret). Returns the function that removes it, which does
 * nothing once another process has taken the directory over.
 */
export function holdDirectory(dir: string, holder: Omit<Holder, "pid" | "since">): () => void {
  // Held before it is opened, so possibly before the database creates it.
  mkdirSync(resolve(dir), { recursive: true });
  const path = holderPath(dir);
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify({ ...holder, pid: process.pid, since: new Date().toISOString() }), {
    mode: 0o600,
  });
  renameSync(temp, path);
  return () => {
    if (readHolder(dir)?.pid === process.pid) rmSync(path, { force: true });
  };
}

const HELD_BY: Record<Holder["kind"], string> = {
  hub: "a running hub",
  ingest: "`npm run ingest`",
  keys: "`npm run keys`",
};

/** The directory is another live process's: opening it would risk the data. */
export class DirectoryHeldError extends Error {
  constructor(dir: string, kind: Holder["kind"], pid: number) {
    super(
      `the embedded database ${resolve(dir)} is held by ${HELD_BY[kind]} (pid ${pid}): ${
        kind === "hub"
          ? "stop it first, or set PGLITE_DIR to another directory"
          : "wait for it to finish, then start again"
      }`,
    );
    this.name = "DirectoryHeldError";
  }
}

/** Throws when another live process holds the directory. */
export function refuseIfHeld(dir: string): void {
  const holder = liveHolder(dir);
  if (holder) throw new DirectoryHeldError(dir, holder.kind, holder.pid);
}
