import { DateTimeResolver, JSONObjectResolver } from "graphql-scalars";
import { Field, Int, ObjectType } from "type-graphql";
import type { ingestResourceEvents, ingestRuns } from "../../../schema/ingest";

@ObjectType({
  description: "One run of one ingest stream: when, how it ended, how many rows it wrote, why it failed.",
})
export class IngestRun
  implements
    Pick<
      typeof ingestRuns.$inferSelect,
      | "id"
      | "sourceId"
      | "streamId"
      | "trigger"
      | "status"
      | "startedAt"
      | "finishedAt"
      | "durationMs"
      | "resourcesTotal"
      | "resourcesFailed"
      | "rowsInserted"
      | "rowsUpdated"
      | "rowsUnchanged"
      | "rowsSkipped"
      | "error"
      | "errorCause"
    >
{
  @Field(() => Int, { description: "Run id (observations' provenance.runId points here)." })
  id!: number;
  @Field(() => String, { description: "Source id (insee-bdm…)." })
  sourceId!: string;
  @Field(() => String, { description: "Stream id (insee-bdm.unemployment-rate…)." })
  streamId!: string;
  @Field(() => String, { description: "What started it: schedule, catch_up, cli, start, api, test." })
  trigger!: (typeof ingestRuns.$inferSelect)["trigger"];
  @Field(() => String, {
    description:
      "running, success, unchanged (nothing new), partial, failed, skipped (another process ran it), interrupted (the process stopped; retried at once), held (a payload waits for review) or not_configured (a file or setting is missing; see error).",
  })
  status!: (typeof ingestRuns.$inferSelect)["status"];
  @Field(() => DateTimeResolver, { description: "Start." })
  startedAt!: Date;
  @Field(() => DateTimeResolver, { nullable: true, description: "End (null while running)." })
  finishedAt!: Date | null;
  @Field(() => Int, { nullable: true, description: "Duration in milliseconds." })
  durationMs!: number | null;
  @Field(() => Int, { description: "Resources (requests, files) planned." })
  resourcesTotal!: number;
  @Field(() => Int, { description: "Resources that failed." })
  resourcesFailed!: number;
  @Field(() => Int, { description: "Observations inserted." })
  rowsInserted!: number;
  @Field(() => Int, { description: "Observations whose value changed (the old one is kept in revisions)." })
  rowsUpdated!: number;
  @Field(() => Int, { description: "Observations received unchanged (not rewritten)." })
  rowsUnchanged!: number;
  @Field(() => Int, { description: "Cells left out (confidential, NaN…): see resources for the reasons." })
  rowsSkipped!: number;
  @Field(() => String, { nullable: true, description: "Why it failed." })
  error!: string | null;
  @Field(() => String, { nullable: true, description: "The underlying cause." })
  errorCause!: string | null;
}

@ObjectType({ description: "One resource (request or file) of a run." })
export class IngestResourceEvent
  implements
    Pick<
      typeof ingestResourceEvents.$inferSelect,
      | "resourceKey"
      | "status"
      | "durationMs"
      | "rowsInserted"
      | "rowsUpdated"
      | "rowsUnchanged"
      | "rowsSkipped"
      | "error"
    >
{
  @Field(() => String, { description: "Resource key within the stream." })
  resourceKey!: string;
  @Field(() => String, { description: "success, unchanged, failed, skipped or held (waits for review)." })
  status!: (typeof ingestResourceEvents.$inferSelect)["status"];
  @Field(() => Int, { description: "Duration in milliseconds." })
  durationMs!: number;
  @Field(() => Int, { description: "Observations inserted." })
  rowsInserted!: number;
  @Field(() => Int, { description: "Observations changed." })
  rowsUpdated!: number;
  @Field(() => Int, { description: "Observations unchanged." })
  rowsUnchanged!: number;
  @Field(() => Int, { description: "Cells left out." })
  rowsSkipped!: number;
  @Field(() => JSONObjectResolver, {
    description: 'Cells left out, counted by reason ({ "confidential": 12 }).',
  })
  skippedReasons!: Record<string, number>;
  @Field(() => String, { nullable: true, description: "Why it failed." })
  error!: string | null;
}

@ObjectType({
  description: "A stream of an ingest source: what it loads, on which schedule, and how fresh it is.",
})
export class IngestStream {
  @Field(() => String, { description: "Stream id (insee-bdm.unemployment-rate…)." })
  id!: string;
  @Field(() => String, { description: "Source id." })
  sourceId!: string;
  @Field(() => String, { description: "What it loads." })
  description!: string;
  @Field(() => String, { description: "cron expression, Europe/Paris time." })
  schedule!: string;
  @Field(() => [String], { description: "Codes of the indicators it feeds." })
  indicatorCodes!: string[];
  @Field(() => String, { description: "Code of the dataset its rows are attributed to." })
  datasetCode!: string;
  @Field(() => DateTimeResolver, {
    nullable: true,
    description: "Last successful run (unchanged counts: the source was reached).",
  })
  lastSuccessAt!: Date | null;
  @Field(() => DateTimeResolver, { nullable: true, description: "Last failed run." })
  lastFailureAt!: Date | null;
  @Field(() => String, { nullable: true, description: "Why the last failure failed." })
  lastError!: string | null;
  @Field(() => DateTimeResolver, {
    nullable: true,
    description:
      "When it is tried again after a failed or interrupted run (backoff: minutes, then hours); null when it waits for its schedule.",
  })
  nextAttemptAt!: Date | null;
  @Field(() => Boolean, {
    description:
      "True when it never succeeded, or its last scheduled run (more than an hour ago) did not succeed.",
  })
  stale!: boolean;
  @Field(() => IngestRun, { nullable: true, description: "Its latest run." })
  lastRun!: typeof ingestRuns.$inferSelect | null;
}

@ObjectType({ description: "A source the hub ingests (INSEE BDM, URSSAF…), with its streams." })
export class IngestSource {
  @Field(() => String, { description: "Source id (insee-bdm…); its base URL is INGEST_<ID>_BASE_URL." })
  id!: string;
  @Field(() => String, { description: "Title." })
  title!: string;
  @Field(() => String, { description: "Code of the partner whose data it is." })
  partnerCode!: string;
  @Field(() => String, { description: "The real public endpoint it reads by default." })
  defaultBaseUrl!: string;
}
