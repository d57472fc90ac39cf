import { and, asc, eq, ilike, inArray, isNotNull, isNull, or, type SQL, sql } from "drizzle-orm";
import { agendaNodeIndicators, agendaNodes } from "../../../schema/agenda";
import { filieres } from "../../../schema/filiere";
import {
  baselineIndicators,
  baselines,
  indicators,
  targetFilieres,
  targetIndicators,
  targetSites,
  targets,
} from "../../../schema/indicator";
import { sites } from "../../../schema/site";
import type { GraphQLContext } from "../context";
import { childLoader, containing, keyLoader, linkedTo, linkLoader } from "../links";
import { readReference } from "../reference-cache";

export type IndicatorRow = typeof indicators.$inferSelect;
export type TargetRow = typeof targets.$inferSelect;
export type BaselineRow = typeof baselines.$inferSelect;

export const indicatorByCode = (ctx: GraphQLContext) =>
  keyLoader(ctx, "indicator.byCode", indicators, indicators.code);

export interface IndicatorFilter {
  search?: string;
  provider?: string;
  /** An agenda node: the indicators linked to it or to any node below it. */
  agendaNode?: string;
  /** true: the agenda's numbered 20; false: the hub's own. */
  inAgenda?: boolean;
}

export function listIndicators(ctx: GraphQLContext, f: IndicatorFilter): Promise<IndicatorRow[]> {
  // The whole filter, whatever else it carries: a field added to it later still keys its own entry.
  return readReference(ctx, `indicators.list\0${JSON.stringify(f)}`, () => selectIndicators(ctx, f));
}

function selectIndicators(ctx: GraphQLContext, f: IndicatorFilter): Promise<IndicatorRow[]> {
  const where: SQL[] = [];
  if (f.search) {
    const like = containing(f.search);
    where.push(
      or(ilike(indicators.nameFr, like), ilike(indicators.nameEn, like), ilike(indicators.code, like))!,
    );
  }
  if (f.provider) where.push(eq(indicators.providerPartnerCode, f.provider));
  if (f.inAgenda !== undefined && f.inAgenda !== null)
    where.push(f.inAgenda ? isNotNull(indicators.number) : isNull(indicators.number));
  if (f.agendaNode)
    where.push(
      inArray(
        indicators.code,
        sql`(with recursive below(code) as (
               select ${f.agendaNode}::text
               union select n.code from agenda_nodes n join below b on n.parent_code = b.code)
             select l.indicator_code from agenda_node_indicators l join below b on b.code = l.node_code)`,
      ),
    );
  return ctx.db
    .select()
    .from(indicators)
    .where(and(...where))
    .orderBy(sql`${indicators.number} asc nulls last`, asc(indicators.code));
}

export const targetByCode = (ctx: GraphQLContext) => keyLoader(ctx, "target.byCode", targets, targets.code);

export function listTargets(
  ctx: GraphQLContext,
  f: { indicator?: string; filiere?: string },
): Promise<TargetRow[]> {
  return readReference(ctx, `targets.list\0${JSON.stringify(f)}`, () => selectTargets(ctx, f));
}

function selectTargets(
  ctx: GraphQLContext,
  f: { indicator?: string; filiere?: string },
): Promise<TargetRow[]> {
  const where: SQL[] = [];
  if (f.indicator)
    where.push(
      linkedTo(
        ctx,
        targets.code,
        { from: targetIndicators.indicatorCode, to: targetIndicators.targetCode },
        f.indicator,
      ),
    );
  if (f.filiere)
    where.push(
      linkedTo(
        ctx,
        targets.code,
        { from: targetFilieres.filiereCode, to: targetFilieres.targetCode },
        f.filiere,
      ),
    );
  return ctx.db
    .select()
    .from(targets)
    .where(and(...where))
    .orderBy(asc(targets.code));
}

export const targetsOfIndicator = (ctx: GraphQLContext) =>
  linkLoader(
    ctx,
    "indicator.targets",
    {
      from: targetIndicators.indicatorCode,
      to: targetIndicators.targetCode,
      extra: { certainty: targetIndicators.certainty },
    },
    targets,
    targets.code,
    targets.code,
  );

export const indicatorsOfTarget = (ctx: GraphQLContext) =>
  linkLoader(
    ctx,
    "target.indicators",
    {
      from: targetIndicators.targetCode,
      to: targetIndicators.indicatorCode,
      extra: { certainty: targetIndicators.certainty },
    },
    indicators,
    indicators.code,
    indicators.number,
  );

export const baselinesOfIndicator = (ctx: GraphQLContext) =>
  linkLoader(
    ctx,
    "indicator.baselines",
    {
      from: baselineIndicators.indicatorCode,
      to: baselineIndicators.baselineCode,
      extra: { certainty: baselineIndicators.certainty },
    },
    baselines,
    baselines.code,
    baselines.code,
  );

export const indicatorsOfBaseline = (ctx: GraphQLContext) =>
  linkLoader(
    ctx,
    "baseline.indicators",
    { from: baselineIndicators.baselineCode, to: baselineIndicators.indicatorCode },
    indicators,
    indicators.code,
    indicators.number,
  );

export const filieresOfTarget = (ctx: GraphQLContext) =>
  linkLoader(
    ctx,
    "target.filieres",
    { from: targetFilieres.targetCode, to: targetFilieres.filiereCode },
    filieres,
    filieres.code,
    filieres.code,
  );

export const targetsOfFiliere = (ctx: GraphQLContext) =>
  linkLoader(
    ctx,
    "filiere.targets",
    { from: targetFilieres.filiereCode, to: targetFilieres.targetCode },
    targets,
    targets.code,
    targets.code,
  );

export const sitesOfTarget = (ctx: GraphQLContext) =>
  linkLoader(
    ctx,
    "target.sites",
    { from: targetSites.targetCode, to: targetSites.siteCode },
    sites,
    sites.code,
    sites.code,
  );

export const agendaNodesOfIndicator = (ctx: GraphQLContext) =>
  linkLoader(
    ctx,
    "indicator.agendaNodes",
    {
      from: agendaNodeIndicators.indicatorCode,
      to: agendaNodeIndicators.nodeCode,
      extra: { certainty: agendaNodeIndicators.certainty },
    },
    agendaNodes,
    agendaNodes.code,
    agendaNodes.code,
  );

export const indicatorsOfProvider = (ctx: GraphQLContext) =>
  childLoader(ctx, "partner.indicators", indicators, indicators.providerPartnerCode, [indicators.number]);

export const targetsOfAgendaNode = (ctx: GraphQLContext) =>
  childLoader(ctx, "agendaNode.targets", targets, targets.agendaNodeCode, [targets.code]);
