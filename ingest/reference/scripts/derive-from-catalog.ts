/**
 * Build-time only: derives ingest/reference/data/*.json from the read-only seed catalog and the
 * commune sample under ../shared. Runtime code reads the generated JSON, never ../shared.
 * Run: npx tsx ingest/reference/scripts/derive-from-catalog.ts
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

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
write(
  "indicators.json",
  (catalog.indicators.items as Json[]).map((i) => {
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
  }),
);

function nafLevel(code: string): string {
  if (/^[A-U]$/.test(code)) return "section";
  if (/^\d{2}$/.test(code)) return "division";
  if (/^\d{2}\.\d$/.test(code)) return "groupe";
  if (/^\d{2}\.\d{2}$/.test(code)) return "classe";
  return "sous_classe";
}
function expandNaf(entry: string): { codes: string[]; note: string | null } {
  const note = /\(([^)]*)\)/.exec(entry)?.[1] ?? null;
  const codes: string[] = [];
  // "86.90A-86.90F" and "87.10A-C" expand letter ranges; "/" separates alternatives.
  for (const part of entry.replace(/\([^)]*\)/g, "").split("/")) {
    const m = /(\d{2}\.\d{2})([A-Z])\s*-\s*(?:\d{2}\.\d{2})?([A-Z])/.exec(part);
    if (m) {
      for (let c = m[2].charCodeAt(0); c <= m[3].charCodeAt(0); c++)
        codes.push(`${m[1]}${String.fromCharCode(c)}`);
      continue;
    }
    for (const c of part.match(/\d{2}(?:\.\d{1,2}[A-Z]?)?/g) ?? []) codes.push(c);
  }
  return { codes, note };
}
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
write(
  "naf-codes.json",
  [...new Set(filiereNaf.map((r) => r.nafCode))].sort().map((code) => ({
    code,
    // No NAF label table is available offline: the label is the code until a NAF source is loaded.
    label: code,
    level: nafLevel(code),
  })),
);

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
const targets = catalog.targets as Json[];
write(
  "targets.json",
  targets.map((t) => {
    const kind = valueKind(t.value, t.unit ?? "");
    const numeric = kind === "multiplier" ? Number(String(t.value).slice(1)) : parseNumber(t.value);
    const year = /\b(20\d{2})\b/.exec(String(t.horizon ?? ""));
    return {
      code: t.id,
      label: t.label,
      valueText: String(t.value),
      valueNumeric: Number.isFinite(numeric) ? numeric : null,
      valueKind: kind,
      unit: t.unit ?? "",
      horizon: String(t.horizon ?? ""),
      horizonYear: year ? Number(year[1]) : null,
      baselineText: t.baseline ?? null,
      agendaNodeCode: t.agenda_ref ?? null,
      note: t.note ?? null,
      refs: refs(t.refs),
      indicators: (t.relates_to?.indicators ?? [])
        .map((id: string) => indicatorCodeById.get(id))
        .filter(Boolean),
      filieres: (t.relates_to?.filieres ?? []).filter((id: string) => filiereIds.has(id)),
    };
  }),
);
write(
  "baselines.json",
  (catalog.baselines as Json[]).map((b) => ({
    code: b.id,
    measure: b.measure,
    valueText: String(b.value),
    valueNumeric: parseNumber(b.value),
    unit: b.unit ?? "",
    period: b.year == null ? null : String(b.year),
    scope: b.scope ?? null,
    sourceNamed: b.source_named ?? null,
    note: b.note ?? null,
    refs: refs(b.refs),
    indicators: (b.indicators ?? []).map((id: string) => indicatorCodeById.get(id)).filter(Boolean),
  })),
);
write(
  "document-conflicts.json",
  (catalog.inconsistencies as Json[]).map((c, i) => ({
    code: `C${String(i + 1).padStart(2, "0")}`,
    topic: c.topic,
    values: (c.values as string[]).map((v) => ({
      value: v.replace(/\s*\([^)]*\d{3}:L[^)]*\)\s*$/, "").trim() || v,
      refs: refs((v.match(/\d{3}:L\d+/g) ?? []) as string[]),
    })),
    note: c.note ?? null,
  })),
);
