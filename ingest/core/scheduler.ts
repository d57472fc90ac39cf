/**
 * Registers every stream's cron expression (Europe/Paris) at start-up, never lets a stream overlap
 * itself, and catches up once on a run missed while the hub was down. Two instances may both
 * schedule: the stream lease (see state.ts) lets only one of them run.
 */

import { CronExpressionParser } from "cron-parser";
import { sql } from "drizzle-orm";
import cron, { type ScheduledTask } from "node-cron";
import { type Db, selectRows } from "../../src/db/client";
import type { Logger } from "../../src/logger";
import { type RunSummary, type RunTrigger, runStream } from "./runner";
import type { SourceDefinition, StreamDefinition } from "./types";

export const TIMEZONE = "Europe/Paris";

export class ScheduleError extends Error {}

/**
 * True when `expression` fell due between the last run and `now`: the last due time at or before `now`
 * (cron-parser walks the expression back field by field, in Paris time) came after the last run.
 */
export function wasMissed(expression: string, lastRunAt: Date | null, now: Date = new Date()): boolean {
  if (!cron.validate(expression)) throw new ScheduleError(`invalid cron expression "${expression}"`);
  if (lastRunAt === null) return true;
  // One second past `now`, so a due time falling in the current second counts as passed.
  const after = new Date(now.getTime() + 1000);
  const due = CronExpressionParser.parse(expression, { currentDate: after, tz: TIMEZONE }).prev().toDate();
  return due > lastRunAt;
}

export interface SchedulerOptions {
  db: Db;
  sources: SourceDefinition[];
  log: Logger;
  env?: NodeJS.ProcessEnv;
  /** Register the cron tasks (`INGEST_SCHEDULE`). */
  schedule: boolean;
  /** Run, once, every stream that missed a scheduled run or never ran (`INGEST_ON_START`). */
  catchUp: boolean;
}

export interface Scheduler {
  /** The catch-up runs, in order; resolves when they are done (the server does not wait for it). */
  caughtUp: Promise<RunSummary[]>;
  stop(): Promise<void>;
}

export function startScheduler(options: SchedulerOptions): Scheduler {
  const { db, sources, log, env } = options;
  const tasks: ScheduledTask[] = [];
  const run = (source: SourceDefinition, stream: StreamDefinition, trigger: RunTrigger) =>
    runStream({ db, source, stream, trigger, env, log }).catch((error: unknown) => {
      log.error({ err: error, stream: stream.id }, "run crashed");
      return null;
    });
  const streams = sources.flatMap((source) => source.streams.map((stream) => ({ source, stream })));
  for (const { source, stream } of options.schedule ? streams : []) {
    if (!cron.validate(stream.schedule)) {
      log.error({ stream: stream.id, schedule: stream.schedule }, "invalid cron expression; not scheduled");
      continue;
    }
    tasks.push(
      cron.schedule(stream.schedule, () => run(source, stream, "schedule"), {
        timezone: TIMEZONE,
        noOverlap: true,
        name: stream.id,
      }),
    );
  }
  log.info({ streams: tasks.length, timezone: TIMEZONE }, "ingest schedule registered");
  const caughtUp = options.catchUp
    ? (async () => {
        const lastRuns = await selectRows<{ stream_id: string; started_at: string | Date }>(
          db,
          sql`select stream_id, max(started_at) as started_at from ingest_runs group by stream_id`,
        );
        const last = new Map(lastRuns.map((r) => [r.stream_id, new Date(r.started_at)]));
        const results: RunSummary[] = [];
        for (const { source, stream } of streams) {
          if (!cron.validate(stream.schedule) || !wasMissed(stream.schedule, last.get(stream.id) ?? null))
            continue;
          const summary = await run(source, stream, "catch_up");
          if (summary) results.push(summary);
        }
        return results;
      })()
    : Promise.resolve([]);
  return {
    caughtUp,
    stop: async () => {
      for (const task of tasks) await task.destroy();
      await caughtUp.catch(() => undefined);
    },
  };
}
