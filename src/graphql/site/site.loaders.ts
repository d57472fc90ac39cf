import { and, asc, count, eq, getTableColumns, ilike, inArray, or, type SQL, sql } from "drizzle-orm";
import { agendaNodeSites, agendaNodes } from "../../../schema/agenda";
import { partners } from "../../../schema/partner";
import { siteFilieres, sitePartners, sites } from "../../../schema/site";
import { type GraphQLContext, manyLoader, oneLoader } from "../context";
import { linkLoader } from "../links";
import { type PageArgs, paginate, splitTotal } from "../pagination";

export type SiteRow = typeof sites.$inferSelect;

export const siteByCode = (ctx: GraphQLContext) =>
  oneLoader(
    ctx,
    "site.byCode",
    (codes: string[]) => ctx.db.select().from(sites).where(inArray(sites.code, codes)),
    (r) => r.code,
  );

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
    const like = `%${f.search.replace(/[%_\\]/g, "\\$&")}%`;
    where.push(or(ilike(sites.name, like), ilike(sites.code, like))!);
  }
  if (f.filiere)
    where.push(
      inArray(
        sites.code,
        ctx.db
          .select({ c: siteFilieres.siteCode })
          .from(siteFilieres)
          .where(eq(siteFilieres.filiereCode, f.filiere)),
      ),
    );
  if (f.partner)
    where.push(
      inArray(
        sites.code,
        ctx.db
          .select({ c: sitePartners.siteCode })
          .from(sitePartners)
          .where(eq(sitePartners.partnerCode, f.partner)),
      ),
    );
  const condition = and(...where);
  return paginate<SiteRow>(
    page,
    async ({ limit, offset }) =>
      splitTotal(
        await ctx.db
          .select({ ...getTableColumns(sites), total: sql<number>`count(*) over ()` })
          .from(sites)
          .where(condition)
          .orderBy(asc(sites.code))
          .limit(limit)
          .offset(offset),
      ),
    async () => Number((await ctx.db.select({ n: count() }).from(sites).where(condition))[0]?.n ?? 0),
  );
}

export const sitesOfCommune = (ctx: GraphQLContext) =>
  manyLoader(
    ctx,
    "territory.sites",
    (codes: string[]) =>
      ctx.db.select().from(sites).where(inArray(sites.communeCode, codes)).orderBy(asc(sites.code)),
    (r) => r.communeCode ?? "",
  );

export const partsOfSite = (ctx: GraphQLContext) =>
  manyLoader(
    ctx,
    "site.parts",
    (codes: string[]) =>
      ctx.db.select().from(sites).where(inArray(sites.partOfCode, codes)).orderBy(asc(sites.code)),
    (r) => r.partOfCode ?? "",
  );

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
