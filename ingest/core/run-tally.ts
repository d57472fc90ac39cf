/**
 * What the start-up catch-up (or `ingest all`) did, told in a few lines a newcomer can act on: which
 * streams loaded, which sources could not be reached or are not configured, which failed, and what to
 * run next. It only reads the runs' summaries, so it follows whatever the runner and scheduler decide.
 */
import type { RunSummary } from "./runner";

export interface RunTally {
  loaded: string[];
  unchanged: string[];
  /** Planned nothing to fetch: a partner-file folder with no manifest, a source with nothing to ask. */
  notConfigured: string[];
  unreachable: { streamId: string; error: string }[];
  failed: { streamId: string; error: string }[];
  skipped: string[];
  rowsWritten: number;
}

/** Network failures, as the HTTP client words them (`GET … failed: ENOTFOUND`). */
const UNREACHABLE =
  /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ESOCKETTIMEDOUT|socket hang up|timed out/i;

export function tallyRuns(runs: RunSummary[]): RunTally {
  const tally: RunTally = {
    loaded: [],
    unchanged: [],
    notConfigured: [],
    unreachable: [],
    failed: [],
    skipped: [],
    rowsWritten: 0,
  };
  for (const run of runs) {
    tally.rowsWritten += run.rowsInserted + run.rowsUpdated;
    const status = String(run.status);
    const error = run.error ?? status;
    if (status === "not_configured" || (status === "success" && run.resourcesTotal === 0))
      tally.notConfigured.push(run.streamId);
    else if (status === "success" || (status === "partial" && run.rowsInserted + run.rowsUpdated > 0))
      tally.loaded.push(run.streamId);
    else if (status === "unchanged") tally.unchanged.push(run.streamId);
    else if (status === "skipped") tally.skipped.push(run.streamId);
    else if (UNREACHABLE.test(error)) tally.unreachable.push({ streamId: run.streamId, error });
    else tally.failed.push({ streamId: run.streamId, error });
  }
  return tally;
}

const list = (ids: string[]) =>
  ids.length > 4 ? `${ids.slice(0, 4).join(", ")} and ${ids.length - 4} more` : ids.join(", ");

/** The tally as lines: a count line, then one line per kind of trouble with what to do about it. */
export function describeTally(tally: RunTally, notDue?: number): string[] {
  const counts = [
    `${tally.loaded.length} loaded`,
    `${tally.unchanged.length} unchanged`,
    ...(notDue === undefined ? [] : [`${notDue} not due`]),
    `${tally.unreachable.length} unreachable`,
    `${tally.notConfigured.length} not configured`,
    `${tally.failed.length} failed`,
  ];
  const lines = [`${counts.join(", ")}; ${tally.rowsWritten} values written`];
  if (tally.loaded.length) lines.push(`loaded: ${list(tally.loaded)}`);
  if (tally.unreachable.length)
    lines.push(
      `unreachable (no network to the source?): ${list(tally.unreachable.map((u) => u.streamId))}. Point INGEST_<SOURCE>_BASE_URL at a mirror, or load a saved payload with \`npm run ingest -- <stream> --from-file FILE\`; until then indicators and targets show the agenda's printed figures (headline.fromAgenda).`,
    );
  if (tally.notConfigured.length)
    lines.push(
      `not configured (nothing to fetch): ${list(tally.notConfigured)}. Partner files go in data/partners with a manifest.json (docs/partner-csv.md).`,
    );
  if (tally.failed.length)
    lines.push(
      `failed: ${tally.failed.map((f) => `${f.streamId} (${f.error})`).join("; ")}. \`npm run ingest -- --status\` shows each stream's last error.`,
    );
  return lines;
}
