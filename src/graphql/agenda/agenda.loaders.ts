import { and, asc, eq, isNull, type SQL } from "drizzle-orm";
import {
  agendaNodeFilieres,
  agendaNodeIndicators,
  agendaNodeSites,
  agendaNodes,
  agendaNodeTags,
} from "../../../schema/agenda";
import { filieres } from "../../../schema/filiere";
import { indicators } from "../../../schema/indicator";
import { sites } from "../../../schema/site";
import type { GraphQLContext } from "../context";
import { childLoader, keyLoader, linkLoader } from "../links";

export type AgendaNodeRow = typeof agendaNodes.$inferSelect;

export const agendaNodeByCode = (ctx: GraphQLContext) =>
  keyLoader(ctx, "agendaNode.byCode", agendaNodes, agendaNodes.code);

export function listAgendaNodes(
  ctx: GraphQLContext,
  f: { kind?: AgendaNodeRow["kind"]; parent?: string; roots?: boolean },
): Promise<AgendaNodeRow[]> {
  const where: SQL[] = [];
  if (f.kind) where.push(eq(agendaNodes.kind, f.kind));
  if (f.parent) where.push(eq(agendaNodes.parentCode, f.parent));
  if (f.roots) where.push(isNull(agendaNodes.parentCode));
  return ctx.db
    .select()
    .from(agendaNodes)
    .where(and(...where))
    .orderBy(asc(agendaNodes.kind), asc(agendaNodes.position), asc(agendaNodes.code));
}

export const childrenOfNode = (ctx: GraphQLContext) =>
  childLoader(ctx, "agendaNode.children", agendaNodes, agendaNodes.parentCode, [
    agendaNodes.position,
    agendaNodes.code,
  ]);

export const indicatorsOfNode = (ctx: GraphQLContext) =>
  linkLoader(
    ctx,
    "agendaNode.indicators",
    {
      from: agendaNodeIndicators.nodeCode,
      to: agendaNodeIndicators.indicatorCode,
      extra: { certainty: agendaNodeIndicators.certainty },
    },
    indicators,
    indicators.code,
    indicators.number,
  );

export const filieresOfNode = (ctx: GraphQLContext) =>
  linkLoader(
    ctx,
    "agendaNode.filieres",
    {
      from: agendaNodeFilieres.nodeCode,
      to: agendaNodeFilieres.filiereCode,
      extra: { certainty: agendaNodeFilieres.certainty },
    },
    filieres,
    filieres.code,
    filieres.code,
  );

export const sitesOfNode = (ctx: GraphQLContext) =>
  linkLoader(
    ctx,
    "agendaNode.sites",
    {
      from: agendaNodeSites.nodeCode,
      to: agendaNodeSites.siteCode,
      extra: { certainty: agendaNodeSites.certainty },
    },
    sites,
    sites.code,
    sites.code,
  );

export const tagsOfNode = (ctx: GraphQLContext) =>
  linkLoader(
    ctx,
    "agendaNode.tags",
    { from: agendaNodeTags.nodeCode, to: agendaNodeTags.tagCode },
    agendaNodes,
    agendaNodes.code,
    agendaNodes.code,
  );

export const nodesTaggedWith = (ctx: GraphQLContext) =>
  linkLoader(
    ctx,
    "agendaNode.tagged",
    { from: agendaNodeTags.tagCode, to: agendaNodeTags.nodeCode },
    agendaNodes,
    agendaNodes.code,
    agendaNodes.code,
  );
