import type { SourceDefinition } from "./types";

/** `insee-bdm` → `INSEE_BDM`: the env variable stem for a source id. */
export function envStem(sourceId: string): string {
  return sourceId.replace(/[^A-Za-z0-9]+/g, "_").toUpperCase();
}

/**
 * Base URL of a source: `INGEST_<SOURCE_ID>_BASE_URL` wins so tests and mirrors can
 * redirect a connector without code changes; otherwise the source's public default.
 */
export function baseUrlFor(
  source: Pick<SourceDefinition, "id" | "defaultBaseUrl">,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const override = env[`INGEST_${envStem(source.id)}_BASE_URL`]?.trim();
  return (override || source.defaultBaseUrl).replace(/\/+$/, "");
}
