/**
 * The GraphQL the dashboard sends: it reads the hub only through its public API, so it shows exactly
 * what the caller (anonymous, or a partner's key) may see. The page receives these strings in its
 * config; a test validates each one against the built schema, so a renamed field fails there first.
 */

/**
 * The Métropole (EPCI 200054807), where cards and targets are read. The same code as the API's default
 * territory (src/graphql/analysis/progress.ts), not imported from there: this module goes to the
 * browser as text and must not pull the schema's decorators in with it.
 */
export const METROPOLE = "EPCI-200054807";

/** The territories an indicator's page puts side by side: the Métropole, its six former conseils de territoire, the département. */
export const COMPARED_TERRITORIES = [
  METROPOLE,
  "CT-1",
  "CT-2",
  "CT-3",
  "CT-4",
  "CT-5",
  "CT-6",
  "DEP-13",
] as const;

/** Where a card falls back to when the Métropole has no series (indicator 1 is published by département). */
export const FALLBACK_TERRITORY = "DEP-13";

const PROGRESS = `progress { targetCode status shareAchieved latestValue latestPeriod targetValue
      baselineValue baselinePeriod timeElapsed projectedValue unit filiereCode territoryCode }`;
const TARGETS = `targets { code label labelFr valueText horizon horizonYear valueKind
      baselineValue baselineText baselinePeriod refs { doc line lineEnd } }`;
const BASELINES = "baselines { code valueText period unit measure sourceNamed refs { doc line lineEnd } }";
const LATEST = `period value obsStatus
      provenance { docRef { doc line lineEnd } sourceUrl retrievedAt }
      series { id measure unit unitMult territoryCode }`;

export const dashboardQueries = {
  overview: `query DashboardOverview($lang: Lang!, $fallback: String!) {
  orientations: agendaNodes(kind: ORIENTATION) { nodes { code label(lang: $lang) } }
  fallbackTerritory: territory(code: $fallback) { code name }
  indicators(first: 100) {
    nodes {
      code number label(lang: $lang) unit direction periodicity
      agendaNodes { code }
      latest { ${LATEST} }
      latestFallback: latest(territory: $fallback) { ${LATEST} }
      ${TARGETS}
      ${PROGRESS}
      ${BASELINES}
    }
  }
  # Totals only: a territory also carries a series per filière, sector or NAF code of an indicator.
  metropole: seriesList(filter: { territory: "${METROPOLE}", breakdown: [] }, first: 1000) { nodes { ...CardSeries } }
  fallback: seriesList(filter: { territory: $fallback, breakdown: [] }, first: 1000) { nodes { ...CardSeries } }
  ingestSources { id title streams { id indicatorCodes lastSuccessAt lastFailureAt stale } }
}
fragment CardSeries on Series {
  id indicatorCode measure headline unit unitMult territoryCode
  observations { period periodStart value obsStatus }
}`,

  indicator: `query DashboardIndicator($code: String!, $lang: Lang!, $territories: [String!]!) {
  indicator(code: $code) {
    code number label(lang: $lang) description unit direction periodicity note sourcesNamed
    refs { doc line lineEnd }
    provider { code name }
    ${TARGETS}
    ${PROGRESS}
    ${BASELINES}
  }
  places: territories(first: 20, level: CONSEIL_DE_TERRITOIRE) { nodes { code name } }
  metropole: territory(code: "${METROPOLE}") { code name }
  departement: territory(code: "${FALLBACK_TERRITORY}") { code name }
  seriesList(filter: { indicator: $code, territories: $territories, breakdown: [] }, first: 200) {
    nodes {
      id territoryCode measure headline unit unitMult derived derivation frequency title(lang: $lang)
      dataset { code name licence url }
      observations {
        period periodStart value obsStatus validFrom
        provenance { sourceUrl retrievedAt runId rawPayloadId docRef { doc line lineEnd } derivedFrom { seriesId period } }
        revisions { value obsStatus validFrom validTo }
      }
    }
  }
}`,

  filieres: `query DashboardFilieres($lang: Lang!) {
  all: filieres(first: 100) { nodes { code label(lang: $lang) kind } }
  filieres(kind: FILIERE_EXCELLENCE) {
    nodes {
      code label(lang: $lang) description
      jobs: series(indicator: "net_job_creation", territory: "${METROPOLE}") {
        id measure unit observations { period periodStart value obsStatus }
      }
      sites { code name kindLabel commune { name } partners { code name } }
      partners { code name kind website }
    }
  }
}`,

  sources: `query DashboardSources {
  ingestSources {
    id title defaultBaseUrl partner { name }
    streams {
      id description schedule stale lastSuccessAt lastFailureAt lastError indicatorCodes
      lastRun { status startedAt finishedAt error }
    }
  }
}`,
} as const;

export type DashboardQueryName = keyof typeof dashboardQueries;
