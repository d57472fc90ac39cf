import { sql } from "drizzle-orm";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { onRunFinished } from "../ingest/core/runner";
import { type Db, selectRows } from "./db/client";
import { instrumentDrizzle } from "./db/instrument";

/**
 * The hub's Prometheus metrics (GET /metrics). What belongs to the process — its runtime, every SQL
 * statement, every ingest run — is counted once in `processRegistry`; what belongs to one HTTP app
 * (requests, GraphQL errors, the data age read from its database) in that app's own registry, so two
 * apps in one process (the tests) never count each other's requests.
 */
const processRegistry = new Registry();
collectDefaultMetrics({ register: processRegistry, prefix: "hublot_" });

const statementSeconds = new Histogram({
  name: "hublot_db_statement_duration_seconds",
  help: "SQL statements sent through drizzle, by driver and outcome",
  labelNames: ["driver", "outcome"] as const,
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [processRegistry],
});
const statementsInFlight = new Gauge({
  name: "hublot_db_statements_in_flight",
  help: "SQL statements running now: near the pool size (10 on PostgreSQL), requests wait for a connection",
  labelNames: ["driver"] as const,
  registers: [processRegistry],
});
instrumentDrizzle(
  (driver, seconds, failed) =>
    statementSeconds.observe({ driver, outcome: failed ? "error" : "ok" }, seconds),
  (driver, delta) => statementsInFlight.inc({ driver }, delta),
);

const ingestRuns = new Counter({
  name: "hublot_ingest_runs_total",
  help: "Ingest runs finished in this process, by stream and outcome",
  labelNames: ["stream", "outcome"] as const,
  registers: [processRegistry],
});
const ingestRows = new Counter({
  name: "hublot_ingest_rows_total",
  help: "Rows the ingest runs of this process wrote or left, by stream and kind",
  labelNames: ["stream", "kind"] as const,
  registers: [processRegistry],
});
const ingestSeconds = new Histogram({
  name: "hublot_ingest_run_duration_seconds",
  help: "Duration of the ingest runs of this process, by stream and outcome",
  labelNames: ["stream", "outcome"] as const,
  buckets: [0.1, 0.5, 1, 5, 15, 60, 180, 600, 1800],
  registers: [processRegistry],
});
onRunFinished((summary) => {
  const labels = { stream: summary.streamId, outcome: summary.status };
  ingestRuns.inc(labels);
  ingestSeconds.observe(labels, summary.durationMs / 1000);
  for (const [kind, n] of [
    ["inserted", summary.rowsInserted],
    ["updated", summary.rowsUpdated],
    ["unchanged", summary.rowsUnchanged],
    ["skipped", summary.rowsSkipped],
  ] as const)
    if (n > 0) ingestRows.inc({ stream: summary.streamId, kind }, n);
});

/** Distinct operation names kept as labels; beyond, `other`: a client must not grow the metrics forever. */
const MAX_OPERATION_LABELS = 200;
const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export interface HttpMetrics {
  /** Counts one answer. `operation` is the GraphQL operation's name, or null. */
  observeRequest(route: string, operation: string | null, status: number, seconds: number): void;
  observeGraphqlError(code: string): void;
  /** A request was received / its connection answered or closed: the in-flight gauge. */
  requestStarted(): void;
  requestEnded(): void;
  /** The text a scrape answers, in Prometheus's format. */
  scrape(): Promise<{ contentType: string; body: string }>;
}

export function createHttpMetrics(db: Db): HttpMetrics {
  const registry = new Registry();
  const requests = new Counter({
    name: "hublot_http_requests_total",
    help: "HTTP answers by route, GraphQL operation name and status",
    labelNames: ["route", "operation", "status"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "hublot_http_request_duration_seconds",
    help: "Time from request to answer, by route and GraphQL operation name",
    labelNames: ["route", "operation"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const inFlight = new Gauge({
    name: "hublot_http_requests_in_flight",
    help: "Requests received and not yet answered (queued ones included), scrapes of /metrics excluded",
    registers: [registry],
  });
  const graphqlErrors = new Counter({
    name: "hublot_graphql_errors_total",
    help: "Errors in GraphQL answers, by extensions.code",
    labelNames: ["code"] as const,
    registers: [registry],
  });
  new Gauge({
    name: "hublot_ingest_data_age_seconds",
    help: "Seconds since each stream's last successful run, read from stream_state on every scrape",
    labelNames: ["stream"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await selectRows<{ stream_id: string; age: number | string }>(
        db,
        sql`select stream_id, extract(epoch from now() - last_success_at)::float8 as age
            from stream_state where last_success_at is not null`,
      );
      for (const row of rows) this.set({ stream: row.stream_id }, Number(row.age));
    },
  });
  const operations = new Set<string>();
  const operationLabel = (name: string | null) => {
    if (!name) return "";
    if (!OPERATION_NAME.test(name)) return "other";
    if (operations.has(name)) return name;
    if (operations.size >= MAX_OPERATION_LABELS) return "other";
    operations.add(name);
    return name;
  };
  const codes = new Set<string>();
  return {
    observeRequest(route, operation, status, seconds) {
      const op = operationLabel(operation);
      requests.inc({ route, operation: op, status: String(status) });
      duration.observe({ route, operation: op }, seconds);
    },
    observeGraphqlError(code) {
      const known = OPERATION_NAME.test(code) && (codes.has(code) || codes.size < MAX_OPERATION_LABELS);
      if (known) codes.add(code);
      graphqlErrors.inc({ code: known ? code : "other" });
    },
    requestStarted() {
      inFlight.inc();
    },
    requestEnded() {
      inFlight.dec();
    },
    async scrape() {
      const merged = Registry.merge([registry, processRegistry]);
      return { contentType: merged.contentType, body: await merged.metrics() };
    },
  };
}
