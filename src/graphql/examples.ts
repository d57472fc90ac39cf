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
}

export const playgroundExamples: PlaygroundExample[] = [
  {
    name: "Indicators",
    question: "Which indicators does the agenda follow, and in which unit?",
    query: `query Indicators {
  indicators {
    number
    code
    nameEn
    unit
  }
}`,
  },
  {
    name: "Communes",
    question: "Which communes make up the Métropole, and how many people live in each?",
    query: `query Communes($level: String!) {
  territories(level: $level) {
    code
    name
    population
  }
}`,
    variables: { level: "commune" },
  },
];
