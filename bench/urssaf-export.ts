/**
 * Writes an URSSAF "commune × APE" export in the real Opendatasoft CSV format (the portal's columns, `;`
 * separator, labels quoted where they hold one), every number in it INVENTED: a benchmark input of the
 * real size, not data. Its communes and arrondissements are the Métropole's (so the connector keeps
 * them), its APE codes NAF rév. 2 sous-classes; which APE a territory has and every count are drawn
 * from a seeded generator, so two runs write the same bytes.
 */

import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

export interface ExportShape {
  /** First and last year of the `nombre_d_etablissements_YYYY` / `effectifs_salaries_YYYY` pairs. */
  years: [number, number];
  /** Rows to write (commune × APE pairs, at most territories × 732). */
  rows: number;
}

/** The real-size case of the issue: 1.12 M cells (29 474 rows × 19 years × 2 measures), 16.1 MB as written here (27.6 MB for the file of the same cells). */
export const REAL_SIZE: ExportShape = { years: [2006, 2024], rows: 29_474 };

interface Territory {
  code: string;
  name: string;
}

function territories(): Territory[] {
  const epci = (
    require("@etalab/decoupage-administratif/data/epci.json") as {
      code: string;
      membres: { code: string; nom: string }[];
    }[]
  ).find((e) => e.code === "200054807");
  const communes = require("@etalab/decoupage-administratif/data/communes.json") as {
    code: string;
    nom: string;
    type: string;
    commune?: string;
  }[];
  const arrondissements = communes
    .filter((c) => c.type === "arrondissement-municipal" && c.commune === "13055")
    .map((c) => ({ code: c.code, name: c.nom }));
  const members = (epci?.membres ?? [])
    .filter((m) => m.code !== "13055")
    .map((m) => ({ code: m.code, name: m.nom }));
  return [...members, ...arrondissements];
}

function sousClasses(): { id: string; label: string; division: string; divisionLabel: string }[] {
  const naf = require("@socialgouv/codes-naf/index.json") as { id: string; label: string }[];
  const labels = new Map(naf.map((n) => [n.id, n.label]));
  return naf
    .filter((n) => /^\d{2}\.\d{2}[A-Z]$/.test(n.id))
    .map((n) => ({
      id: n.id,
      label: n.label,
      division: n.id.slice(0, 2),
      divisionLabel: labels.get(n.id.slice(0, 2)) ?? "",
    }));
}

/** The grand secteur URSSAF files a NAF division under (coarse, as the portal labels them). */
function grandSecteur(division: number): string {
  if (division <= 39) return "GS1 Industrie";
  if (division <= 43) return "GS2 Construction";
  if (division <= 47) return "GS3 Commerce";
  if (division === 78) return "GS4 Intérim";
  return "GS5 Autres services marchands hors intérimaires";
}

/** mulberry32: small, seeded, good enough to spread invented counts. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const quoted = (text: string) => (/[;"\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

/** Writes the export to `path`; returns its size in bytes and its cell count. */
export async function writeInventedExport(
  path: string,
  shape: ExportShape,
): Promise<{ bytes: number; cells: number; rows: number }> {
  const places = territories();
  const apes = sousClasses();
  const rand = random(16);
  const years: number[] = [];
  for (let y = shape.years[0]; y <= shape.years[1]; y++) years.push(y);
  const header = [
    "region",
    "ancienne_region",
    "departement",
    "zone_d_emploi",
    "epci",
    "commune",
    "intitule_commune",
    "grand_secteur_d_activite",
    "secteur_na17",
    "secteur_na38",
    "secteur_na88",
    "ape",
    "code_region",
    "code_ancienne_region",
    "code_departement",
    "code_zone_d_emploi",
    "code_epci",
    "code_commune",
    "code_ape",
    ...years.flatMap((y) => [`nombre_d_etablissements_${y}`, `effectifs_salaries_${y}`]),
  ];
  const out = createWriteStream(path);
  let bytes = 0;
  const write = async (line: string) => {
    bytes += Buffer.byteLength(line);
    if (!out.write(line)) await once(out, "drain");
  };
  await write(`${header.join(";")}\n`);
  // Every territory gets the same share of APE codes, drawn without repeat: one row per pair, as URSSAF.
  const perPlace = Math.ceil(shape.rows / places.length);
  if (perPlace > apes.length) throw new RangeError(`at most ${places.length * apes.length} rows`);
  let rows = 0;
  for (const place of places) {
    const order = apes.map((a) => ({ a, k: rand() }));
    order.sort((x, y) => x.k - y.k);
    const department = place.code.slice(0, 2);
    for (const { a } of order.slice(0, perPlace)) {
      if (rows >= shape.rows) break;
      rows += 1;
      const division = Number(a.division);
      const ape = a.id.replace(".", "");
      const cells: string[] = [];
      let establishments = 1 + Math.floor(rand() * 40);
      let jobs = Math.floor(rand() * 600);
      for (const _ of years) {
        establishments = Math.max(0, establishments + Math.floor(rand() * 5) - 2);
        jobs = Math.max(0, jobs + Math.floor(rand() * 41) - 20);
        // About one cell in ten under statistical secrecy: published empty.
        const secret = rand() < 0.1;
        cells.push(String(establishments), secret ? "" : String(jobs));
      }
      const line = [
        "Provence-Alpes-Côte d'Azur",
        "Provence-Alpes-Côte d'Azur",
        department === "13" ? "Bouches-du-Rhône" : department === "83" ? "Var" : "Vaucluse",
        "Marseille",
        "Métropole d'Aix-Marseille-Provence",
        place.name,
        quoted(`${place.code} ${place.name}`),
        quoted(grandSecteur(division)),
        quoted(`${a.division} ${a.divisionLabel}`),
        quoted(`${a.division} ${a.divisionLabel}`),
        quoted(`${a.division} ${a.divisionLabel}`),
        quoted(`${ape} ${a.label}`),
        "93",
        "93",
        department,
        "9310",
        "200054807",
        place.code,
        ape,
        ...cells,
      ].join(";");
      await write(`${line}\n`);
    }
  }
  out.end();
  await once(out, "finish");
  return { bytes, cells: rows * years.length * 2, rows };
}
