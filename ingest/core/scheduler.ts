/**
 * Registers every stream's cron expression (Europe/Paris) at start-up, never lets a stream overlap
 * itself, catches up once on a run missed while the hub was down or owed after a failure, and retries
 * failed or interrupted streams on their backoff instead of waiting for the calendar. Streams of
 * different sources run concurrently (a bounded number at once) and those of one source one after the
 * other, so a hung source holds up only itself. Two instances may both schedule: the stream lease (see
 * state.ts) lets only one of them run.
 */

import { CronExpressionParser } from "cron-parser";
import cron, { type ScheduledTask } from "node-cron";
import pLimit from "p-limit";
import type { Db } from "../../src/db/client";
import type { Logger } from "../../src/logger";
import { interruptRuns, type RunOptions, type RunSummary, type RunTrigger, runStream } from "./runner";
import { type FoundDue, type LastRuns, lastRuns, streamsDueForRetry, streamsOwingARetry } from "./state";
import type { SourceDefinition, StreamDefinition } from "./types";

export const TIMEZONE = "Europe/Paris";

export class ScheduleError extends Error {}

/**
 * The expressions node-cron accepted. Every `stale` field of the API asks again, and node-cron's
 * validation (it expands every field to its values) was a tenth of the hub's CPU on "Stale sources".
 * The registry holds a few dozen expressions, so the set stays that small.
 */
const validExpressions = new Set<string>();

function checkExpression(expression: string): void {
  if (validExpressions.has(expression)) return;
  if (!cron.validate(expression)) throw new ScheduleError(`invalid cron expression "${expression}"`);
  validExpressions.add(expression);
}

/**
 * Each expression's last due time, with the due time after it: for any moment strictly between the two
 * the answer is the same. cron-parser walks back minute by minute through Paris time, 0.2-1.4 ms an
 * expression: "Stale sources" asked it for every stream of every request, 11 ms of CPU once streams had
 * succeeded.
 */
const dueWindows = new Map<string, { due: number; next: number }>();

function lastDueBefore(expression: string, at: Date): number {
  const t = at.getTime();
  const known = dueWindows.get(expression);
  if (known && known.due < t && t < known.next) return known.due;
  const due = CronExpressionParser.parse(expression, { currentDate: at, tz: TIMEZONE }).prev().toDate();
  const next = CronExpressionParser.parse(expression, { currentDate: due, tz: TIMEZONE }).next().toDate();
  dueWindows.set(expression, { due: due.getTime(), next: next.getTime() });
  return due.getTime();
}

/**
 * True when `expression` fell due between the last run and `now`: the last due time at or before `now`
 * (in Paris time) came after the last run.
 */
export function wasMissed(expression: string, lastRunAt: Date | null, now: Date = new Date()): boolean {
  checkExpression(expression);
  if (lastRunAt === null) return true;
  // One second past `now`, so a due time falling in the current second counts as passed.
  return lastDueBefore(expression, new Date(now.getTime() + 1000)) > lastRunAt.getTime();
}

export interface SchedulerOptions {
  db: Db;
  sources: SourceDefinition[];
  log: Logger;
  env?: NodeJS.ProcessEnv;
  /** Register the cron tasks (`INGEST_SCHEDULE`). */
  schedule: boolean;
  /** Run, once, every stream that missed a scheduled run, never ran, or owes a retry (`INGEST_ON_START`). */
  catchUp: boolean;
  /** When this process started (default: from its uptime); what failed or ran before is owed a retry at once. */
  startedAt?: Date;
  /** Sources running at once (`INGEST_CONCURRENCY`); the streams of one source always run in turn. */
  concurrency?: number;
  /** How often to look for a retry that fell due or a lease a crashed process left (0: never). */
  retryCheckMs?: number;
  /** Passed to every run: lease TTL, resource deadline, retry backoff, HTTP client (tests shorten them). */
  run?: Pick<RunOptions, "leaseMs" | "resourceDeadlineMs" | "retryDelaysMs" | "http" | "instance">;
}

export interface Scheduler {
  /** The catch-up runs, in registry order; resolves when they are done (the server does not wait). */
  caughtUp: Promise<RunSummary[]>;
  /** Runs the retries that fell due now (what the periodic check does); resolves with their outcomes. */
  retryDue(): Promise<RunSummary[]>;
  /** Stops scheduling and interrupts the runs in progress (recorded `interrupted`, leases released). */
  stop(reason?: string): Promise<void>;
}

export function startScheduler(options: SchedulerOptions): Scheduler {
  const { db, sources, log, env } = options;
  const startedAt = options.startedAt ?? new Date(Date.now() - process.uptime() * 1000);
  const tasks: ScheduledTask[] = [];
  const pool = pLimit(Math.max(1, options.concurrency ?? 3));
  // One queue per source: its streams share its rate limit and must not pile up on a hung endpoint.
  const sourceQueues = new Map<string, Promise<unknown>>();
  const running = new Set<string>();
  let stopped = false;
  const streams = sources.flatMap((source) => source.streams.map((stream) => ({ source, stream })));
  const order = new Map(streams.map(({ stream }, i) => [stream.id, i]));

  const runOne = (
    source: SourceDefinition,
    stream: StreamDefinition,
    trigger: RunTrigger,
    foundDue?: FoundDue,
  ) =>
    runStream({ db, source, stream, trigger, env, log, ...options.run, foundDue }).catch((error: unknown) => {
      log.error({ err: error, stream: stream.id }, "run crashed");
      return null;
    });
  /** Queues a run behind its source's other runs, within the pool's bound; null if it did not run. */
  const enqueue = (
    source: SourceDefinition,
    stream: StreamDefinition,
    trigger: RunTrigger,
    foundDue?: FoundDue,
  ) => {
    if (stopped || running.has(stream.id)) return Promise.resolve(null);
    running.add(stream.id);
    const previous = sourceQueues.get(source.id) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(() => (stopped ? null : pool(() => runOne(source, stream, trigger, foundDue))))
      .finally(() => running.delete(stream.id));
    sourceQueues.set(source.id, next);
    return next;
  };
  const byId = (ids: Iterable<string>) => {
    const wanted = new Set(ids);
    return streams.filter(({ stream }) => wanted.has(stream.id));
  };
  const settle = async (runs: Promise<RunSummary | null>[]) =>
    (await Promise.all(runs))
      .filter((s): s is RunSummary => s !== null)
      .sort((a, b) => (order.get(a.streamId) ?? 0) - (order.get(b.streamId) ?? 0));

  for (const { source, stream } of options.schedule ? streams : []) {
    if (!cron.validate(stream.schedule)) {
      log.error({ stream: stream.id, schedule: stream.schedule }, "invalid cron expression; not scheduled");
      continue;
    }
    tasks.push(
      cron.schedule(stream.schedule, () => enqueue(source, stream, "schedule"), {
        timezone: TIMEZONE,
        noOverlap: true,
        name: stream.id,
      }),
    );
  }
  log.info({ streams: tasks.length, timezone: TIMEZONE }, "ingest schedule registered");

  const seenAt = (seen: LastRuns, streamId: string): FoundDue => ({
    lastRunId: seen.lastRunId.get(streamId) ?? 0,
    at: seen.at,
  });
  const caughtUp = options.catchUp
    ? (async () => {
        const seen = await lastRuns(db);
        const owing = new Set(await streamsOwingARetry(db, startedAt));
        const due = streams.filter(
          ({ stream }) =>
            cron.validate(stream.schedule) &&
            (owing.has(stream.id) || wasMissed(stream.schedule, seen.lastStartedAt.get(stream.id) ?? null)),
        );
        // Another instance catching up at once may run a stream first: the run checks, lease in hand.
        return settle(
          due.map(({ source, stream }) => enqueue(source, stream, "catch_up", seenAt(seen, stream.id))),
        );
      })()
    : Promise.resolve([]);

  const retryDue = async () => {
    if (stopped) return [];
    const seen = await lastRuns(db);
    const due = byId(await streamsDueForRetry(db));
    // Both instances' timers may find one retry due: whichever runs it second is skipped.
    return settle(due.map(({ source, stream }) => enqueue(source, stream, "retry", seenAt(seen, stream.id))));
  };
  const retryCheckMs = options.retryCheckMs ?? 30_000;
  const retryTimer =
    retryCheckMs > 0
      ? setInterval(() => {
          retryDue().catch((error: unknown) => log.warn({ err: error }, "retry check failed"));
        }, retryCheckMs)
      : null;
  retryTimer?.unref();

  return {
    caughtUp,
    retryDue,
    stop: async (reason = "the hub is stopping") => {
      stopped = true;
      if (retryTimer) clearInterval(retryTimer);
      for (const task of tasks) await task.destroy();
      await interruptRuns(reason);
      await caughtUp.catch(() => undefined);
      await Promise.allSettled([...sourceQueues.values()]);
    },
  };
}
