/**
 * Files partners hand over in the Hublot partner CSV template (docs/partner-csv.md): office floor
 * space, reconverted brownfields, labelled business parks, customs trade, agricultural output… until
 * those partners offer an API. A manifest lists the files and the partner each one is attributed to;
 * each file is one resource, so it goes through the raw archive, revisions and run log like any API.
 */

import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { z } from "zod";
import { wholeBody } from "../../core/payload";
import type { PlanContext, Resource, SourceDefinition, StreamDefinition } from "../../core/types";
import { assertCodesExist, convertPartnerFile, hubCodes, type PartnerFileMeta } from "./convert";
import { reservedMeasures } from "./dedicated";

/** Series a dedicated stream loads: a partner file's row for one of them is refused by line and column. */
const RESERVED = reservedMeasures();

/** Where the manifest and partner files live unless `INGEST_PARTNER_CSV_BASE_URL` says otherwise. */
export const PARTNER_FILES_DIR = "data/partners";

const manifestSchema = z.object({
  files: z.array(
    z.object({
      /** Stable id of the file within the stream (the raw archive and the unchanged check use it). */
      key: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, "lower-case letters, digits, . _ -"),
      /** `partners.code` the rows are attributed to. */
      partner: z.string().min(1),
      /** An http(s) or file: URL, an absolute path, or a path relative to the manifest's directory. */
      location: z.string().min(1),
      /** `datasets.code` of the series, when the partner's dataset is in the reference data. */
      dataset: z.string().min(1).optional(),
      title: z.string().optional(),
    }),
  ),
});
export type PartnerManifest = z.infer<typeof manifestSchema>;

/** Resolves a manifest location against a base directory URL (`file:///…/partners` or `https://…/partners`). */
export function resolveLocation(location: string, baseUrl: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) return location;
  if (isAbsolute(location)) return pathToFileURL(location).href;
  return new URL(location, `${baseUrl.replace(/\/+$/, "")}/`).href;
}

/** Reads and checks a manifest's text; a bad manifest fails the plan with every problem listed. */
export function parseManifest(text: string, where: string): PartnerManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where}: not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const result = manifestSchema.safeParse(json);
  if (!result.success) {
    throw new Error(
      `${where}: ${result.error.issues.map((i) => `${i.path.join(".") || "manifest"} ${i.message}`).join("; ")}`,
    );
  }
  const seen = new Set<string>();
  for (const f of result.data.files) {
    if (seen.has(f.key)) throw new Error(`${where}: key "${f.key}" is listed twice`);
    seen.add(f.key);
  }
  return result.data;
}

/**
 * The manifest's path, read from the base URL alone, which the runner resolves from the env it is given
 * (`INGEST_PARTNER_CSV_BASE_URL`), as for every source: a `file:` URL ending in `.json` is the manifest
 * itself; any other `file:` URL is a directory holding `manifest.json`. A web base URL has no manifest a
 * plan can read (plans do not download): null.
 */
export function manifestPath(baseUrl: string): string | null {
  if (!baseUrl.startsWith("file:")) return null;
  const path = fileURLToPath(baseUrl);
  return /\.json$/i.test(path) ? path : resolve(path, "manifest.json");
}

export async function planPartnerFiles(ctx: PlanContext): Promise<Resource[]> {
  const path = manifestPath(ctx.baseUrl);
  if (!path) {
    ctx.log.warn(
      { baseUrl: ctx.baseUrl },
      "partner-csv: the base URL is not a file: URL (a directory holding manifest.json, or the manifest): no file",
    );
    return [];
  }
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      ctx.log.info({ manifest: path }, "partner-csv: no manifest, so no partner file to load");
      return [];
    }
    throw error;
  }
  const manifest = parseManifest(text, path);
  await assertCodesExist(
    ctx,
    "partners",
    manifest.files.map((f) => f.partner),
  );
  await assertCodesExist(
    ctx,
    "datasets",
    manifest.files.flatMap((f) => (f.dataset ? [f.dataset] : [])),
  );
  const codes = await hubCodes(ctx);
  // Relative locations are relative to the manifest's directory.
  const base = pathToFileURL(dirname(path)).href;
  return manifest.files.map((f) => {
    const meta: PartnerFileMeta = {
      partnerCode: f.partner,
      datasetCode: f.dataset ?? null,
      ...codes,
      ...(f.title ? { title: f.title } : {}),
    };
    return { key: f.key, url: resolveLocation(f.location, base), meta };
  });
}

export const partnerFilesStream: StreamDefinition = {
  id: "partner-csv.files",
  description:
    "Partner files in the Hublot CSV template v1, listed in a manifest with the partner each is attributed to",
  // Partners drop files by hand; an hourly look picks them up soon without re-reading unchanged ones.
  schedule: "15 * * * *",
  indicators: [
    "office_space_produced",
    "brownfield_reconverted_area",
    "labelled_business_parks",
    "imports_exports",
    "agri_standard_output",
    "utilised_agricultural_area",
    "material_recovery_rate",
  ],
  datasetCode: "partner-csv",
  plan: (ctx) => planPartnerFiles(ctx),
  convert: wholeBody((payload, resource) => convertPartnerFile(payload, resource, { reserved: RESERVED })),
};

export const partnerCsv: SourceDefinition = {
  id: "partner-csv",
  title: "Partner files (Hublot CSV template v1)",
  partnerCode: "AMP",
  defaultBaseUrl: pathToFileURL(resolve(PARTNER_FILES_DIR)).href,
  streams: [partnerFilesStream],
};
