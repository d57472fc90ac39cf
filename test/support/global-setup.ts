import { rmSync } from "node:fs";
import type { TestProject } from "vitest/node";
import { prepareTemplate } from "./template";

/**
 * Builds one migrated database with the reference data loaded, once per run: a PGlite data-dir dump, or
 * a PostgreSQL template database when DATABASE_URL is set. Each test then starts from a copy of it.
 */
export default async function setup(project: TestProject) {
  const template = await prepareTemplate();
  project.provide(
    "dbTemplate",
    template.kind === "pglite"
      ? template
      : { kind: "postgres", adminUrl: template.adminUrl, name: template.name },
  );
  return async () => {
    if (template.kind === "pglite") rmSync(template.dumpPath, { force: true });
    else await template.drop();
    const rawArchive = project.config.env?.RAW_ARCHIVE_DIR;
    if (rawArchive) rmSync(rawArchive, { recursive: true, force: true });
  };
}
