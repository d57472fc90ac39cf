import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import postgres from "postgres";
import { loadReferenceData } from "../../ingest/reference/load";
import * as schema from "../../schema/index";
import { type Db, migrationsFolder, openDatabase } from "../../src/db/client";

export type Template =
  | { kind: "pglite"; dumpPath: string }
  | { kind: "postgres"; adminUrl: string; name: string; drop(): Promise<void> };

export type SerializableTemplate =
  | { kind: "pglite"; dumpPath: string }
  | { kind: "postgres"; adminUrl: string; name: string };

declare module "vitest" {
  export interface ProvidedContext {
    dbTemplate: SerializableTemplate;
  }
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString("hex")}`;
}

export function databaseUrlWithName(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function seed(db: Db): Promise<void> {
  await loadReferenceData(db);
}

export async function prepareTemplate(): Promise<Template & SerializableTemplate> {
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const client = await PGlite.create();
    await migrate(drizzle(client, { schema }), { migrationsFolder });
    await seed(drizzle(client, { schema }) as unknown as Db);
    const dump = await client.dumpDataDir("none");
    await client.close();
    const dumpPath = join(tmpdir(), `${uniqueName("hublot_template")}.tar`);
    writeFileSync(dumpPath, Buffer.from(await dump.arrayBuffer()));
    return { kind: "pglite", dumpPath } as Template & SerializableTemplate;
  }
  const name = uniqueName("hublot_tpl");
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const database = await openDatabase({ url: databaseUrlWithName(adminUrl, name), maxConnections: 2 });
  try {
    await database.migrate();
    await seed(database.db);
  } finally {
    await database.close();
  }
  const drop = async () => {
    const a = postgres(adminUrl, { max: 1, onnotice: () => {} });
    try {
      await a.unsafe(`drop database if exists "${name}" with (force)`);
    } finally {
      await a.end();
    }
  };
  return { kind: "postgres", adminUrl, name, drop } as Template & SerializableTemplate;
}
