import { and, asc, eq, ilike, or, type SQL } from "drizzle-orm";
import { agendaNodeSites, agendaNodes } from "../../../schema/agenda";
import { partners } from "../../../schema/partner";
import { siteFilieres, sitePartners, sites } from "../../../schema/site";
import type { GraphQLContext } from "../context";
import { childLoader, containing, keyLoader, linkedTo, linkLoader, pageOfTable } from "../links";
import type { PageArgs } from "../pagination";

export type SiteRow = typeof sites.$inferSelect;

export const siteByCode = (ctx: GraphQLContext) => keyLoader(ctx, "site.byCode", sites, sites.code);

export interface SiteFilter {
  kind?: string;
  filiere?: string;
  partner?: string;
  commune?: string;
  search?: string;
}

export function pageSites(ctx: GraphQLContext, f: SiteFilter, page: PageArgs) {
  const where: SQL[] = [];
  if (f.kind) where.push(eq(sites.kind, f.kind));
  if (f.commune) where.push(eq(sites.communeCode, f.commune));
  if (f.search) {
    const like = containing(f.search);
    where.push(or(ilike(sites.name, like), ilike(sites.code, like))!);
  }
  if (f.filiere)
    where.push(
      linkedTo(ctx, sites.code, { from: siteFilieres.filiereCode, to: siteFilieres.siteCode }, f.filiere),
    );
  if (f.partner)
    where.push(
      linkedTo(ctx, sites.code, { from: sitePartners.partnerCode, to: sitePartners.siteCode }, f.partner),
    );
  return pageOfTable(ctx, sites, and(...where), [asc(sites.code)], page, `sites.page\0${JSON.stringify(f)}`);
}

export const sitesOfCommune = (ctx: GraphQLContext) =>
  childLoader(ctx, "territory.sites", sites, sites.communeCode, [sites.code]);

export const partsOfSite = (ctx: GraphQLContext) =>
  childLoader(ctx, "site.parts", sites, sites.partOfCode, [sites.code]);

export const partnersOfSite = (ctx: GraphQLContext) =>
  linkLoader(
    ctx,
    "site.partners",
    { from: sitePartners.siteCode, to: sitePartners.partnerCode, extra: { role: sitePartners.role } },
    partners,
    partners.code,
    partners.code,
  );

export const sitesOfPartner = (ctx: GraphQLContext) =>
  linkLoader(
    ctx,
    "partner.sites",
    { from: sitePartners.partnerCode, to: sitePartners.siteCode, extra: { role: sitePartners.role } },
    sites,
    sites.code,
    sites.code,
  );

export const agendaNodesOfSite = (ctx: GraphQLContext) =>
  linkLoader(
    ctx,
    "site.agendaNodes",
    {
      from: agendaNodeSites.siteCode,
      to: agendaNodeSites.nodeCode,
      extra: { certainty: agendaNodeSites.certainty },
    },
    agendaNodes,
    agendaNodes.code,
    agendaNodes.code,
  );
