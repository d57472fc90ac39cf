/**
 * The example queries the playground (GET /graphql in a browser) opens as tabs, the first one active.
 *
 * GraphiQL titles a tab with the operation's name, so every query names its operation; the page puts
 * `name` and `question` as comments above it. A test checks each query against the built schema.
 */
export interface PlaygroundExample {
  /** Short label, shown as the first comment line of the tab. */
  name: string;
  /** The question the query answers, in plain words. */
  question: string;
  /** A named operation (`query Communes { … }`): its name becomes the tab's title. */
  query: string;
  variables?: Record<string, unknown>;
  /** HTTP headers of the tab (GraphiQL's Headers pane): how to send an API key. */
  headers?: Record<string, string>;
}

export const playgroundExamples: PlaygroundExample[] = [
  {
    name: "Indicators",
    question:
      "Which indicators does the agenda follow, in which unit, and what is their latest value for the Métropole?",
    query: `query Indicators {
  indicators {
    totalCount
    nodes {
      number
      code
      label
      unit
      provider { code }
      latest { period value obsStatus }
    }
  }
}`,
  },
  {
    name: "Communes",
    question: "Which communes make up the Métropole, and how many people live in each?",
    query: `query Communes($level: TerritoryLevel!) {
  territories(level: $level, first: 100, orderBy: { field: POPULATION, direction: DESC }) {
    totalCount
    nodes {
      code
      name
      population
      populationYear
      parents(level: CONSEIL_DE_TERRITOIRE) { confirmed territory { code name } }
    }
  }
}`,
    variables: { level: "COMMUNE" },
  },
  {
    name: "Unemployment in the Bouches-du-Rhône",
    question: "How has unemployment moved in the Bouches-du-Rhône since 2020, against the agenda's baseline?",
    query: `query UnemploymentBouchesDuRhone($territory: String!, $from: String!) {
  indicator(code: "unemployment_rate") {
    label(lang: FR)
    baselines { valueText period scope refs { doc line } }
    series(territory: $territory) {
      title(lang: FR)
      unit
      observations(from: $from) {
        period
        value
        obsStatus
        changeFromYearBefore { basePeriod absolute }
        provenance { sourceUrl retrievedAt }
      }
    }
  }
}`,
    variables: { territory: "DEP-13", from: "2020" },
  },
  {
    name: "Jobs by filière in the Pays d'Aix",
    question:
      "How many private salaried jobs does each filière count in the Pays d'Aix communes, over the last five years?",
    query: `query JobsByFiliereInPaysDAix($ct: String!, $from: String!) {
  territory(code: $ct) { name }
  aggregate(
    filter: { indicator: "net_job_creation", measure: "private_salaried_jobs", memberOf: $ct }
    function: SUM
    groupBy: [FILIERE, YEAR]
    from: $from
  ) {
    filiereCode
    period
    value
    unit
    seriesCount
  }
}`,
    variables: { ct: "CT-2", from: "2021" },
  },
  {
    name: "Sites of the santé filière",
    question: "Which sites belong to the santé filière, where are they, and which partners animate them?",
    query: `query SitesOfSante($filiere: String!) {
  filiere(code: $filiere) {
    label(lang: FR)
    sites {
      name
      kindLabel
      commune { code name }
      locationNote
      partners { code name }
    }
    partners { code name }
  }
}`,
    variables: { filiere: "F1" },
  },
  {
    name: "Orientation 1: latest values and progress",
    question:
      "Every indicator of orientation 1 with its latest value, its targets and the progress toward them",
    query: `query OrientationProgress($orientation: String!) {
  agendaNode(code: $orientation) { code label(lang: FR) }
  indicators(agendaNode: $orientation) {
    nodes {
      number
      label
      latest { period value }
      targets { code label valueText horizon refs { doc line } }
      progress {
        targetCode
        baselineValue
        baselinePeriod
        latestValue
        latestPeriod
        targetValue
        shareAchieved
        timeElapsed
        status
      }
    }
  }
}`,
    variables: { orientation: "O1" },
  },
  {
    name: "Stale sources",
    question: "Which sources are stale: when did each stream last succeed, and why did it last fail?",
    query: `query StaleSources {
  ingestSources {
    id
    title
    streams {
      id
      schedule
      stale
      lastSuccessAt
      lastFailureAt
      lastError
      lastRun { status startedAt rowsInserted rowsUpdated }
    }
  }
}`,
  },
  {
    name: "Who am I",
    question:
      "Which role and partner does the hub take my key for? Paste your key in the Headers pane below (Authorization: Bearer hub_…); without it you are anonymous and see public data only.",
    query: `query WhoAmI {
  viewer {
    role
    partner { code name }
    key { name expiresAt }
  }
}`,
    headers: { Authorization: "Bearer hub_<id>_<secret>" },
  },
];
