/**
 * Build-time only: derives ingest/reference/data/*.json from the read-only seed catalog and the
 * commune sample under ../shared. Runtime code reads the generated JSON, never ../shared.
 * Run: npx tsx ingest/reference/scripts/derive-from-catalog.ts
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { nafNomenclature, nafRange } from "../naf";
import { targetWords } from "./target-words";

const shared = join(import.meta.dirname, "../../../../shared");
const out = join(import.meta.dirname, "../data");
// biome-ignore lint/suspicious/noExplicitAny: build-time script over a loosely-typed catalog
type Json = any;
const catalog: Json = JSON.parse(readFileSync(join(shared, "reference/seed-catalog.json"), "utf8"));
const communes: Json = JSON.parse(readFileSync(join(shared, "sources/samples/amp-communes.json"), "utf8"));

function refs(list: string[] | undefined): { doc: string; line: number; lineEnd?: number }[] {
  const result: { doc: string; line: number; lineEnd?: number }[] = [];
  for (const r of list ?? []) {
    const m = /^(\d{3}):L(\d+)(?:-L?(\d+))?/.exec(r);
    if (m) result.push({ doc: m[1], line: Number(m[2]), ...(m[3] ? { lineEnd: Number(m[3]) } : {}) });
  }
  return result;
}
const write = (name: string, value: unknown) =>
  writeFileSync(join(out, name), `${JSON.stringify(value, null, 2)}\n`);

// Conseils de territoire: the package has no CTs, so the membership lists live here.
write(
  "conseils-de-territoire.json",
  communes.territoires.map((t: Json) => {
    const confirmed = !/partly|unconfirmed|memory/i.test(t.membership_evidence);
    return {
      code: `CT-${t.id.replace("CT", "")}`,
      name: t.nom,
      communes: t.communes,
      confirmed,
      note: confirmed ? null : `Membership partly unconfirmed: ${t.membership_evidence}`,
    };
  }),
);

const providers = [
  ["INSEE", "Institut national de la statistique et des études économiques", "INSEE", "https://www.insee.fr"],
  ["URSSAF", "Urssaf Caisse nationale", "URSSAF", "https://open.urssaf.fr"],
  ["ATMOSUD", "AtmoSud", "AtmoSud", "https://www.atmosud.org"],
  ["GPMM", "Grand Port Maritime de Marseille", "GPMM", "https://www.marseille-port.fr"],
  ["AMP_AIRPORT", "Aéroport Marseille Provence", null, "https://www.marseille-airport.com"],
  ["DARES", "DARES / France Travail", "DARES", "https://dares.travail-emploi.gouv.fr"],
  [
    "MESR",
    "Ministère de l'Enseignement supérieur et de la Recherche",
    "MESR",
    "https://data.enseignementsup-recherche.gouv.fr",
  ],
  ["DOUANES", "Direction générale des douanes et droits indirects", "DGDDI", "https://www.douane.gouv.fr"],
  ["AGRESTE", "Agreste (SSP, ministère de l'Agriculture)", "AGRESTE", "https://agreste.agriculture.gouv.fr"],
  ["DREETS", "DREETS Provence-Alpes-Côte d'Azur", "DREETS", "https://paca.dreets.gouv.fr"],
  ["INPI", "Institut national de la propriété industrielle", "INPI", "https://www.inpi.fr"],
  ["DGAC", "Direction générale de l'aviation civile", "DGAC", "https://www.ecologie.gouv.fr/dgac"],
  ["AMP", "Métropole Aix-Marseille-Provence", "AMP", "https://ampmetropole.fr"],
] as const;
const partners = providers.map(([code, name, acronym, website]) => ({
  code,
  name,
  acronym,
  kind: code === "AMP" ? "collectivite" : "data_provider",
  roles: ["data_provider"],
  website,
  note: null,
  refs: [],
}));
for (const o of catalog.organisations as Json[]) {
  partners.push({
    code: o.id,
    name: o.name ?? o.fr ?? o.id,
    acronym: o.acronym ?? null,
    kind: o.type ?? o.kind ?? "organisation",
    roles: Array.isArray(o.roles) ? o.roles : [],
    website: o.website ?? null,
    note: o.notes ?? null,
    refs: refs(o.refs),
  } as Json);
}
write("partners.json", partners);

const providerByCode: Record<string, string> = {
  unemployment_rate: "DARES",
  net_job_creation: "URSSAF",
  business_creations: "INSEE",
  youth_employment_rate: "INSEE",
  innovative_firms_or_patents: "INPI",
  ghg_emissions: "ATMOSUD",
  renewable_energy_production: "ATMOSUD",
  renewable_share_final_consumption: "ATMOSUD",
  qualification_level: "INSEE",
  student_count: "MESR",
  port_calls_and_intl_air_traffic: "GPMM",
  imports_exports: "DOUANES",
  agri_standard_output: "AGRESTE",
  utilised_agricultural_area: "AGRESTE",
  avg_private_firm_size: "URSSAF",
  job_deficit_vs_peers: "INSEE",
};
const lowerIsBetter = new Set(["unemployment_rate", "ghg_emissions"]);
/**
 * Indicators the hub carries beside the agenda's 20 (number null): the legal populations that
 * per-inhabitant figures divide by, and AtmoSud's daily air-quality index, which its connectors load.
 * They are the hub's choice, not the agenda's, and say so.
 */
const CONTEXT_INDICATORS = [
  {
    code: "legal_population",
    number: null,
    nameFr: "Populations légales",
    nameEn: "Legal populations",
    description: "INSEE's legal populations (municipal, counted apart, total) of the communes and the EPCI.",
    unit: "inhabitants",
    additive: true,
    periodicity: "annual",
    direction: "neutral",
    sourcesNamed: [],
    providerPartnerCode: "INSEE",
    geoLevels: ["commune", "EPCI"],
    breakdowns: [],
    note: "Not one of the agenda's 20 indicators: the hub carries it as the denominator of per-inhabitant figures.",
    refs: [],
  },
  {
    code: "air_quality_index",
    number: null,
    nameFr: "Indice ATMO de la qualité de l'air",
    nameEn: "ATMO air-quality index",
    description: "Daily ATMO index by commune (1 good to 6 extremely poor), national schema, from AtmoSud.",
    unit: "index 1-6",
    additive: false,
    periodicity: "daily",
    direction: "lower_is_better",
    sourcesNamed: [],
    providerPartnerCode: "ATMOSUD",
    geoLevels: ["commune", "arrondissement"],
    breakdowns: ["pollutant sub-indices"],
    note: "Not one of the agenda's 20 indicators: the hub carries it as context for the transition orientation.",
    refs: [],
  },
];
write(
  "indicators.json",
  (catalog.indicators.items as Json[])
    .map((i) => {
      const u: string = i.unit_likely;
      const rate = /^%|^kt CO2e|per employer|salaried employees per/.test(u) && !/^calls/.test(u);
      const p: string = i.periodicity_likely;
      return {
        code: i.code,
        number: i.num,
        nameFr: i.fr,
        nameEn: i.en,
        description: i.notes ?? null,
        unit: u.split(/[;(—]/)[0].trim(),
        additive: !rate,
        periodicity: p.split(/[;(—]/)[0].trim(),
        direction: lowerIsBetter.has(i.code) ? "lower_is_better" : "higher_is_better",
        sourcesNamed: i.sources_named ?? [],
        providerPartnerCode: providerByCode[i.code] ?? null,
        geoLevels: i.geo_levels_likely ?? [],
        breakdowns: i.breakdowns ?? [],
        note: `unit as read by the catalog: ${u}; periodicity: ${p}`,
        refs: refs([...(i.refs ?? []), ...(i.context_refs ?? [])]),
      };
    })
    .concat(CONTEXT_INDICATORS),
);

function expandNaf(entry: string): { codes: string[]; note: string | null } {
  const note = /\(([^)]*)\)/.exec(entry)?.[1] ?? null;
  const codes: string[] = [];
  // "86.90A-86.90F", "87.10A-C" and "59.11A-59.20Z" are ranges of the nomenclature; "/" separates
  // alternatives. A code the nomenclature does not hold stops the script rather than enter the data.
  for (const part of entry.replace(/\([^)]*\)/g, "").split("/")) {
    const m = /(\d{2}\.\d{2})([A-Z])\s*-\s*(\d{2}\.\d{2})?([A-Z])/.exec(part);
    const found = m
      ? nafRange(`${m[1]}${m[2]}`, `${m[3] ?? m[1]}${m[4]}`)
      : (part.match(/\d{2}(?:\.\d{1,2}[A-Z]?)?/g) ?? []);
    for (const code of found) {
      if (!known.has(code)) throw new Error(`NAF code ${code} (from "${entry}") is not in NAF rév. 2`);
      codes.push(code);
    }
  }
  return { codes, note };
}
const known = new Set(nafNomenclature().map((r) => r.code));
const filieres: Json[] = [];
const filiereNaf: Json[] = [];
for (const f of catalog.filieres.items as Json[]) {
  const excellence = /^F\d$/.test(f.id);
  filieres.push({
    code: f.id,
    nameFr: f.fr,
    nameEn: f.en,
    kind: excellence ? "filiere_excellence" : f.id === "F_BLUETECH" ? "segment" : "filiere",
    parentCode: f.id === "F_BLUETECH" ? "F3" : null,
    industrial: Boolean(f.industrial_filiere),
    description: null,
    refs: refs(f.refs),
  });
  for (const scope of ["core", "extended"] as const) {
    for (const entry of f.naf_proposal?.[scope] ?? []) {
      const { codes, note } = expandNaf(entry);
      for (const code of codes) {
        if (filiereNaf.some((r) => r.filiereCode === f.id && r.nafCode === code)) continue;
        filiereNaf.push({ filiereCode: f.id, nafCode: code, scope, certainty: "proposal", note });
      }
    }
  }
}
write("filieres.json", filieres);
write("filiere-naf-codes.json", filiereNaf);
// Targets, baselines and the document's self-contradictions.
const indicatorCodeById = new Map<string, string>(
  (catalog.indicators.items as Json[]).map((i) => [i.id as string, i.code as string]),
);
const filiereIds = new Set(filieres.map((f) => f.code as string));
function parseNumber(value: unknown): number | null {
  if (typeof value === "number") return value;
  const s = String(value).trim();
  // Only clean numbers ("+20", "7 000", "35,15"); anything with words or ranges stays text.
  if (!/^[+-]?\d[\d\s\u00a0\u202f]*(?:,\d+)?$/.test(s)) return null;
  return Number(s.replace(/[\s\u00a0\u202f]/g, "").replace(",", "."));
}
function valueKind(value: unknown, unit: string): string {
  const s = String(value);
  if (/^x\d/.test(s)) return "multiplier";
  if (/^rank/.test(s)) return "rank";
  if (parseNumber(value) === null) return "qualitative";
  if (/%/.test(unit)) return s.startsWith("+") || s.startsWith("-") ? "relative_percent" : "share_percent";
  return "absolute";
}
/** The seed lines a list of refs points at, joined, with runs of spaces made one. */
const seedFiles = new Map<string, string[]>(
  readdirSync(join(shared, "seeds"))
    .filter((f) => /^\d{3}_.*\.txt$/.test(f))
    .map((f) => [f.slice(0, 3), readFileSync(join(shared, "seeds", f), "utf8").split("\n")]),
);
function seedText(list: { doc: string; line: number; lineEnd?: number }[]): string {
  return list
    .map((r) => (seedFiles.get(r.doc) ?? []).slice(r.line - 1, r.lineEnd ?? r.line).join(" "))
    .join(" ")
    .replace(/[\s\u00a0\u202f]+/g, " ");
}
/**
 * A number as the seed prints it ("101 653", "9,3"): the catalog keeps 101653 and 9.3, the document's
 * words are what a reader quotes. Null when the cited lines do not print it in digits.
 */
function printedNumber(value: number, text: string): string | null {
  const [whole, fraction] = String(Math.abs(value)).split(".");
  // The agenda groups thousands with a space or, now and then, a dot ("760.810 emplois").
  const grouped = whole.replace(
    /\B(?=(\d{3})+(?!\d))/g,
    fraction ? "[\\s\u00a0\u202f]?" : "[\\s\u00a0\u202f.]?",
  );
  const sign = value < 0 ? "[-−‑]\\s?" : "";
  const re = new RegExp(`(?<![\\d,.])${sign}${grouped}${fraction ? `[,.]${fraction}` : ""}(?![\\d]|[,.]\\d)`);
  return re.exec(text)?.[0] ?? null;
}
/**
 * The period of a baseline only when the seed prints it: every year the catalog reads must be on one
 * of the cited lines, and the catalog's text must be a period ("2021", "2017-2021"), not a reading
 * ("not stated (~2021/2022)", "≈2019-2022"). What the catalog read otherwise stays in the note.
 */
function printedPeriod(year: unknown, text: string): string | null {
  const y = year == null ? "" : String(year).trim();
  if (!/^\d{4}(?:-\d{4})?$/.test(y)) return null;
  return y.split("-").every((part) => text.includes(part)) ? y : null;
}
const territoryOfScope: Record<string, string> = {
  métropole: "EPCI-200054807",
  "département 13": "DEP-13",
  France: "FRANCE-F",
};
/** Figures the seed prints in words, as it prints them (checked against the line by the script below). */
const printedInWords: Record<string, string> = {
  B_EMPLOYMENT_RATE_GAP: "inférieur de 5 points",
  B_QUARTIERS_FERTILES: "Six projets",
  B_TOURISTS: "8 millions",
};
const unprinted: string[] = [];
const baselines = (catalog.baselines as Json[]).map((b) => {
  const r = refs(b.refs);
  const text = seedText(r);
  const numeric = parseNumber(b.value);
  const words = printedInWords[b.id];
  const printed =
    words !== undefined
      ? text.includes(words)
        ? words
        : null
      : typeof b.value === "number"
        ? printedNumber(b.value, text)
        : String(b.value);
  if (printed === null) unprinted.push(`${b.id} ${b.value}`);
  const period = printedPeriod(b.year, text);
  const read = b.year == null ? null : String(b.year);
  const periodNote =
    period === null && read !== null
      ? `Period not printed on the cited lines; the seed catalog reads it as "${read}".`
      : null;
  return {
    code: b.id,
    measure: b.measure,
    valueText: printed ?? String(b.value),
    valueNumeric: numeric,
    unit: b.unit ?? "",
    period,
    scope: b.scope ?? null,
    territoryCode: territoryOfScope[b.scope] ?? null,
    sourceNamed: b.source_named ?? null,
    note: [b.note, periodNote].filter(Boolean).join(" ") || null,
    refs: r,
    indicators: (b.indicators ?? []).map((id: string) => indicatorCodeById.get(id)).filter(Boolean),
    filieres: (b.filieres ?? []).filter((id: string) => filiereIds.has(id)),
    sites: b.sites ?? [],
  };
});
if (unprinted.length) console.warn(`numbers the cited lines do not print in digits: ${unprinted.join("; ")}`);
/**
 * A target's starting point, when its baseline text cites a line that also states one of the agenda's
 * baseline figures ("101 653 students in 2021 (001:L603)" → B_STUDENTS_2021): the value and period
 * come from that figure (its period only if the seed prints one), so progress is measured from what the
 * document printed. `baselines` lists every figure stated on the cited lines.
 */
function baselineOf(text: string | null): {
  baselineValue: number | null;
  baselinePeriod: string | null;
  baselines: string[];
} {
  const cited = refs([...(text ?? "").matchAll(/\b(\d{3}:L\d+)/g)].map((m) => m[1]));
  const onCited = baselines.filter((b) =>
    b.refs.some((r) => cited.some((c) => c.doc === r.doc && c.line === r.line)),
  );
  const figure = onCited.find((b) => b.valueNumeric !== null && /^\d{4}$/.test(b.period ?? ""));
  return {
    baselineValue: figure?.valueNumeric ?? null,
    baselinePeriod: figure?.period ?? null,
    baselines: onCited.map((b) => b.code),
  };
}
/** The seed's words without its markdown: bold, links and superscripts ("1^{re}") are layout, not words. */
function plainWords(text: string): string {
  return text
    .replace(/\*\*/g, "")
    .replace(/\[([^\]]*)\]\(#?\)/g, "$1")
    .replace(/\^\{([^}]*)\}|\^(\w+)/g, "$1$2")
    .replace(/<\/?u>/g, "")
    .replace(/ {2,}/g, " ");
}
/** A target's own words, each fragment checked against its cited lines: a typo fails the build. */
const misquoted: string[] = [];
function quoted(code: string, field: "labelFr" | "valueText", text: string): string | null {
  const words = targetWords[code]?.[field];
  if (words === undefined) return null;
  const fragments = Array.isArray(words) ? words : [words];
  for (const f of fragments) if (!text.includes(f)) misquoted.push(`${code}.${field}: «${f}»`);
  return fragments.join(" … ");
}
const targets = catalog.targets as Json[];
const targetRows = targets.map((t) => {
  const cited = plainWords(seedText(refs(t.refs)));
  const kind = valueKind(t.value, t.unit ?? "");
  const numeric = kind === "multiplier" ? Number(String(t.value).slice(1)) : parseNumber(t.value);
  const year = /\b(20\d{2})\b/.exec(String(t.horizon ?? ""));
  return {
    code: t.id,
    label: t.label,
    labelFr: quoted(t.id, "labelFr", cited),
    valueText: quoted(t.id, "valueText", cited) ?? String(t.value),
    valueNumeric: Number.isFinite(numeric) ? numeric : null,
    valueKind: kind,
    unit: t.unit ?? "",
    horizon: String(t.horizon ?? ""),
    horizonYear: year ? Number(year[1]) : null,
    baselineText: t.baseline ?? null,
    ...baselineOf(t.baseline ?? null),
    agendaNodeCode: t.agenda_ref ?? null,
    note: t.note ?? null,
    refs: refs(t.refs),
    indicators: (t.relates_to?.indicators ?? [])
      .map((id: string) => indicatorCodeById.get(id))
      .filter(Boolean),
    filieres: (t.relates_to?.filieres ?? []).filter((id: string) => filiereIds.has(id)),
  };
});
if (misquoted.length) throw new Error(`target words not on their cited lines:\n  ${misquoted.join("\n  ")}`);
const unquoted = targets.filter((t) => !targetWords[t.id]).map((t) => t.id);
if (unquoted.length)
  throw new Error(`targets without the seed's words (target-words.ts): ${unquoted.join(", ")}`);
write("targets.json", targetRows);
/** "001:L562, L567 and L1377", "001:L2277-L2318": a bare Lnnn belongs to the document named before it. */
function linesCited(text: string): string[] {
  let doc: string | null = null;
  const out: string[] = [];
  for (const m of text.matchAll(/(?:(\d{3}):)?L(\d+)(?:-L?(\d+))?/g)) {
    doc = m[1] ?? doc;
    if (doc) out.push(`${doc}:L${m[2]}${m[3] ? `-L${m[3]}` : ""}`);
  }
  return out;
}
/** Baselines and targets stated on a line: a document conflict bears on those its values cite. */
const statedOn = new Map<string, string[]>();
for (const item of [...baselines, ...targetRows])
  for (const r of item.refs) {
    const key = `${r.doc}:${r.line}`;
    statedOn.set(key, [...(statedOn.get(key) ?? []), item.code]);
  }
write(
  "document-conflicts.json",
  (catalog.inconsistencies as Json[]).map((c, i) => {
    const values = (c.values as string[]).map((v) => ({
      value: v.replace(/\s*\([^)]*\d{3}:L[^)]*\)\s*$/, "").trim() || v,
      refs: refs(linesCited(v)),
    }));
    const related = new Set(
      values.flatMap((v) => v.refs.flatMap((r) => statedOn.get(`${r.doc}:${r.line}`) ?? [])),
    );
    return {
      code: `C${String(i + 1).padStart(2, "0")}`,
      topic: c.topic,
      values,
      relatedCodes: [...related].sort(),
      note: c.note ?? null,
    };
  }),
);

// Filière ↔ partner links, as the catalog lists them per filière.
write(
  "filiere-partners.json",
  (catalog.filieres.items as Json[]).flatMap((f) =>
    (f.partners ?? []).map((p: string) => ({ filiereCode: f.id, partnerCode: p })),
  ),
);

// Sites. The commune is set only when the catalog names exactly one commune as a document fact; any
// "external knowledge" or multi-commune text stays in locationNote, where a reader sees it verbatim.
// Marseille arrondissements in parentheses are the compiler's knowledge (catalog sites.notes), so a
// Marseille site points at COM-13055, never at an ARM code.
const etalab: Json[] = JSON.parse(
  readFileSync(
    join(import.meta.dirname, "../../../node_modules/@etalab/decoupage-administratif/data/communes.json"),
    "utf8",
  ),
);
const fold = (s: string) =>
  s
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .trim();
const ampCommunes = new Set<string>(communes.territoires.flatMap((t: Json) => t.communes as string[]));
const communeByName = new Map<string, string>(
  etalab
    .filter((c) => c.type === "commune-actuelle" && ampCommunes.has(c.code))
    .map((c) => [fold(c.nom), c.code as string]),
);
function siteCommune(text: string | undefined): string | null {
  if (!text || /not stated|external knowledge|\//.test(text)) return null;
  if (/^Marseille\b/.test(text)) return "COM-13055";
  const code = communeByName.get(fold(text.replace(/\([^)]*\)/g, "")));
  return code ? `COM-${code}` : null;
}
const siteKinds: [string, RegExp][] = [
  ["technopole", /technopôle/i],
  ["airport", /aéroport|base aérienne/i],
  ["port", /port|radoub|chantier naval|marina/i],
  ["logistics", /logisti|terminal|triage|\bMIN\b|gare/i],
  ["campus", /campus|école|ESR|formation/i],
  ["totem", /lieu totem|tiers-lieu/i],
  [
    "activity_zone",
    /zone d'activités|parc d'activités|ZAC|territoire d'activités|village d'entreprises|hôtel d'entreprises|pôle entrepreneurial|quartier|aménagement|projet urbain|lieu business/i,
  ],
  ["industrial", /industri|technocentre|microélectronique|démonstrateur|hydrogène|éolien|IoT|reconversion/i],
  [
    "research",
    /recherche|R&D|fusion|plateforme|cluster|expérimentation|hospitalo|immobilier biotech|pépinière/i,
  ],
  ["natural_site", /parc national|site naturel|grand site|parc marin|massifs/i],
  ["culture_media", /musée|culturel|média|studios|venue/i],
];
const siteIds = new Set((catalog.sites.items as Json[]).map((s) => s.id as string));
write(
  "sites.json",
  (catalog.sites.items as Json[]).map((s) => {
    const c = s.coords_wgs84_approx;
    return {
      code: s.id,
      name: s.name,
      kind: siteKinds.find(([, re]) => re.test(s.kind))?.[0] ?? "other",
      kindLabel: s.kind,
      partOfCode: s.part_of && siteIds.has(s.part_of) ? s.part_of : null,
      communeCode: siteCommune(s.commune),
      locationNote: s.commune ?? null,
      latitude: c?.lat ?? null,
      longitude: c?.lon ?? null,
      coordinatesNote: c ? `${c.confidence}; ${c.note}` : null,
      figures: s.figures ?? [],
      description: s.note ?? null,
      refs: refs(s.refs),
      filieres: s.filieres ?? [],
      partners: s.partners ?? [],
    };
  }),
);

// The 2022 agenda tree. Its links to filières and sites are not stated per action: we infer them from
// where a site or filière is cited inside an action's span of lines in 001 (certainty "inference").
const structure = catalog.agenda_structure;
const englishTitle = new Map<string, string>();
for (const group of ["markers", "pillars", "orientations"])
  for (const n of structure[group] as Json[]) if (n.en) englishTitle.set(n.id, n.en);
const kinds = new Set(["orientation", "levier", "action", "pillar", "marker", "modality"]);
const nodes = (catalog.agenda_nodes_flat as Json[]).filter((n) => kinds.has(n.type));
const position = new Map<string | null, number>();
const firstLine = (r: string[] | undefined) =>
  Math.min(
    ...refs(r)
      .filter((x) => x.doc === "001")
      .map((x) => x.line),
  );
const spans = nodes
  .filter((n) => ["orientation", "levier", "action"].includes(n.type))
  .map((n) => ({ code: n.id as string, kind: n.type as string, start: firstLine(n.refs) }))
  .filter((s) => Number.isFinite(s.start))
  .sort((a, b) => a.start - b.start);
// The body ends where the synthesis of orientations starts (catalog agenda_structure.notes, 001:L2270).
const bodyEnd = 2269;
const actionSpans = spans
  .map((s, i) => ({ ...s, end: (spans[i + 1]?.start ?? bodyEnd + 1) - 1 }))
  .filter((s) => s.kind === "action");
const citedIn = (r: string[] | undefined) =>
  actionSpans
    .filter((s) => refs(r).some((x) => x.doc === "001" && x.line >= s.start && x.line <= s.end))
    .map((s) => s.code);
const indicatorLinks = new Map<string, Set<string>>();
for (const t of targets) {
  for (const node of String(t.agenda_ref ?? "").split(" / ")) {
    if (!nodes.some((n) => n.id === node)) continue;
    for (const id of t.relates_to?.indicators ?? []) {
      const code = indicatorCodeById.get(id);
      if (code) indicatorLinks.set(node, (indicatorLinks.get(node) ?? new Set()).add(code));
    }
  }
}
// A baseline is stated in the body of the node whose span of lines holds one of its 001 lines.
const nodeAt = (line: number) =>
  line > bodyEnd ? undefined : spans.filter((x) => x.start <= line).at(-1)?.code;
write(
  "baselines.json",
  baselines.map((b) => ({
    ...b,
    agendaNodes: [
      ...new Set(b.refs.filter((r) => r.doc === "001").flatMap((r) => nodeAt(r.line) ?? [])),
    ].sort(),
  })),
);
write(
  "agenda-nodes.json",
  nodes.map((n) => {
    const at = position.get(n.parent) ?? 0;
    position.set(n.parent, at + 1);
    return {
      code: n.id,
      kind: n.type,
      parentCode: n.parent ?? null,
      position: at,
      titleFr: n.title,
      titleEn: englishTitle.get(n.id) ?? null,
      description: n.title_missing_in_source
        ? "Title missing in the source; the catalog summarises the levier's intro."
        : null,
      refs: refs(n.refs),
      indicators: [...(indicatorLinks.get(n.id) ?? [])].sort(),
      filieres: (catalog.filieres.items as Json[])
        .filter((f) => citedIn(f.refs).includes(n.id))
        .map((f) => f.id),
      sites: (catalog.sites.items as Json[]).filter((s) => citedIn(s.refs).includes(n.id)).map((s) => s.id),
    };
  }),
);

// What the partners publish, as ../shared/sources/README.md describes it (ids as the portals spell them).
const etalabLicence = "Licence Ouverte / Etalab 2.0";
const datasets: [string, string, string, string, string, string | null, string | null][] = [
  [
    "TAUX-CHOMAGE",
    "INSEE",
    "Taux de chômage localisés (BDM, SDMX)",
    etalabLicence,
    "https://bdm.insee.fr/series/sdmx/data/SERIES_BDM",
    "insee-bdm",
    "quarterly, CVS, %",
  ],
  [
    "DS_POPULATIONS_REFERENCE",
    "INSEE",
    "Populations de référence (Melodi)",
    etalabLicence,
    "https://api.insee.fr/melodi/data/DS_POPULATIONS_REFERENCE",
    "insee-melodi",
    null,
  ],
  [
    "DS_SIDE_CREA_ENT_COM",
    "INSEE",
    "Créations d'entreprises par commune (SIDE, Melodi)",
    etalabLicence,
    "https://api.insee.fr/melodi/data/DS_SIDE_CREA_ENT_COM",
    "insee-melodi",
    null,
  ],
  [
    "DS_FLORES_A38",
    "INSEE",
    "Emploi salarié et établissements, A38 (Flores, Melodi)",
    etalabLicence,
    "https://api.insee.fr/melodi/data/DS_FLORES_A38",
    "insee-melodi",
    null,
  ],
  [
    "DS_RP_EMPLOI_LR_PRINC",
    "INSEE",
    "Emploi au lieu de résidence (recensement, Melodi)",
    etalabLicence,
    "https://api.insee.fr/melodi/data/DS_RP_EMPLOI_LR_PRINC",
    "insee-melodi",
    null,
  ],
  [
    "DS_RP_DIPLOMES_PRINC",
    "INSEE",
    "Diplômes et formation (recensement, Melodi)",
    etalabLicence,
    "https://api.insee.fr/melodi/data/DS_RP_DIPLOMES_PRINC",
    "insee-melodi",
    null,
  ],
  [
    "etablissements-et-effectifs-salaries-au-niveau-commune-x-ape-last",
    "URSSAF",
    "Établissements et effectifs salariés au 31/12, commune × APE",
    "ODbL",
    "https://open.urssaf.fr/explore/dataset/etablissements-et-effectifs-salaries-au-niveau-commune-x-ape-last/",
    "urssaf",
    "private sector, régime général; Marseille by arrondissement",
  ],
  [
    "effectifs-salaries-et-masse-salariale-du-secteur-prive-par-departement-x-grand-s",
    "URSSAF",
    "Effectifs salariés et masse salariale, département × grand secteur, trimestriel",
    "ODbL",
    "https://open.urssaf.fr/explore/dataset/effectifs-salaries-et-masse-salariale-du-secteur-prive-par-departement-x-grand-s/",
    "urssaf",
    null,
  ],
  [
    "effectifs-salaries-et-masse-salariale-du-secteur-prive-par-zone-demploi",
    "URSSAF",
    "Effectifs salariés et masse salariale par zone d'emploi, trimestriel",
    "ODbL",
    "https://open.urssaf.fr/explore/dataset/effectifs-salaries-et-masse-salariale-du-secteur-prive-par-zone-demploi/",
    "urssaf",
    null,
  ],
  [
    "dares_defm_communales-brutes",
    "DARES",
    "Demandeurs d'emploi inscrits à France Travail par commune",
    etalabLicence,
    "https://data.dares.travail-emploi.gouv.fr/explore/dataset/dares_defm_communales-brutes/",
    "dares",
    "Q4 only; values rounded to 5",
  ],
  [
    "fr-esr-atlas_regional-effectifs-d-etudiants-inscrits",
    "MESR",
    "Atlas régional : effectifs d'étudiants inscrits",
    etalabLicence,
    "https://data.enseignementsup-recherche.gouv.fr/explore/dataset/fr-esr-atlas_regional-effectifs-d-etudiants-inscrits/",
    "mesr",
    null,
  ],
  [
    "cigale",
    "ATMOSUD",
    "CIGALE : inventaire des émissions, consommations et productions d'énergie",
    "ODbL",
    "https://cigale.atmosud.org/",
    "atmosud",
    "yearly inventory (N-2); extraction column names unconfirmed",
  ],
  [
    "ind_sudpaca",
    "ATMOSUD",
    "Indice ATMO journalier par commune (WFS)",
    "ODbL",
    "https://geoservices.atmosud.org/geoserver/ind_sudpaca/ows",
    "atmosud-indice",
    "Marseille published per arrondissement",
  ],
  [
    "trafic-aerien-commercial-mensuel",
    "DGAC",
    "Trafic aérien commercial mensuel français par aéroport",
    etalabLicence,
    "https://www.data.gouv.fr/fr/datasets/trafic-aerien-commercial-mensuel-francais-par-paire-daeroports-par-sens-depuis-1990/",
    "dgac",
    "airport LFML",
  ],
  [
    "gpmm-traffic",
    "GPMM",
    "Trafic du port de Marseille-Fos (releases, partner CSV template)",
    "Partner file",
    "https://www.marseille-port.fr",
    "port",
    "no machine-readable feed: a partner file in the Hublot CSV template",
  ],
  [
    "partner-csv",
    "AMP",
    "Partner files in the Hublot CSV template",
    "Partner file",
    "https://ampmetropole.fr",
    "partner-csv",
    "attributed per file to the partner that sends it",
  ],
];
write(
  "datasets.json",
  datasets.map(([code, partnerCode, name, licence, url, sourceId, note]) => ({
    code,
    partnerCode,
    name,
    description: null,
    licence,
    url,
    sourceId,
    note,
  })),
);
