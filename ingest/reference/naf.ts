/**
 * The NAF rév. 2 nomenclature (divisions, groupes, classes, sous-classes with INSEE's labels), from
 * @socialgouv/codes-naf rather than retyped, like the territories from the Etalab package.
 */
import { createRequire } from "node:module";

export type NafLevel = "section" | "division" | "groupe" | "classe" | "sous_classe";

export interface NafCodeRow {
  code: string;
  label: string;
  level: NafLevel;
}

export function nafLevel(code: string): NafLevel {
  if (/^[A-U]$/.test(code)) return "section";
  if (/^\d{2}$/.test(code)) return "division";
  if (/^\d{2}\.\d$/.test(code)) return "groupe";
  if (/^\d{2}\.\d{2}$/.test(code)) return "classe";
  return "sous_classe";
}

let cached: NafCodeRow[] | undefined;

export function nafNomenclature(): NafCodeRow[] {
  if (!cached) {
    const rows = createRequire(import.meta.url)("@socialgouv/codes-naf/index.json") as {
      id: string;
      label: string;
    }[];
    cached = rows.map((r) => ({ code: r.id, label: r.label, level: nafLevel(r.id) }));
  }
  return cached;
}

/** The sous-classes from `from` to `to` inclusive, as the nomenclature lists them (59.11A-59.20Z). */
export function nafRange(from: string, to: string): string[] {
  return nafNomenclature()
    .filter((r) => r.level === "sous_classe" && r.code >= from && r.code <= to)
    .map((r) => r.code);
}
