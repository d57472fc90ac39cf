import type { GraphQLResolveInfo } from "graphql";
import {
  Arg,
  Args,
  ArgsType,
  Ctx,
  Field,
  FieldResolver,
  Info,
  Int,
  Query,
  Resolver,
  Root,
} from "type-graphql";
import { runStatuses } from "../../../schema/ingest";
import { BadUserInputError, NotFoundError } from "../../errors";
import { callerOf, type GraphQLContext } from "../context";
import { indicatorByCode } from "../indicator/indicator.loaders";
import { Indicator } from "../indicator/indicator.type";
import { Connection, PageArgs } from "../pagination";
import { datasetByCode, listDatasets, partnerByCode } from "../partner/partner.loaders";
import { Dataset, Partner } from "../partner/partner.type";
import { mayReadRunDetails } from "../scope";
import { observationsAskedUnder } from "../series/selection";
import { seriesOf } from "../series/series.loaders";
import { Series } from "../series/series.type";
import {
  pageRuns,
  type RunRow,
  registeredSources,
  resourcesOfRun,
  runsOfStream,
  streamFreshness,
  streamsWhere,
} from "./ingest.loaders";
import { IngestResourceEvent, IngestRun, IngestSource, IngestStream } from "./ingest.type";

const IngestRunConnection = Connection(IngestRun, "IngestRun", "A page of ingest runs, newest first.");

@ArgsType()
class IngestRunsArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: "Only runs of this source (insee-bdm…)." })
  source?: string;
  @Field(() => String, { nullable: true, description: "Only runs of this stream." })
  stream?: string;
  @Field(() => String, {
    nullable: true,
    description: `Only runs with this status: ${runStatuses.join(", ")}.`,
  })
  status?: string;
}

const RUNS_PER_STREAM_MAX = 100;

@Resolver(() => IngestSource)
export class IngestSourceResolver {
  @Query(() => [IngestSource], {
    description: "Every source the hub ingests, with its streams and their freshness.",
  })
  ingestSources() {
    return registeredSources();
  }

  @Query(() => IngestRunConnection, { description: "The run log: every run of every stream, newest first." })
  ingestRuns(@Ctx() ctx: GraphQLContext, @Args(() => IngestRunsArgs) args: IngestRunsArgs) {
    if (args.status && !(runStatuses as readonly string[]).includes(args.status))
      throw new BadUserInputError(
        `status: "${args.status}" is not a run status; use one of ${runStatuses.join(", ")}`,
        {
          argument: "status",
        },
      );
    const known = registeredSources();
    if (args.source && !known.some((s) => s.id === args.source))
      throw new NotFoundError("ingest source", args.source, `known: ${known.map((s) => s.id).join(", ")}`);
    return pageRuns(
      ctx,
      {
        sourceId: args.source,
        streamIds: args.stream ? [args.stream] : undefined,
        status: args.status as RunRow["status"],
      },
      args,
    );
  }

  @FieldResolver(() => [IngestStream], { description: "Its streams." })
  streams(@Root() s: IngestSource, @Ctx() ctx: GraphQLContext) {
    return streamsWhere(ctx, (source) => source.id === s.id);
  }

  @FieldResolver(() => Partner, { nullable: true, description: "The partner whose data it is." })
  partner(@Root() s: IngestSource, @Ctx() ctx: GraphQLContext) {
    return partnerByCode(ctx).load(s.partnerCode);
  }
}

/** Error texts quote URLs, file paths and payload excerpts: only callers who may read run details get them. */
const detail = (ctx: GraphQLContext, text: string | null) => (mayReadRunDetails(ctx) ? text : null);
const HIDDEN = " Null for callers who may not read run details (anonymous callers and partners).";

@Resolver(() => IngestStream)
export class IngestStreamResolver {
  @FieldResolver(() => String, { nullable: true, description: `Why the last failure failed.${HIDDEN}` })
  lastError(@Root() s: IngestStream, @Ctx() ctx: GraphQLContext) {
    return detail(ctx, s.lastError);
  }

  @FieldResolver(() => [IngestRun], { description: "Its latest runs, newest first." })
  runs(
    @Root() s: IngestStream,
    @Ctx() ctx: GraphQLContext,
    @Arg("last", () => Int, { defaultValue: 10, description: `How many (at most ${RUNS_PER_STREAM_MAX}).` })
    last: number,
  ) {
    if (last < 1 || last > RUNS_PER_STREAM_MAX)
      throw new BadUserInputError(`last: ${last} must be between 1 and ${RUNS_PER_STREAM_MAX}`, {
        argument: "last",
      });
    return runsOfStream(ctx, last).load(s.id);
  }

  @FieldResolver(() => [Indicator], { description: "Indicators it feeds." })
  async indicators(@Root() s: IngestStream, @Ctx() ctx: GraphQLContext) {
    return (await indicatorByCode(ctx).loadMany(s.indicatorCodes)).filter(
      (i) => i !== null && !(i instanceof Error),
    );
  }

  @FieldResolver(() => Dataset, { nullable: true, description: "Dataset its rows are attributed to." })
  dataset(@Root() s: IngestStream, @Ctx() ctx: GraphQLContext) {
    return datasetByCode(ctx).load(s.datasetCode);
  }
}

@Resolver(() => IngestResourceEvent)
export class IngestResourceEventResolver {
  @FieldResolver(() => String, { nullable: true, description: `Why it failed.${HIDDEN}` })
  error(@Root() r: IngestResourceEvent, @Ctx() ctx: GraphQLContext) {
    return detail(ctx, r.error);
  }
}

@Resolver(() => IngestRun)
export class IngestRunResolver {
  @FieldResolver(() => String, { nullable: true, description: `Why it failed.${HIDDEN}` })
  error(@Root() r: RunRow, @Ctx() ctx: GraphQLContext) {
    return detail(ctx, r.error);
  }

  @FieldResolver(() => String, { nullable: true, description: `The underlying cause.${HIDDEN}` })
  errorCause(@Root() r: RunRow, @Ctx() ctx: GraphQLContext) {
    return detail(ctx, r.errorCause);
  }

  @FieldResolver(() => [IngestResourceEvent], {
    description: "Its resources (requests, files), each with its outcome.",
  })
  resources(@Root() r: RunRow, @Ctx() ctx: GraphQLContext) {
    return resourcesOfRun(ctx).load(r.id);
  }

  @FieldResolver(() => IngestStream, {
    nullable: true,
    description: "The stream it ran (null if no longer registered).",
  })
  stream(@Root() r: RunRow, @Ctx() ctx: GraphQLContext) {
    return streamFreshness(ctx).load(r.streamId);
  }
}

@Resolver(() => Dataset)
export class DatasetResolver {
  @Query(() => Dataset, {
    nullable: true,
    description: "One dataset by its code (TAUX-CHOMAGE…).",
  })
  async dataset(
    @Ctx() ctx: GraphQLContext,
    @Arg("code", () => String, { description: "Dataset code." }) code: string,
  ) {
    const row = await datasetByCode(ctx).load(code);
    if (!row) throw new NotFoundError("dataset", code, "list them with { datasets { code name } }");
    return row;
  }

  @Query(() => [Dataset], {
    description: "Datasets partners publish, with their licence and the streams that load them.",
  })
  datasets(
    @Ctx() ctx: GraphQLContext,
    @Arg("partner", () => String, { nullable: true, description: "Only this partner's." }) partner?: string,
  ) {
    return listDatasets(ctx, { partner });
  }

  @FieldResolver(() => Partner, { description: "The partner that publishes it." })
  partner(@Root() d: Dataset, @Ctx() ctx: GraphQLContext) {
    return partnerByCode(ctx).load(d.partnerCode);
  }

  @FieldResolver(() => [String], {
    nullable: true,
    description:
      "Partners it is shared with (restricted datasets); null unless the caller owns it or is an admin.",
  })
  sharedWith(@Root() d: Dataset, @Ctx() ctx: GraphQLContext) {
    const c = callerOf(ctx);
    return c.role === "admin" || (c.role === "partner" && c.partnerCode === d.partnerCode)
      ? d.sharedWith
      : null;
  }

  @FieldResolver(() => [Series], { description: "Its series (those the caller may see)." })
  series(@Root() d: Dataset, @Ctx() ctx: GraphQLContext, @Info() info?: GraphQLResolveInfo) {
    return seriesOf(ctx).load({
      by: "dataset",
      code: d.code,
      filter: {},
      observations: observationsAskedUnder(info),
    });
  }

  @FieldResolver(() => [IngestStream], {
    description: "Ingest streams that load it, with their freshness and runs.",
  })
  streams(@Root() d: Dataset, @Ctx() ctx: GraphQLContext) {
    return streamsWhere(ctx, (_, stream) => stream.datasetCode === d.code);
  }

  @FieldResolver(() => [IngestRun], { description: "Latest runs of the streams that load it, newest first." })
  async runs(
    @Root() d: Dataset,
    @Ctx() ctx: GraphQLContext,
    @Arg("last", () => Int, {
      defaultValue: 10,
      description: `How many per stream (at most ${RUNS_PER_STREAM_MAX}).`,
    })
    last: number,
  ) {
    if (last < 1 || last > RUNS_PER_STREAM_MAX)
      throw new BadUserInputError(`last: ${last} must be between 1 and ${RUNS_PER_STREAM_MAX}`, {
        argument: "last",
      });
    const streams = await streamsWhere(ctx, (_, stream) => stream.datasetCode === d.code);
    const runs = (await Promise.all(streams.map((s) => runsOfStream(ctx, last).load(s.id)))).flat();
    return runs.sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime());
  }
}
